/*
 * mode.c: boot mode and the audit/secure handler (mode.h)
 */
#include "mode.h"

#include "util.h"
#include "wire/iplb.h"

SiplBootMode mode_from_flags(uint8_t hdr_flags)
{
    uint8_t f = hdr_flags & (DIAG308_IPIB_FLAGS_SIPL | DIAG308_IPIB_FLAGS_IPLIR);

    if (f == (DIAG308_IPIB_FLAGS_SIPL | DIAG308_IPIB_FLAGS_IPLIR)) {
        return SIPL_BOOT_SECURE;
    }
    if (f == DIAG308_IPIB_FLAGS_IPLIR) {
        return SIPL_BOOT_AUDIT;
    }
    /* SIPL without IPLIR is normal mode too (spec/01 §3.2) */
    return SIPL_BOOT_NORMAL;
}

int mode_finding(const SiplPlatform *p, SiplBootMode mode, const char *msg)
{
    if (mode == SIPL_BOOT_AUDIT) {
        bios_print(p, "AUDIT MODE WARNING: ", msg);     /* 07 K17 */
        return 0;
    }
    return bios_panic(p, msg);
}
