/*
 * iplb.h: IPLB header flags, IPL mode and the QIPL certificate area as the
 * hypervisor derives them (spec/01 §3.1, spec/02 §8-§10, 07 D8, D9, D15,
 * D29)
 *
 * A small pure module: no guest memory, no machine state. The machine (and
 * preflight) feed it the two inputs that decide everything — the
 * `secure-boot` bool and the number of certificates the store holds after
 * loading — and apply what it returns to the IPLBs they build.
 */
#ifndef SIPL_QEMU_IPLB_H
#define SIPL_QEMU_IPLB_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "../bios/wire/iplb.h"

#define IPLB_ERROR (iplb_error_quark())
GQuark iplb_error_quark(void);

typedef enum {
    IPLB_ERROR_DIRECT_KERNEL,   /* 07 D8 */
    IPLB_ERROR_NO_CERTS,        /* 07 D9 */
    IPLB_ERROR_NO_BOOT_DEVICE,  /* spec/02 §10 step 4 */
    IPLB_ERROR_BOOT_DEVICE,     /* spec/02 §8.3, 07 D29 */
    IPLB_ERROR_AREA,            /* QIPL area does not fit below the BIOS */
} IplbErrorCode;

/* The mode the BIOS will run in (spec/01 §3.1, §3.2) */
typedef enum {
    IPLB_MODE_NORMAL,
    IPLB_MODE_AUDIT,
    IPLB_MODE_SECURE,
} IplbMode;

/* Boot devices as far as secure IPL cares (spec/02 §8.3) */
typedef enum {
    IPLB_DEVICE_VIRTIO_BLK_CCW,     /* IPL type CCW 0x02: allowed */
    IPLB_DEVICE_SCSI_HD_CCW,        /* scsi-hd on virtio-scsi-ccw: allowed */
    IPLB_DEVICE_VFIO_CCW,
    IPLB_DEVICE_VIRTIO_NET_CCW,
    IPLB_DEVICE_VIRTIO_PCI,         /* IPL type 0x04 */
    IPLB_DEVICE_OTHER,              /* not recognised for IPL (07 D29) */
} IplbDevice;

/* Bytes of the IPLB-chain / certificate area (spec/02 §9) */
#define IPLB_AREA_SIZE  CERT_BUF_SIZE

bool iplb_flagged(bool secure_boot, guint n_certs);
uint8_t iplb_hdr_flags(bool secure_boot, guint n_certs);
IplbMode iplb_mode(bool secure_boot, guint n_certs);
IplbMode iplb_mode_from_flags(uint8_t hdr_flags);
const char *iplb_mode_name(IplbMode mode);

bool iplb_len_valid(uint32_t len);
void iplb_apply_flags(IplbHeader *hdr, bool secure_boot, guint n_certs);
void iplb_apply_guest_set(IplbHeader *hdr, bool secure_boot, guint n_certs);

bool iplb_area_needed(guint n_boot_devs, guint n_certs);
bool iplb_area_addr(uint64_t bios_start, uint64_t *addr, GError **error);
void iplb_qipl_set_area(QemuIplParameters *qipl, uint64_t addr);

bool iplb_check_machine(bool secure_boot, gsize n_cert_paths, guint n_certs,
                        bool direct_kernel, GError **error);
bool iplb_check_boot_devices(bool secure_boot, guint n_certs,
                             const IplbDevice *devs, gsize n_devs,
                             GError **error);

#endif /* SIPL_QEMU_IPLB_H */
