/*
 * test-diag508.c: DIAGNOSE 0x508 (spec/02 §6, 07 D3, D7, D12, D13, K4, K18)
 *
 * Real signatures: `openssl cms -sign -binary -noattr -nocerts -outform
 * DER`, the way sign-file makes them, over run-time certgen keys. SVBs are
 * built and checked with the byte offsets of spec/02 §6.3 written out.
 */
#include "certgen.h"
#include "qemu/certstore.h"
#include "qemu/diag508.h"

#include "diag-expect.h"

#define DIAG_HANDLER diag508_handle

#include <string.h>

#define MEM_SIZE (1ULL << 20)
#define DOMAIN "sipl-diag508"
#define SVB_ADDR 0x1000
#define SIG_ADDR 0x8000
#define COMP_ADDR 0x10000
#define COMP_LEN 40000

static char *tmpdir;
static CertGenCert *signer;         /* s.pem, signs payload */
static CertGenCert *other;          /* o.pem */
static uint8_t *payload;
static GBytes *sig;                 /* DER CMS over payload by signer */
static time_t fake_now;

static time_t
fake_clock(void)
{
    return fake_now;
}

#define put32(p, v) put_be(p, v, 4)
#define put64(p, v) put_be(p, v, 8)

/* SVB (spec/02 §6.3): length @0, version @7, comp_len @32, comp_addr @40,
 * sig_len @48, sig_addr @56 */
static void
make_svb(uint8_t *b, uint32_t length, uint64_t comp_len, uint64_t comp_addr,
         uint64_t sig_len, uint64_t sig_addr)
{
    memset(b, 0, 64);
    put32(b + 0, length);
    put64(b + 32, comp_len);
    put64(b + 40, comp_addr);
    put64(b + 48, sig_len);
    put64(b + 56, sig_addr);
}

static GBytes *
openssl_sign(const CertGenCert *c, const uint8_t *data, gsize len)
{
    g_autofree char *in = g_build_filename(tmpdir, "payload.bin", NULL);
    g_autofree char *crt = g_build_filename(tmpdir, "signer.crt", NULL);
    g_autofree char *key = g_build_filename(tmpdir, "signer.key", NULL);
    g_autofree char *out = g_build_filename(tmpdir, "sig.der", NULL);
    const char *argv[] = { "openssl", "cms", "-sign", "-binary", "-noattr",
                           "-nocerts", "-outform", "DER", "-md", "sha256",
                           "-in", in, "-signer", crt, "-inkey", key,
                           "-out", out, NULL };
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;
    char *der = NULL;
    gsize der_len = 0;
    int status = -1;

    g_assert_true(g_file_set_contents(in, (const char *)data, len, NULL));
    certgen_write_pem(c, crt);
    certgen_write_key_pem(c, key);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, &err, &status, &error));
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("openssl cms failed: %s", err);
    }
    g_assert_true(g_file_get_contents(out, &der, &der_len, NULL));
    return g_bytes_new_take(der, der_len);
}

typedef struct {
    CertStore *store;
    GuestMem *mem;
    uint8_t *before;
} Fix;

static void
fix_init(Fix *f, const char *const *names)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    gsize sig_len;
    const void *s = g_bytes_get_data(sig, &sig_len);

    for (gsize i = 0; names && names[i]; i++) {
        g_ptr_array_add(paths, g_build_filename(tmpdir, names[i], NULL));
    }
    f->store = cert_store_new((const char *const *)paths->pdata, paths->len,
                              &error);
    g_assert_no_error(error);
    f->mem = guestmem_new(MEM_SIZE, NULL);
    f->before = g_malloc(MEM_SIZE);
    g_assert_true(guestmem_write(f->mem, COMP_ADDR, payload, COMP_LEN));
    g_assert_true(guestmem_write(f->mem, SIG_ADDR, s, sig_len));
}

static void
fix_clear(Fix *f)
{
    cert_store_free(f->store);
    guestmem_free(f->mem);
    g_free(f->before);
}

static void
snapshot(Fix *f)
{
    g_assert_true(guestmem_read(f->mem, 0, f->before, MEM_SIZE));
}

static void
assert_unchanged(Fix *f)
{
    g_autofree uint8_t *now = g_malloc(MEM_SIZE);

    g_assert_true(guestmem_read(f->mem, 0, now, MEM_SIZE));
    g_assert_cmpmem(now, MEM_SIZE, f->before, MEM_SIZE);
}

/* Ends a test: guest memory must be as snapshot() left it. */
static void
fix_clear_unchanged(Fix *f)
{
    assert_unchanged(f);
    fix_clear(f);
}

/* Puts @svb at SVB_ADDR, runs subcode 0x8000, expects rc and no change. */
static void
expect_rc_unchanged(Fix *f, const uint8_t *svb, uint64_t rc)
{
    DiagCpu cpu = DIAG_CPU_DEFAULT;

    g_assert_true(guestmem_write(f->mem, SVB_ADDR, svb, 64));
    snapshot(f);
    expect_rc(f, &cpu, 2, SVB_ADDR, 0x8000, rc);
    assert_unchanged(f);
}

static void
good_svb(uint8_t *b)
{
    make_svb(b, 64, COMP_LEN, COMP_ADDR, g_bytes_get_size(sig), SIG_ADDR);
}

static const char *const only_signer[] = { "s.pem", NULL };

static void
test_privileged(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;

    fix_init(&f, only_signer);
    snapshot(&f);
    cpu.problem_state = true;
    cpu.fac_sipl = false;
    expect_exc(&f, &cpu, 2, SVB_ADDR, 0x8000, DIAG_EXC_PRIVILEGED);
    fix_clear_unchanged(&f);
}

static void
test_d7_no_facility(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t svb[64];

    fix_init(&f, only_signer);
    good_svb(svb);
    g_assert_true(guestmem_write(f.mem, SVB_ADDR, svb, 64));
    snapshot(&f);
    cpu.fac_sipl = false;
    expect_exc(&f, &cpu, 2, SVB_ADDR, 0x8000, DIAG_EXC_SPECIFICATION);
    expect_exc(&f, &cpu, 2, SVB_ADDR, 0, DIAG_EXC_SPECIFICATION);
    cpu = DIAG_CPU_DEFAULT;
    cpu.pv = true;
    expect_exc(&f, &cpu, 2, SVB_ADDR, 0x8000, DIAG_EXC_SPECIFICATION);
    fix_clear_unchanged(&f);
}

static void
test_specification(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    const uint64_t bad[] = { 1, 0x4000, 0x8001, 0xffff, 0x10000,
                             0x18000, 0xffffffffffff8000ULL };

    fix_init(&f, only_signer);
    snapshot(&f);
    expect_exc(&f, &cpu, 3, SVB_ADDR, 0x8000, DIAG_EXC_SPECIFICATION);
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        /* K18: no "not supported" code for DIAG 0x508 */
        expect_exc(&f, &cpu, 2, SVB_ADDR, bad[i], DIAG_EXC_SPECIFICATION);
    }
    fix_clear_unchanged(&f);
}

static void
test_query(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;

    fix_init(&f, NULL);
    snapshot(&f);
    /* the address is ignored, even one outside memory */
    expect_rc(&f, &cpu, 0, UINT64_MAX, 0, 0x8000);
    fix_clear_unchanged(&f);
}

static void
check_verified(const char *const *names, uint8_t index)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t svb[64], want[64];

    fix_init(&f, names);
    good_svb(svb);
    svb[7] = 0x5a;                          /* version: echoed */
    memset(svb + 4, 0xee, 3);               /* reserved: zeroed (07 D3) */
    memset(svb + 8, 0xee, 8);
    memset(svb + 16, 0xee, 16);             /* outputs: overwritten */
    g_assert_true(guestmem_write(f.mem, SVB_ADDR, svb, 64));
    snapshot(&f);

    good_svb(want);
    want[7] = 0x5a;
    want[16] = index;                       /* 0-origin (K4) */
    put64(want + 24, signer->der_len);
    expect_rc(&f, &cpu, 2, SVB_ADDR, 0x8000, 0x0001);
    memcpy(f.before + SVB_ADDR, want, 64);  /* the only change */
    fix_clear_unchanged(&f);
}

static void
test_verify_ok(void)
{
    const char *const first[] = { "s.pem", "o.pem", NULL };
    const char *const last[] = { "o.pem", "o.pem", "s.pem", NULL };
    const char *const twice[] = { "o.pem", "s.pem", "s.pem", NULL };

    check_verified(first, 0);
    check_verified(last, 2);
    check_verified(twice, 1);               /* lowest passing index */
}

static void
test_tampered(void)
{
    Fix f;
    uint8_t svb[64];
    uint8_t flip = payload[COMP_LEN / 2] ^ 0x01;

    fix_init(&f, only_signer);
    g_assert_true(guestmem_write(f.mem, COMP_ADDR + COMP_LEN / 2, &flip, 1));
    good_svb(svb);
    expect_rc_unchanged(&f, svb, 0x0402);
    fix_clear(&f);
}

static void
test_wrong_signer(void)
{
    Fix f;
    const char *const names[] = { "o.pem", NULL };
    uint8_t svb[64];

    fix_init(&f, names);
    good_svb(svb);
    expect_rc_unchanged(&f, svb, 0x0402);
    fix_clear(&f);
}

static void
test_expired_signer(void)
{
    Fix f;
    uint8_t svb[64];

    fix_init(&f, only_signer);
    fake_now = time(NULL) + 400 * 86400;
    cert_store_set_clock(f.store, fake_clock);
    good_svb(svb);
    expect_rc_unchanged(&f, svb, 0x0402);
    fix_clear(&f);
}

static void
test_empty_store(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t svb[64];

    fix_init(&f, NULL);
    /* checked before the SVB is read: even a bad SVB gets 0x0102 */
    make_svb(svb, 13, 0, 0, 0, 0);
    expect_rc_unchanged(&f, svb, 0x0102);
    /* ... but after the addressing check */
    expect_exc(&f, &cpu, 2, MEM_SIZE - 63, 0x8000, DIAG_EXC_ADDRESSING);
    fix_clear(&f);
}

static void
test_addressing(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t svb[64];

    fix_init(&f, only_signer);
    good_svb(svb);
    g_assert_true(guestmem_write(f.mem, MEM_SIZE - 64, svb, 64));
    expect_rc(&f, &cpu, 2, MEM_SIZE - 64, 0x8000, 0x0001); /* no alignment */
    snapshot(&f);
    expect_exc(&f, &cpu, 2, MEM_SIZE - 63, 0x8000, DIAG_EXC_ADDRESSING);
    expect_exc(&f, &cpu, 2, UINT64_MAX - 10, 0x8000, DIAG_EXC_ADDRESSING);
    fix_clear_unchanged(&f);
}

static void
test_bad_length(void)
{
    Fix f;
    uint8_t svb[64];
    const uint32_t lens[] = { 0, 63, 65, 128, 0x40000000 };

    fix_init(&f, only_signer);
    for (gsize i = 0; i < G_N_ELEMENTS(lens); i++) {
        good_svb(svb);
        put32(svb, lens[i]);
        expect_rc_unchanged(&f, svb, 0x0502);
    }
    fix_clear(&f);
}

static void
test_comp_invalid(void)
{
    Fix f;
    uint8_t svb[64];
    gsize sl = g_bytes_get_size(sig);

    fix_init(&f, only_signer);
    make_svb(svb, 64, 0, COMP_ADDR, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    make_svb(svb, 64, COMP_LEN, 0, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    /* the component is checked before the signature */
    make_svb(svb, 64, 0, COMP_ADDR, 0, 0);
    expect_rc_unchanged(&f, svb, 0x0202);

    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "DIAG 0x508: component length 268435457 exceeds "
                          "current maximum 268435456");
    make_svb(svb, 64, 0x10000001, COMP_ADDR, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    g_test_assert_expected_messages();

    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "DIAG 0x508: component length 18446744073709551615 "
                          "exceeds current maximum 268435456");
    make_svb(svb, 64, UINT64_MAX, COMP_ADDR, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    g_test_assert_expected_messages();

    /* exactly the maximum is not a length error (no warning): here it is
     * outside this 1 MiB memory, so it fails the range check (07 D12) */
    make_svb(svb, 64, 0x10000000, COMP_ADDR, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    fix_clear(&f);
}

static void
test_sig_invalid(void)
{
    Fix f;
    uint8_t svb[64];

    fix_init(&f, only_signer);
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, 0, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0302);
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, g_bytes_get_size(sig), 0);
    expect_rc_unchanged(&f, svb, 0x0302);

    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "DIAG 0x508: signature length 4097 exceeds "
                          "current maximum 4096");
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, 4097, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0302);
    g_test_assert_expected_messages();
    fix_clear(&f);
}

static void
test_d12_component_out_of_memory(void)
{
    Fix f;
    uint8_t svb[64];
    gsize sl = g_bytes_get_size(sig);

    fix_init(&f, only_signer);
    make_svb(svb, 64, 100, MEM_SIZE - 99, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    make_svb(svb, 64, 0x1000, UINT64_MAX - 0xfff + 1, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);       /* wraps to 0 */
    make_svb(svb, 64, 0x10000000, 0xfffffffff0000001ULL, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0202);
    /* ends exactly at the end of memory: in range, so verification runs */
    make_svb(svb, 64, 100, MEM_SIZE - 100, sl, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0402);
    fix_clear(&f);
}

static void
test_d12_signature_out_of_memory(void)
{
    Fix f;
    uint8_t svb[64];
    gsize sl = g_bytes_get_size(sig);

    fix_init(&f, only_signer);
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, sl, MEM_SIZE - sl + 1);
    expect_rc_unchanged(&f, svb, 0x0302);
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, 4096, UINT64_MAX - 100);
    expect_rc_unchanged(&f, svb, 0x0302);
    fix_clear(&f);
}

static void
test_d13_not_pkcs7(void)
{
    Fix f;
    uint8_t svb[64];
    uint8_t junk[300];
    gsize sl = g_bytes_get_size(sig);

    fix_init(&f, only_signer);
    for (gsize i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 7 + 3);
    }
    g_assert_true(guestmem_write(f.mem, 0x20000, junk, sizeof(junk)));
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, sizeof(junk), 0x20000);
    expect_rc_unchanged(&f, svb, 0x0302);
    /* the real signature, truncated */
    make_svb(svb, 64, COMP_LEN, COMP_ADDR, sl / 2, SIG_ADDR);
    expect_rc_unchanged(&f, svb, 0x0302);
    fix_clear(&f);
}

int
main(int argc, char **argv)
{
    CertGenSpec s = { .key_type = CERTGEN_RSA2048, .cn = "signer" };
    CertGenSpec o = { .key_type = CERTGEN_P256, .cn = "other" };
    g_autofree char *sp = NULL, *op = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = certgen_tmpdir_new();
    signer = certgen_new(&s);
    other = certgen_new(&o);
    sp = g_build_filename(tmpdir, "s.pem", NULL);
    op = g_build_filename(tmpdir, "o.pem", NULL);
    certgen_write_pem(signer, sp);
    certgen_write_pem(other, op);
    payload = g_malloc(COMP_LEN);
    for (gsize i = 0; i < COMP_LEN; i++) {
        payload[i] = (uint8_t)(g_test_rand_int() & 0xff);
    }
    sig = openssl_sign(signer, payload, COMP_LEN);

    g_test_add_func("/diag508/privileged", test_privileged);
    g_test_add_func("/diag508/d7-no-facility", test_d7_no_facility);
    g_test_add_func("/diag508/specification", test_specification);
    g_test_add_func("/diag508/query", test_query);
    g_test_add_func("/diag508/verify-ok", test_verify_ok);
    g_test_add_func("/diag508/tampered", test_tampered);
    g_test_add_func("/diag508/wrong-signer", test_wrong_signer);
    g_test_add_func("/diag508/expired-signer", test_expired_signer);
    g_test_add_func("/diag508/empty-store", test_empty_store);
    g_test_add_func("/diag508/addressing", test_addressing);
    g_test_add_func("/diag508/bad-length", test_bad_length);
    g_test_add_func("/diag508/comp-invalid", test_comp_invalid);
    g_test_add_func("/diag508/sig-invalid", test_sig_invalid);
    g_test_add_func("/diag508/d12-component-out-of-memory",
                    test_d12_component_out_of_memory);
    g_test_add_func("/diag508/d12-signature-out-of-memory",
                    test_d12_signature_out_of_memory);
    g_test_add_func("/diag508/d13-not-pkcs7", test_d13_not_pkcs7);
    ret = g_test_run();

    certgen_tmpdir_remove(tmpdir);
    g_free(tmpdir);
    certgen_free(signer);
    certgen_free(other);
    g_free(payload);
    g_bytes_unref(sig);
    return ret;
}
