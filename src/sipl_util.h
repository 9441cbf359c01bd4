/*
 * sipl_util.h: small helpers several libsipl modules share
 */
#ifndef SIPL_UTIL_H
#define SIPL_UTIL_H

#include <glib.h>

/**
 * siplWarn:
 * @warnings: (nullable): array of char * the caller prints; NULL drops
 *            the warning
 * @fmt: printf format of the whole (translated) message
 *
 * Appends one formatted warning. Validators return warnings this way
 * instead of printing them, so a configuration may still be used and the
 * caller decides where they go (spec/05 §8.4).
 */
void siplWarn(GPtrArray *warnings, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif /* SIPL_UTIL_H */
