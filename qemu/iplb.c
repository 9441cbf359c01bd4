/*
 * iplb.c: IPLB header flags, IPL mode and the QIPL certificate area
 * (see iplb.h)
 */
#include "iplb.h"

G_DEFINE_QUARK(sipl-iplb-error-quark, iplb_error)

#define IPLB_PAGE 4096ULL

/**
 * iplb_flagged:
 * @secure_boot: the machine's `secure-boot` property
 * @n_certs: certificates in the store after loading
 *
 * Returns: true when the IPLB flags and the 4096 length are applied at all
 * (spec/02 §8.2: `secure-boot` on or at least one certificate).
 */
bool
iplb_flagged(bool secure_boot, guint n_certs)
{
    return secure_boot || n_certs > 0;
}

/**
 * iplb_hdr_flags:
 * @secure_boot: the machine's `secure-boot` property
 * @n_certs: certificates in the store after loading
 *
 * Returns: the `hdr_flags` bits the machine owns (spec/01 §3.1): 0, IPLIR,
 * or SIPL | IPLIR.
 */
uint8_t
iplb_hdr_flags(bool secure_boot, guint n_certs)
{
    if (!iplb_flagged(secure_boot, n_certs)) {
        return 0;
    }
    return DIAG308_IPIB_FLAGS_IPLIR |
           (secure_boot ? DIAG308_IPIB_FLAGS_SIPL : 0);
}

/**
 * iplb_mode_from_flags:
 * @hdr_flags: IPLB header byte 4
 *
 * Returns: the mode the BIOS derives from the flags (spec/01 §3.2): audit
 * for IPLIR alone, secure for SIPL | IPLIR, normal for anything else (SIPL
 * without IPLIR included).
 */
IplbMode
iplb_mode_from_flags(uint8_t hdr_flags)
{
    uint8_t f = hdr_flags & (DIAG308_IPIB_FLAGS_SIPL |
                             DIAG308_IPIB_FLAGS_IPLIR);

    if (f == DIAG308_IPIB_FLAGS_IPLIR) {
        return IPLB_MODE_AUDIT;
    }
    if (f == (DIAG308_IPIB_FLAGS_SIPL | DIAG308_IPIB_FLAGS_IPLIR)) {
        return IPLB_MODE_SECURE;
    }
    return IPLB_MODE_NORMAL;
}

/**
 * iplb_mode:
 * @secure_boot: the machine's `secure-boot` property
 * @n_certs: certificates in the store after loading
 *
 * Returns: the mode a guest of this machine IPLs in (spec/01 §3.1). Secure
 * boot without certificates gives IPLB_MODE_SECURE; sipl refuses that
 * machine before it runs (iplb_check_machine(), 07 D9).
 */
IplbMode
iplb_mode(bool secure_boot, guint n_certs)
{
    return iplb_mode_from_flags(iplb_hdr_flags(secure_boot, n_certs));
}

/**
 * iplb_mode_name:
 * @mode: a mode
 *
 * Returns: "normal", "audit" or "secure" (the management layer's words).
 */
const char *
iplb_mode_name(IplbMode mode)
{
    switch (mode) {
    case IPLB_MODE_AUDIT:
        return "audit";
    case IPLB_MODE_SECURE:
        return "secure";
    case IPLB_MODE_NORMAL:
        break;
    }
    return "normal";
}

/**
 * iplb_len_valid:
 * @len: an IPLB `len`
 *
 * Returns: true when @len covers the 8-byte header and does not exceed 4096
 * (spec/02 §8.1).
 */
bool
iplb_len_valid(uint32_t len)
{
    return len >= S390_IPLB_HEADER_LEN && len <= S390_IPLB_MAX_LEN;
}

/**
 * iplb_apply_flags:
 * @hdr: an IPLB the machine builds (primary or chained)
 * @secure_boot: the machine's `secure-boot` property
 * @n_certs: certificates in the store after loading
 *
 * When flagged, ORs in the machine's flags and sets `len` to 4096 so the
 * IIRB fits right after the block (spec/02 §8.2, 07 K16); otherwise leaves
 * @hdr alone.
 */
void
iplb_apply_flags(IplbHeader *hdr, bool secure_boot, guint n_certs)
{
    if (!iplb_flagged(secure_boot, n_certs)) {
        return;
    }
    hdr->hdr_flags |= iplb_hdr_flags(secure_boot, n_certs);
    be32_put(&hdr->len, S390_IPLB_MAX_LEN);
}

/**
 * iplb_apply_guest_set:
 * @hdr: an IPLB the guest has just set with DIAG 308 subcode 5
 * @secure_boot: the machine's `secure-boot` property
 * @n_certs: certificates in the store after loading
 *
 * PV IPLBs are left alone (upstream applies nothing to them). For any other
 * type, the guest's own SIPL and IPLIR bits are cleared first, so a guest
 * cannot pick its next IPL's mode (07 D15), then iplb_apply_flags() runs.
 */
void
iplb_apply_guest_set(IplbHeader *hdr, bool secure_boot, guint n_certs)
{
    if (hdr->pbt == S390_IPL_TYPE_PV) {
        return;
    }
    hdr->hdr_flags &= (uint8_t)~(DIAG308_IPIB_FLAGS_SIPL |
                                 DIAG308_IPIB_FLAGS_IPLIR);
    iplb_apply_flags(hdr, secure_boot, n_certs);
}

/**
 * iplb_area_needed:
 * @n_boot_devs: boot devices the machine builds IPLBs for
 * @n_certs: certificates in the store after loading
 *
 * Returns: true when the 28672-byte IPLB-chain / certificate area is
 * allocated: more than one boot device or any certificate (spec/02 §9).
 */
bool
iplb_area_needed(guint n_boot_devs, guint n_certs)
{
    return n_boot_devs > 1 || n_certs > 0;
}

/**
 * iplb_area_addr:
 * @bios_start: guest address the BIOS is loaded at
 * @addr: out: start of the area, (@bios_start rounded down to a page) −
 *        28672 (spec/02 §9); written only on success
 * @error: return location for a GError (IPLB_ERROR_AREA)
 *
 * Returns: true, or false when the area would start below address 0.
 */
bool
iplb_area_addr(uint64_t bios_start, uint64_t *addr, GError **error)
{
    uint64_t page = bios_start & ~(IPLB_PAGE - 1);

    if (page < IPLB_AREA_SIZE) {
        g_set_error(error, IPLB_ERROR, IPLB_ERROR_AREA,
                    "BIOS start address 0x%" G_GINT64_MODIFIER "x leaves no "
                    "room for the %u-byte certificate area below it",
                    bios_start, (unsigned)IPLB_AREA_SIZE);
        return false;
    }
    *addr = page - IPLB_AREA_SIZE;
    return true;
}

/**
 * iplb_qipl_set_area:
 * @qipl: the QEMU IPL parameters the machine copies to real 0xCC
 * @addr: area address from iplb_area_addr()
 *
 * Stores @addr in `ipl_data` (QIPL offset 20, real 0xE0).
 */
void
iplb_qipl_set_area(QemuIplParameters *qipl, uint64_t addr)
{
    be64_put(&qipl->ipl_data, addr);
}

/**
 * iplb_check_machine:
 * @secure_boot: the machine's `secure-boot` property
 * @n_cert_paths: entries in `boot-certs`
 * @n_certs: certificates in the store after loading
 * @direct_kernel: the machine boots a `-kernel` image
 * @error: return location for a GError
 *
 * The machine-creation refusals of sipl, checked in this order:
 * IPLB_ERROR_DIRECT_KERNEL (07 D8: secure boot or a non-empty `boot-certs`
 * with direct kernel boot, which would skip every IPLB check), then
 * IPLB_ERROR_NO_CERTS (07 D9: `secure-boot=on` and an empty store, which
 * the BIOS would only panic on).
 *
 * Returns: true when the machine may be created.
 */
bool
iplb_check_machine(bool secure_boot, gsize n_cert_paths, guint n_certs,
                   bool direct_kernel, GError **error)
{
    if (direct_kernel && (secure_boot || n_cert_paths > 0)) {
        g_set_error_literal(error, IPLB_ERROR, IPLB_ERROR_DIRECT_KERNEL,
                            "Direct kernel boot does not support secure boot!");
        return false;
    }
    if (secure_boot && n_certs == 0) {
        g_set_error_literal(error, IPLB_ERROR, IPLB_ERROR_NO_CERTS,
                            "secure-boot=on requires at least one certificate "
                            "in boot-certs");
        return false;
    }
    return true;
}

static const char *
iplb_device_refusal(IplbDevice dev)
{
    switch (dev) {
    case IPLB_DEVICE_VFIO_CCW:
        return "Passthrough (vfio) CCW device does not support secure boot!";
    case IPLB_DEVICE_VIRTIO_NET_CCW:
        return "Virtio net boot device does not support secure boot!";
    case IPLB_DEVICE_VIRTIO_PCI:
        return "Virtio pci boot device does not support secure boot!";
    case IPLB_DEVICE_OTHER:
        return "Boot device does not support secure boot!"; /* 07 D29 */
    case IPLB_DEVICE_VIRTIO_BLK_CCW:
    case IPLB_DEVICE_SCSI_HD_CCW:
        break;
    }
    return NULL;
}

/**
 * iplb_check_boot_devices:
 * @secure_boot: the machine's `secure-boot` property
 * @n_certs: certificates in the store after loading
 * @devs: boot devices in bootindex order (primary first)
 * @n_devs: number of @devs
 * @error: return location for a GError
 *
 * Only when flagged: the first ineligible device among the first 8 (the
 * ones that get an IPLB; later ones are neither built nor checked) gives
 * IPLB_ERROR_BOOT_DEVICE with upstream's text, or sipl's for an
 * unrecognised device (spec/02 §8.3, 07 D29); no device at all gives
 * IPLB_ERROR_NO_BOOT_DEVICE "No boot device defined for Secure IPL"
 * (spec/02 §10 step 4).
 *
 * Returns: true when every checked device is eligible.
 */
bool
iplb_check_boot_devices(bool secure_boot, guint n_certs,
                        const IplbDevice *devs, gsize n_devs, GError **error)
{
    if (!iplb_flagged(secure_boot, n_certs)) {
        return true;
    }
    for (gsize i = 0; i < n_devs && i < MAX_BOOT_DEVS; i++) {
        const char *msg = iplb_device_refusal(devs[i]);

        if (msg) {
            g_set_error_literal(error, IPLB_ERROR, IPLB_ERROR_BOOT_DEVICE, msg);
            return false;
        }
    }
    if (n_devs == 0) {
        g_set_error_literal(error, IPLB_ERROR, IPLB_ERROR_NO_BOOT_DEVICE,
                            "No boot device defined for Secure IPL");
        return false;
    }
    return true;
}
