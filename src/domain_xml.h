/*
 * domain_xml.h: <secureBoot> in a domain XML, and its QEMU arguments
 *
 * libvirt 9.0 knows nothing of secure IPL (spec/05 §1): the configuration
 * lives in the domain's <metadata> (spec/05 §2) and reaches QEMU as a
 * second -machine in <qemu:commandline> (spec/05 §3):
 *
 *   <qemu:arg value='-machine'/>
 *   <qemu:arg value='secure-boot=on,boot-certs.0.path=/var/lib/sipl/domains/UUID/certs'/>
 *
 * sipl owns exactly the pairs "-machine" + a value starting "secure-boot="
 * or "boot-certs."; every other argument is the user's and is kept as it
 * is, in order. The transform is a pure function: domain XML and
 * configuration in, domain XML out (formatted the way libvirt formats,
 * two-space indentation, no XML declaration).
 */
#ifndef SIPL_DOMAIN_XML_H
#define SIPL_DOMAIN_XML_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

#include "secureboot_conf.h"

#define SIPL_QEMU_NAMESPACE "http://libvirt.org/schemas/domain/qemu/1.0"
#define SIPL_QEMU_PREFIX "qemu"

#define SIPL_DOMAIN_XML_ERROR (siplDomainXMLErrorQuark())
GQuark siplDomainXMLErrorQuark(void);

typedef enum {
    SIPL_DOMAIN_XML_ERROR_XML,      /* not well-formed, or not a <domain> */
    SIPL_DOMAIN_XML_ERROR_INVALID,  /* something the transform cannot do */
} siplDomainXMLErrorCode;

/**
 * siplDomainXMLParseDoc:
 * @domainXML: a domain XML document
 * @error: return location for SIPL_DOMAIN_XML_ERROR_XML
 *
 * Parses without network access or entity expansion, drops ignorable
 * white space (output is re-indented), and checks the root is <domain>.
 * Refused besides malformed XML: a document type declaration (libvirt
 * never writes one; its entities would not survive Apply), and XML that is
 * not namespace-well-formed, e.g. <qemu:commandline> without xmlns:qemu,
 * which libvirt ignores but which would turn into a second
 * <qemu:commandline> once Apply declares the prefix.
 *
 * Returns: the document (free with xmlFreeDoc), or NULL with @error set.
 */
xmlDocPtr siplDomainXMLParseDoc(const char *domainXML, GError **error);

/**
 * siplDomainXMLGetSecureBoot:
 * @domainXML: a domain XML document
 * @def: (out): the configuration in its <metadata>, NULL when it has none
 * @error: return location for a SIPL_DOMAIN_XML_ERROR, or the
 *         SIPL_SECUREBOOT_ERROR of a <secureBoot> that does not parse
 *
 * Returns: true (with *@def possibly NULL), false with @error set.
 */
bool siplDomainXMLGetSecureBoot(const char *domainXML, siplSecureBootDef **def,
                                GError **error);

/**
 * siplDomainXMLGetUUID:
 * @domainXML: a domain XML document
 * @error: return location for a SIPL_DOMAIN_XML_ERROR
 *
 * Returns: the domain's <uuid> text, or NULL with @error set (also when
 * it has none: the store is keyed by it, spec/05 §8.1).
 */
char *siplDomainXMLGetUUID(const char *domainXML, GError **error);

/**
 * siplDomainXMLMachineArg:
 * @def: a configuration
 * @certsPath: the store path (siplStoreCertsPath())
 *
 * Returns: the value after "-machine" ("secure-boot=on|off,
 * boot-certs.0.path=PATH" with commas in PATH doubled, spec/05 §3), or
 * NULL in normal mode, which passes nothing to QEMU.
 */
char *siplDomainXMLMachineArg(const siplSecureBootDef *def,
                              const char *certsPath);

/**
 * siplDomainXMLApply:
 * @domainXML: a domain XML document
 * @def: (nullable): the configuration; NULL removes sipl from the domain
 * @certsPath: the absolute store path for boot-certs.0.path; unused in
 *             normal mode and when @def is NULL
 * @error: return location for a SIPL_DOMAIN_XML_ERROR
 *
 * Puts @def into <metadata> (replacing any element in sipl's namespace)
 * and makes <qemu:commandline> carry exactly one sipl pair in audit and
 * secure mode, replacing ours where it was, or appended; none in normal
 * mode, removing a <qemu:commandline> left empty. The qemu namespace is
 * declared on <domain> when it is missing. White-space-only text between
 * elements is dropped, so the output is indented alike whatever the input
 * was, and applying it again gives the same bytes.
 *
 * Returns: the new domain XML, or NULL with @error set.
 */
char *siplDomainXMLApply(const char *domainXML, const siplSecureBootDef *def,
                         const char *certsPath, GError **error);

#endif /* SIPL_DOMAIN_XML_H */
