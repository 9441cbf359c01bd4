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

/* A store of @n certificates, written as @dir/0.pem, 1.pem, ... */
static CertStore *
store_of(const char *dir, CertGenCert *const *certs, guint n)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("%u.pem", i);

        g_ptr_array_add(paths, put(dir, name, certs[i]));
    }
    return store_ok((const char *const *)paths->pdata, n);
}

static bool
same_params(const CertStoreEntry *a, const CertStoreEntry *b)
{
    g_assert_true(a->key_params_ok);
    g_assert_true(b->key_params_ok);
    return memcmp(a->key_params, b->key_params, sizeof(a->key_params)) == 0;
}

/*
 * 07 D10 (b): the key-parameter digest is equal exactly when the public
 * keys are: two certificates of one key share it, other keys (same curve,
 * same size, other family) do not.
 */
static void
test_certstore_key_params(Fixture *f, gconstpointer data)
{
    CertGenSpec p256 = { .key_type = CERTGEN_P256 };
    CertGenSpec rsa = { .key_type = CERTGEN_RSA2048 };
    CertGenSpec ed = { .key_type = CERTGEN_ED25519 };
    g_autoptr(CertGenCert) p256_b = certgen_new(&p256);
    g_autoptr(CertGenCert) rsa_a = certgen_new(&rsa);
    g_autoptr(CertGenCert) rsa_b = certgen_new(&rsa);
    g_autoptr(CertGenCert) ed_a = certgen_new(&ed);
    g_autoptr(CertGenCert) rsa_a2 = NULL;
    g_autoptr(CertStore) store = NULL;
    const CertStoreEntry *e[7];
    (void)data;

    rsa.reuse_key = rsa_a->key;
    rsa.cn = "again";
    rsa_a2 = certgen_new(&rsa);
    {
        CertGenCert *certs[] = { f->cert, f->other, p256_b, rsa_a, rsa_b,
                                 rsa_a2, ed_a };

        store = store_of(f->dir, certs, G_N_ELEMENTS(certs));
    }
    for (guint i = 0; i < G_N_ELEMENTS(e); i++) {
        e[i] = cert_store_get(store, i);
        g_assert_nonnull(e[i]->pubkey);
    }
    g_assert_cmpint(e[0]->key_family, ==, GNUTLS_PK_ECDSA);
    g_assert_cmpuint(e[0]->key_bits, ==, 256);
    g_assert_cmpint(e[3]->key_family, ==, GNUTLS_PK_RSA);
    g_assert_cmpuint(e[3]->key_bits, ==, 2048);
    g_assert_cmpint(e[6]->key_family, ==, GNUTLS_PK_EDDSA_ED25519);

    /* One key, two certificates (different DER, same key) */
    g_assert_true(memcmp(e[0]->fingerprint, e[1]->fingerprint, 32) != 0);
    g_assert_true(same_params(e[0], e[1]));
    g_assert_true(same_params(e[3], e[5]));
    /* Other keys */
    g_assert_false(same_params(e[0], e[2]));
    g_assert_false(same_params(e[3], e[4]));
    g_assert_false(same_params(e[0], e[3]));
    g_assert_false(same_params(e[0], e[6]));
    g_assert_false(same_params(e[3], e[6]));
}

/*
 * 07 D10 (b) "compare key parameters, not SPKI bytes": the same RSA key
 * certified once in an rsaEncryption SPKI and once in an RSASSA-PSS SPKI
 * (RFC 4055) has two SPKIs, hence two key ids, but one key_params.
 */
static void
test_certstore_key_params_pss_spki(Fixture *f, gconstpointer data)
{
    CertGenSpec rsa = { .key_type = CERTGEN_RSA2048 };
    g_autoptr(CertGenCert) plain = certgen_new(&rsa);
    g_autoptr(CertGenCert) pss = NULL;
    gnutls_x509_spki_t spki;
    gnutls_datum_t pem = { NULL, 0 };
    g_autoptr(CertStore) store = NULL;
    const CertStoreEntry *a;
    const CertStoreEntry *b;
    (void)data;

    rsa.reuse_key = plain->key;
    rsa.cn = "pss";
    pss = certgen_new(&rsa);
    g_assert_cmpint(gnutls_x509_spki_init(&spki), ==, 0);
    gnutls_x509_spki_set_rsa_pss_params(spki, GNUTLS_DIG_SHA256, 32);
    g_assert_cmpint(gnutls_x509_crt_set_spki(pss->crt, spki, 0), ==, 0);
    gnutls_x509_spki_deinit(spki);
    g_assert_cmpint(gnutls_x509_crt_sign2(pss->crt, pss->crt, pss->key,
                                          GNUTLS_DIG_SHA256, 0), ==, 0);
    g_assert_cmpint(gnutls_x509_crt_export2(pss->crt, GNUTLS_X509_FMT_PEM,
                                            &pem), ==, 0);
    g_free(pss->pem);
    pss->pem = g_strndup((const char *)pem.data, pem.size);
    gnutls_free(pem.data);
    {
        CertGenCert *certs[] = { plain, pss };

        store = store_of(f->dir, certs, 2);
    }
    a = cert_store_get(store, 0);
    b = cert_store_get(store, 1);
    g_assert_nonnull(b->pubkey);
    g_assert_cmpint(gnutls_pubkey_get_pk_algorithm(a->pubkey, NULL), ==,
                    GNUTLS_PK_RSA);
    g_assert_cmpint(gnutls_pubkey_get_pk_algorithm(b->pubkey, NULL), ==,
                    GNUTLS_PK_RSA_PSS);
    g_assert_true(a->key_id_ok);
    g_assert_true(b->key_id_ok);
    g_assert_true(memcmp(a->key_id, b->key_id, sizeof(a->key_id)) != 0);
    g_assert_cmpint(b->key_family, ==, GNUTLS_PK_RSA);
    g_assert_cmpuint(b->key_bits, ==, a->key_bits);
    g_assert_true(same_params(a, b));
}

/* 02 §7.4: signer identifiers and KeyUsage, read once at load (07 D11) */
static void
test_certstore_signer_info(Fixture *f, gconstpointer data)
{
    CertGenSpec s1 = { .key_type = CERTGEN_P256, .reuse_key = shared_key,
                       .serial = 0x1111 };
    CertGenSpec s2 = { .key_type = CERTGEN_P256, .reuse_key = shared_key,
                       .serial = 0x80, .no_subject_key_id = true,
                       .key_usage = GNUTLS_KEY_KEY_CERT_SIGN };
    CertGenSpec s3 = { .key_type = CERTGEN_P256, .reuse_key = shared_key,
                       .no_key_usage = true };
    g_autoptr(CertGenCert) c1 = certgen_new(&s1);
    g_autoptr(CertGenCert) c2 = certgen_new(&s2);
    g_autoptr(CertGenCert) c3 = certgen_new(&s3);
    CertGenCert *certs[] = { c1, c2, c3 };
    g_autoptr(CertStore) store = store_of(f->dir, certs, 3);
    const CertStoreEntry *e1 = cert_store_get(store, 0);
    const CertStoreEntry *e2 = cert_store_get(store, 1);
    const CertStoreEntry *e3 = cert_store_get(store, 2);
    guint8 skid[64];
    size_t skid_len = sizeof(skid);
    gnutls_datum_t dn = { NULL, 0 };
    (void)data;

    /* Serial as DER INTEGER content: 0x80 needs a leading zero */
    g_assert_true(e1->serial_ok);
    g_assert_cmpmem(e1->serial, e1->serial_len, "\x11\x11", 2);
    g_assert_true(e2->serial_ok);
    g_assert_cmpmem(e2->serial, e2->serial_len, "\x00\x80", 2);

    g_assert_cmpint(gnutls_x509_crt_get_raw_issuer_dn(c1->crt, &dn), ==, 0);
    g_assert_nonnull(e1->issuer_dn);
    g_assert_cmpmem(e1->issuer_dn, e1->issuer_dn_len, dn.data, dn.size);
    gnutls_free(dn.data);

    g_assert_cmpint(gnutls_x509_crt_get_subject_key_id(c1->crt, skid,
                                                       &skid_len, NULL),
                    ==, 0);
    g_assert_true(e1->skid_ok);
    g_assert_cmpmem(e1->skid, e1->skid_len, skid, skid_len);
    g_assert_false(e2->skid_ok);

    /* KeyUsage with digitalSignature, without it, and absent */
    g_assert_true(e1->usage_ok);
    g_assert_false(e2->usage_ok);
    g_assert_true(e3->usage_ok);
    g_assert_true(same_params(e1, e2));
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
    FIXTURE_ADD("/certstore/D10-key-params", test_certstore_key_params);
    FIXTURE_ADD("/certstore/D10-key-params-pss-spki",
                test_certstore_key_params_pss_spki);
    FIXTURE_ADD("/certstore/D11-signer-info", test_certstore_signer_info);
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
