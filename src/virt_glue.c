/*
 * virt_glue.c: sipl's configuration in libvirt (spec/05 §2, §10)
 */
#include "virt_glue.h"
#include "domain_xml.h"
#include "sipl_i18n.h"

#include <libvirt/virterror.h>
#include <string.h>

GQuark
siplVirtErrorQuark(void)
{
    return g_quark_from_static_string("sipl-virt-error-quark");
}

/* libvirt's default handler prints every error on stderr ("libvirt: Domain
 * Config error : ...", spec/05 §2); we report each one once, ourselves. */
static void
siplVirtQuietError(void *opaque, virErrorPtr err)
{
    (void)opaque;
    (void)err;
}

static void
siplVirtInit(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        virInitialize();
        virSetErrorFunc(NULL, siplVirtQuietError);
        g_once_init_leave(&once, 1);
    }
}

/* The last libvirt error as a GError, with libvirt's own message. */
static void
siplVirtSetError(GError **error, int code, const char *fallback)
{
    virErrorPtr err = virGetLastError();

    g_set_error_literal(error, SIPL_VIRT_ERROR, code,
                        err && err->message ? err->message : fallback);
}

virConnectPtr
siplVirtConnect(const char *uri, GError **error)
{
    virConnectPtr conn;

    siplVirtInit();
    conn = virConnectOpenAuth(uri, virConnectAuthPtrDefault, 0);
    if (!conn) {
        siplVirtSetError(error, SIPL_VIRT_ERROR_CONNECT,
                         _("failed to connect to the hypervisor"));
        return NULL;
    }
    return conn;
}

virDomainPtr
siplVirtLookupDomain(virConnectPtr conn, const char *name, GError **error)
{
    virDomainPtr dom = NULL;
    guint64 id = 0;

    /* virsh: id, then UUID, then name (tools/virsh-domain.c). */
    if (g_ascii_string_to_unsigned(name, 10, 0, G_MAXINT, &id, NULL))
        dom = virDomainLookupByID(conn, (int)id);
    if (!dom && strlen(name) == VIR_UUID_STRING_BUFLEN - 1)
        dom = virDomainLookupByUUIDString(conn, name);
    if (!dom)
        dom = virDomainLookupByName(conn, name);
    if (!dom) {
        g_set_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_NO_DOMAIN,
                    _("failed to get domain '%1$s'"), name);
        return NULL;
    }
    virResetLastError();
    return dom;
}

bool
siplVirtAffectFlags(bool config, bool live, bool current,
                    unsigned int *flags, GError **error)
{
    if (current && (live || config)) {
        g_set_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FLAGS,
                    _("Options --current and %1$s are mutually exclusive"),
                    live ? "--live" : "--config");
        return false;
    }
    *flags = VIR_DOMAIN_AFFECT_CURRENT;
    if (config)
        *flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (live)
        *flags |= VIR_DOMAIN_AFFECT_LIVE;
    return true;
}

int
siplVirtGetMetadata(virDomainPtr dom, unsigned int flags, char **xml,
                    GError **error)
{
    char *res = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                     SIPL_SECUREBOOT_NAMESPACE, flags);
    virErrorPtr err;

    *xml = NULL;
    if (res) {
        /* libvirt allocates with its own allocator (malloc). */
        *xml = g_strdup(res);
        free(res);
        return 1;
    }
    err = virGetLastError();
    if (err && err->code == VIR_ERR_NO_DOMAIN_METADATA) {
        virResetLastError();
        return 0;
    }
    siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                     _("cannot read the domain's metadata"));
    return -1;
}

bool
siplVirtSetMetadata(virDomainPtr dom, const char *xml, unsigned int flags,
                    GError **error)
{
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
                             xml ? SIPL_SECUREBOOT_PREFIX : NULL,
                             SIPL_SECUREBOOT_NAMESPACE, flags) < 0) {
        siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                         _("cannot change the domain's metadata"));
        return false;
    }
    return true;
}

int
siplVirtGetSecureBoot(virDomainPtr dom, unsigned int flags,
                      siplSecureBootDef **def, GError **error)
{
    g_autofree char *xml = NULL;
    int rc = siplVirtGetMetadata(dom, flags, &xml, error);

    *def = NULL;
    if (rc <= 0)
        return rc;
    if (!(*def = siplSecureBootDefParseString(xml, error)))
        return -1;
    return 1;
}

/* Which of live/config AFFECT_CURRENT means now (libvirt's rule). */
static bool
siplVirtResolveFlags(virDomainPtr dom, unsigned int flags, bool *live,
                     bool *config, bool *active, GError **error)
{
    int running = virDomainIsActive(dom);

    if (running < 0) {
        siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                         _("cannot get the domain's state"));
        return false;
    }
    *active = running == 1;
    *live = flags & VIR_DOMAIN_AFFECT_LIVE;
    *config = flags & VIR_DOMAIN_AFFECT_CONFIG;
    if (!*live && !*config) {
        *live = *active;
        *config = !*active;
    }
    if (*live && !*active) {
        g_set_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED,
                    _("Requested operation is not valid: domain is not running"));
        return false;
    }
    return true;
}

static bool
siplVirtDefine(virDomainPtr dom, const char *xml, GError **error)
{
    virDomainPtr def = virDomainDefineXMLFlags(virDomainGetConnect(dom), xml,
                                               VIR_DOMAIN_DEFINE_VALIDATE);

    if (!def) {
        siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                         _("cannot define the domain"));
        return false;
    }
    virDomainFree(def);
    return true;
}

bool
siplVirtApply(virDomainPtr dom, const siplSecureBootDef *def,
              unsigned int flags, const char *store_path, bool *power_cycle,
              GError **error)
{
    g_autofree char *meta = NULL;
    g_autofree char *newxml = NULL;
    char *oldxml = NULL;
    bool live, config, active;
    bool ret = false;

    if (!siplVirtResolveFlags(dom, flags, &live, &config, &active, error))
        return false;
    if (def)
        meta = siplSecureBootDefFormat(def, SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE);

    if (config) {
        if (virDomainIsPersistent(dom) == 0) {
            g_set_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED,
                        _("Requested operation is not valid: transient domains do not have any persistent config"));
            return false;
        }
        /* SECURE: without it, redefining would drop passwords (e.g. VNC). */
        if (!(oldxml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
                                                VIR_DOMAIN_XML_SECURE))) {
            siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                             _("cannot get the domain's XML"));
            return false;
        }
        if (!(newxml = siplDomainXMLApply(oldxml, def, store_path, error)) ||
            !siplVirtDefine(dom, newxml, error))
            goto cleanup;
    }
    if (live &&
        !siplVirtSetMetadata(dom, meta, VIR_DOMAIN_AFFECT_LIVE, error)) {
        /* Put the config back so a failure changes nothing. */
        if (config)
            siplVirtDefine(dom, oldxml, NULL);
        goto cleanup;
    }
    if (power_cycle)
        *power_cycle = active;
    ret = true;

 cleanup:
    free(oldxml);
    return ret;
}

char *
siplVirtPowerCycleNotice(virDomainPtr dom)
{
    const char *name = virDomainGetName(dom);

    /* spec/05 §8.5: QEMU reads the store once, at its first IPL reset. */
    return g_strdup_printf(_("Domain '%1$s' is running: the change takes effect after it is shut down and started again (a guest reboot is not enough)."),
                           name ? name : "?");
}
