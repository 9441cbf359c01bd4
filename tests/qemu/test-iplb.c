/*
 * test-iplb.c: IPLB flags, mode, length rule, D15 masking, QIPL area and
 * the machine-creation refusals (spec/01 §3, spec/02 §8-§10, 07 D8, D9,
 * D15, D29)
 *
 * Expected bytes come from the spec tables: IPLB `len` at offset 0 (4 bytes
 * big-endian), `hdr_flags` at 4, `pbt` at 12; QIPL `ipl_data` at 20.
 */
#include "qemu/iplb.h"

#include <string.h>

#define SIPL 0x40
#define IPLIR 0x20

/* A 200-byte CCW IPLB as the machine builds it before flagging. */
static void
make_ccw_iplb(uint8_t *b, uint8_t hdr_flags)
{
    memset(b, 0, 4096);
    b[0] = 0x00; b[1] = 0x00; b[2] = 0x00; b[3] = 200;  /* len */
    b[4] = hdr_flags;
    b[7] = 1;                                           /* version */
    b[11] = 200 - 8;                                    /* blk0_len */
    b[12] = 0x02;                                       /* pbt CCW */
    b[110] = 0x00; b[111] = 0x01;                       /* devno */
}

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static void
test_flags_table(void)
{
    /* spec/01 §3.1, row by row */
    g_assert_cmphex(iplb_hdr_flags(false, 0), ==, 0);
    g_assert_cmphex(iplb_hdr_flags(false, 1), ==, IPLIR);
    g_assert_cmphex(iplb_hdr_flags(true, 1), ==, SIPL | IPLIR);
    g_assert_cmphex(iplb_hdr_flags(true, 0), ==, SIPL | IPLIR);
    g_assert_cmphex(iplb_hdr_flags(false, 64), ==, IPLIR);

    g_assert_false(iplb_flagged(false, 0));
    g_assert_true(iplb_flagged(false, 3));
    g_assert_true(iplb_flagged(true, 0));

    g_assert_cmpint(iplb_mode(false, 0), ==, IPLB_MODE_NORMAL);
    g_assert_cmpint(iplb_mode(false, 2), ==, IPLB_MODE_AUDIT);
    g_assert_cmpint(iplb_mode(true, 2), ==, IPLB_MODE_SECURE);
    g_assert_cmpstr(iplb_mode_name(iplb_mode(false, 0)), ==, "normal");
    g_assert_cmpstr(iplb_mode_name(iplb_mode(false, 1)), ==, "audit");
    g_assert_cmpstr(iplb_mode_name(iplb_mode(true, 1)), ==, "secure");
}

static void
test_mode_from_flags(void)
{
    /* spec/01 §3.2: SIPL without IPLIR is normal; other bits ignored */
    g_assert_cmpint(iplb_mode_from_flags(0x00), ==, IPLB_MODE_NORMAL);
    g_assert_cmpint(iplb_mode_from_flags(0x20), ==, IPLB_MODE_AUDIT);
    g_assert_cmpint(iplb_mode_from_flags(0x60), ==, IPLB_MODE_SECURE);
    g_assert_cmpint(iplb_mode_from_flags(0x40), ==, IPLB_MODE_NORMAL);
    g_assert_cmpint(iplb_mode_from_flags(0xa0), ==, IPLB_MODE_AUDIT);
    g_assert_cmpint(iplb_mode_from_flags(0x9f), ==, IPLB_MODE_NORMAL);
}

static void
test_len_rule(void)
{
    g_assert_true(iplb_len_valid(4096));
    g_assert_true(iplb_len_valid(200));
    g_assert_true(iplb_len_valid(8));
    g_assert_false(iplb_len_valid(4097));
    g_assert_false(iplb_len_valid(7));
    g_assert_false(iplb_len_valid(0));
    g_assert_false(iplb_len_valid(0xffffffffu));
}

static void
test_apply_normal_untouched(void)
{
    uint8_t b[4096], orig[4096];

    make_ccw_iplb(b, 0);
    memcpy(orig, b, sizeof(b));
    iplb_apply_flags((IplbHeader *)b, false, 0);
    g_assert_cmpmem(b, sizeof(b), orig, sizeof(orig));
}

static void
test_apply_audit(void)
{
    uint8_t b[4096], want[4096];

    make_ccw_iplb(b, 0);
    make_ccw_iplb(want, IPLIR);
    want[0] = 0x00; want[1] = 0x00; want[2] = 0x10; want[3] = 0x00;
    iplb_apply_flags((IplbHeader *)b, false, 1);
    g_assert_cmpmem(b, sizeof(b), want, sizeof(want));
    g_assert_cmpuint(get_be32(b), ==, 4096);
}

static void
test_apply_secure(void)
{
    uint8_t b[4096];

    make_ccw_iplb(b, 0x80);     /* IPLPS is not ours: kept */
    iplb_apply_flags((IplbHeader *)b, true, 5);
    g_assert_cmphex(b[4], ==, 0x80 | SIPL | IPLIR);
    g_assert_cmpuint(get_be32(b), ==, 4096);
    g_assert_cmphex(b[12], ==, 0x02);
}

static void
test_d15_guest_bits_cleared(void)
{
    uint8_t b[4096], orig[4096];

    /* A guest on a machine without secure boot asks for secure mode. */
    make_ccw_iplb(b, SIPL | IPLIR);
    memcpy(orig, b, sizeof(b));
    iplb_apply_guest_set((IplbHeader *)b, false, 0);
    g_assert_cmphex(b[4], ==, 0);
    g_assert_cmpuint(get_be32(b), ==, 200);
    g_assert_cmpmem(b + 5, sizeof(b) - 5, orig + 5, sizeof(orig) - 5);

    /* Audit machine: the guest's SIPL goes, IPLIR is re-derived. */
    make_ccw_iplb(b, SIPL);
    iplb_apply_guest_set((IplbHeader *)b, false, 1);
    g_assert_cmphex(b[4], ==, IPLIR);
    g_assert_cmpuint(get_be32(b), ==, 4096);

    /* Secure machine, guest cleared everything: re-applied (Linux re-IPL) */
    make_ccw_iplb(b, 0);
    iplb_apply_guest_set((IplbHeader *)b, true, 1);
    g_assert_cmphex(b[4], ==, SIPL | IPLIR);
    g_assert_cmpuint(get_be32(b), ==, 4096);
}

static void
test_d15_pv_untouched(void)
{
    uint8_t b[4096], orig[4096];

    make_ccw_iplb(b, SIPL | IPLIR);
    b[12] = 0x05;               /* pbt PV */
    memcpy(orig, b, sizeof(b));
    iplb_apply_guest_set((IplbHeader *)b, false, 0);
    g_assert_cmpmem(b, sizeof(b), orig, sizeof(orig));
    iplb_apply_guest_set((IplbHeader *)b, true, 3);
    g_assert_cmpmem(b, sizeof(b), orig, sizeof(orig));
}

static void
test_area(void)
{
    g_autoptr(GError) error = NULL;
    uint64_t addr = 0x1234;
    uint8_t q[28];

    g_assert_false(iplb_area_needed(1, 0));
    g_assert_true(iplb_area_needed(2, 0));
    g_assert_true(iplb_area_needed(1, 1));
    g_assert_true(iplb_area_needed(0, 1));

    /* (BIOS start rounded down to a page) - 28672 */
    g_assert_true(iplb_area_addr(0x7ff00000, &addr, &error));
    g_assert_no_error(error);
    g_assert_cmphex(addr, ==, 0x7ff00000 - 28672);
    g_assert_true(iplb_area_addr(0x7ff00123, &addr, NULL));
    g_assert_cmphex(addr, ==, 0x7fef9000);
    g_assert_true(iplb_area_addr(0x7000, &addr, NULL));
    g_assert_cmphex(addr, ==, 0);

    addr = 0x1234;
    g_assert_false(iplb_area_addr(0x6fff, &addr, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_AREA);
    g_assert_cmphex(addr, ==, 0x1234);

    memset(q, 0xee, sizeof(q));
    iplb_qipl_set_area((QemuIplParameters *)q, 0x0123456789abcdefULL);
    {
        const uint8_t want[8] = { 0x01, 0x23, 0x45, 0x67,
                                  0x89, 0xab, 0xcd, 0xef };
        g_assert_cmpmem(q + 20, 8, want, 8);
        for (int i = 0; i < 20; i++) {
            g_assert_cmphex(q[i], ==, 0xee);
        }
    }
}

static void
test_d8_direct_kernel(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(iplb_check_machine(true, 1, 1, true, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_DIRECT_KERNEL);
    g_assert_cmpstr(error->message, ==,
                    "Direct kernel boot does not support secure boot!");
    g_clear_error(&error);

    /* a non-empty boot-certs alone is enough, even if it loaded nothing */
    g_assert_false(iplb_check_machine(false, 1, 0, true, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_DIRECT_KERNEL);
    g_clear_error(&error);

    g_assert_true(iplb_check_machine(false, 0, 0, true, &error));
    g_assert_no_error(error);
}

static void
test_d9_no_certs(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_false(iplb_check_machine(true, 1, 0, false, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_NO_CERTS);
    g_assert_cmpstr(error->message, ==,
                    "secure-boot=on requires at least one certificate "
                    "in boot-certs");
    g_clear_error(&error);

    g_assert_true(iplb_check_machine(true, 1, 1, false, &error));
    g_assert_true(iplb_check_machine(false, 1, 0, false, &error));
    g_assert_true(iplb_check_machine(false, 0, 0, false, &error));
    g_assert_no_error(error);
}

static void
check_device(IplbDevice dev, const char *msg)
{
    g_autoptr(GError) error = NULL;
    IplbDevice devs[2] = { IPLB_DEVICE_VIRTIO_BLK_CCW, dev };

    /* as primary, and as the first fallback */
    for (gsize first = 0; first < 2; first++) {
        bool ok = iplb_check_boot_devices(false, 1, devs + 1 - first,
                                          1 + first, &error);
        if (msg) {
            g_assert_false(ok);
            g_assert_error(error, IPLB_ERROR, IPLB_ERROR_BOOT_DEVICE);
            g_assert_cmpstr(error->message, ==, msg);
            g_clear_error(&error);
        } else {
            g_assert_true(ok);
            g_assert_no_error(error);
        }
    }
    /* not flagged: nothing is checked */
    g_assert_true(iplb_check_boot_devices(false, 0, &dev, 1, &error));
    g_assert_no_error(error);
}

static void
test_boot_devices(void)
{
    g_autoptr(GError) error = NULL;
    IplbDevice many[9];

    check_device(IPLB_DEVICE_VIRTIO_BLK_CCW, NULL);
    check_device(IPLB_DEVICE_SCSI_HD_CCW, NULL);
    check_device(IPLB_DEVICE_VFIO_CCW,
                 "Passthrough (vfio) CCW device does not support secure boot!");
    check_device(IPLB_DEVICE_VIRTIO_NET_CCW,
                 "Virtio net boot device does not support secure boot!");
    check_device(IPLB_DEVICE_VIRTIO_PCI,
                 "Virtio pci boot device does not support secure boot!");
    check_device(IPLB_DEVICE_OTHER,
                 "Boot device does not support secure boot!");

    g_assert_false(iplb_check_boot_devices(true, 1, NULL, 0, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_NO_BOOT_DEVICE);
    g_assert_cmpstr(error->message, ==,
                    "No boot device defined for Secure IPL");
    g_clear_error(&error);
    g_assert_true(iplb_check_boot_devices(false, 0, NULL, 0, &error));

    /* the ninth device gets no IPLB and no check */
    for (int i = 0; i < 9; i++) {
        many[i] = IPLB_DEVICE_SCSI_HD_CCW;
    }
    many[8] = IPLB_DEVICE_VIRTIO_NET_CCW;
    g_assert_true(iplb_check_boot_devices(true, 1, many, 9, &error));
    g_assert_no_error(error);
    many[7] = IPLB_DEVICE_VIRTIO_NET_CCW;
    g_assert_false(iplb_check_boot_devices(true, 1, many, 9, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_BOOT_DEVICE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iplb/flags-table", test_flags_table);
    g_test_add_func("/iplb/mode-from-flags", test_mode_from_flags);
    g_test_add_func("/iplb/len-rule", test_len_rule);
    g_test_add_func("/iplb/apply-normal-untouched",
                    test_apply_normal_untouched);
    g_test_add_func("/iplb/apply-audit", test_apply_audit);
    g_test_add_func("/iplb/apply-secure", test_apply_secure);
    g_test_add_func("/iplb/d15-guest-bits-cleared",
                    test_d15_guest_bits_cleared);
    g_test_add_func("/iplb/d15-pv-untouched", test_d15_pv_untouched);
    g_test_add_func("/iplb/area", test_area);
    g_test_add_func("/iplb/d8-direct-kernel", test_d8_direct_kernel);
    g_test_add_func("/iplb/d9-no-certs", test_d9_no_certs);
    g_test_add_func("/iplb/boot-devices", test_boot_devices);
    return g_test_run();
}
