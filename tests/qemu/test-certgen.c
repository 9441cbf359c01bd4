/*
 * test-certgen.c: the test-certificate helper makes what it is asked for
 *
 * Each property is read back by re-importing the exported PEM/DER with
 * GnuTLS, not from the helper's own gnutls_x509_crt_t.
 */
#include "certgen.h"

#include <gnutls/abstract.h>
#include <glib/gstdio.h>
#include <string.h>

static gnutls_x509_crt_t
reimport(const CertGenCert *cert, gnutls_x509_crt_fmt_t fmt)
{
    gnutls_x509_crt_t crt;
    gnutls_datum_t d;

    if (fmt == GNUTLS_X509_FMT_PEM) {
        d.data = (unsigned char *)cert->pem;
        d.size = strlen(cert->pem);
    } else {
        d.data = cert->der;
        d.size = cert->der_len;
    }
    g_assert_cmpint(gnutls_x509_crt_init(&crt), ==, 0);
    g_assert_cmpint(gnutls_x509_crt_import(crt, &d, fmt), ==, 0);
    return crt;
}

typedef struct {
    CertGenKeyType type;
    int pk;
    unsigned int bits;       /* RSA modulus bits, 0 for curves */
    gnutls_ecc_curve_t curve;
} KeyCase;

static const KeyCase key_cases[] = {
    { CERTGEN_RSA2048, GNUTLS_PK_RSA, 2048, GNUTLS_ECC_CURVE_INVALID },
    { CERTGEN_RSA3072, GNUTLS_PK_RSA, 3072, GNUTLS_ECC_CURVE_INVALID },
    { CERTGEN_RSA4096, GNUTLS_PK_RSA, 4096, GNUTLS_ECC_CURVE_INVALID },
    { CERTGEN_P256, GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP256R1 },
    { CERTGEN_P384, GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP384R1 },
    { CERTGEN_P521, GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP521R1 },
    { CERTGEN_ED25519, GNUTLS_PK_EDDSA_ED25519, 0, GNUTLS_ECC_CURVE_ED25519 },
};

static void
test_certgen_key_type(gconstpointer data)
{
    const KeyCase *kc = data;
    CertGenSpec spec = { .key_type = kc->type };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    gnutls_x509_crt_t crt = reimport(cert, GNUTLS_X509_FMT_DER);
    gnutls_pubkey_t pub;
    gnutls_x509_privkey_t key;
    gnutls_datum_t kd = { (unsigned char *)cert->key_pem,
                          strlen(cert->key_pem) };
    unsigned int bits = 0;
    unsigned int verify = 1;
    int pk;

    pk = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
    g_assert_cmpint(pk, ==, kc->pk);
    if (kc->bits) {
        g_assert_cmpuint(bits, ==, kc->bits);
    } else {
        gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

        g_assert_cmpint(gnutls_pubkey_init(&pub), ==, 0);
        g_assert_cmpint(gnutls_pubkey_import_x509(pub, crt, 0), ==, 0);
        g_assert_cmpint(gnutls_pubkey_get_pk_ecc_raw(pub, &curve, NULL, NULL),
                        ==, 0);
        g_assert_cmpint(curve, ==, kc->curve);
        gnutls_pubkey_deinit(pub);
    }

    /* Self-signed: the signature verifies with its own key */
    g_assert_cmpint(gnutls_x509_crt_verify(crt, &crt, 1, 0, &verify), ==, 0);
    g_assert_cmpuint(verify, ==, 0);
    g_assert_cmpint(gnutls_x509_crt_get_version(crt), ==, 3);

    /* The key PEM is PKCS#8 and holds the certified key */
    g_assert_true(g_str_has_prefix(cert->key_pem,
                                   "-----BEGIN PRIVATE KEY-----"));
    g_assert_cmpint(gnutls_x509_privkey_init(&key), ==, 0);
    g_assert_cmpint(gnutls_x509_privkey_import_pkcs8(key, &kd,
                                                     GNUTLS_X509_FMT_PEM,
                                                     NULL, GNUTLS_PKCS_PLAIN),
                    ==, 0);
    {
        guint8 a[64], b[64];
        size_t alen = sizeof(a), blen = sizeof(b);

        g_assert_cmpint(gnutls_x509_privkey_get_key_id(key, 0, a, &alen),
                        ==, 0);
        g_assert_cmpint(gnutls_x509_crt_get_key_id(crt, 0, b, &blen), ==, 0);
        g_assert_cmpmem(a, alen, b, blen);
    }
    gnutls_x509_privkey_deinit(key);
    gnutls_x509_crt_deinit(crt);
}

static void
test_certgen_fields(void)
{
    CertGenSpec spec = {
        .key_type = CERTGEN_P256,
        .cn = "fields",
        .not_before = 1000000000,
        .not_after = 2000000000,
        .key_usage = GNUTLS_KEY_KEY_CERT_SIGN,
        .serial = 0x80,
    };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    gnutls_x509_crt_t crt = reimport(cert, GNUTLS_X509_FMT_PEM);
    guint8 serial[32];
    size_t serial_len = sizeof(serial);
    guint8 ski[64];
    size_t ski_len = sizeof(ski);
    unsigned int usage = 0, critical = 0;
    char cn[64];
    size_t cn_len = sizeof(cn);
    const guint8 serial_want[] = { 0x00, 0x80 };
    gnutls_datum_t der;

    g_assert_cmpint(gnutls_x509_crt_get_activation_time(crt), ==, 1000000000);
    g_assert_cmpint(gnutls_x509_crt_get_expiration_time(crt), ==, 2000000000);
    g_assert_cmpint(gnutls_x509_crt_get_key_usage(crt, &usage, &critical),
                    ==, 0);
    g_assert_cmpuint(usage, ==, GNUTLS_KEY_KEY_CERT_SIGN);
    g_assert_cmpint(gnutls_x509_crt_get_serial(crt, serial, &serial_len),
                    ==, 0);
    g_assert_cmpmem(serial, serial_len, serial_want, sizeof(serial_want));
    g_assert_cmpint(gnutls_x509_crt_get_subject_key_id(crt, ski, &ski_len,
                                                       &critical), ==, 0);
    g_assert_cmpuint(ski_len, ==, 20);
    g_assert_cmpint(gnutls_x509_crt_get_dn_by_oid(crt,
                                                  GNUTLS_OID_X520_COMMON_NAME,
                                                  0, 0, cn, &cn_len), ==, 0);
    g_assert_cmpstr(cn, ==, "fields");

    /* PEM and DER carry the same certificate */
    g_assert_cmpint(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der),
                    ==, 0);
    g_assert_cmpmem(der.data, der.size, cert->der, cert->der_len);
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(crt);
}

static void
test_certgen_omit(void)
{
    CertGenSpec spec = {
        .key_type = CERTGEN_P256,
        .no_key_usage = true,
        .no_subject_key_id = true,
        .serial = 7,
    };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    gnutls_x509_crt_t crt = reimport(cert, GNUTLS_X509_FMT_DER);
    unsigned int usage = 0, critical = 0;
    guint8 buf[64];
    size_t len = sizeof(buf);

    g_assert_cmpint(gnutls_x509_crt_get_key_usage(crt, &usage, &critical),
                    ==, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
    g_assert_cmpint(gnutls_x509_crt_get_subject_key_id(crt, buf, &len,
                                                       &critical),
                    ==, GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
    len = sizeof(buf);
    g_assert_cmpint(gnutls_x509_crt_get_serial(crt, buf, &len), ==, 0);
    g_assert_cmpuint(len, ==, 1);
    g_assert_cmpuint(buf[0], ==, 7);
    gnutls_x509_crt_deinit(crt);
}

static void
test_certgen_defaults(void)
{
    CertGenSpec spec = { .key_type = CERTGEN_P256 };
    g_autoptr(CertGenCert) a = certgen_new(&spec);
    g_autoptr(CertGenCert) b = certgen_new(&spec);
    gnutls_x509_crt_t crt = reimport(a, GNUTLS_X509_FMT_DER);
    time_t now = time(NULL);
    unsigned int usage = 0, critical = 0;
    guint8 sa[32], sb[32];
    size_t la = sizeof(sa), lb = sizeof(sb);

    g_assert_cmpint(gnutls_x509_crt_get_activation_time(crt), <, now);
    g_assert_cmpint(gnutls_x509_crt_get_expiration_time(crt), >,
                    now + 300 * 24 * 3600);
    g_assert_cmpint(gnutls_x509_crt_get_key_usage(crt, &usage, &critical),
                    ==, 0);
    g_assert_cmpuint(usage, ==,
                     GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN);
    g_assert_cmpint(gnutls_x509_crt_get_serial(crt, sa, &la), ==, 0);
    gnutls_x509_crt_deinit(crt);
    crt = reimport(b, GNUTLS_X509_FMT_DER);
    g_assert_cmpint(gnutls_x509_crt_get_serial(crt, sb, &lb), ==, 0);
    gnutls_x509_crt_deinit(crt);
    /* Random serials: two certificates must not share one */
    g_assert_cmpuint(la, ==, 16);
    g_assert_false(la == lb && memcmp(sa, sb, la) == 0);
}

static void
test_certgen_reuse_key(void)
{
    CertGenSpec spec = { .key_type = CERTGEN_P384 };
    g_autoptr(CertGenCert) a = certgen_new(&spec);
    g_autoptr(CertGenCert) b = NULL;
    guint8 ia[64], ib[64];
    size_t la = sizeof(ia), lb = sizeof(ib);

    spec.reuse_key = a->key;
    spec.cn = "second";
    b = certgen_new(&spec);
    g_assert_true(b->key != a->key);
    g_assert_cmpint(gnutls_x509_crt_get_key_id(a->crt, 0, ia, &la), ==, 0);
    g_assert_cmpint(gnutls_x509_crt_get_key_id(b->crt, 0, ib, &lb), ==, 0);
    g_assert_cmpmem(ia, la, ib, lb);
    g_assert_cmpstr(a->key_pem, ==, b->key_pem);
}

static void
test_certgen_tmpdir(void)
{
    CertGenSpec spec = { .key_type = CERTGEN_P256 };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    g_autofree char *dir = certgen_tmpdir_new();
    g_autofree char *sub = g_build_filename(dir, "sub", NULL);
    g_autofree char *pem = g_build_filename(sub, "a.pem", NULL);
    g_autofree char *key = g_build_filename(dir, "a.key", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    g_autofree char *outside = certgen_tmpdir_new();
    g_autofree char *kept = g_build_filename(outside, "kept", NULL);
    g_autofree char *text = NULL;

    g_assert_true(g_file_test(dir, G_FILE_TEST_IS_DIR));
    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    certgen_write_pem(cert, pem);
    certgen_write_key_pem(cert, key);
    g_assert_true(g_file_get_contents(pem, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, cert->pem);
    g_clear_pointer(&text, g_free);
    g_assert_true(g_file_get_contents(key, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, cert->key_pem);

    /* A symlink to another directory is removed, not followed */
    g_assert_true(g_file_set_contents(kept, "x", -1, NULL));
    g_assert_cmpint(symlink(outside, link), ==, 0);
    certgen_tmpdir_remove(dir);
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(kept, G_FILE_TEST_IS_REGULAR));
    certgen_tmpdir_remove(outside);
    g_assert_false(g_file_test(outside, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
    static const char *const names[] = {
        "rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521", "ed25519",
    };

    g_test_init(&argc, &argv, NULL);
    G_STATIC_ASSERT(G_N_ELEMENTS(names) == G_N_ELEMENTS(key_cases));
    for (size_t i = 0; i < G_N_ELEMENTS(key_cases); i++) {
        g_autofree char *path = g_strdup_printf("/certgen/key-type/%s",
                                                names[i]);

        g_test_add_data_func(path, &key_cases[i], test_certgen_key_type);
    }
    g_test_add_func("/certgen/fields", test_certgen_fields);
    g_test_add_func("/certgen/omit", test_certgen_omit);
    g_test_add_func("/certgen/defaults", test_certgen_defaults);
    g_test_add_func("/certgen/reuse-key", test_certgen_reuse_key);
    g_test_add_func("/certgen/tmpdir", test_certgen_tmpdir);
    return g_test_run();
}
