/*
 * virt_glue.h: sipl's configuration in libvirt (spec/05 §2, §10)
 *
 * The <secureBoot> element lives in the domain's <metadata> and is read and
 * written through libvirt's public metadata API, so it works the same with
 * test:///, qemu:///session, qemu:///system and remote URIs.  The QEMU
 * arguments reach the persistent definition by defining the transformed
 * domain XML.  Neither a live nor a config change reaches a running QEMU:
 * it reads the store at its first IPL, so a config change takes effect at
 * the next power cycle and a live-only one never (spec/05 §8.5).
 *
 * siplVirtSecureBootSet() is the one safe path from a change to libvirt
 * (validate, define, render, undo); siplVirtApply() is its define step
 * alone, for tests of the transform against a real driver.
 */
#ifndef SIPL_VIRT_GLUE_H
#define SIPL_VIRT_GLUE_H

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <time.h>

#include "qemu_caps.h"
#include "secureboot_conf.h"

#define SIPL_VIRT_ERROR (siplVirtErrorQuark())
GQuark siplVirtErrorQuark(void);

typedef enum {
    SIPL_VIRT_ERROR_CONNECT,    /* cannot open the connection */
    SIPL_VIRT_ERROR_NO_DOMAIN,  /* no domain by that name, id or UUID */
    SIPL_VIRT_ERROR_FLAGS,      /* --current combined with --live/--config */
    SIPL_VIRT_ERROR_FAILED,     /* libvirt refused; the message is libvirt's */
} siplVirtError;

/* When a change reaches the guest (spec/05 §8.5). */
typedef enum {
    SIPL_VIRT_EFFECT_NEXT_START,    /* shut off: at its next start */
    SIPL_VIRT_EFFECT_POWER_CYCLE,   /* running, persistent definition
                                     * changed: after a full stop and start */
    SIPL_VIRT_EFFECT_LIVE_ONLY,     /* running, only the live definition
                                     * changed: never; lost at the stop */
} siplVirtEffect;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree)

/**
 * siplVirtConnect:
 * @uri: a libvirt URI, or NULL for libvirt's default (LIBVIRT_DEFAULT_URI)
 * @error: return location for an error
 *
 * Opens a connection with libvirt's default authentication.  libvirt's
 * own error printing is switched off for the process: errors reach the
 * caller once, as a GError.
 *
 * Returns: the connection, or NULL with SIPL_VIRT_ERROR_CONNECT.
 */
virConnectPtr siplVirtConnect(const char *uri, GError **error);

/**
 * siplVirtLookupDomain:
 * @conn: a connection
 * @name: domain id, UUID or name (tried in virsh's order)
 * @error: return location for an error
 *
 * Returns: the domain, or NULL with SIPL_VIRT_ERROR_NO_DOMAIN
 * ("failed to get domain 'NAME'", as virsh says).
 */
virDomainPtr siplVirtLookupDomain(virConnectPtr conn, const char *name,
                                  GError **error);

/**
 * siplVirtAffectFlags:
 * @config: --config given
 * @live: --live given
 * @current: --current given
 * @flags: (out): VIR_DOMAIN_AFFECT_* for libvirt
 * @error: return location for an error
 *
 * virsh's rules (spec/05 §10.1): --current excludes --live and --config;
 * --live --config together is allowed; none means AFFECT_CURRENT.
 *
 * Returns: true, or false with SIPL_VIRT_ERROR_FLAGS (virsh's message,
 * "Options --current and --live are mutually exclusive").
 */
bool siplVirtAffectFlags(bool config, bool live, bool current,
                         unsigned int *flags, GError **error);

/**
 * siplVirtGetMetadata:
 * @dom: a domain
 * @flags: VIR_DOMAIN_AFFECT_CURRENT, _LIVE or _CONFIG
 * @xml: (out): the element as libvirt returns it: no prefix, no xmlns
 * @error: return location for an error
 *
 * Returns: 1 with @xml set, 0 when the domain has no <secureBoot>
 * (libvirt's VIR_ERR_NO_DOMAIN_METADATA, 80; @xml is NULL, no error), or
 * -1 with SIPL_VIRT_ERROR_FAILED.
 */
int siplVirtGetMetadata(virDomainPtr dom, unsigned int flags, char **xml,
                        GError **error);

/**
 * siplVirtSetMetadata:
 * @dom: a domain
 * @xml: (nullable): one <secureBoot> element, prefixed or not; NULL
 *   removes it
 * @flags: VIR_DOMAIN_AFFECT_CURRENT, _LIVE and/or _CONFIG
 * @error: return location for an error
 *
 * Stores @xml under sipl's namespace with prefix "sipl".  Only the
 * metadata changes; see siplVirtApply() for the QEMU arguments.
 *
 * Returns: true, or false with SIPL_VIRT_ERROR_FAILED (nothing changed).
 */
bool siplVirtSetMetadata(virDomainPtr dom, const char *xml,
                         unsigned int flags, GError **error);

/**
 * siplVirtGetSecureBoot:
 * @dom: a domain
 * @flags: VIR_DOMAIN_AFFECT_CURRENT, _LIVE or _CONFIG
 * @def: (out): the parsed configuration, or NULL when there is none
 * @error: return location for an error
 *
 * Returns: 1 with @def set, 0 when the domain has no configuration, or -1
 * with SIPL_VIRT_ERROR_FAILED or a SIPL_SECUREBOOT_ERROR (stored XML that
 * does not parse).
 */
int siplVirtGetSecureBoot(virDomainPtr dom, unsigned int flags,
                          siplSecureBootDef **def, GError **error);

/**
 * siplVirtApply:
 * @dom: a domain
 * @def: (nullable): the new configuration; NULL removes sipl's metadata
 *   and QEMU arguments
 * @flags: VIR_DOMAIN_AFFECT_CURRENT, _LIVE and/or _CONFIG
 * @store_path: the certificate directory QEMU is given (boot-certs.0.path)
 * @effect: (out) (nullable): when the change reaches the guest
 * @error: return location for an error
 *
 * The define step of siplVirtSecureBootSet() alone: no validation, no
 * probe, no store. Tools use siplVirtSecureBootSet().
 *
 * AFFECT_CURRENT means live for a running domain, config otherwise, as
 * libvirt decides.  Config: the inactive XML is transformed (metadata and
 * <qemu:commandline>, src/domain_xml.h) and defined in one step.  Live:
 * only the live metadata changes (a running QEMU's arguments cannot).
 * With both, a failing live step re-defines the previous config, so an
 * error leaves the domain as it was.
 *
 * Returns: true, or false with SIPL_VIRT_ERROR_FAILED or the transform's
 * error, the domain unchanged.
 */
bool siplVirtApply(virDomainPtr dom, const siplSecureBootDef *def,
                   unsigned int flags, const char *store_path,
                   siplVirtEffect *effect, GError **error);

/**
 * siplVirtURIIsLocal:
 * @uri: (nullable): a libvirt URI as virConnectGetURI() returns it
 *
 * Whether the hypervisor runs on this host: the URI names no host
 * ("qemu:///system", "qemu+unix:///session?socket=...", "test:///...")
 * or a loopback one ("localhost", "127.0.0.1", "::1") on its transport's
 * default port. A loopback host on another port is remote: that is how
 * tunnels to other hosts look ("qemu+ssh://localhost:2222/system" to a
 * forwarded ssh port). Any other host is remote even when it resolves
 * here, and so is a URI that does not parse. Decided on the URI, not on
 * virConnectGetHostname() against g_get_host_name(): those differ on this very host (a fully qualified
 * name against a short one) and agree across hosts (containers all
 * called "localhost"). A UNIX socket forwarded from another host looks
 * local: name the host in the URI instead.
 *
 * Returns: true when local.
 */
bool siplVirtURIIsLocal(const char *uri);

/**
 * siplVirtURIRedact:
 * @uri: (nullable): a libvirt URI
 *
 * @uri fit for a message: a password in its user information
 * ("qemu+tcp://admin:secret@host/system", which libvirt keeps as the
 * user name and virConnectGetURI() returns) becomes "admin@host".
 *
 * Returns: the URI without password, "?" for NULL; never NULL.
 */
char *siplVirtURIRedact(const char *uri);

/**
 * siplVirtConnectIsLocal:
 * @conn: a connection
 *
 * Returns: siplVirtURIIsLocal() of the connection's URI.
 */
bool siplVirtConnectIsLocal(virConnectPtr conn);

/**
 * siplVirtSecureBootSet:
 * @dom: a domain
 * @def: (nullable): the new configuration; NULL removes sipl's metadata
 *   and QEMU arguments
 * @flags: VIR_DOMAIN_AFFECT_CURRENT, _LIVE and/or _CONFIG
 * @stateDir: (nullable): the store's state directory, NULL for the default
 * @caps: (nullable): the domain's QEMU; NULL probes the <emulator> of the
 *   XML being changed when the connection is local
 *   (siplVirtConnectIsLocal()) and @def is audit or secure; on a remote
 *   connection the QEMU checks are skipped with a warning
 * @now: the time certificate validity is checked against
 * @warnings: (nullable): array of char * to append warnings to, only
 *   when the change goes ahead
 * @effect: (out) (nullable): when the change reaches the guest
 *   (siplVirtEffectNotice())
 * @error: return location for a SIPL_VIRT_ERROR, SIPL_SECUREBOOT_ERROR,
 *   SIPL_DOMAIN_XML_ERROR or SIPL_STORE_ERROR
 *
 * The one path from a change to libvirt:
 * 1. virsh's flag rules: --live on a shut-off domain and --config on a
 *    transient one are refused;
 * 2. the XML that changes (persistent for config, else live) is fetched,
 *    its QEMU probed, @def validated, the XML transformed and the result
 *    validated (siplSecureBootApply()): the XML checked is the XML
 *    defined, and an unsupported QEMU (Debian 12's 7.2) is refused here,
 *    not at the next start;
 * 3. the result is defined (config) and the live metadata set (live);
 * 4. on a local connection, in audit and secure mode with config, the
 *    store is rendered (keeping every old generation while the domain
 *    runs: its QEMU read one of them). Normal mode and removal render nothing and leave an old
 *    store to siplStorePrune()/siplStoreRemove(). A remote host renders
 *    the store itself when the domain starts (a warning says so).
 *
 * A failure in 3 or 4 undoes 3 (the previous XML re-defined, the previous
 * live metadata set again), so false means the domain XML and the store
 * are as they were; if undoing fails too the message says so. A store
 * failure after its switch (SIPL_STORE_ERROR_SWITCHED) becomes a warning:
 * QEMU already reads the new store, which the new XML names.
 *
 * Returns: true, or false with @error set.
 */
bool siplVirtSecureBootSet(virDomainPtr dom, const siplSecureBootDef *def,
                           unsigned int flags, const char *stateDir,
                           const siplQemuCaps *caps, time_t now,
                           GPtrArray *warnings, siplVirtEffect *effect,
                           GError **error);

/**
 * siplVirtEffectNotice:
 * @dom: a domain
 * @effect: what siplVirtSecureBootSet() or siplVirtApply() reported
 *
 * Returns: the sentence tools print after changing a running domain
 * (caller frees), or NULL when there is nothing to say (shut off).
 */
char *siplVirtEffectNotice(virDomainPtr dom, siplVirtEffect effect);

#endif /* SIPL_VIRT_GLUE_H */
