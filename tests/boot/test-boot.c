/*
 * test-boot.c: disk images made by sipl-mkimage, IPLed through sipl-boot
 *
 * Real parts only: run-time GnuTLS certificates (certgen), signatures from
 * `openssl cms` in module-signature trailers, the real tools as processes.
 * Expected transcripts, components and fingerprints are worked out here
 * from spec/03 and spec/04, never read back from the tools' own structs.
 */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "bootutil.h"
#include "certgen.h"

#define EXEC_PSW        0x000800008000A000ULL
#define STAGE3_RAW      8000
#define KERNEL_RAW      300000  /* > 256 KiB: the machine maps, not copies */
#define PARMLINE        "root=/dev/vda"

typedef struct {
    char *dir;
    CertGenCert *cert;
    char *cert_path;
    char *key_path;
} Fixture;

static char *
fpath(const Fixture *f, const char *name)
{
    return g_build_filename(f->dir, name, NULL);
}

static void
fixture_setup(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    CertGenSpec spec = { .key_type = CERTGEN_RSA2048, .cn = "sipl boot" };

    f->dir = certgen_tmpdir_new();
    f->cert = certgen_new(&spec);
    f->cert_path = fpath(f, "signer.pem");
    f->key_path = fpath(f, "signer.key");
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

static guint64
round_up(guint64 v, guint64 to)
{
    return (v + to - 1) / to * to;
}

static gsize
file_size(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    return len;
}

/* A payload with an SCLAB appended by sipl-mkimage, then signed. */
static char *
make_signed(Fixture *f, const char *name, gsize raw, guint32 seed,
            const char *component, const char *sclab, guint bs)
{
    g_autofree char *rawp = g_strdup_printf("%s/%s.raw", f->dir, name);
    g_autofree char *pad = g_strdup_printf("%s/%s.pad", f->dir, name);
    g_autofree char *bss = g_strdup_printf("%u", bs);
    char *out = g_strdup_printf("%s/%s.signed", f->dir, name);
    const char *argv[] = {
        boot_tool("SIPL_MKIMAGE"), "append-sclab", "--component", component,
        "--sclab", sclab, "--block-size", bss, rawp, pad, NULL
    };
    g_auto(BootRun) r = { 0 };

    boot_write_random(rawp, raw, seed);
    boot_run(&r, argv);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpuint(file_size(pad), ==, round_up(raw + 32, bs));
    boot_sign(pad, f->cert_path, f->key_path, out);
    return out;
}

/* stage3 with the global SCLAB, kernel with OLA: a bootable pair. */
static char *
make_image(Fixture *f, guint bs, const char *stage3_sclab,
           const char *extra)
{
    g_autofree char *s3 = make_signed(f, "stage3", STAGE3_RAW, 3, "stage3",
                                      stage3_sclab, bs);
    g_autofree char *k = make_signed(f, "kernel", KERNEL_RAW, 7, "kernel",
                                     "ola", bs);
    g_autofree char *bss = g_strdup_printf("%u", bs);
    char *disk = fpath(f, "disk.img");
    const char *argv[] = {
        boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3, "--kernel", k,
        "--parmline", PARMLINE, "--block-size", bss, "-o", disk, extra, NULL
    };
    g_auto(BootRun) r = { 0 };

    boot_run(&r, argv);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(r.status, ==, 0);
    return disk;
}

/* Result of one sipl-boot --json run, split up. */
typedef struct {
    int status;
    char **lines;               /* console transcript */
    JsonObject *json;
    JsonParser *parser;
    char *err;
} Boot;

static void
boot_clear(Boot *b)
{
    g_strfreev(b->lines);
    g_clear_object(&b->parser);
    g_free(b->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Boot, boot_clear)

static void
boot(Boot *b, const char *disk, const char *const *opts)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(BootRun) r = { 0 };
    g_autoptr(GError) error = NULL;
    guint n;

    g_ptr_array_add(argv, (char *)boot_tool("SIPL_BOOT"));
    g_ptr_array_add(argv, "--json");
    for (; opts && *opts; opts++) {
        g_ptr_array_add(argv, (char *)*opts);
    }
    g_ptr_array_add(argv, (char *)disk);
    g_ptr_array_add(argv, NULL);
    boot_run(&r, (const char *const *)argv->pdata);
    b->status = r.status;
    b->err = g_steal_pointer(&r.err);
    b->lines = boot_lines(r.out);
    n = g_strv_length(b->lines);
    g_assert_cmpuint(n, >=, 1);
    b->parser = json_parser_new();
    g_assert_true(json_parser_load_from_data(b->parser, b->lines[n - 1], -1,
                                             &error));
    g_assert_no_error(error);
    b->json = json_node_get_object(json_parser_get_root(b->parser));
    g_free(b->lines[n - 1]);
    b->lines[n - 1] = NULL;
}

static void
assert_lines(char **got, const char *const *want)
{
    g_autofree char *g = g_strjoinv("\n", got);
    g_autofree char *w = g_strjoinv("\n", (char **)want);

    g_assert_cmpstr(g, ==, w);
}

typedef struct {
    guint64 addr, len;
    guint flags;
} Want;

/* Components the IIRB must list for make_image() (spec/04 §2.4) */
static guint
want_components(Fixture *f, guint bs, Want *w)
{
    g_autofree char *k = fpath(f, "kernel.signed");
    guint64 parm = round_up(0x10000 + file_size(k), 4096);
    Want all[] = {
        { 0x2000, 0x4000, 0 },                          /* heap dummy */
        { 0xF000, 0x1000, 0 },                          /* stack dummy */
        { 0xA000, round_up(STAGE3_RAW + 32, bs), 0xC0 }, /* stage3 */
        { 0x9000, bs, 0 },                              /* parameters */
        { 0x10000, round_up(KERNEL_RAW + 32, bs), 0xC0 }, /* kernel */
        { parm, bs, 0 },                                /* parmline */
        { EXEC_PSW, 0, 0 },                             /* PSW (K13) */
    };

    memcpy(w, all, sizeof(all));
    return G_N_ELEMENTS(all);
}

static void
assert_json_components(JsonObject *o, const Want *w, guint n)
{
    JsonArray *a = json_object_get_array_member(o, "components");

    g_assert_cmpuint(json_array_get_length(a), ==, n);
    for (guint i = 0; i < n; i++) {
        JsonObject *c = json_array_get_object_element(a, i);

        g_assert_cmpuint(json_object_get_int_member(c, "addr"), ==,
                         w[i].addr);
        g_assert_cmpuint(json_object_get_int_member(c, "len"), ==, w[i].len);
        g_assert_cmpuint(json_object_get_int_member(c, "flags"), ==,
                         w[i].flags);
    }
}

static const char *const ok_transcript[] = {
    /* heap, stack, stage3 signature, stage3: one block pointer each */
    "....", "Verified component",
    /* parameters, kernel signature, kernel */
    "...", "Verified component",
    /* parmline */
    ".", NULL
};

static void
check_ok(Fixture *f, guint bs, bool secure)
{
    g_autofree char *disk = make_image(f, bs, "global", NULL);
    g_autofree char *rep = fpath(f, "iirb.bin");
    g_autofree char *bss = g_strdup_printf("%u", bs);
    const char *opts[] = { "--cert", f->cert_path, "--block-size", bss,
                           "--report", rep,
                           secure ? "--secure-boot" : NULL, NULL };
    g_autofree char *fp = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                                      f->cert->der,
                                                      f->cert->der_len);
    g_auto(Boot) b = { 0 };
    Want w[8];
    guint n = want_components(f, bs, w);
    g_autofree char *iirb = NULL;
    gsize iirb_len;
    g_autoptr(GArray) comps = g_array_new(FALSE, TRUE, sizeof(BootComp));
    g_autoptr(GArray) certs = g_array_new(FALSE, TRUE, sizeof(BootCert));
    uint16_t iiei = 0xffff;
    JsonArray *jc;

    boot(&b, disk, opts);
    g_assert_cmpstr(b.err, ==, "");
    g_assert_cmpint(b.status, ==, 0);
    assert_lines(b.lines, ok_transcript);
    g_assert_cmpstr(json_object_get_string_member(b.json, "mode"), ==,
                    secure ? "secure" : "audit");
    g_assert_cmpstr(json_object_get_string_member(b.json, "outcome"), ==,
                    "started");
    g_assert_true(json_object_get_null_member(b.json, "halt_reason"));
    g_assert_cmpuint(json_object_get_int_member(b.json, "psw"), ==, EXEC_PSW);
    g_assert_cmpint(json_object_get_int_member(b.json, "iiei"), ==, 0);
    assert_json_components(b.json, w, n);
    jc = json_object_get_array_member(b.json, "certificates");
    g_assert_cmpuint(json_array_get_length(jc), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(
                        json_array_get_object_element(jc, 0), "sha256"),
                    ==, fp);

    /* the raw report, read as Linux reads it */
    g_assert_true(g_file_get_contents(rep, &iirb, &iirb_len, NULL));
    g_assert_true(boot_iirb_parse((guint8 *)iirb, iirb_len, comps, certs,
                                  &iiei));
    g_assert_cmpuint(iiei, ==, 0);
    g_assert_cmpuint(comps->len, ==, n);
    for (guint i = 0; i < n; i++) {
        BootComp *c = &g_array_index(comps, BootComp, i);

        g_assert_cmpuint(c->addr, ==, w[i].addr);
        g_assert_cmpuint(c->len, ==, w[i].len);
        g_assert_cmpuint(c->flags, ==, w[i].flags);
        g_assert_cmpuint(c->cert_index, ==, 0);
        g_assert_cmpuint(c->cei, ==, 0);
    }
    g_assert_cmpuint(certs->len, ==, 1);
    g_assert_cmpuint(g_array_index(certs, BootCert, 0).len, ==,
                     f->cert->der_len);
}

static void
test_secure_ok(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    check_ok(f, 512, true);
}

static void
test_secure_ok_4096(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    check_ok(f, 4096, true);
}

static void
test_audit_ok(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    check_ok(f, 512, false);
}

/* Flip one byte of the kernel payload where it lies on the disk. */
static void
tamper_kernel(Fixture *f, const char *disk)
{
    g_autofree char *k = fpath(f, "kernel.raw");
    g_autofree char *kd = NULL;
    g_autofree char *dd = NULL;
    gsize klen, dlen;
    char *at;

    g_assert_true(g_file_get_contents(k, &kd, &klen, NULL));
    g_assert_true(g_file_get_contents(disk, &dd, &dlen, NULL));
    at = memmem(dd, dlen, kd, 4096);
    g_assert_nonnull(at);
    at[1000] ^= 0x01;
    g_assert_true(g_file_set_contents(disk, dd, (gssize)dlen, NULL));
}

static void
test_secure_tampered(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *disk = make_image(f, 512, "global", NULL);
    const char *opts[] = { "--cert", f->cert_path, "--secure-boot", NULL };
    const char *const want[] = {
        "....", "Verified component", "...",
        "ERROR: Could not verify component", NULL
    };
    g_auto(Boot) b = { 0 };

    tamper_kernel(f, disk);
    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 1);
    assert_lines(b.lines, want);
    g_assert_cmpstr(json_object_get_string_member(b.json, "outcome"), ==,
                    "halted");
    g_assert_cmpstr(json_object_get_string_member(b.json, "halt_reason"), ==,
                    "Could not verify component");
    g_assert_false(json_object_get_boolean_member(b.json, "report"));
}

static void
test_audit_tampered(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *disk = make_image(f, 512, "global", NULL);
    const char *opts[] = { "--cert", f->cert_path, NULL };
    const char *const want[] = {
        "....", "Verified component", "...",
        "AUDIT MODE WARNING: Could not verify component", ".", NULL
    };
    g_auto(Boot) b = { 0 };
    Want w[8];
    guint n = want_components(f, 512, w);

    tamper_kernel(f, disk);
    w[4].flags = 0x80;          /* signed, not verified (spec/03 §6.5) */
    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 0);
    assert_lines(b.lines, want);
    assert_json_components(b.json, w, n);
    /* stage3's certificate is still listed (spec/03 §8.4) */
    g_assert_cmpuint(json_array_get_length(
        json_object_get_array_member(b.json, "certificates")), ==, 1);
}

typedef struct {
    const char *facility;
    const char *message;        /* spec/03 §6.2 */
    bool secure;
} FacCase;

static const FacCase fac_cases[] = {
    { "sipl", "Secure IPL Facility is not supported by the hypervisor!",
      true },
    { "cstore", "Certificate Store Facility is not supported by the "
      "hypervisor!", true },
    { "sclaf", "Secure IPL Code Loading Attributes Facility is not "
      "supported by the hypervisor!", true },
    { "sipl", "Secure IPL Facility is not supported by the hypervisor!",
      false },
    { "cstore", "Certificate Store Facility is not supported by the "
      "hypervisor!", false },
    { "sclaf", "Secure IPL Code Loading Attributes Facility is not "
      "supported by the hypervisor!", false },
};

static void
test_facility(Fixture *f, gconstpointer data)
{
    const FacCase *c = data;
    g_autofree char *disk = make_image(f, 512, "global", NULL);
    const char *opts[] = { "--cert", f->cert_path, "--no-facility",
                           c->facility, c->secure ? "--secure-boot" : NULL,
                           NULL };
    const char *const want[] = {
        c->message, "ERROR: Unable to boot in secure/audit mode", NULL
    };
    g_auto(Boot) b = { 0 };

    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 1);
    assert_lines(b.lines, want);
    g_assert_cmpstr(json_object_get_string_member(b.json, "halt_reason"), ==,
                    "Unable to boot in secure/audit mode");
}

static void
test_no_global_sclab(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    /* stage3 with a non-global SCLAB: no component has OPSW */
    g_autofree char *disk = make_image(f, 512, "ola", NULL);
    const char *sec[] = { "--cert", f->cert_path, "--secure-boot", NULL };
    const char *aud[] = { "--cert", f->cert_path, NULL };
    const char *const want_sec[] = {
        "....", "Verified component", "...", "Verified component", ".",
        "ERROR: Global SCLAB does not exist", NULL
    };
    const char *const want_aud[] = {
        "....", "Verified component", "...", "Verified component", ".",
        "AUDIT MODE WARNING: Global SCLAB does not exist", NULL
    };
    g_auto(Boot) s = { 0 };
    g_auto(Boot) a = { 0 };
    Want w[8];
    guint n = want_components(f, 512, w);

    boot(&s, disk, sec);
    g_assert_cmpint(s.status, ==, 1);
    assert_lines(s.lines, want_sec);
    boot(&a, disk, aud);
    g_assert_cmpint(a.status, ==, 0);
    assert_lines(a.lines, want_aud);
    /* IIEI NO_GLOBAL_SCLAB 0x2000; the PSW entry is still last (K19) */
    g_assert_cmpint(json_object_get_int_member(a.json, "iiei"), ==, 0x2000);
    assert_json_components(a.json, w, n);
}

static void
test_no_signatures(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *disk = make_image(f, 512, "global", "--no-signatures");
    const char *opts[] = { "--cert", f->cert_path, "--secure-boot", NULL };
    const char *const want[] = {
        /* no SIGNATURE entries: six LOADs, one pointer each */
        "......", "ERROR: Secure boot is on, but components are not signed",
        NULL
    };
    g_auto(Boot) b = { 0 };

    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 1);
    assert_lines(b.lines, want);
}

static void
test_normal(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *disk = make_image(f, 512, "global", NULL);
    g_autofree char *rep = fpath(f, "iirb.bin");
    const char *opts[] = { "--report", rep, NULL };
    /* normal mode skips SIGNATURE entries silently (spec/03 §2.6) */
    const char *const want[] = { "......", NULL };
    g_auto(Boot) b = { 0 };

    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 0);
    assert_lines(b.lines, want);
    g_assert_cmpstr(json_object_get_string_member(b.json, "mode"), ==,
                    "normal");
    g_assert_false(json_object_get_boolean_member(b.json, "report"));
    g_assert_false(g_file_test(rep, G_FILE_TEST_EXISTS));
}

static void
test_initrd(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *s3 = make_signed(f, "stage3", STAGE3_RAW, 3, "stage3",
                                      "global", 512);
    g_autofree char *k = make_signed(f, "kernel", KERNEL_RAW, 7, "kernel",
                                     "ola", 512);
    /* OLA clear, load address 0: valid for any address (spec/03 §4.3) */
    g_autofree char *rd = make_signed(f, "initrd", 70000, 11, "kernel",
                                      "none", 512);
    g_autofree char *disk = fpath(f, "disk.img");
    const char *argv[] = {
        boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3, "--kernel", k,
        "--parmline", PARMLINE, "--initrd", rd, "--initrd-addr", "0x800000",
        "-o", disk, NULL
    };
    const char *opts[] = { "--cert", f->cert_path, "--secure-boot", NULL };
    const char *const want[] = {
        "....", "Verified component", "...", "Verified component",
        /* parmline, initrd signature, initrd */
        "...", "Verified component", NULL
    };
    g_auto(BootRun) r = { 0 };
    g_auto(Boot) b = { 0 };
    Want w[8];
    guint n = want_components(f, 512, w);

    boot_run(&r, argv);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(r.status, ==, 0);
    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 0);
    assert_lines(b.lines, want);
    /* the initrd goes between the parmline and the PSW entry */
    w[n] = w[n - 1];
    w[n - 1] = (Want){ 0x800000, round_up(70000 + 32, 512), 0xC0 };
    assert_json_components(b.json, w, n + 1);
}

/*
 * One block per segment pointer: many pointers, segment tables chained
 * through their last slot (spec/03 §2.5), one "." per pointer loaded.
 */
static void
test_fragmented(Fixture *f, gconstpointer data)
{
    guint bs = GPOINTER_TO_UINT(data);
    gsize kraw = 1100000;
    g_autofree char *s3 = make_signed(f, "stage3", STAGE3_RAW, 3, "stage3",
                                      "global", bs);
    g_autofree char *k = make_signed(f, "kernel", kraw, 7, "kernel", "ola",
                                     bs);
    g_autofree char *disk = fpath(f, "disk.img");
    g_autofree char *bss = g_strdup_printf("%u", bs);
    const char *argv[] = {
        boot_tool("SIPL_MKIMAGE"), "build", "--stage3", s3, "--kernel", k,
        "--parmline", PARMLINE, "--block-size", bss,
        "--max-segment-blocks", "1", "-o", disk, NULL
    };
    const char *opts[] = { "--cert", f->cert_path, "--secure-boot",
                           "--block-size", bss, NULL };
    /* heap + stack + stage3 signature (one block) + stage3 */
    gsize d1 = 0x4000 / bs + 0x1000 / bs + 1 +
               round_up(STAGE3_RAW + 32, bs) / bs;
    /* parameters + kernel signature + kernel */
    gsize d2 = 1 + 1 + round_up(kraw + 32, bs) / bs;
    g_autofree char *l1 = g_strnfill(d1, '.');
    g_autofree char *l2 = g_strnfill(d2, '.');
    const char *const want[] = {
        l1, "Verified component", l2, "Verified component", ".", NULL
    };
    g_auto(BootRun) r = { 0 };
    g_auto(Boot) b = { 0 };

    boot_run(&r, argv);
    g_assert_cmpstr(r.err, ==, "");
    g_assert_cmpint(r.status, ==, 0);
    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 0);
    assert_lines(b.lines, want);
    g_assert_cmpint(json_object_get_int_member(b.json, "iiei"), ==, 0);
}

static void
test_loadparm(Fixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *disk = make_image(f, 512, "global", NULL);
    const char *opts[] = { "--cert", f->cert_path, "--secure-boot",
                           "--loadparm", "1", NULL };
    /* the image has program-table entry 0 only (spec/03 §2.3) */
    const char *const want[] = {
        "The requested boot entry (1) is invalid", "ERROR: Invalid loadparm",
        NULL
    };
    g_auto(Boot) b = { 0 };

    boot(&b, disk, opts);
    g_assert_cmpint(b.status, ==, 1);
    assert_lines(b.lines, want);
    g_assert_cmpstr(json_object_get_string_member(b.json, "halt_reason"), ==,
                    "Invalid loadparm");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn, data) \
    g_test_add(path, Fixture, data, fixture_setup, fn, fixture_teardown)
    ADD("/boot/secure/ok", test_secure_ok, NULL);
    ADD("/boot/secure/ok-4096", test_secure_ok_4096, NULL);
    ADD("/boot/audit/ok", test_audit_ok, NULL);
    ADD("/boot/secure/tampered", test_secure_tampered, NULL);
    ADD("/boot/audit/tampered", test_audit_tampered, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(fac_cases); i++) {
        g_autofree char *p = g_strdup_printf("/boot/%s/no-facility-%s",
                                             fac_cases[i].secure ? "secure"
                                                                 : "audit",
                                             fac_cases[i].facility);
        ADD(p, test_facility, &fac_cases[i]);
    }
    ADD("/boot/sclab/no-global", test_no_global_sclab, NULL);
    ADD("/boot/secure/no-signatures", test_no_signatures, NULL);
    ADD("/boot/normal", test_normal, NULL);
    ADD("/boot/secure/loadparm-invalid", test_loadparm, NULL);
    ADD("/boot/secure/initrd", test_initrd, NULL);
    ADD("/boot/secure/fragmented-512", test_fragmented, GUINT_TO_POINTER(512));
    ADD("/boot/secure/fragmented-4096", test_fragmented,
        GUINT_TO_POINTER(4096));
#undef ADD
    return g_test_run();
}
