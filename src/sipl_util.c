/*
 * sipl_util.c: small helpers several libsipl modules share (see
 * sipl_util.h)
 */
#include "sipl_util.h"

#include <stdarg.h>


void
siplWarn(GPtrArray *warnings, const char *fmt, ...)
{
    va_list ap;

    if (!warnings)
        return;
    va_start(ap, fmt);
    g_ptr_array_add(warnings, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}
