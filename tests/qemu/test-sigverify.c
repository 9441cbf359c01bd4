/*
 * test-sigverify.c: sig_verify() against upstream's loop (spec/02 §7.4,
 * 07 D10, D12, D13, K6, K7)
 *
 * Every case is differential: the status and index of sig_verify() must
 * equal upstream's loop of gnutls_pkcs7_verify_direct() over the same
 * certificates in the same order, with GnuTLS's clock and the store's clock
 * set to the same instant. Each case also states the verdict it expects,
 * so a case where both sides are wrong the same way still fails.
 * Signatures come from `openssl cms -sign` (sign-file's format) and from
 * gnutls_pkcs7_sign(); certificates and keys are generated at run time.
 */
#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <string.h>

#include "sigverify-fixture.h"

#define DAY FIXTURE_DAY
#define STORE_MAX FIXTURE_STORE_MAX
#define COMP_LEN FIXTURE_COMP_LEN

typedef enum {
    TOOL_OPENSSL,
    TOOL_GNUTLS,
} SignTool;

typedef enum {
    MUT_NONE,
    MUT_TAMPER_PAYLOAD,     /* one content byte flipped after signing */
    MUT_TAMPER_SIG,         /* last signature byte flipped */
    MUT_EXPIRED,            /* store cert: same key and serial, expired */
    MUT_NOT_YET,            /* store cert: same key and serial, not yet valid */
    MUT_NO_DIGSIG,          /* store cert: KeyUsage keyCertSign only */
    MUT_NO_KU,              /* store cert: no KeyUsage at all (passes) */
    MUT_ABSENT,             /* signer not in the store */
    MUT_PSS_SPKI,           /* store cert: same key in an RSASSA-PSS SPKI */
} Mutation;

typedef struct SvCase {
    const char *path;
    CertGenKeyType key;
    const char *md;
    SignTool tool;
    bool attrs;
    bool keyid;
    guint store_size;
    guint signer_pos;
    Mutation mut;
    SigVerifyStatus want;
    bool certs;             /* signer certificate included */
    bool pss;               /* RSASSA-PSS */
} SvCase;

#define SIGNER_SERIAL 0x5151

static GBytes *
sign(const SvCase *c, const CertGenCert *signer, const guint8 *data,
     gsize len)
{
    CorpusSignOpts o = { .md = c->md, .attrs = c->attrs, .keyid = c->keyid,
                         .certs = c->certs, .pss = c->pss };
    g_autoptr(GBytes) sig = NULL;
    gnutls_pkcs7_t p7 = NULL;
    gnutls_pkcs7_signature_info_st info;
    gnutls_datum_t der;

    if (c->tool == TOOL_OPENSSL) {
        sig = corpus_sign_openssl(signer, &o, fixture_workdir, data, len);
    } else {
        sig = corpus_sign_gnutls(signer, &o, data, len);
    }
    /* The corpus really has (or lacks) signed attributes. */
    der.data = (unsigned char *)g_bytes_get_data(sig, NULL);
    der.size = (unsigned int)g_bytes_get_size(sig);
    g_assert_cmpint(gnutls_pkcs7_init(&p7), ==, 0);
    g_assert_cmpint(gnutls_pkcs7_import(p7, &der, GNUTLS_X509_FMT_DER), ==, 0);
    g_assert_cmpint(gnutls_pkcs7_get_signature_info(p7, 0, &info), ==, 0);
    g_assert_cmpint(info.signed_attrs != NULL, ==, c->attrs);
    gnutls_pkcs7_signature_info_deinit(&info);
    gnutls_pkcs7_deinit(p7);
    return g_steal_pointer(&sig);
}

static void
test_case(gconstpointer opaque)
{
    const SvCase *c = opaque;
    CertGenCert *certs[STORE_MAX];
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(CertGenCert) in_store = NULL;
    g_autoptr(GBytes) sig = NULL;
    g_autofree guint8 *data = g_memdup2(fixture_content, COMP_LEN);
    FixtureStore ts = { 0 };
    guint i, f = 0;

    signer = fixture_cert(c->key, SIGNER_SERIAL, 0, 0, 0, false);
    switch (c->mut) {
    case MUT_EXPIRED:
        in_store = fixture_cert(c->key, SIGNER_SERIAL, fixture_now - 30 * DAY,
                            fixture_now - 2 * DAY, 0, false);
        break;
    case MUT_NOT_YET:
        in_store = fixture_cert(c->key, SIGNER_SERIAL, fixture_now + 2 * DAY,
                            fixture_now + 30 * DAY, 0, false);
        break;
    case MUT_NO_DIGSIG:
        in_store = fixture_cert(c->key, SIGNER_SERIAL, 0, 0,
                            GNUTLS_KEY_KEY_CERT_SIGN, false);
        break;
    case MUT_NO_KU:
        in_store = fixture_cert(c->key, SIGNER_SERIAL, 0, 0, 0, true);
        break;
    default:
        break;
    }

    for (i = 0; i < c->store_size; i++) {
        if (i == c->signer_pos && c->mut != MUT_ABSENT) {
            certs[i] = in_store ? in_store : signer;
        } else {
            certs[i] = fixture_filler(f++);
        }
    }
    fixture_store_init(&ts, certs, c->store_size);

    sig = sign(c, signer, data, COMP_LEN);
    if (c->mut == MUT_TAMPER_PAYLOAD) {
        data[COMP_LEN / 2] ^= 0x01;
    } else if (c->mut == MUT_TAMPER_SIG) {
        gsize n = 0;
        guint8 *bytes = g_bytes_unref_to_data(g_steal_pointer(&sig), &n);

        bytes[n - 1] ^= 0x01;
        sig = g_bytes_new_take(bytes, n);
    }

    fixture_check_diff(&ts, sig, data, COMP_LEN, c->want, (int)c->signer_pos);
    fixture_store_clear(&ts);
}

#define OK SIG_VERIFY_OK
#define FAIL SIG_VERIFY_FAILED
#define OSSL TOOL_OPENSSL
#define GTLS TOOL_GNUTLS

static const SvCase cases[] = {
    /* path, key, md, tool, attrs, keyid, store, pos, mutation, want,
     * certs, pss */
    { "/sigverify/valid/openssl-noattr", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/valid/openssl-attr", CERTGEN_RSA2048, "sha256", OSSL,
      true, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/valid/openssl-keyid", CERTGEN_RSA2048, "sha256", OSSL,
      false, true, 8, 5, MUT_NONE, OK, false, false },
    { "/sigverify/valid/openssl-attr-keyid", CERTGEN_P256, "sha256", OSSL,
      true, true, 8, 3, MUT_NONE, OK, false, false },
    { "/sigverify/valid/gnutls-noattr", CERTGEN_RSA2048, "sha256", GTLS,
      false, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/valid/gnutls-attr", CERTGEN_RSA2048, "sha256", GTLS,
      true, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/valid/openssl-attr-with-cert", CERTGEN_RSA2048, "sha256",
      OSSL, true, false, 2, 1, MUT_NONE, OK, true, false },
    { "/sigverify/valid/gnutls-noattr-with-cert", CERTGEN_P256, "sha256",
      GTLS, false, false, 2, 1, MUT_NONE, OK, true, false },
    /* GnuTLS 3.7.9's verify_direct refuses OpenSSL's RSASSA-PSS CMS
     * signatures; the verdict to match is that refusal. */
    { "/sigverify/key/rsa-pss", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 2, 1, MUT_NONE, FAIL, false, true },
    { "/sigverify/key/rsa-pss-attr", CERTGEN_RSA2048, "sha384", OSSL,
      true, false, 2, 1, MUT_NONE, FAIL, false, true },
    { "/sigverify/key/rsa3072", CERTGEN_RSA3072, "sha384", OSSL,
      false, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/rsa4096", CERTGEN_RSA4096, "sha512", OSSL,
      true, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/rsa4096-gnutls", CERTGEN_RSA4096, "sha256", GTLS,
      false, false, 2, 0, MUT_NONE, OK, false, false },
    { "/sigverify/key/p256", CERTGEN_P256, "sha256", OSSL,
      false, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/p256-gnutls-attr", CERTGEN_P256, "sha256", GTLS,
      true, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/p384", CERTGEN_P384, "sha384", OSSL,
      true, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/p384-gnutls", CERTGEN_P384, "sha384", GTLS,
      false, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/p521", CERTGEN_P521, "sha512", OSSL,
      false, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/p521-attr", CERTGEN_P521, "sha512", OSSL,
      true, false, 2, 0, MUT_NONE, OK, false, false },
    { "/sigverify/key/ed25519-gnutls-attr", CERTGEN_ED25519, "sha512", GTLS,
      true, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/key/ed25519-gnutls", CERTGEN_ED25519, "sha512", GTLS,
      false, false, 2, 1, MUT_NONE, OK, false, false },
    { "/sigverify/digest/sha384", CERTGEN_RSA2048, "sha384", OSSL,
      false, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/digest/sha512", CERTGEN_RSA2048, "sha512", OSSL,
      false, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/digest/sha512-attr", CERTGEN_RSA2048, "sha512", GTLS,
      true, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/digest/sha1", CERTGEN_RSA2048, "sha1", OSSL,
      false, false, 1, 0, MUT_NONE, OK, false, false },
    { "/sigverify/store64/signer-first", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 64, 0, MUT_NONE, OK, false, false },
    { "/sigverify/store64/signer-middle", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 64, 31, MUT_NONE, OK, false, false },
    { "/sigverify/store64/signer-last", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 64, 63, MUT_NONE, OK, false, false },
    { "/sigverify/store64/signer-last-attr", CERTGEN_P384, "sha384", GTLS,
      true, false, 64, 63, MUT_NONE, OK, false, false },
    { "/sigverify/store64/signer-absent", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 64, 0, MUT_ABSENT, FAIL, false, false },
    { "/sigverify/wrong-signer", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 1, 0, MUT_ABSENT, FAIL, false, false },
    { "/sigverify/tampered-payload", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 8, 2, MUT_TAMPER_PAYLOAD, FAIL, false, false },
    { "/sigverify/tampered-payload-attr", CERTGEN_RSA2048, "sha256", OSSL,
      true, false, 8, 2, MUT_TAMPER_PAYLOAD, FAIL, false, false },
    { "/sigverify/tampered-payload-ecdsa", CERTGEN_P256, "sha256", GTLS,
      false, false, 8, 2, MUT_TAMPER_PAYLOAD, FAIL, false, false },
    { "/sigverify/tampered-signature", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 8, 2, MUT_TAMPER_SIG, FAIL, false, false },
    { "/sigverify/tampered-signature-attr", CERTGEN_P256, "sha256", OSSL,
      true, false, 8, 2, MUT_TAMPER_SIG, FAIL, false, false },
    { "/sigverify/expired-signer", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 4, 1, MUT_EXPIRED, FAIL, false, false },
    { "/sigverify/expired-signer-attr", CERTGEN_RSA2048, "sha256", GTLS,
      true, false, 4, 1, MUT_EXPIRED, FAIL, false, false },
    { "/sigverify/not-yet-valid-signer", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 4, 1, MUT_NOT_YET, FAIL, false, false },
    { "/sigverify/key-usage-no-digital-signature", CERTGEN_RSA2048, "sha256",
      OSSL, false, false, 4, 1, MUT_NO_DIGSIG, FAIL, false, false },
    { "/sigverify/key-usage-absent", CERTGEN_RSA2048, "sha256", OSSL,
      false, false, 4, 1, MUT_NO_KU, OK, false, false },
};

/*
 * 07 D10 (b): the same key certified twice (serials 0x1111 at index 5 and
 * 0x2222 at index 40 of 64). A signature naming the second still verifies
 * with the first, and upstream reports the lower index.
 */
/* Re-issue @cert with its RSA key in an RSASSA-PSS SPKI (RFC 4055): the
 * same key parameters in other SPKI bytes (07 D10 (b)). */
static void
pss_spki(CertGenCert *cert)
{
    gnutls_x509_spki_t spki;
    gnutls_datum_t pem = { NULL, 0 };

    g_assert_cmpint(gnutls_x509_spki_init(&spki), ==, 0);
    gnutls_x509_spki_set_rsa_pss_params(spki, GNUTLS_DIG_SHA256, 32);
    g_assert_cmpint(gnutls_x509_crt_set_spki(cert->crt, spki, 0), ==, 0);
    gnutls_x509_spki_deinit(spki);
    g_assert_cmpint(gnutls_x509_crt_sign2(cert->crt, cert->crt, cert->key,
                                          GNUTLS_DIG_SHA256, 0), ==, 0);
    g_assert_cmpint(gnutls_x509_crt_export2(cert->crt, GNUTLS_X509_FMT_PEM,
                                            &pem), ==, 0);
    g_free(cert->pem);
    cert->pem = g_strndup((const char *)pem.data, pem.size);
    gnutls_free(pem.data);
}

typedef struct SameKeyCase {
    const char *path;
    bool keyid;
    Mutation lower;         /* MUT_NONE, MUT_EXPIRED, MUT_NO_DIGSIG */
    bool only_lower;        /* the named certificate is not in the store */
    int want_index;
} SameKeyCase;

static void
test_same_key(gconstpointer opaque)
{
    const SameKeyCase *c = opaque;
    CertGenCert *certs[STORE_MAX];
    g_autoptr(CertGenCert) lower = NULL;
    g_autoptr(CertGenCert) named = NULL;
    g_autoptr(GBytes) sig = NULL;
    CorpusSignOpts o = { .md = "sha256", .keyid = c->keyid };
    FixtureStore ts = { 0 };
    guint i;

    switch (c->lower) {
    case MUT_EXPIRED:
        lower = fixture_cert(CERTGEN_RSA2048, 0x1111, fixture_now - 30 * DAY,
                         fixture_now - 2 * DAY, 0, false);
        break;
    case MUT_NO_DIGSIG:
        lower = fixture_cert(CERTGEN_RSA2048, 0x1111, 0, 0,
                         GNUTLS_KEY_KEY_CERT_SIGN, false);
        break;
    default:
        lower = fixture_cert(CERTGEN_RSA2048, 0x1111, 0, 0, 0, false);
        break;
    }
    if (c->lower == MUT_PSS_SPKI) {
        pss_spki(lower);
    }
    named = fixture_cert(CERTGEN_RSA2048, 0x2222, 0, 0, 0, false);
    for (i = 0; i < STORE_MAX; i++) {
        certs[i] = fixture_filler(i);
    }
    certs[5] = lower;
    if (!c->only_lower) {
        certs[40] = named;
    }
    fixture_store_init(&ts, certs, STORE_MAX);

    sig = corpus_sign_openssl(named, &o, fixture_workdir, fixture_content, COMP_LEN);
    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN,
               c->want_index >= 0 ? SIG_VERIFY_OK : SIG_VERIFY_FAILED,
               c->want_index);
    fixture_store_clear(&ts);
}

static const SameKeyCase same_key_cases[] = {
    { "/sigverify/same-key/lower-index-wins", false, MUT_NONE, false, 5 },
    { "/sigverify/same-key/lower-index-wins-keyid", true, MUT_NONE, false, 5 },
    { "/sigverify/same-key/lower-expired", false, MUT_EXPIRED, false, 40 },
    { "/sigverify/same-key/lower-no-digital-signature", false, MUT_NO_DIGSIG,
      false, 40 },
    { "/sigverify/same-key/identifier-mismatch", false, MUT_NONE, true, 5 },
    { "/sigverify/same-key/identifier-mismatch-expired", false, MUT_EXPIRED,
      true, -1 },
    /* GnuTLS refuses a PKCS#1 v1.5 signature under a PSS-only SPKI */
    { "/sigverify/same-key/lower-pss-spki", false, MUT_PSS_SPKI, false, 40 },
    { "/sigverify/same-key/lower-pss-spki-keyid", true, MUT_PSS_SPKI, false,
      40 },
    { "/sigverify/same-key/identifier-mismatch-pss-spki", false,
      MUT_PSS_SPKI, true, -1 },
};

/*
 * The identifier (issuer + serial) names a lower certificate whose key does
 * not verify; the signer with the same identifier comes later and wins.
 */
static void
test_identifier_collision(void)
{
    CertGenCert *certs[8];
    g_autoptr(CertGenCert) other = NULL;
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) sig = NULL;
    CorpusSignOpts o = { .md = "sha256" };
    FixtureStore ts = { 0 };
    guint i;

    other = fixture_cert(CERTGEN_P256, SIGNER_SERIAL, 0, 0, 0, false);
    signer = fixture_cert(CERTGEN_RSA2048, SIGNER_SERIAL, 0, 0, 0, false);
    for (i = 0; i < G_N_ELEMENTS(certs); i++) {
        certs[i] = fixture_filler(i);
    }
    certs[2] = other;
    certs[5] = signer;
    fixture_store_init(&ts, certs, G_N_ELEMENTS(certs));
    sig = corpus_sign_openssl(signer, &o, fixture_workdir, fixture_content,
                              COMP_LEN);
    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN, SIG_VERIFY_OK, 5);
    fixture_store_clear(&ts);
}

int
main(int argc, char **argv)
{
    guint i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    fixture_init();

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_add_data_func(cases[i].path, &cases[i], test_case);
    }
    for (i = 0; i < G_N_ELEMENTS(same_key_cases); i++) {
        g_test_add_data_func(same_key_cases[i].path, &same_key_cases[i],
                             test_same_key);
    }
    g_test_add_func("/sigverify/same-key/identifier-collision-other-key",
                    test_identifier_collision);
    ret = g_test_run();
    fixture_cleanup();
    return ret;
}
