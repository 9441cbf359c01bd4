/*
 * util.h: the few libc-like helpers the freestanding guest half needs
 *
 * Named bios_* so that hosted builds (tests, the host machine) never clash
 * with libc. Console helpers build one line in a bounded buffer.
 */
#ifndef SIPL_BIOS_UTIL_H
#define SIPL_BIOS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"

/**
 * bios_memcpy / bios_memset / bios_memcmp / bios_strlen:
 * @dst, @src, @a, @b: buffers of at least @n bytes (not overlapping for
 *     bios_memcpy); @c: fill byte; @s: NUL-terminated string
 *
 * libc semantics. Returns: bios_memcmp: <0, 0 or >0 as the first
 * differing byte of @a is smaller, equal or greater; bios_strlen: the
 * length of @s.
 */
void bios_memcpy(void *dst, const void *src, size_t n);
void bios_memset(void *dst, int c, size_t n);
int bios_memcmp(const void *a, const void *b, size_t n);
size_t bios_strlen(const char *s);

/* Longest console line the flow builds (the longest message is < 100). */
#define BIOS_LINE_MAX   160

/**
 * bios_print:
 * @p: platform
 * @prefix: text before @msg (may be NULL)
 * @msg: the message
 *
 * Prints "<prefix><msg>" as one console line, truncated to BIOS_LINE_MAX.
 */
void bios_print(const SiplPlatform *p, const char *prefix, const char *msg);

/**
 * bios_print_num:
 * @p: platform
 * @before: text before the number
 * @num: the number
 * @hex: 0 decimal; 1 lower-case hex without prefix; BIOS_HEX64 the same
 *       zero-padded to 16 digits (upstream's fill_hex_val over 8 bytes)
 * @after: text after the number (may be NULL)
 *
 * Prints one console line "<before><num><after>".
 */
#define BIOS_HEX64 16
void bios_print_num(const SiplPlatform *p, const char *before, uint64_t num,
                    int hex, const char *after);

/**
 * bios_panic:
 * @p: platform
 * @msg: the reason
 *
 * Prints "ERROR: <msg>" and calls p->halt() (spec/03 preamble).
 * Returns: SIPL_EHALT (only on a host, where halt returns); callers
 * return it unchanged.
 */
int bios_panic(const SiplPlatform *p, const char *msg);

#endif /* SIPL_BIOS_UTIL_H */
