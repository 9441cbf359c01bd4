/*
 * virt_glue.c: sipl's configuration in libvirt (spec/05 §2, §10)
 */
#include "virt_glue.h"
#include "domain_validate.h"
#include "domain_xml.h"
#include "secureboot_apply.h"
#include "sipl_i18n.h"
#include "store_render.h"

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
    if (*config && virDomainIsPersistent(dom) == 0) {
        g_set_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED,
                    _("Requested operation is not valid: transient domains do not have any persistent config"));
        return false;
    }
    return true;
}

/* The XML a change starts from: the persistent one when @config (SECURE:
 * without it, redefining would drop passwords, e.g. VNC), else the live
 * one. */
static char *
siplVirtGetXML(virDomainPtr dom, bool config, GError **error)
{
    char *xml = virDomainGetXMLDesc(dom, config ? VIR_DOMAIN_XML_INACTIVE |
                                                  VIR_DOMAIN_XML_SECURE : 0);
    char *ret;

    if (!xml) {
        siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                         _("cannot get the domain's XML"));
        return NULL;
    }
    ret = g_strdup(xml);
    free(xml);
    return ret;
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

/* Put back what siplVirtCommit() changed; @error gets a note when that
 * fails too. Both halves are tried: a domain that stopped meanwhile
 * refuses the live one, and its persistent XML must still go back. */
static void
siplVirtUndo(virDomainPtr dom, bool live, bool config, const char *oldxml,
             const char *oldmeta, GError **error)
{
    g_autoptr(GError) undo = NULL;

    if (live)
        siplVirtSetMetadata(dom, oldmeta, VIR_DOMAIN_AFFECT_LIVE, &undo);
    if (config)
        siplVirtDefine(dom, oldxml, undo ? NULL : &undo);
    if (undo && error && *error) {
        g_autoptr(GError) first = g_steal_pointer(error);

        g_set_error(error, first->domain, first->code,
                    _("%1$s; restoring the previous definition failed as well: %2$s"),
                    first->message, undo->message);
    }
}

/* Define @newxml (@config) and set the live metadata to @meta (@live);
 * a failing live step re-defines @oldxml, so an error changes nothing
 * (or says that it did). */
static bool
siplVirtCommit(virDomainPtr dom, bool live, bool config, const char *oldxml,
               const char *newxml, const char *meta, GError **error)
{
    if (config && !siplVirtDefine(dom, newxml, error))
        return false;
    if (live &&
        !siplVirtSetMetadata(dom, meta, VIR_DOMAIN_AFFECT_LIVE, error)) {
        siplVirtUndo(dom, false, config, oldxml, NULL, error);
        return false;
    }
    return true;
}

/* spec/05 §8.5: the running QEMU never sees a change; a persistent one
 * waits for the next start, a live-only one is lost at the next stop. */
static siplVirtEffect
siplVirtEffectOf(bool config, bool active)
{
    if (!active)
        return SIPL_VIRT_EFFECT_NEXT_START;
    return config ? SIPL_VIRT_EFFECT_POWER_CYCLE : SIPL_VIRT_EFFECT_LIVE_ONLY;
}

bool
siplVirtApply(virDomainPtr dom, const siplSecureBootDef *def,
              unsigned int flags, const char *store_path,
              siplVirtEffect *effect, GError **error)
{
    g_autofree char *meta = NULL;
    g_autofree char *oldxml = NULL;
    g_autofree char *newxml = NULL;
    bool live, config, active;

    if (!siplVirtResolveFlags(dom, flags, &live, &config, &active, error))
        return false;
    if (def)
        meta = siplSecureBootDefFormat(def, SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE);
    if (config &&
        (!(oldxml = siplVirtGetXML(dom, true, error)) ||
         !(newxml = siplDomainXMLApply(oldxml, def, store_path, error))))
        return false;
    if (!siplVirtCommit(dom, live, config, oldxml, newxml, meta, error))
        return false;
    if (effect)
        *effect = siplVirtEffectOf(config, active);
    return true;
}

/* The port libvirt's remote driver uses when a URI gives none: 22 for
 * the ssh transports, 16509 for tcp, 16514 for tls (also the default
 * transport of a URI with a host); -1 when unknown. */
static int
siplVirtURIDefaultPort(const char *scheme)
{
    const char *plus = strchr(scheme, '+');
    const char *transport = plus ? plus + 1 : "tls";

    if (g_ascii_strcasecmp(transport, "ssh") == 0 ||
        g_ascii_strcasecmp(transport, "libssh") == 0 ||
        g_ascii_strcasecmp(transport, "libssh2") == 0)
        return 22;
    if (g_ascii_strcasecmp(transport, "tcp") == 0)
        return 16509;
    if (g_ascii_strcasecmp(transport, "tls") == 0)
        return 16514;
    return -1;
}

bool
siplVirtURIIsLocal(const char *uri)
{
    g_autoptr(GUri) parsed = uri ? g_uri_parse(uri, G_URI_FLAGS_NON_DNS, NULL) : NULL;
    const char *host;
    int port;

    if (!parsed)
        return false;
    host = g_uri_get_host(parsed);
    if (!host || !*host)
        return true;
    if (g_ascii_strcasecmp(host, "localhost") != 0 &&
        strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0)
        return false;
    /* another port on the loopback is a tunnel, most likely elsewhere */
    port = g_uri_get_port(parsed);
    return port < 0 || port == siplVirtURIDefaultPort(g_uri_get_scheme(parsed));
}

char *
siplVirtURIRedact(const char *uri)
{
    const char *auth;
    gsize authLen;
    const char *at = NULL;
    const char *colon;

    if (!uri)
        return g_strdup("?");
    if (!(auth = strstr(uri, "://")))
        return g_strdup(uri);
    auth += strlen("://");
    authLen = strcspn(auth, "/?#");
    /* the last '@' of the authority ends the user information */
    for (const char *p = auth; p < auth + authLen; p++) {
        if (*p == '@')
            at = p;
    }
    if (!at || !(colon = memchr(auth, ':', at - auth)))
        return g_strdup(uri);
    return g_strdup_printf("%.*s%s", (int)(colon - uri), uri, at);
}

bool
siplVirtConnectIsLocal(virConnectPtr conn)
{
    char *uri = virConnectGetURI(conn);
    bool local = siplVirtURIIsLocal(uri);

    free(uri);
    virResetLastError();
    return local;
}

/* Probe the QEMU of @xml unless @caps is given or nothing needs one. */
static bool
siplVirtCaps(const siplSecureBootDef *def, const char *xml, bool local,
             const siplQemuCaps **caps, siplQemuCaps **probed, GError **error)
{
    g_autofree char *emulator = NULL;

    if (*caps || !local || !def || def->mode == SIPL_MODE_NORMAL)
        return true;
    if (!(emulator = siplDomainGetEmulator(xml, error)) ||
        !(*probed = siplQemuCapsProbe(emulator, error)))
        return false;
    *caps = *probed;
    return true;
}

bool
siplVirtSecureBootSet(virDomainPtr dom, const siplSecureBootDef *def,
                      unsigned int flags, const char *stateDir,
                      const siplQemuCaps *caps, time_t now,
                      GPtrArray *warnings, siplVirtEffect *effect,
                      GError **error)
{
    g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(siplQemuCaps) probed = NULL;
    g_autofree char *base = NULL;
    g_autofree char *newxml = NULL;
    g_autofree char *meta = NULL;
    g_autofree char *oldmeta = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    bool live, config, active, isLocal, render;
    guint i;

    if (!siplVirtResolveFlags(dom, flags, &live, &config, &active, error))
        return false;
    isLocal = siplVirtConnectIsLocal(virDomainGetConnect(dom));
    render = config && def && def->mode != SIPL_MODE_NORMAL;
    if (!(base = siplVirtGetXML(dom, config, error)) ||
        !siplVirtCaps(def, base, isLocal, &caps, &probed, error))
        return false;
    /* the XML validated is the XML defined; nothing is written yet */
    if (!(newxml = siplSecureBootApply(base, def, caps, stateDir, now,
                                       SIPL_SECUREBOOT_APPLY_NO_RENDER,
                                       local, error)))
        return false;
    if (live && siplVirtGetMetadata(dom, VIR_DOMAIN_AFFECT_LIVE, &oldmeta, error) < 0)
        return false;
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        siplVirtSetError(error, SIPL_VIRT_ERROR_FAILED,
                         _("cannot get the domain's UUID"));
        return false;
    }
    if (def)
        meta = siplSecureBootDefFormat(def, SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE);

    if (!siplVirtCommit(dom, live, config, base, newxml, meta, error))
        return false;

    /* After the define, so a refused define leaves the store alone; a
     * failed render undoes the define. A remote host renders at start. */
    if (render && isLocal) {
        g_autoptr(GError) rerr = NULL;

        if (!siplStoreRender(stateDir, uuid, def,
                             active ? SIPL_STORE_RENDER_KEEP_PREVIOUS : 0,
                             &rerr)) {
            if (!g_error_matches(rerr, SIPL_STORE_ERROR, SIPL_STORE_ERROR_SWITCHED)) {
                g_propagate_error(error, g_steal_pointer(&rerr));
                siplVirtUndo(dom, live, config, base, oldmeta, error);
                return false;
            }
            /* QEMU already reads the new store: keep the change */
            g_ptr_array_add(local, g_strdup(rerr->message));
        }
    } else if (render) {
        char *uri = virConnectGetURI(virDomainGetConnect(dom));
        g_autofree char *shown = siplVirtURIRedact(uri);

        g_ptr_array_add(local,
                        g_strdup_printf(_("the connection '%1$s' is not local: the certificate store is not rendered here; the domain's host renders it from the metadata when the domain starts"),
                                        shown));
        free(uri);
    }

    for (i = 0; warnings && i < local->len; i++)
        g_ptr_array_add(warnings, g_strdup(local->pdata[i]));
    if (effect)
        *effect = siplVirtEffectOf(config, active);
    return true;
}

char *
siplVirtEffectNotice(virDomainPtr dom, siplVirtEffect effect)
{
    const char *name = virDomainGetName(dom);

    if (!name)
        name = "?";
    switch (effect) {
    case SIPL_VIRT_EFFECT_POWER_CYCLE:
        /* spec/05 §8.5: QEMU reads the store once, at its first IPL reset. */
        return g_strdup_printf(_("Domain '%1$s' is running: the change takes effect after it is shut down and started again (a guest reboot is not enough)."),
                               name);
    case SIPL_VIRT_EFFECT_LIVE_ONLY:
        return g_strdup_printf(_("Domain '%1$s' is running: only its running definition changed, and that is lost when the domain stops (QEMU never reads it); use --config to keep the change."),
                               name);
    case SIPL_VIRT_EFFECT_NEXT_START:
    default:
        return NULL;
    }
}
