/*
 * test-errors.c: bad input to sipl-boot and sipl-mkimage
 *
 * Each case asserts the exact exit status and message, and that nothing
 * changed: no image or report written, an existing output left as it was.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bootutil.h"
#include "certgen.h"

typedef struct {
    char *dir;
    CertGenCert *cert;
    char *cert_path;
    char *key_path;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = "sipl errors" };

    f->dir = certgen_tmpdir_new();
    f->cert = certgen_new(&spec);
    f->cert_path = g_build_filename(f->dir, "signer.pem", NULL);
    f->key_path = g_build_filename(f->dir, "signer.key", NULL);
    certgen_write_pem(f->cert, f->cert_path);
    certgen_write_key_pem(f->cert, f->key_path);
}

static void
fixture_teardown(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    certgen_tmpdir_remove(f->dir);
    g_free(f->dir);
    certgen_free(f->cert);
    g_free(f->cert_path);
    g_free(f->key_path);
}

static char *
fpath(const Fixture *f, const char *name)
{
    return g_build_filename(f->dir, name, NULL);
}

/* A sentinel output file: must be byte-identical after a failed run. */
static char *
sentinel(Fixture *f, const char *name)
{
    char *p = fpath(f, name);

    g_assert_true(g_file_set_contents(p, "untouched", -1, NULL));
    return p;
}

static void
assert_sentinel(const char *path)
{
    g_autofree char *data = NULL;

    g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, "untouched");
}

static void
run_expect(const char *const *argv, int status, const char *err)
{
    g_auto(BootRun) r = { 0 };

    boot_run(&r, argv);
    g_assert_cmpstr(r.err, ==, err);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_cmpint(r.status, ==, status);
}

/* A minimal valid image to point sipl-boot at */
static char *
unsigned_image(Fixture *f)
{
    g_autofree char *s3 = fpath(f, "s3");
    g_autofree char *k = fpath(f, "k");
    char *disk = fpath(f, "disk.img");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3,
                           "--kernel", k, "-o", disk, NULL };

    boot_write_random(s3, 4096, 1);
    boot_write_random(k, 8192, 2);
    run_expect(argv, 0, "");
    return disk;
}

static void
test_boot_secure_no_certs(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *disk = unsigned_image(f);
    const char *argv[] = { boot_tool("SIPL_BOOT"), "--secure-boot", disk,
                           NULL };

    /* 07 D9 */
    run_expect(argv, 2, "sipl-boot: secure-boot=on requires at least one "
               "certificate in boot-certs\n");
}

static void
test_boot_cert_missing(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *disk = unsigned_image(f);
    g_autofree char *nope = fpath(f, "nope.pem");
    g_autofree char *rep = sentinel(f, "report.bin");
    const char *argv[] = { boot_tool("SIPL_BOOT"), "--cert", nope,
                           "--report", rep, disk, NULL };
    g_autofree char *want = g_strdup_printf(
        "sipl-boot: Failed to stat path '%s': No such file or directory\n",
        nope);

    /* QEMU's text (spec/02 §2 step 2) */
    run_expect(argv, 2, want);
    assert_sentinel(rep);
}

static void
test_boot_cert_not_pem(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *disk = unsigned_image(f);
    g_autofree char *crt = fpath(f, "signer.crt");
    const char *argv[] = { boot_tool("SIPL_BOOT"), "--cert", crt, disk,
                           NULL };
    g_autofree char *want = g_strdup_printf(
        "sipl-boot: Certificate file '%s' must have a .pem extension\n", crt);

    certgen_write_pem(f->cert, crt);
    run_expect(argv, 2, want);
}

static void
test_boot_usage(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *disk = unsigned_image(f);
    const char *no_disk[] = { boot_tool("SIPL_BOOT"), NULL };
    const char *bad_bs[] = { boot_tool("SIPL_BOOT"), "--block-size", "1024",
                             disk, NULL };
    const char *bad_fac[] = { boot_tool("SIPL_BOOT"), "--no-facility", "els",
                              disk, NULL };
    g_autofree char *missing = fpath(f, "missing.img");
    const char *no_file[] = { boot_tool("SIPL_BOOT"), missing, NULL };
    g_autofree char *want = g_strdup_printf(
        "sipl-boot: Cannot open disk image '%s': No such file or directory\n",
        missing);

    run_expect(no_disk, 2,
               "sipl-boot: exactly one DISK is required (see --help)\n");
    run_expect(bad_bs, 2,
               "sipl-boot: --block-size must be 512 or 4096 (see --help)\n");
    run_expect(bad_fac, 2, "sipl-boot: --no-facility takes cstore, sipl or "
               "sclaf, not 'els' (see --help)\n");
    run_expect(no_file, 2, want);
}

/* A 512-byte-block image read with 4096-byte blocks finds no table. */
static void
test_boot_block_size_mismatch(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *disk = unsigned_image(f);
    const char *argv[] = { boot_tool("SIPL_BOOT"), "--block-size", "4096",
                           disk, NULL };
    g_auto(BootRun) r = { 0 };

    boot_run(&r, argv);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.err, ==, "");
    /* spec/03 §2.3, §6.4 */
    g_assert_cmpstr(r.out, ==, "No zIPL magic in Program Table\n"
                    "Failed to IPL from this SCSI device!\n"
                    "ERROR: No suitable device for IPL. Halting...\n");
}

/* K11: only an empty directory is normal mode with a warning */
static void
test_boot_empty_dir(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *disk = unsigned_image(f);
    g_autofree char *dir = g_build_filename(f->dir, "empty", NULL);
    const char *argv[] = { boot_tool("SIPL_BOOT"), "--cert", dir, "--json",
                           disk, NULL };
    g_autofree char *want = g_strdup_printf(
        "sipl-boot: warning: '%s' directory is empty\n", dir);
    g_auto(BootRun) r = { 0 };

    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    boot_run(&r, argv);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, want);
    g_assert_nonnull(strstr(r.out, "\"mode\":\"normal\""));
}

static void
test_mkimage_unaligned(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *s3 = fpath(f, "s3");
    g_autofree char *k = fpath(f, "k");
    g_autofree char *ks = fpath(f, "k.signed");
    g_autofree char *disk = sentinel(f, "disk.img");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3,
                           "--kernel", ks, "-o", disk, NULL };

    boot_write_random(s3, 4096, 1);
    boot_write_random(k, 100000, 2);   /* not a multiple of 512 */
    boot_sign(k, f->cert_path, f->key_path, ks);
    /* 07 D25: refused, where zipl only warns */
    run_expect(argv, 1, "sipl-mkimage: Signed kernel payload is 100000 "
               "bytes, not a multiple of the 512-byte block size; pad it "
               "with 'sipl-mkimage append-sclab' before signing\n");
    assert_sentinel(disk);
}

static void
test_mkimage_sclab_on_signed(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *s3 = fpath(f, "s3");
    g_autofree char *k = fpath(f, "k");
    g_autofree char *ks = fpath(f, "k.signed");
    g_autofree char *disk = sentinel(f, "disk.img");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3,
                           "--kernel", ks, "--sclab", "kernel:ola", "-o",
                           disk, NULL };

    boot_write_random(s3, 4096, 1);
    boot_write_random(k, 8192, 2);
    boot_sign(k, f->cert_path, f->key_path, ks);
    run_expect(argv, 1, "sipl-mkimage: kernel is signed: an SCLAB appended "
               "now would not be covered by its signature; use "
               "'sipl-mkimage append-sclab' before signing\n");
    assert_sentinel(disk);
}

static void
test_mkimage_append_signed(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *k = fpath(f, "k");
    g_autofree char *ks = fpath(f, "k.signed");
    g_autofree char *out = fpath(f, "k.out");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "append-sclab", ks, out,
                           NULL };
    g_autofree char *want = g_strdup_printf(
        "sipl-mkimage: %s: Payload is already signed; append the SCLAB "
        "before signing\n", ks);

    boot_write_random(k, 8192, 2);
    boot_sign(k, f->cert_path, f->key_path, ks);
    run_expect(argv, 1, want);
    g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
}

static void
test_mkimage_bad_trailer(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *s3 = fpath(f, "s3");
    g_autofree char *k = fpath(f, "k");
    g_autofree char *ks = fpath(f, "k.signed");
    g_autofree char *disk = sentinel(f, "disk.img");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3,
                           "--kernel", ks, "-o", disk, NULL };
    g_autofree char *data = NULL;
    gsize len;

    boot_write_random(s3, 4096, 1);
    boot_write_random(k, 8192, 2);
    boot_sign(k, f->cert_path, f->key_path, ks);
    g_assert_true(g_file_get_contents(ks, &data, &len, NULL));
    data[len - 40 + 2] = 1;     /* id_type at info offset 2 (spec/04 §1.1) */
    g_assert_true(g_file_set_contents(ks, data, (gssize)len, NULL));
    /* zipl's text (spec/04 §2.2) */
    run_expect(argv, 1, "sipl-mkimage: kernel: Unsupported signature type "
               "01\n");
    assert_sentinel(disk);
}

static void
test_mkimage_block_size(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *s3 = fpath(f, "s3");
    g_autofree char *k = fpath(f, "k");
    g_autofree char *disk = sentinel(f, "disk.img");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3,
                           "--kernel", k, "--block-size", "1024", "-o", disk,
                           NULL };

    boot_write_random(s3, 4096, 1);
    boot_write_random(k, 8192, 2);
    run_expect(argv, 1, "sipl-mkimage: Block size must be 512 or 4096, not "
               "1024\n");
    assert_sentinel(disk);
}

static void
test_mkimage_bad_sclab(Fixture *f, gconstpointer d G_GNUC_UNUSED)
{
    g_autofree char *k = fpath(f, "k");
    g_autofree char *out = fpath(f, "k.out");
    const char *argv[] = { boot_tool("SIPL_MKIMAGE"), "append-sclab",
                           "--sclab", "ola,bogus", k, out, NULL };
    g_auto(BootRun) r = { 0 };

    boot_write_random(k, 8192, 2);
    boot_run(&r, argv);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_true(g_str_has_prefix(r.err, "sipl-mkimage: Unknown SCLAB "
                                          "attribute 'bogus'\n"));
    g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/errors/boot/secure-no-certs", test_boot_secure_no_certs);
    ADD("/errors/boot/cert-missing", test_boot_cert_missing);
    ADD("/errors/boot/cert-not-pem", test_boot_cert_not_pem);
    ADD("/errors/boot/usage", test_boot_usage);
    ADD("/errors/boot/block-size-mismatch", test_boot_block_size_mismatch);
    ADD("/errors/boot/empty-cert-dir", test_boot_empty_dir);
    ADD("/errors/mkimage/unaligned", test_mkimage_unaligned);
    ADD("/errors/mkimage/sclab-on-signed", test_mkimage_sclab_on_signed);
    ADD("/errors/mkimage/append-signed", test_mkimage_append_signed);
    ADD("/errors/mkimage/bad-trailer", test_mkimage_bad_trailer);
    ADD("/errors/mkimage/block-size", test_mkimage_block_size);
    ADD("/errors/mkimage/bad-sclab", test_mkimage_bad_sclab);
#undef ADD
    return g_test_run();
}
