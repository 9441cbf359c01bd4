/*
 * test-pkcs11.c: PKCS#11 listing, import, delete and PINs on a real
 * SoftHSM2 token (spec/06), and certificate sources from a token.  PIN
 * sources are in test-pin.c.
 *
 * One token per run (SoftHSM fixes its slot list at C_Initialize, spec/06
 * §7.3): keys are generated in it and certificates issued from them by
 * p11tool/certtool before the module is loaded here.  Every bad input is
 * shown to leave the token exactly as it was (objects and values).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cert_source.h"
#include "pin.h"
#include "pkcs11.h"
#include "softhsm-fixture.h"

#define LABEL "sipl-test"
#define TOKEN "pkcs11:token=" LABEL

static SoftHsmFixture *fx;
static siplPkcs11 *p11;
static char *pem_a;     /* signer-a, id 01, on the token */
static char *pem_b;     /* signer-b, id 02, on the token */
static char *pem_new;   /* signer-n, id 05, not on the token */

#define ASSERT_TOKEN_UNCHANGED(before) \
    do { \
        g_autofree char *after_ = softhsm_fixture_list(fx); \
        g_assert_cmpstr(after_, ==, (before)); \
    } while (0)

static GBytes *
der_of(const char *pem_path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = siplCertSourceLoadFile(pem_path, &error);
    siplSecureBootCertDef *cert;

    g_assert_no_error(error);
    g_assert_cmpuint(certs->len, ==, 1);
    cert = g_ptr_array_index(certs, 0);
    return g_bytes_ref(cert->der);
}

static siplPin *
good_pin(void)
{
    g_autoptr(GError) error = NULL;
    siplPin *pin = siplPinFromSource(fx->pin_file, &error);

    g_assert_no_error(error);
    return pin;
}

/* ---- URIs (spec/06 §4) ---- */

static void
test_uri_policy(void)
{
    static const struct {
        const char *uri;
        unsigned int flags;
        bool ok;
    } cases[] = {
        { TOKEN, 0, true },
        { "pkcs11:serial=0123456789abcdef", 0, true },
        { "PKCS11:token=demo", 0, true },
        { "pkcs11:token=demo;object=a;type=cert", SIPL_PKCS11_URI_OBJECT, true },
        { "pkcs11:token=demo;id=%01;type=cert", SIPL_PKCS11_URI_OBJECT, true },
        { "pkcs11:token=demo?pin-value=1234", SIPL_PKCS11_URI_ALLOW_PIN_VALUE, true },
        { "pkcs11:token=demo?pin-source=file:/run/pin", 0, true },
        { "pkcs11:", 0, false },                          /* matches everything */
        { "pkcs11:object=a;type=cert", 0, false },        /* no token */
        { "pkcs11:token=demo;type=certificate", 0, false }, /* typo */
        { "pkcs11:token=demo;type=cert;x-vendor=1", 0, false },
        { "pkcs11:token=demo;id=%zz", 0, false },
        { "file:///etc/ssl/cert.pem", 0, false },
        { "pkcs11:token=demo?pin-value=1234", 0, false },
        { "pkcs11:token=demo;object=a", SIPL_PKCS11_URI_OBJECT, false },
        { "pkcs11:token=demo;type=cert", SIPL_PKCS11_URI_OBJECT, false },
        { "pkcs11:token=demo;slot-id=1", 0, false },       /* unstable */
        { "pkcs11:slot-id=1;object=a;type=cert", 0, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        bool ok = siplPkcs11UriCheck(cases[i].uri, cases[i].flags, &error);

        g_test_message("%s", cases[i].uri);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok)
            g_assert_no_error(error);
        else
            g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI);
    }
}

static void
test_uri_strip(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *a = siplPkcs11UriStrip(
        "pkcs11:token=demo;object=signer;type=cert;id=%02"
        "?pin-source=file:/run/pin&module-path=/tmp/evil.so", &error);
    g_autofree char *b = NULL;

    g_assert_no_error(error);
    /* p11-kit's own order (spec/06 §4.3), no PIN, no module path */
    g_assert_cmpstr(a, ==, "pkcs11:token=demo;id=%02;object=signer;type=cert");
    b = siplPkcs11UriStrip("pkcs11:token=demo?pin-value=1234", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(b, ==, "pkcs11:token=demo");
    g_assert_null(siplPkcs11UriStrip("pkcs11:id=%zz", &error));
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI);
}

/* ---- listing, no login ---- */

static void
test_list(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = siplPkcs11ListCerts(p11, TOKEN, &error);
    g_autoptr(GBytes) der_a = der_of(pem_a);
    g_autoptr(GBytes) der_b = der_of(pem_b);
    bool seen_a = false, seen_b = false;

    g_assert_no_error(error);
    g_assert_cmpuint(certs->len, ==, 4);
    for (guint i = 0; i < certs->len; i++) {
        siplPkcs11Cert *c = g_ptr_array_index(certs, i);

        g_assert_true(g_str_has_prefix(c->uri, "pkcs11:"));
        g_assert_nonnull(strstr(c->uri, "token=" LABEL));
        g_assert_nonnull(strstr(c->uri, ";type=cert"));
        g_assert_null(strstr(c->uri, "pin-"));
        if (g_str_equal(c->label, "signer-a")) {
            seen_a = true;
            g_assert_true(g_bytes_equal(c->der, der_a));
            g_assert_cmpuint(g_bytes_get_size(c->id), ==, 1);
            g_assert_cmpint(((const guint8 *)g_bytes_get_data(c->id, NULL))[0], ==, 1);
            g_assert_nonnull(strstr(c->uri, ";id=%01;object=signer-a;type=cert"));
        }
        if (g_str_equal(c->label, "signer-b")) {
            seen_b = true;
            g_assert_true(g_bytes_equal(c->der, der_b));
        }
    }
    g_assert_true(seen_a && seen_b);
}

static void
test_list_narrow(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) one = siplPkcs11ListCerts(p11,
        TOKEN ";object=signer-b;type=cert", &error);
    g_autoptr(GPtrArray) by_serial = NULL;
    g_autoptr(GPtrArray) keys = NULL;
    siplPkcs11Cert *c;
    const char *serial;
    g_autofree char *uri = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(one->len, ==, 1);
    c = g_ptr_array_index(one, 0);
    g_assert_cmpstr(c->label, ==, "signer-b");

    /* The object URI names the token by serial too: select by serial. */
    serial = strstr(c->uri, "serial=");
    g_assert_nonnull(serial);
    uri = g_strdup_printf("pkcs11:%.*s", (int)strcspn(serial, ";"), serial);
    by_serial = siplPkcs11ListCerts(p11, uri, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(by_serial->len, ==, 4);

    /* Only certificates, whatever the URI's type says. */
    keys = siplPkcs11ListCerts(p11, TOKEN ";type=private", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(keys->len, ==, 0);
}

static void
test_list_missing_token(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) none = NULL;

    /* Label matching is exact and case-sensitive (spec/06 §3). */
    none = siplPkcs11ListCerts(p11, "pkcs11:token=SIPL-TEST", &error);
    g_assert_null(none);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
    g_assert_cmpstr(error->message, ==,
                    "no initialised PKCS#11 token matches 'pkcs11:token=SIPL-TEST'");
    g_clear_error(&error);
    none = siplPkcs11ListCerts(p11, "pkcs11:token=sipl", &error);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
}

static void
test_missing_module(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplPkcs11) bad = siplPkcs11Open("/nonexistent/libnone.so", &error);

    g_assert_null(bad);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
    g_assert_true(g_str_has_prefix(error->message,
                  "cannot load PKCS#11 module '/nonexistent/libnone.so': "));
}

/* GnuTLS's side: manual mode, providers by path, idempotent. */
static void
test_gnutls_init(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_true(siplPkcs11InitGnutls(fx->module, &error));
    g_assert_no_error(error);
    g_assert_true(siplPkcs11InitGnutls(fx->module, &error));
    g_assert_no_error(error);
    g_assert_false(siplPkcs11InitGnutls("/nonexistent/libnone.so", &error));
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
    g_assert_true(g_str_has_prefix(error->message,
                  "cannot load PKCS#11 module '/nonexistent/libnone.so' into GnuTLS: "));
}

/* p11-kit's configuration (Debian's softhsm2.module) finds the same token. */
static void
test_configured_modules(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplPkcs11) conf = siplPkcs11Open(NULL, &error);
    g_autoptr(GPtrArray) a = NULL;
    g_autoptr(GPtrArray) b = NULL;

    g_assert_no_error(error);
    a = siplPkcs11ListCerts(conf, TOKEN, &error);
    g_assert_no_error(error);
    b = siplPkcs11ListCerts(p11, TOKEN, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(a->len, ==, b->len);
    for (guint i = 0; i < a->len; i++) {
        siplPkcs11Cert *x = g_ptr_array_index(a, i);
        siplPkcs11Cert *y = g_ptr_array_index(b, i);
        g_assert_cmpstr(x->uri, ==, y->uri);
        g_assert_true(g_bytes_equal(x->der, y->der));
    }
}

static void
test_source_pkcs11(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = siplCertSourceLoad(TOKEN ";type=cert", p11, &error);
    g_autoptr(GPtrArray) none = NULL;
    g_autofree char *before = softhsm_fixture_list(fx);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

    g_assert_no_error(error);
    g_assert_cmpuint(certs->len, ==, 4);
    for (guint i = 0; i < certs->len; i++) {
        siplSecureBootCertDef *c = g_ptr_array_index(certs, i);

        g_assert_cmpint(c->sourceType, ==, SIPL_CERT_SOURCE_PKCS11);
        g_assert_true(g_str_has_prefix(c->source, "pkcs11:"));
        g_assert_true(siplSecureBootCertNameIsValid(c->name));
        /* two objects share the label "dup": names still unique */
        g_assert_false(g_hash_table_contains(names, c->name));
        g_hash_table_add(names, c->name);
    }
    g_assert_true(g_hash_table_contains(names, "signer-a.pem"));
    g_assert_true(g_hash_table_contains(names, "dup.pem"));
    g_assert_true(g_hash_table_contains(names, "dup-2.pem"));

    none = siplCertSourceLoad(TOKEN ";object=nosuch;type=cert", p11, &error);
    g_assert_null(none);
    g_assert_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_EMPTY);
    g_clear_error(&error);
    none = siplCertSourceLoad(TOKEN, NULL, &error);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
    ASSERT_TOKEN_UNCHANGED(before);
}

/* ---- import ---- */

static void
test_import_and_delete(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) der = der_of(pem_new);
    g_autoptr(siplPin) pin = good_pin();
    guint8 idv = 0x05;
    g_autoptr(GBytes) id = g_bytes_new(&idv, 1);
    g_autofree char *uri = NULL;
    g_autoptr(GPtrArray) found = NULL;
    unsigned int certs0 = softhsm_fixture_count(fx, "cert");
    unsigned int keys0 = softhsm_fixture_count(fx, "private");

    uri = siplPkcs11ImportCert(p11, TOKEN, der, "signer-n", id, pin, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(uri, "token=" LABEL));
    g_assert_nonnull(strstr(uri, ";id=%05;object=signer-n;type=cert"));
    g_assert_cmpuint(softhsm_fixture_count(fx, "cert"), ==, certs0 + 1);

    /* The URI we hand out finds exactly the object written. */
    found = siplPkcs11ListCerts(p11, uri, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(found->len, ==, 1);
    g_assert_true(g_bytes_equal(((siplPkcs11Cert *)g_ptr_array_index(found, 0))->der, der));

    /* Deleting it removes that object only, never the key with its id. */
    g_assert_true(siplPkcs11DeleteCert(p11, uri, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(softhsm_fixture_count(fx, "cert"), ==, certs0);
    g_assert_cmpuint(softhsm_fixture_count(fx, "private"), ==, keys0);
}

static void
test_import_derived_id(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) der = der_of(pem_new);
    g_autoptr(siplPin) pin = good_pin();
    g_autofree char *before = softhsm_fixture_list(fx);
    g_autofree char *uri = siplPkcs11ImportCert(p11, TOKEN, der, "derived",
                                                NULL, pin, &error);

    g_assert_no_error(error);
    g_assert_nonnull(strstr(uri, ";object=derived;type=cert"));
    g_assert_nonnull(strstr(uri, ";id=%"));
    g_assert_true(siplPkcs11DeleteCert(p11, uri, pin, &error));
    g_assert_no_error(error);
    ASSERT_TOKEN_UNCHANGED(before);
}

static void
test_import_wrong_pin(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) der = der_of(pem_new);
    g_autofree char *before = softhsm_fixture_list(fx);
    g_autoptr(siplPin) bad = siplPinFromSource(fx->bad_pin_file, &error);
    g_autofree char *uri = NULL;

    g_assert_no_error(error);
    uri = siplPkcs11ImportCert(p11, TOKEN, der, "signer-n", NULL, bad, &error);
    g_assert_null(uri);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
    g_assert_cmpstr(error->message, ==,
                    "wrong PIN for token '" TOKEN "' (tried once, not retried)");
    g_clear_error(&error);

    uri = siplPkcs11ImportCert(p11, TOKEN, der, "signer-n", NULL, NULL, &error);
    g_assert_null(uri);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
    ASSERT_TOKEN_UNCHANGED(before);
}

static void
test_import_bad_input(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) der_a = der_of(pem_a);
    g_autoptr(GBytes) junk = g_bytes_new_static("not a certificate", 17);
    g_autoptr(siplPin) pin = good_pin();
    g_autofree char *before = softhsm_fixture_list(fx);
    char *uri;

    uri = siplPkcs11ImportCert(p11, TOKEN, der_a, "again", NULL, pin, &error);
    g_assert_null(uri);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_EXISTS);
    g_clear_error(&error);

    uri = siplPkcs11ImportCert(p11, TOKEN, junk, "junk", NULL, pin, &error);
    g_assert_null(uri);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_CERT);
    g_clear_error(&error);

    uri = siplPkcs11ImportCert(p11, "pkcs11:token=nosuch", der_a, "x", NULL,
                               pin, &error);
    g_assert_null(uri);
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
    ASSERT_TOKEN_UNCHANGED(before);
}

/* ---- delete: exactly one object or nothing (spec/06 §7.1) ---- */

static void
test_delete_refused(void)
{
    static const struct {
        const char *uri;
        int code;
    } cases[] = {
        { TOKEN ";object=dup;type=cert", SIPL_PKCS11_ERROR_AMBIGUOUS },
        { TOKEN ";object=nosuch;type=cert", SIPL_PKCS11_ERROR_NO_OBJECT },
        { TOKEN ";id=%7f;type=cert", SIPL_PKCS11_ERROR_NO_OBJECT },
        { TOKEN ";object=signer-a", SIPL_PKCS11_ERROR_URI },
        { TOKEN ";type=cert", SIPL_PKCS11_ERROR_URI },
        { TOKEN, SIPL_PKCS11_ERROR_URI },
        { TOKEN ";object=signer-a;type=private", SIPL_PKCS11_ERROR_URI },
        { TOKEN ";object=signer-a;type=certificate", SIPL_PKCS11_ERROR_URI },
        { "pkcs11:object=signer-a;type=cert", SIPL_PKCS11_ERROR_URI },
        { "pkcs11:token=nosuch;object=signer-a;type=cert", SIPL_PKCS11_ERROR_NO_TOKEN },
    };
    g_autofree char *before = softhsm_fixture_list(fx);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;

        g_test_message("%s", cases[i].uri);
        g_assert_false(siplPkcs11DeleteCert(p11, cases[i].uri, NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, cases[i].code);
    }
    {
        g_autoptr(GError) error = NULL;
        g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=dup;type=cert",
                                            NULL, &error));
        g_assert_cmpstr(error->message, ==,
                        "2 certificates match '" TOKEN
                        ";object=dup;type=cert'; nothing was deleted");
    }
    ASSERT_TOKEN_UNCHANGED(before);
}

static void
test_delete_wrong_pin(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *before = softhsm_fixture_list(fx);

    g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=signer-b;type=cert",
                                        "0000", &error));
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
    ASSERT_TOKEN_UNCHANGED(before);
}

static void
test_delete_by_id_with_pin(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplPin) pin = good_pin();
    g_autoptr(GPtrArray) left = NULL;
    unsigned int keys0 = softhsm_fixture_count(fx, "private");
    g_autofree char *extra = softhsm_fixture_issue_cert(fx, "dup", "dup three", 30);

    /* A third "dup" so the ambiguity test above keeps its two. */
    softhsm_fixture_write_cert(fx, extra, "dup", "33");
    g_assert_true(siplPkcs11DeleteCert(p11, TOKEN ";id=%33;type=cert", pin, &error));
    g_assert_no_error(error);
    left = siplPkcs11ListCerts(p11, TOKEN ";object=dup;type=cert", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(left->len, ==, 2);
    g_assert_cmpuint(softhsm_fixture_count(fx, "private"), ==, keys0);
}

/* ---- PINs never reach a message (spec/06 §5.2, §8.3) ---- */

#define SECRET "S3cr3tPIN"
#define PIN_VALUE "?pin-value=" SECRET
#define PIN_SOURCE "?pin-source=/run/" SECRET

/* Also no module path, which a message has no business showing. */
#define ASSERT_NO_SECRET(err) \
    do { \
        g_assert_nonnull(err); \
        g_test_message("%s", (err)->message); \
        g_assert_null(strstr((err)->message, SECRET)); \
        g_assert_null(strstr((err)->message, "evil.so")); \
    } while (0)

static void
test_uri_no_secret_in_messages(void)
{
    static const struct {
        const char *uri;
        unsigned int flags;
    } checks[] = {
        { "pkcs11:token=demo;object=a;type=cert" PIN_VALUE, 0 },
        { "pkcs11:token=demo;x-foo=1" PIN_VALUE, SIPL_PKCS11_URI_ALLOW_PIN_VALUE },
        { "pkcs11:token=demo;pin-value=" SECRET ";id=%zz", 0 },
        { "pkcs11:object=a;type=cert" PIN_VALUE, SIPL_PKCS11_URI_ALLOW_PIN_VALUE },
        { "pkcs11:token=demo;slot-id=1" PIN_SOURCE, 0 },
        { "pkcs11:token=demo;object=a" PIN_SOURCE "&module-path=/tmp/evil.so",
          SIPL_PKCS11_URI_OBJECT },
        { "pkcs11:token=demo;type=certificate" PIN_SOURCE, 0 },
    };
    g_autoptr(GBytes) der_a = der_of(pem_a);
    g_autoptr(GBytes) der_new = der_of(pem_new);
    g_autoptr(siplPin) pin = good_pin();
    g_autofree char *before = softhsm_fixture_list(fx);

    for (size_t i = 0; i < G_N_ELEMENTS(checks); i++) {
        g_autoptr(GError) error = NULL;

        g_assert_false(siplPkcs11UriCheck(checks[i].uri, checks[i].flags, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI);
        ASSERT_NO_SECRET(error);
    }
    {
        g_autoptr(GError) error = NULL;

        /* the refusal of pin-value shows no URI at all */
        g_assert_false(siplPkcs11UriCheck("pkcs11:token=demo" PIN_VALUE, 0, &error));
        g_assert_cmpstr(error->message, ==,
                        "a PKCS#11 URI must not carry the PIN ('pin-value'); use 'pin-source' or a PIN file");
        g_clear_error(&error);
        g_assert_null(siplPkcs11UriStrip("pkcs11:pin-value=" SECRET ";id=%zz", &error));
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);

        /* listing: no token; one token, nothing matches */
        g_assert_null(siplPkcs11ListCerts(p11, "pkcs11:token=nosuch" PIN_SOURCE, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
        g_assert_cmpstr(error->message, ==,
                        "no initialised PKCS#11 token matches 'pkcs11:token=nosuch'");
        g_clear_error(&error);
        g_assert_null(siplCertSourceLoad(TOKEN ";object=nosuch;type=cert" PIN_SOURCE,
                                         p11, &error));
        g_assert_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_EMPTY);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_null(siplCertSourceLoad(TOKEN PIN_VALUE, NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_null(siplCertSourceLoad(TOKEN PIN_VALUE, p11, &error));
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);

        /* deleting: 0 or 2 matches, no token, not a certificate, wrong PIN */
        g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=nosuch;type=cert" PIN_SOURCE,
                                            NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_OBJECT);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=dup;type=cert" PIN_SOURCE,
                                            NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_AMBIGUOUS);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_false(siplPkcs11DeleteCert(p11, "pkcs11:token=nosuch;object=a;type=cert"
                                            PIN_SOURCE, NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=signer-a;type=private"
                                            PIN_SOURCE, NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=signer-b;type=cert"
                                            PIN_SOURCE, "0000", &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);

        /* importing: no PIN, wrong PIN, already there, no token */
        g_assert_null(siplPkcs11ImportCert(p11, TOKEN PIN_SOURCE, der_new, "n",
                                           NULL, NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_null(siplPkcs11ImportCert(p11, TOKEN PIN_SOURCE, der_new, "n",
                                           NULL, "0000", &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
        g_assert_cmpstr(error->message, ==,
                        "wrong PIN for token '" TOKEN "' (tried once, not retried)");
        g_clear_error(&error);
        g_assert_null(siplPkcs11ImportCert(p11, TOKEN PIN_SOURCE, der_a, "a",
                                           NULL, pin, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_EXISTS);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_null(siplPkcs11ImportCert(p11, "pkcs11:token=nosuch" PIN_SOURCE,
                                           der_a, "a", NULL, pin, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);
        g_assert_null(siplPkcs11ImportCert(p11, TOKEN PIN_VALUE, der_a, "a",
                                           NULL, pin, &error));
        ASSERT_NO_SECRET(error);
        g_clear_error(&error);

        /* the PIN lookup itself, without a source to use */
        g_assert_null(siplPinGet(NULL, TOKEN PIN_VALUE, false, &error));
        ASSERT_NO_SECRET(error);
    }
    ASSERT_TOKEN_UNCHANGED(before);
}

/*
 * An unusable $XDG_RUNTIME_DIR (here a path under a file, which even root
 * cannot create) puts the lock in a private <tmpdir>/sipl-<uid> instead of
 * failing every PKCS#11 call.  In a subprocess: GLib reads the runtime
 * directory once per process.
 */
static void
test_lock_fallback(void)
{
    if (g_test_subprocess()) {
        g_autoptr(GError) error = NULL;
        /* not g_dir_make_tmp(): GLib would cache the TMPDIR set below */
        g_autofree char *tmp = g_build_filename(g_getenv("TMPDIR") ? g_getenv("TMPDIR") : "/tmp",
                                                "sipl-lock-XXXXXX", NULL);
        g_autofree char *name = g_strdup_printf("sipl-%lu", (unsigned long)geteuid());
        g_autofree char *dir = NULL;
        g_autofree char *lock = NULL;
        g_autoptr(siplPkcs11) none = NULL;
        GStatBuf st;

        g_assert_nonnull(g_mkdtemp(tmp));
        g_setenv("XDG_RUNTIME_DIR", "/dev/null/nonexistent", TRUE);
        g_setenv("TMPDIR", tmp, TRUE);
        dir = g_build_filename(tmp, name, NULL);
        lock = g_build_filename(dir, "pkcs11.lock", NULL);
        /* the lock is taken before the module is looked at */
        none = siplPkcs11Open("/nonexistent/libnone.so", &error);
        g_assert_null(none);
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
        g_assert_cmpint(g_stat(dir, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 0777, ==, 0700);
        g_assert_true(g_file_test(lock, G_FILE_TEST_IS_REGULAR));
        g_clear_error(&error);

        /* a fallback directory others can enter is not used */
        g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
        none = siplPkcs11Open("/nonexistent/libnone.so", &error);
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED);
        g_assert_true(g_str_has_prefix(error->message, "cannot open the PKCS#11 lock"));
        g_assert_cmpint(g_unlink(lock), ==, 0);
        g_assert_cmpint(g_rmdir(dir), ==, 0);
        g_assert_cmpint(g_rmdir(tmp), ==, 0);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

/*
 * Three objects with one 70-byte label: names are cut to the limit and
 * then numbered, which used to cut "-2" off again and loop forever.
 */
static void
test_source_long_labels(void)
{
    g_autofree char *label = g_strnfill(70, 'L');
    g_autofree char *uri = g_strdup_printf(TOKEN ";object=%s;type=cert", label);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) certs = NULL;
    g_autoptr(GError) error = NULL;

    for (unsigned int i = 0; i < 3; i++) {
        g_autofree char *cn = g_strdup_printf("long label %u", i);
        g_autofree char *id = g_strdup_printf("%02x", 0x40 + i);
        g_autofree char *pem = softhsm_fixture_issue_cert(fx, "dup", cn, 40 + i);

        softhsm_fixture_write_cert(fx, pem, label, id);
    }
    alarm(20);
    certs = siplCertSourceLoad(uri, p11, &error);
    alarm(0);
    g_assert_no_error(error);
    g_assert_cmpuint(certs->len, ==, 3);
    for (guint i = 0; i < certs->len; i++) {
        siplSecureBootCertDef *c = g_ptr_array_index(certs, i);

        g_test_message("%s", c->name);
        g_assert_true(siplSecureBootCertNameIsValid(c->name));
        g_assert_cmpuint(strlen(c->name), <=, 61);
        g_assert_false(g_hash_table_contains(names, c->name));
        g_hash_table_add(names, c->name);
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int ret;

    if (!softhsm_fixture_available()) {
        printf("1..0 # SKIP softhsm2-util, p11tool, certtool or the module is missing\n");
        return 77;
    }
    g_test_init(&argc, &argv, NULL);

    if (!g_test_subprocess()) {
        fx = softhsm_fixture_new(LABEL);
        softhsm_fixture_generate_key(fx, "signer-a", "01");
        softhsm_fixture_generate_key(fx, "signer-b", "02");
        softhsm_fixture_generate_key(fx, "dup", "03");
        softhsm_fixture_generate_key(fx, "signer-n", "05");
        pem_a = softhsm_fixture_issue_cert(fx, "signer-a", "signer a", 1);
        pem_b = softhsm_fixture_issue_cert(fx, "signer-b", "signer b", 2);
        pem_new = softhsm_fixture_issue_cert(fx, "signer-n", "signer n", 5);
        {
            g_autofree char *dup1 = softhsm_fixture_issue_cert(fx, "dup", "dup one", 3);
            g_autofree char *dup2 = softhsm_fixture_issue_cert(fx, "dup", "dup two", 4);
            softhsm_fixture_write_cert(fx, pem_a, "signer-a", "01");
            softhsm_fixture_write_cert(fx, pem_b, "signer-b", "02");
            softhsm_fixture_write_cert(fx, dup1, "dup", "03");
            softhsm_fixture_write_cert(fx, dup2, "dup", "04");
        }
        /* first thing, as tools do (spec/06 §7.5) */
        g_assert_true(siplPkcs11InitGnutls(fx->module, &error));
        p11 = siplPkcs11Open(fx->module, &error);
        g_assert_no_error(error);
    }

    g_test_add_func("/pkcs11/uri/policy", test_uri_policy);
    g_test_add_func("/pkcs11/uri/strip", test_uri_strip);
    g_test_add_func("/pkcs11/list/all", test_list);
    g_test_add_func("/pkcs11/list/narrow", test_list_narrow);
    g_test_add_func("/pkcs11/list/missing-token", test_list_missing_token);
    g_test_add_func("/pkcs11/module/missing", test_missing_module);
    g_test_add_func("/pkcs11/module/configured", test_configured_modules);
    g_test_add_func("/pkcs11/module/gnutls", test_gnutls_init);
    g_test_add_func("/pkcs11/source", test_source_pkcs11);
    g_test_add_func("/pkcs11/import/and-delete", test_import_and_delete);
    g_test_add_func("/pkcs11/import/derived-id", test_import_derived_id);
    g_test_add_func("/pkcs11/import/wrong-pin", test_import_wrong_pin);
    g_test_add_func("/pkcs11/import/bad-input", test_import_bad_input);
    g_test_add_func("/pkcs11/delete/refused", test_delete_refused);
    g_test_add_func("/pkcs11/delete/wrong-pin", test_delete_wrong_pin);
    g_test_add_func("/pkcs11/delete/by-id", test_delete_by_id_with_pin);
    g_test_add_func("/pkcs11/uri/no-secret-in-messages", test_uri_no_secret_in_messages);
    g_test_add_func("/pkcs11/lock/fallback", test_lock_fallback);
    /* last: it adds objects the counts above do not expect */
    g_test_add_func("/pkcs11/source/long-labels", test_source_long_labels);

    ret = g_test_run();
    siplPkcs11Free(p11);
    softhsm_fixture_free(fx);
    g_free(pem_a);
    g_free(pem_b);
    g_free(pem_new);
    return ret;
}
