/*
 * sclab.h: per-component SCLAB checks, spec/03 §4 and §5.1
 */
#ifndef SIPL_BIOS_SCLAB_H
#define SIPL_BIOS_SCLAB_H

#include <stdbool.h>
#include <stdint.h>

#include "mode.h"
#include "platform.h"

/* What the SCLABs of one device's components add up to (spec/03 §5.3). */
typedef struct SclabGlobal {
    bool any_valid;         /* some component has a recognizable SCLAB */
    bool have_global;       /* a global (OPSW) SCLAB was seen */
    uint16_t flags;         /* the remembered global SCLAB's flags */
    uint64_t load_psw;      /* ... and its load_psw */
} SclabGlobal;

/**
 * sclab_check:
 * @p: platform; the component is read with p->mem_read()
 * @mode: SIPL_BOOT_AUDIT or SIPL_BOOT_SECURE
 * @addr: component load address
 * @len: block-rounded component length
 * @cei: in/out: the component entry's CEI bits
 * @iiei: in/out: the component block's IIEI bits
 * @g: in/out: global SCLAB state
 *
 * Runs the checks of spec/03 §5.1 in order; each failing one sets its bit
 * first, then calls mode_finding(). Checks 1-3 end the SCLAB checks.
 * Returns: 0 (audit, or no finding), or SIPL_EHALT.
 */
int sclab_check(const SiplPlatform *p, SiplBootMode mode, uint64_t addr,
                uint64_t len, uint32_t *cei, uint16_t *iiei, SclabGlobal *g);

#endif /* SIPL_BIOS_SCLAB_H */
