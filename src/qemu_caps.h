/*
 * qemu_caps.h: does this QEMU binary have secure IPL? (spec/05 §7)
 *
 * libvirt 9.0 reports nothing about secure IPL, and its capability cache
 * is private: run "<emulator> -machine s390-ccw-virtio,help" and look for
 * the machine properties "secure-boot=" and "boot-certs=" (QEMU 11.2 and
 * later). Debian 12's QEMU 7.2 lists neither; a domain using them would
 * fail to start with "Property 's390-ccw-virtio-7.2-machine.secure-boot'
 * not found" (spec/05 §1), so sipl says so before saving anything.
 */
#ifndef SIPL_QEMU_CAPS_H
#define SIPL_QEMU_CAPS_H

#include <glib.h>
#include <stdbool.h>

#define SIPL_QEMU_DEFAULT_EMULATOR "/usr/bin/qemu-system-s390x"
#define SIPL_QEMU_MACHINE "s390-ccw-virtio"

typedef struct _siplQemuCaps siplQemuCaps;
struct _siplQemuCaps {
    char *emulator;     /* the binary probed */
    char *machine;      /* canonical machine type, e.g. "s390-ccw-virtio-7.2" */
    bool secureBoot;    /* lists "secure-boot=" */
    bool bootCerts;     /* lists "boot-certs=" */
};

/**
 * siplQemuCapsFree:
 * @caps: capabilities or NULL
 */
void siplQemuCapsFree(siplQemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(siplQemuCaps, siplQemuCapsFree)

/**
 * siplQemuCapsParseHelp:
 * @emulator: the binary the text came from (recorded in the result)
 * @help: the output of "<emulator> -machine s390-ccw-virtio,help"
 * @error: return location for SIPL_SECUREBOOT_ERROR_UNSUPPORTED when the
 *         text is not a machine property list
 *
 * Returns: the capabilities, or NULL with @error set.
 */
siplQemuCaps *siplQemuCapsParseHelp(const char *emulator, const char *help,
                                    GError **error);

/**
 * siplQemuCapsProbe:
 * @emulator: (nullable): the QEMU binary (the domain's <emulator>);
 *            NULL for SIPL_QEMU_DEFAULT_EMULATOR
 * @error: return location for SIPL_SECUREBOOT_ERROR_UNSUPPORTED (binary
 *         missing, failing, or printing something unexpected)
 *
 * Runs the binary (LC_ALL=C, no shell) and parses what it prints.
 *
 * Returns: the capabilities, or NULL with @error set.
 */
siplQemuCaps *siplQemuCapsProbe(const char *emulator, GError **error);

/**
 * siplQemuCapsCheck:
 * @caps: probed capabilities
 * @error: return location for SIPL_SECUREBOOT_ERROR_UNSUPPORTED
 *
 * Returns: true when the binary has both properties, else false with a
 * message naming the binary and machine type and what is needed.
 */
bool siplQemuCapsCheck(const siplQemuCaps *caps, GError **error);

/**
 * siplQemuMachineVersion:
 * @machine: a machine type such as "s390-ccw-virtio-11.2"
 * @major: (out): its major version
 * @minor: (out): its minor version
 *
 * Returns: true when @machine is a versioned s390-ccw-virtio type, false
 * for the unversioned alias and anything else.
 */
bool siplQemuMachineVersion(const char *machine, guint *major, guint *minor);

#endif /* SIPL_QEMU_CAPS_H */
