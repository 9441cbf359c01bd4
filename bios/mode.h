/*
 * mode.h: boot mode and the audit/secure handler, spec/01 §3.2, spec/03 §7
 */
#ifndef SIPL_BIOS_MODE_H
#define SIPL_BIOS_MODE_H

#include <stdint.h>

#include "platform.h"

/* Boot modes (spec/01 §3.2); internal to the BIOS, values as upstream. */
typedef enum {
    SIPL_BOOT_NORMAL = 0,
    SIPL_BOOT_AUDIT = 1,
    SIPL_BOOT_SECURE = 2,
} SiplBootMode;

/**
 * mode_from_flags:
 * @hdr_flags: IPLB header byte 4
 *
 * Returns: SIPL_BOOT_SECURE for SIPL|IPLIR, SIPL_BOOT_AUDIT for IPLIR
 * alone, SIPL_BOOT_NORMAL for anything else (SIPL alone included).
 */
SiplBootMode mode_from_flags(uint8_t hdr_flags);

/**
 * mode_finding:
 * @p: platform
 * @mode: SIPL_BOOT_AUDIT or SIPL_BOOT_SECURE
 * @msg: the secure-mode text of the finding
 *
 * The one handler of spec/03 §7. The caller has already recorded the
 * finding's CEI/IIEI bit. Audit prints "AUDIT MODE WARNING: <msg>" and
 * returns 0; secure panics ("ERROR: <msg>").
 * Returns: 0 to go on, or SIPL_EHALT.
 */
int mode_finding(const SiplPlatform *p, SiplBootMode mode, const char *msg);

#endif /* SIPL_BIOS_MODE_H */
