/*
 * test-sipl-diag.c: the sipl-diag command line, run as a real process
 *
 * The tool is the one meson built ($SIPL_TOP_BUILDDIR/tools/sipl-diag).
 * Outputs are compared with whole expected lines; memory dumps with bytes
 * built from the spec tables (spec/02 §5.4, §5.5, §6.3).
 */
#include "certgen.h"
#include "diag-expect.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>

static char *tool;
static char *tmpdir;
static CertGenCert *cert;

typedef struct {
    int status;                 /* exit status */
    char *out;
    char *err;
} Run;

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

/* Runs the tool with a NULL-terminated list of arguments. */
static void
run_tool(Run *r, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) env = NULL;
    int wait_status = 0;
    va_list ap;
    const char *a;

    g_ptr_array_add(argv, tool);
    va_start(ap, r);
    while ((a = va_arg(ap, const char *))) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    /* C locale: the expected texts (strerror included) are the English ones */
    env = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, env, 0, NULL,
                               NULL, &r->out, &r->err, &wait_status, &error));
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(wait_status));
    r->status = WEXITSTATUS(wait_status);
}

static char *
tmp(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void
write_bytes(const char *path, const void *buf, gsize len)
{
    g_assert_true(g_file_set_contents(path, buf, len, NULL));
}

static void
assert_file(const char *path, const void *want, gsize len)
{
    g_autofree char *got = NULL;
    gsize got_len = 0;

    g_assert_true(g_file_get_contents(path, &got, &got_len, NULL));
    g_assert_cmpmem(got, got_len, want, len);
}

#define put32(p, v) put_be(p, v, 4)
#define put64(p, v) put_be(p, v, 8)

/* Usage errors: exit 2, nothing on stdout, exactly one line on stderr. */
static void
assert_usage_error(Run *r, const char *want_err)
{
    g_assert_cmpint(r->status, ==, 2);
    g_assert_cmpstr(r->out, ==, "");
    g_assert_true(g_str_has_prefix(r->err, "sipl-diag: "));
    g_assert_true(g_str_has_suffix(r->err, "\n"));
    g_assert_true(strchr(r->err, '\n') == r->err + strlen(r->err) - 1);
    if (want_err) {
        g_assert_cmpstr(r->err, ==, want_err);
    }
}

static void
test_isb(void)
{
    g_autofree char *dump = tmp("isb.bin");
    g_autofree char *arg = g_strdup_printf("0x1000:8=%s", dump);
    g_autofree char *arg10 = g_strdup_printf("4096:8=%s", dump);
    const uint8_t want[8] = { 0xe0, 0, 0, 0, 0, 0, 0, 0 };
    Run r;

    run_tool(&r, "--diag", "320", "--subcode", "0", "--r1", "0x1000",
             "--dump", arg, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "rc=0x0001\n");
    g_assert_cmpstr(r.err, ==, "");
    assert_file(dump, want, sizeof(want));
    run_clear(&r);

    /* decimal and hex are the same numbers */
    g_assert_cmpint(g_unlink(dump), ==, 0);
    run_tool(&r, "--diag", "320", "--subcode", "0x0", "--r1", "4096",
             "--dump", arg10, NULL);
    g_assert_cmpstr(r.out, ==, "rc=0x0001\n");
    assert_file(dump, want, sizeof(want));
    run_clear(&r);
}

static void
test_vcssb(void)
{
    g_autofree char *pem = tmp("a.pem");
    g_autofree char *in = tmp("vcssb-in.bin");
    g_autofree char *out = tmp("vcssb-out.bin");
    g_autofree char *load = g_strdup_printf("0x2000=%s", in);
    g_autofree char *dump = g_strdup_printf("0x2000:128=%s", out);
    uint8_t b[128] = { 0 }, want[128] = { 0 };
    gsize padded = (cert->der_len + 3) & ~(gsize)3;
    Run r;

    put32(b, 128);
    write_bytes(in, b, sizeof(b));
    put32(want + 0, 128);
    want[33] = 1;                               /* total_vc_ct */
    want[35] = 64;                              /* max_vc_ct */
    put32(want + 80, 256 + padded);             /* max_single_vcb_len */
    put32(want + 84, 64 + 192 + padded);        /* total_vcb_len */
    run_tool(&r, "--cert", pem, "--load", load, "--diag", "320",
             "--subcode", "1", "--r1", "0x2000", "--dump", dump, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "rc=0x0001\n");
    assert_file(out, want, sizeof(want));
    run_clear(&r);

    /* empty store: only the length word changes, to 4 (K2) */
    run_tool(&r, "--load", load, "--diag", "320", "--subcode", "1",
             "--r1", "0x2000", "--dump", dump, NULL);
    g_assert_cmpstr(r.out, ==, "rc=0x0001\n");
    memset(want, 0, sizeof(want));
    put32(want, 4);
    assert_file(out, want, sizeof(want));
    run_clear(&r);
}

static void
test_diag508(void)
{
    g_autofree char *pem = tmp("a.pem");
    g_autofree char *key = tmp("a.key");
    g_autofree char *payload = tmp("payload.bin");
    g_autofree char *bad = tmp("tampered.bin");
    g_autofree char *sigf = tmp("payload.p7s");
    g_autofree char *svbf = tmp("svb.bin");
    g_autofree char *outf = tmp("svb-out.bin");
    g_autofree char *lsvb = g_strdup_printf("0x1000=%s", svbf);
    g_autofree char *lsig = g_strdup_printf("0x3000=%s", sigf);
    g_autofree char *lpay = g_strdup_printf("0x100000=%s", payload);
    g_autofree char *lbad = g_strdup_printf("0x100000=%s", bad);
    g_autofree char *dump = g_strdup_printf("0x1000:64=%s", outf);
    const char *sign[] = { "openssl", "cms", "-sign", "-binary", "-noattr",
                           "-nocerts", "-outform", "DER", "-in", payload,
                           "-signer", pem, "-inkey", key, "-out", sigf,
                           NULL };
    g_autofree char *sig = NULL;
    gsize sig_len = 0;
    uint8_t data[5000], svb[64] = { 0 }, want[64];
    int status = -1;
    Run r;

    for (gsize i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 31);
    }
    write_bytes(payload, data, sizeof(data));
    data[17] ^= 0x80;
    write_bytes(bad, data, sizeof(data));
    certgen_write_key_pem(cert, key);
    g_assert_true(g_spawn_sync(NULL, (char **)sign, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_true(g_file_get_contents(sigf, &sig, &sig_len, NULL));

    put32(svb + 0, 64);
    put64(svb + 32, sizeof(data));
    put64(svb + 40, 0x100000);
    put64(svb + 48, sig_len);
    put64(svb + 56, 0x3000);
    write_bytes(svbf, svb, sizeof(svb));

    run_tool(&r, "--diag", "508", "--subcode", "0", "--r1", "0", NULL);
    g_assert_cmpstr(r.out, ==, "rc=0x8000\n");
    run_clear(&r);

    run_tool(&r, "--cert", pem, "--load", lsvb, "--load", lsig, "--load",
             lpay, "--diag", "508", "--subcode", "0x8000", "--r1", "0x1000",
             "--dump", dump, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "rc=0x0001\n");
    memcpy(want, svb, sizeof(want));
    want[16] = 0;                                   /* cert_store_index */
    put64(want + 24, cert->der_len);                /* cert_len */
    assert_file(outf, want, sizeof(want));
    run_clear(&r);

    run_tool(&r, "--cert", pem, "--load", lsvb, "--load", lsig, "--load",
             lbad, "--diag", "508", "--subcode", "32768", "--r1", "4096",
             "--dump", dump, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "rc=0x0402\n");
    assert_file(outf, svb, sizeof(svb));            /* untouched */
    run_clear(&r);

    /* no certificates */
    run_tool(&r, "--load", lsvb, "--diag", "508", "--subcode", "0x8000",
             "--r1", "0x1000", NULL);
    g_assert_cmpstr(r.out, ==, "rc=0x0102\n");
    run_clear(&r);
}

static void
test_exceptions(void)
{
    Run r;

    run_tool(&r, "--diag", "320", "--subcode", "0x100", "--r1", "0", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "exception=specification\n");
    run_clear(&r);

    run_tool(&r, "--mem-size", "0x10000", "--diag", "320", "--subcode", "0",
             "--r1", "0x10000", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "exception=addressing\n");
    run_clear(&r);

    run_tool(&r, "--diag", "508", "--subcode", "1", "--r1", "0", NULL);
    g_assert_cmpstr(r.out, ==, "exception=specification\n");
    run_clear(&r);

    run_tool(&r, "--diag", "320", "--subcode", "7", "--r1", "0", NULL);
    g_assert_cmpstr(r.out, ==, "rc=0x0102\n");
    run_clear(&r);
}

static void
test_host_log(void)
{
    g_autofree char *pem = tmp("a.pem");
    g_autofree char *svbf = tmp("svb-long.bin");
    g_autofree char *lsvb = g_strdup_printf("0x1000=%s", svbf);
    uint8_t svb[64] = { 0 };
    Run r;

    put32(svb, 64);
    put64(svb + 32, 0x10000001);
    put64(svb + 40, 0x100000);
    write_bytes(svbf, svb, sizeof(svb));
    run_tool(&r, "--cert", pem, "--load", lsvb, "--diag", "508",
             "--subcode", "0x8000", "--r1", "0x1000", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "rc=0x0202\n");
    g_assert_cmpstr(r.err, ==, "sipl-diag: warning: DIAG 0x508: component "
                    "length 268435457 exceeds current maximum 268435456\n");
    run_clear(&r);
}

static void
test_usage_errors(void)
{
    g_autofree char *missing = tmp("missing.bin");
    g_autofree char *big = tmp("big.bin");
    g_autofree char *lmissing = g_strdup_printf("0=%s", missing);
    g_autofree char *lbig = g_strdup_printf("0xff00=%s", big);
    g_autofree char *d = g_strdup_printf("0x1000=%s", big);
    uint8_t buf[512] = { 0 };
    Run r;

    write_bytes(big, buf, sizeof(buf));

    run_tool(&r, "--subcode", "0", "--r1", "0", NULL);
    assert_usage_error(&r, "sipl-diag: --diag, --subcode and --r1 are "
                       "required (see --help)\n");
    run_clear(&r);
    run_tool(&r, "--diag", "509", "--subcode", "0", "--r1", "0", NULL);
    assert_usage_error(&r, "sipl-diag: --diag must be 320 or 508 "
                       "(see --help)\n");
    run_clear(&r);
    run_tool(&r, "--diag", "320", "--subcode", "-1", "--r1", "0", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    run_tool(&r, "--diag", "320", "--subcode", "0x", "--r1", "0", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    run_tool(&r, "--diag", "320", "--subcode", "0", "--r1",
             "18446744073709551616", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    run_tool(&r, "--diag", "320", "--subcode", "0", "--r1", "0", "extra",
             NULL);
    assert_usage_error(&r, "sipl-diag: unexpected argument 'extra' "
                       "(see --help)\n");
    run_clear(&r);
    run_tool(&r, "--bogus", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    run_tool(&r, "--diag", "320", "--subcode", "0", "--r1", "0",
             "--dump", d, NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    run_tool(&r, "--mem-size", "0", "--diag", "320", "--subcode", "0",
             "--r1", "0", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    run_tool(&r, "--load", lmissing, "--diag", "320", "--subcode", "0",
             "--r1", "0", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
    /* 512 bytes at 0xff00 do not fit in 64 KiB */
    run_tool(&r, "--mem-size", "65536", "--load", lbig, "--diag", "320",
             "--subcode", "0", "--r1", "0", NULL);
    assert_usage_error(&r, NULL);
    run_clear(&r);
}

static void
test_store_errors(void)
{
    g_autofree char *nope = tmp("nope.pem");
    g_autofree char *der = tmp("a.der");
    g_autofree char *empty = tmp("emptydir");
    g_autofree char *want = NULL;
    Run r;

    run_tool(&r, "--cert", nope, "--diag", "320", "--subcode", "0",
             "--r1", "0", NULL);
    want = g_strdup_printf("sipl-diag: Failed to stat path '%s': No such "
                           "file or directory\n", nope);
    assert_usage_error(&r, want);
    run_clear(&r);
    g_free(want);

    write_bytes(der, cert->der, cert->der_len);
    run_tool(&r, "--cert", der, "--diag", "320", "--subcode", "0",
             "--r1", "0", NULL);
    want = g_strdup_printf("sipl-diag: Certificate file '%s' must have a "
                           ".pem extension\n", der);
    assert_usage_error(&r, want);
    run_clear(&r);
    g_free(want);

    /* a warning is not an error */
    g_assert_cmpint(g_mkdir(empty, 0700), ==, 0);
    run_tool(&r, "--cert", empty, "--diag", "320", "--subcode", "0",
             "--r1", "0", NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "rc=0x0001\n");
    want = g_strdup_printf("sipl-diag: warning: '%s' directory is empty\n",
                           empty);
    g_assert_cmpstr(r.err, ==, want);
    run_clear(&r);
    g_free(want);

    /* warnings found before a fatal store error are printed first, as
     * QEMU prints them as it goes (spec/02 §2) */
    run_tool(&r, "--cert", empty, "--cert", der, "--diag", "320",
             "--subcode", "0", "--r1", "0", NULL);
    want = g_strdup_printf("sipl-diag: warning: '%s' directory is empty\n"
                           "sipl-diag: Certificate file '%s' must have a "
                           ".pem extension\n", empty, der);
    g_assert_cmpint(r.status, ==, 2);
    g_assert_cmpstr(r.out, ==, "");
    g_assert_cmpstr(r.err, ==, want);
    run_clear(&r);
}

int
main(int argc, char **argv)
{
    const char *top = g_getenv("SIPL_TOP_BUILDDIR");
    CertGenSpec spec = { .key_type = CERTGEN_RSA2048, .cn = "diag" };
    g_autofree char *pem = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    tool = g_build_filename(top ? top : ".", "tools", "sipl-diag", NULL);
    tmpdir = certgen_tmpdir_new();
    cert = certgen_new(&spec);
    pem = tmp("a.pem");
    certgen_write_pem(cert, pem);

    g_test_add_func("/sipl-diag/isb", test_isb);
    g_test_add_func("/sipl-diag/vcssb", test_vcssb);
    g_test_add_func("/sipl-diag/diag508", test_diag508);
    g_test_add_func("/sipl-diag/exceptions", test_exceptions);
    g_test_add_func("/sipl-diag/host-log", test_host_log);
    g_test_add_func("/sipl-diag/usage-errors", test_usage_errors);
    g_test_add_func("/sipl-diag/store-errors", test_store_errors);
    ret = g_test_run();

    certgen_tmpdir_remove(tmpdir);
    g_free(tmpdir);
    g_free(tool);
    certgen_free(cert);
    return ret;
}
