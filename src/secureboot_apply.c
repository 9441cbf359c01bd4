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

    if (def) {
        if (!siplSecureBootDefValidate(def, now, local, error) ||
            !siplDomainValidate(domainXML, def, caps, local, error))
            return NULL;
    }
    if (!(uuid = siplDomainXMLGetUUID(domainXML, error)) ||
        !(certs = siplStoreCertsPath(stateDir, uuid, error)) ||
        !(xml = siplDomainXMLApply(domainXML, def, certs, error)))
        return NULL;

    /* last: the only step that writes */
    if (def && !(flags & SIPL_SECUREBOOT_APPLY_NO_RENDER) &&
        !siplStoreRender(stateDir, uuid, def,
                         (flags & SIPL_SECUREBOOT_APPLY_KEEP_PREVIOUS) ?
                         SIPL_STORE_RENDER_KEEP_PREVIOUS : 0, error))
        return NULL;

    /* warnings only for a change that goes ahead */
    for (i = 0; warnings && i < local->len; i++)
        g_ptr_array_add(warnings, g_strdup(local->pdata[i]));
    return g_steal_pointer(&xml);
}
