/*
 * test-machine.c: what the host machine sets up before the guest runs
 *
 * The IPLB per mode, the QIPL at 0xCC, DIAG 0x308 (store, set with 07 D15
 * masking), DIAG routing, and the refusals of 07 D8/D9. Expected bytes are
 * written out here from spec/02 §8-§9 and spec/01 §3.1.
 */
#include <glib.h>
#include <string.h>

#include "../../bios/platform.h"
#include "certgen.h"
#include "qemu/iplb.h"
#include "qemu/machine.h"

#define IPLB_AT     0x10000ULL  /* page-aligned scratch pages */
#define SET_AT      0x20000ULL
#define ISB_AT      0x30000ULL
/* BIOS at (min(RAM, 2 GiB) - 2 MiB) & ~0xffff; area 28672 below it */
#define AREA_ADDR   (0x80000000ULL - 0x200000ULL - 28672ULL)

typedef struct {
    char *dir;
    char *cert_path;
    char *disk;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = "machine" };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);

    f->dir = certgen_tmpdir_new();
    f->cert_path = g_build_filename(f->dir, "signer.pem", NULL);
    f->disk = g_build_filename(f->dir, "disk.img", NULL);
    certgen_write_pem(cert, f->cert_path);
    g_assert_true(g_file_set_contents(f->disk, "", 0, NULL));
}

static void
fixture_teardown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    certgen_tmpdir_remove(f->dir);
    g_free(f->dir);
    g_free(f->cert_path);
    g_free(f->disk);
}

typedef enum { MODE_NORMAL, MODE_AUDIT, MODE_SECURE } Mode;

static Machine *
new_machine(Fixture *f, Mode mode, const char *loadparm)
{
    const char *paths[] = { f->cert_path, NULL };
    MachineConfig cfg = {
        .disk = f->disk, .block_size = 512,
        .cert_paths = mode == MODE_NORMAL ? NULL : paths,
        .n_cert_paths = mode == MODE_NORMAL ? 0 : 1,
        .secure_boot = mode == MODE_SECURE, .loadparm = loadparm,
    };
    g_autoptr(GError) error = NULL;
    Machine *m = machine_new(&cfg, &error);

    g_assert_no_error(error);
    g_assert_nonnull(m);
    return m;
}

static void
store_iplb(Machine *m, guint8 *out)
{
    uint64_t rc = 0;

    g_assert_cmpint(machine_diag(m, SIPL_DIAG_308, 6, IPLB_AT, &rc), ==,
                    SIPL_PGM_NONE);
    g_assert_cmpuint(rc, ==, 0x0001);
    g_assert_true(guestmem_read(machine_mem(m), IPLB_AT, out, 4096));
}

/* spec/02 §8.1: CCW IPLB header as QEMU builds it */
static void
check_iplb(Mode mode, const guint8 *b, const guint8 *loadparm)
{
    static const guint8 len200[] = { 0, 0, 0, 200 };
    static const guint8 len4096[] = { 0, 0, 0x10, 0 };
    static const guint8 blk0[] = { 0, 0, 0, 192 };
    guint8 flags = mode == MODE_NORMAL ? 0 :
                   mode == MODE_AUDIT ? 0x20 : 0x60;

    g_assert_cmpmem(b, 4, mode == MODE_NORMAL ? len200 : len4096, 4);
    g_assert_cmphex(b[4], ==, flags);
    g_assert_cmpmem(b + 8, 4, blk0, 4);
    g_assert_cmphex(b[12], ==, 0x02);           /* pbt CCW */
    g_assert_cmphex(b[13], ==, 0x80);           /* loadparm valid */
    g_assert_cmpmem(b + 16, 8, loadparm, 8);
}

static void
check_qipl(Machine *m, uint64_t want_area)
{
    /* BM_OPTS_ZIPL: CCW boot device, no -boot menu (hw/s390x/ipl.c) */
    guint8 q[28], want[28] = { 0x40 };

    for (int i = 0; i < 8; i++) {
        want[20 + i] = (guint8)(want_area >> (56 - 8 * i));
    }
    g_assert_true(guestmem_read(machine_mem(m), 0xCC, q, sizeof(q)));
    g_assert_cmpmem(q, sizeof(q), want, sizeof(want));
}

static const guint8 blanks[8] = { 0x40, 0x40, 0x40, 0x40,
                                  0x40, 0x40, 0x40, 0x40 };

static void
test_iplb_modes(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    for (Mode mode = MODE_NORMAL; mode <= MODE_SECURE; mode++) {
        g_autoptr(Machine) m = new_machine(f, mode, NULL);
        guint8 b[4096];
        guint8 zero[4096 - 200] = { 0 };

        store_iplb(m, b);
        check_iplb(mode, b, blanks);
        if (mode == MODE_NORMAL) {
            /* subcode 6 stores `len` bytes: nothing past 200 */
            g_assert_cmpmem(b + 200, sizeof(zero), zero, sizeof(zero));
        }
        /* the area exists only with certificates (spec/02 §9) */
        check_qipl(m, mode == MODE_NORMAL ? 0 : AREA_ADDR);
        g_assert_cmpint(machine_mode(m), ==,
                        mode == MODE_NORMAL ? IPLB_MODE_NORMAL :
                        mode == MODE_AUDIT ? IPLB_MODE_AUDIT :
                                             IPLB_MODE_SECURE);
    }
}

static void
test_iplb_loadparm(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(Machine) m = new_machine(f, MODE_AUDIT, "1a");
    /* EBCDIC '1' 0xF1, 'A' 0xC1 (upper-cased), blank-padded */
    const guint8 want[8] = { 0xF1, 0xC1, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40 };
    guint8 b[4096];

    store_iplb(m, b);
    check_iplb(MODE_AUDIT, b, want);
}

/* A guest-built CCW IPLB, `len` 200, with the given header flags */
static void
put_guest_iplb(Machine *m, guint8 pbt, guint8 hdr_flags)
{
    guint8 b[200] = { 0, 0, 0, 200, hdr_flags, 0, 0, 0, 0, 0, 0, 192, pbt,
                      0x80 };

    memset(b + 16, 0x40, 8);
    b[110] = 0x12;              /* devno 0x1234: the guest's choice */
    b[111] = 0x34;
    g_assert_true(guestmem_write(machine_mem(m), SET_AT, b, sizeof(b)));
}

static void
test_diag308_set_masks(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(Machine) normal = new_machine(f, MODE_NORMAL, NULL);
    g_autoptr(Machine) audit = new_machine(f, MODE_AUDIT, NULL);
    guint8 b[4096];
    uint64_t rc = 0;

    /* 07 D15: a guest cannot pick secure mode on a normal machine */
    put_guest_iplb(normal, 0x02, 0x60);
    g_assert_cmpint(machine_diag(normal, SIPL_DIAG_308, 5, SET_AT, &rc), ==,
                    SIPL_PGM_NONE);
    g_assert_cmpuint(rc, ==, 0x0001);
    store_iplb(normal, b);
    g_assert_cmphex(b[4], ==, 0x00);
    g_assert_cmpuint(b[3], ==, 200);
    g_assert_cmphex(b[110], ==, 0x12);

    /* nor drop to audit from secure flags it clears: machine flags win */
    put_guest_iplb(audit, 0x02, 0x40);
    g_assert_cmpint(machine_diag(audit, SIPL_DIAG_308, 5, SET_AT, &rc), ==,
                    SIPL_PGM_NONE);
    store_iplb(audit, b);
    g_assert_cmphex(b[4], ==, 0x20);
    g_assert_cmphex(b[2], ==, 0x10);            /* len 4096 */
}

static void
test_diag308_set_invalid(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(Machine) m = new_machine(f, MODE_SECURE, NULL);
    guint8 before[4096], after[4096];
    uint64_t rc = 0;

    store_iplb(m, before);
    /* QEMU-SCSI fails QEMU's iplb_valid() (spec/02 §8.2) */
    put_guest_iplb(m, 0xFF, 0);
    g_assert_cmpint(machine_diag(m, SIPL_DIAG_308, 5, SET_AT, &rc), ==,
                    SIPL_PGM_NONE);
    g_assert_cmphex(rc, ==, 0x0402);
    store_iplb(m, after);
    g_assert_cmpmem(before, sizeof(before), after, sizeof(after));

    rc = 0xdead;
    g_assert_cmpint(machine_diag(m, SIPL_DIAG_308, 6, IPLB_AT + 8, &rc), ==,
                    SIPL_PGM_SPECIFICATION);
    g_assert_cmphex(rc, ==, 0xdead);
}

static void
test_diag320_routed(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const char *paths[] = { f->cert_path, NULL };
    MachineConfig cfg = {
        .disk = f->disk, .block_size = 512, .cert_paths = paths,
        .n_cert_paths = 1, .no_cstore = true,
    };
    g_autoptr(Machine) m = new_machine(f, MODE_AUDIT, NULL);
    g_autoptr(Machine) off = machine_new(&cfg, NULL);
    const guint8 ism[4] = { 0xE0, 0, 0, 0 };    /* spec/02 §5.4, K1 */
    guint8 got[4];
    uint64_t rc = 0;

    g_assert_cmpint(machine_diag(m, SIPL_DIAG_320, 0, ISB_AT, &rc), ==,
                    SIPL_PGM_NONE);
    g_assert_cmphex(rc, ==, 0x0001);
    g_assert_true(guestmem_read(machine_mem(m), ISB_AT, got, 4));
    g_assert_cmpmem(got, 4, ism, 4);
    /* without cstore: specification exception, R1+1 untouched */
    g_assert_nonnull(off);
    rc = 0xdead;
    g_assert_cmpint(machine_diag(off, SIPL_DIAG_320, 0, ISB_AT, &rc), ==,
                    SIPL_PGM_SPECIFICATION);
    g_assert_cmphex(rc, ==, 0xdead);
}

static void
test_refusals(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    const char *paths[] = { f->cert_path, NULL };
    MachineConfig d8 = {
        .disk = f->disk, .block_size = 512, .cert_paths = paths,
        .n_cert_paths = 1, .direct_kernel = true,
    };
    MachineConfig d9 = {
        .disk = f->disk, .block_size = 512, .secure_boot = true,
    };
    MachineConfig bs = { .disk = f->disk, .block_size = 2048 };
    g_autoptr(GError) error = NULL;

    g_assert_null(machine_new(&d8, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_DIRECT_KERNEL);
    g_assert_cmpstr(error->message, ==,
                    "Direct kernel boot does not support secure boot!");
    g_clear_error(&error);
    g_assert_null(machine_new(&d9, &error));
    g_assert_error(error, IPLB_ERROR, IPLB_ERROR_NO_CERTS);
    g_assert_cmpstr(error->message, ==, "secure-boot=on requires at least "
                    "one certificate in boot-certs");
    g_clear_error(&error);
    g_assert_null(machine_new(&bs, &error));
    g_assert_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/machine/iplb/modes", test_iplb_modes);
    ADD("/machine/iplb/loadparm", test_iplb_loadparm);
    ADD("/machine/diag308/set-masks-flags", test_diag308_set_masks);
    ADD("/machine/diag308/set-invalid", test_diag308_set_invalid);
    ADD("/machine/diag320/routed", test_diag320_routed);
    ADD("/machine/refusals", test_refusals);
#undef ADD
    return g_test_run();
}
