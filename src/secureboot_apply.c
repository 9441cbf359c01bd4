/*
 * secureboot_apply.c: one change of a guest's secure-IPL configuration
 */
#include "secureboot_apply.h"

#include "domain_validate.h"
#include "domain_xml.h"
#include "store_render.h"

char *
siplSecureBootApply(const char *domainXML, const siplSecureBootDef *def,
                    const siplQemuCaps *caps, const char *stateDir,
                    time_t now, unsigned int flags, GPtrArray *warnings,
                    GError **error)
{
    g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *uuid = NULL;
    g_autofree char *certs = NULL;
    g_autofree char *xml = NULL;
    guint i;

    if (def && !siplSecureBootDefValidate(def, now, local, error))
        return NULL;
    if (!(uuid = siplDomainXMLGetUUID(domainXML, error)) ||
        !(certs = siplStoreCertsPath(stateDir, uuid, error)) ||
        !(xml = siplDomainXMLApply(domainXML, def, certs, error)))
        return NULL;
    /* the very XML the caller is going to define */
    if (def && !siplDomainValidate(xml, def, caps, local, error))
        return NULL;

    /* Last: the only step that writes. Normal mode gives QEMU no store,
     * so none is rendered: an emptied one would be QEMU's silent normal
     * mode (07 K11) for any config still naming it. An old store stays
     * for siplStorePrune()/siplStoreRemove(). */
    if (def && def->mode != SIPL_MODE_NORMAL &&
        !(flags & SIPL_SECUREBOOT_APPLY_NO_RENDER) &&
        !siplStoreRender(stateDir, uuid, def,
                         (flags & SIPL_SECUREBOOT_APPLY_KEEP_PREVIOUS) ?
                         SIPL_STORE_RENDER_KEEP_PREVIOUS : 0, error))
        return NULL;

    /* warnings only for a change that goes ahead */
    for (i = 0; warnings && i < local->len; i++)
        g_ptr_array_add(warnings, g_strdup(local->pdata[i]));
    return g_steal_pointer(&xml);
}
