/*
 * virt_glue.h: sipl's configuration in libvirt (spec/05 §2, §10)
 *
 * The <secureBoot> element lives in the domain's <metadata> and is read and
 * written through libvirt's public metadata API, so it works the same with
 * test:///, qemu:///session, qemu:///system and remote URIs.  The QEMU
 * arguments reach the persistent definition by defining the transformed
 * domain XML.  Neither a live nor a config change reaches a running QEMU:
 * it reads the store at its first IPL, so changes take effect at the next
 * power cycle (spec/05 §8.5).
 */
#ifndef SIPL_VIRT_GLUE_H
#define SIPL_VIRT_GLUE_H

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "secureboot_conf.h"

#define SIPL_VIRT_ERROR (siplVirtErrorQuark())
GQuark siplVirtErrorQuark(void);

typedef enum {
    SIPL_VIRT_ERROR_CONNECT,    /* cannot open the connection */
    SIPL_VIRT_ERROR_NO_DOMAIN,  /* no domain by that name, id or UUID */
    SIPL_VIRT_ERROR_FLAGS,      /* --current combined with --live/--config */
    SIPL_VIRT_ERROR_FAILED,     /* libvirt refused; the message is libvirt's */
} siplVirtError;

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
 * @power_cycle: (out) (nullable): set when the domain is running, i.e.
 *   the change takes effect only after a full stop and start
 * @error: return location for an error
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
                   bool *power_cycle, GError **error);

/**
 * siplVirtPowerCycleNotice:
 * @dom: a domain
 *
 * Returns: the sentence tools print after changing a running domain
 * (caller frees).
 */
char *siplVirtPowerCycleNotice(virDomainPtr dom);

#endif /* SIPL_VIRT_GLUE_H */
