/*
 * secureboot_apply.h: one change of a guest's secure-IPL configuration
 *
 * Validate the configuration, transform the domain XML, validate the
 * result, then render the store: a refused change writes nothing and
 * returns no XML, so the caller's domain and the rendered store stay as
 * they were (issue 4).
 */
#ifndef SIPL_SECUREBOOT_APPLY_H
#define SIPL_SECUREBOOT_APPLY_H

#include <glib.h>
#include <stdbool.h>
#include <time.h>

#include "qemu_caps.h"
#include "secureboot_conf.h"

typedef enum {
    /* The domain is running: keep every old generation, one of which its
     * QEMU read (spec/05 §8.2 step 4; siplStorePrune() at the stop). */
    SIPL_SECUREBOOT_APPLY_KEEP_PREVIOUS = 1 << 0,
    /* Do not render here (remote connection: the hook renders on the
     * host at prepare, spec/05 §4); still validate and transform. */
    SIPL_SECUREBOOT_APPLY_NO_RENDER = 1 << 1,
} siplSecureBootApplyFlags;

/**
 * siplSecureBootApply:
 * @domainXML: the domain's XML as it is now (never modified)
 * @def: (nullable): the new configuration; NULL removes sipl from the
 *       domain (the store is left for siplStoreRemove() at undefine)
 * @caps: (nullable): the domain's QEMU (siplQemuCapsProbe()); NULL skips
 *        those checks with a warning
 * @stateDir: (nullable): the store's state directory, NULL for the default
 * @now: the time certificate validity is checked against
 * @flags: siplSecureBootApplyFlags
 * @warnings: (nullable): array of char * to append warnings to
 * @error: return location for a SIPL_SECUREBOOT_ERROR,
 *         SIPL_DOMAIN_XML_ERROR or SIPL_STORE_ERROR
 *
 * siplSecureBootDefValidate(), siplDomainXMLApply(), siplDomainValidate()
 * of the transformed XML (what the caller defines) and siplStoreRender(),
 * in that order, stopping at the first error. Normal mode and a NULL
 * @def render nothing and leave an existing store alone.
 *
 * The XML is not defined here: siplVirtSecureBootSet() does all of it
 * against libvirt (probe, define, render, undo).
 *
 * Returns: the new domain XML to define, or NULL with @error set and
 * nothing written.
 */
char *siplSecureBootApply(const char *domainXML, const siplSecureBootDef *def,
                          const siplQemuCaps *caps, const char *stateDir,
                          time_t now, unsigned int flags, GPtrArray *warnings,
                          GError **error);

#endif /* SIPL_SECUREBOOT_APPLY_H */
