/*
 * test-certstore-entry.c: what the store computes once per certificate
 * (spec/02 §3.1, §7.1-7.3, 07 D6, D11)
 *
 * Key ids and fingerprints are checked against openssl, EBCDIC bytes
 * against values written out here from QEMU's table, never against the
 * store's own code.
 */
#include "certstore-fixture.h"

#include <string.h>

static void
test_certstore_names(Fixture *f, gconstpointer data)
{
    /* 71 characters: the first 64 survive, so the names collide (§3.1) */
    static const char long_a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz_0123456789AB"
        "1.pem";
    static const char long_b[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnopqrstuvwxyz_0123456789AB"
        "2.pem";
    guint8 want[64];
    g_autofree char *a = put(f->dir, long_a, f->cert);
    g_autofree char *b = put(f->dir, long_b, f->cert);
    g_autofree char *s = put(f->dir, "a.pem", f->cert);
    const char *p[] = { a, b, s };
    g_autoptr(CertStore) store = store_ok(p, 3);
    size_t n = 0;
    (void)data;

    /* A-I C1-C9, J-R D1-D9, S-Z E2-E9, a-i 81-89, j-r 91-99, s-z A2-A9 */
    for (int i = 0; i < 9; i++) {
        want[n++] = (guint8)(0xc1 + i);
    }
    for (int i = 0; i < 9; i++) {
        want[n++] = (guint8)(0xd1 + i);
    }
    for (int i = 0; i < 8; i++) {
        want[n++] = (guint8)(0xe2 + i);
    }
    want[n++] = 0x60;       /* '-' */
    for (int i = 0; i < 9; i++) {
        want[n++] = (guint8)(0x81 + i);
    }
    for (int i = 0; i < 9; i++) {
        want[n++] = (guint8)(0x91 + i);
    }
    for (int i = 0; i < 8; i++) {
        want[n++] = (guint8)(0xa2 + i);
    }
    want[n++] = 0x6d;       /* '_' */
    for (int i = 0; i < 10; i++) {
        want[n++] = (guint8)(0xf0 + i);
    }
    g_assert_cmpuint(n, ==, 64);
    g_assert_cmpmem(cert_store_get(store, 0)->name, 64, want, 64);
    g_assert_cmpmem(cert_store_get(store, 1)->name, 64, want, 64);

    /* "a.pem" = 81 4B 97 85 94, then 59 blanks */
    memset(want, 0x40, sizeof(want));
    memcpy(want, "\x81\x4b\x97\x85\x94", 5);
    g_assert_cmpmem(cert_store_get(store, 2)->name, 64, want, 64);
}

static char *
run_sh(const char *cmd)
{
    g_autoptr(GError) error = NULL;
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    char *out = NULL;
    int status = 0;

    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, &out, NULL, &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    return out;
}

static void
assert_hex(const guint8 *bytes, const char *sha256sum_line)
{
    g_autofree char *hex = g_malloc0(65);
    g_autofree char *want = g_strndup(sha256sum_line, 64);

    for (int i = 0; i < 32; i++) {
        g_snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    }
    g_assert_cmpstr(hex, ==, want);
}

typedef struct {
    CertGenKeyType type;
    guint8 key_type;
} KeyCase;

static const KeyCase key_cases[] = {
    { CERTGEN_RSA2048, 0 },
    { CERTGEN_P256, 0 },
    { CERTGEN_P384, 0 },
    { CERTGEN_P521, 1 },
    { CERTGEN_ED25519, 0 },
};

/* spec/02 §7.1-7.3 against openssl, validity times from the certificate */
static void
test_certstore_crypto(Fixture *f, gconstpointer data)
{
    const KeyCase *kc = data;
    CertGenSpec spec = { .key_type = kc->type, .not_before = 1000000000,
                         .not_after = 2000000000 };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    g_autofree char *path = put(f->dir, "c.pem", cert);
    g_autofree char *q = g_shell_quote(path);
    g_autofree char *kid_cmd = g_strdup_printf(
        "openssl x509 -pubkey -noout -in %s | "
        "openssl pkey -pubin -outform DER | sha256sum", q);
    g_autofree char *fp_cmd = g_strdup_printf(
        "openssl x509 -outform DER -in %s | sha256sum", q);
    g_autofree char *kid = run_sh(kid_cmd);
    g_autofree char *fp = run_sh(fp_cmd);
    const char *p[] = { path };
    g_autoptr(CertStore) store = store_ok(p, 1);
    const CertStoreEntry *e = cert_store_get(store, 0);

    g_assert_true(e->key_id_ok);
    assert_hex(e->key_id, kid);
    assert_hex(e->fingerprint, fp);
    g_assert_true(e->key_type_ok);
    g_assert_cmpuint(e->key_type, ==, kc->key_type);
    g_assert_true(e->times_ok);
    g_assert_cmpint(e->activation, ==, 1000000000);
    g_assert_cmpint(e->expiration, ==, 2000000000);
    g_assert_nonnull(e->crt);
    g_assert_nonnull(e->pubkey);
}

/* 07 D6: a curve GnuTLS cannot use loads, but its VCE will be invalid */
static void
test_certstore_unknown_curve(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "bp.pem", NULL);
    g_autofree char *key = g_build_filename(f->dir, "bp.key", NULL);
    g_autofree char *qp = g_shell_quote(path);
    g_autofree char *qk = g_shell_quote(key);
    g_autofree char *cmd = g_strdup_printf(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:brainpoolP256r1 "
        "-nodes -subj /CN=bp -days 2 -keyout %s -out %s 2>/dev/null", qk, qp);
    const char *p[] = { path };
    g_autoptr(CertStore) store = NULL;
    const CertStoreEntry *e;
    g_autofree char *w_kid = g_strdup_printf(
        "'%s': cannot compute the key id: The curve is unsupported", path);
    g_autofree char *w_key = g_strdup_printf(
        "'%s': cannot read the public key: The curve is unsupported", path);
    const char *want[] = { w_kid, w_key, NULL };
    (void)data;

    g_free(run_sh(cmd));
    store = store_ok(p, 1);
    e = cert_store_get(store, 0);
    g_assert_false(e->key_type_ok);
    g_assert_cmpuint(e->key_type, ==, 0);
    g_assert_false(e->key_id_ok);
    g_assert_null(e->pubkey);
    /* Still a store entry: DER, fingerprint and times are fine */
    g_assert_true(e->times_ok);
    g_assert_cmpuint(cert_store_count(store), ==, 1);
    assert_warnings(store, want);
}

static time_t
fixed_clock(void)
{
    return 1234567890;
}

static void
test_certstore_clock(Fixture *f, gconstpointer data)
{
    g_autofree char *path = put(f->dir, "c.pem", f->cert);
    const char *p[] = { path };
    g_autoptr(CertStore) store = store_ok(p, 1);
    time_t before = time(NULL);
    time_t now = cert_store_now(store);
    (void)data;

    g_assert_cmpint(now, >=, before);
    g_assert_cmpint(now, <=, time(NULL));
    cert_store_set_clock(store, fixed_clock);
    g_assert_cmpint(cert_store_now(store), ==, 1234567890);
    cert_store_set_clock(store, NULL);
    g_assert_cmpint(cert_store_now(store), >=, before);
}

int
main(int argc, char **argv)
{
    static const char *const key_names[] = {
        "rsa2048", "p256", "p384", "p521", "ed25519",
    };
    int ret;

    g_test_init(&argc, &argv, NULL);
    fixture_init_key();
    FIXTURE_ADD("/certstore/names", test_certstore_names);
    FIXTURE_ADD("/certstore/D6-unknown-curve", test_certstore_unknown_curve);
    FIXTURE_ADD("/certstore/clock", test_certstore_clock);
    G_STATIC_ASSERT(G_N_ELEMENTS(key_names) == G_N_ELEMENTS(key_cases));
    for (size_t i = 0; i < G_N_ELEMENTS(key_cases); i++) {
        g_autofree char *path = g_strdup_printf("/certstore/crypto/%s",
                                                key_names[i]);

        g_test_add(path, Fixture, &key_cases[i], fixture_setup,
                   test_certstore_crypto, fixture_teardown);
    }
    ret = g_test_run();
    fixture_free_key();
    return ret;
}
