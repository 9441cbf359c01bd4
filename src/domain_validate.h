/*
 * domain_validate.h: can this domain do secure IPL? (spec/05 §8.4)
 *
 * What a user must hear before a guest fails to boot: the rules QEMU's
 * hypervisor half and the BIOS apply to the machine, CPU and boot devices
 * (spec/01 §4, spec/02 §8.3, 07 D8, D29), checked on the domain XML before
 * anything is saved. Errors refuse; warnings are returned for printing.
 */
#ifndef SIPL_DOMAIN_VALIDATE_H
#define SIPL_DOMAIN_VALIDATE_H

#include <glib.h>
#include <stdbool.h>

#include "qemu_caps.h"
#include "secureboot_conf.h"

/**
 * siplDomainGetEmulator:
 * @domainXML: a domain XML document
 * @error: return location for a SIPL_DOMAIN_XML_ERROR
 *
 * Returns: the domain's <emulator>, or SIPL_QEMU_DEFAULT_EMULATOR when it
 * names none; NULL with @error set when the XML is not a domain.
 */
char *siplDomainGetEmulator(const char *domainXML, GError **error);

/**
 * siplDomainValidate:
 * @domainXML: the domain XML the configuration is for
 * @def: the configuration (already checked by siplSecureBootDefValidate)
 * @caps: (nullable): the domain's QEMU, probed with siplQemuCapsProbe();
 *        NULL skips the QEMU checks with a warning (e.g. the binary lives
 *        on a remote host)
 * @warnings: (nullable): array of char * to append warnings to
 * @error: return location for SIPL_SECUREBOOT_ERROR_DOMAIN (the guest
 *         configuration), _UNSUPPORTED (the QEMU), or a
 *         SIPL_DOMAIN_XML_ERROR (not a domain)
 *
 * Normal mode passes nothing to QEMU and is always accepted. In audit and
 * secure mode, errors: an architecture other than s390x; a machine type
 * other than s390-ccw-virtio or older than 11.2; a QEMU without the
 * properties; <kernel> direct boot (07 D8); a PV guest (launchSecurity
 * s390-pv); a CPU without cstore, sipl and sclaf (spec/01 §4.2); no boot
 * device, or a boot device secure IPL refuses (vfio-ccw, network, PCI,
 * CD-ROM/ISO, anything but virtio-blk-ccw or scsi-hd on virtio-scsi-ccw:
 * spec/01 §4.3, 07 D29), a scsi boot disk whose drive address names no
 * valid controller index. Warnings: more than 8 boot devices (QEMU checks
 * and uses the first 8 only), QEMU not probed.
 *
 * Returns: true when the domain can use @def, false with @error set.
 */
bool siplDomainValidate(const char *domainXML, const siplSecureBootDef *def,
                        const siplQemuCaps *caps, GPtrArray *warnings,
                        GError **error);

#endif /* SIPL_DOMAIN_VALIDATE_H */
