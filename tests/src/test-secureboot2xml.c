/*
 * test-secureboot2xml.c: <secureBoot> parse/validate/format golden tests
 *
 * For each secureboot2xmldata/<name>.xml (not .out.xml):
 * - <name>.err exists: parsing or validation must fail with exactly that
 *   message (placeholders for certificates, see testutils.h), and the input
 *   must be unchanged; <name>-invalid.xml must also fail xmllint against
 *   schemas/secureboot.rng, other refused files must pass it when they are
 *   in the prefixed form (the refusal is beyond the schema);
 * - otherwise the formatted output must equal <name>.out.xml (or the input
 *   itself when there is no .out.xml), re-parse to the same output, pass
 *   xmllint, and the warnings must equal <name>.warn (none without one).
 */
#include <string.h>

#include "certgen.h"
#include "secureboot_conf.h"
#include "testutils.h"

#define DATADIR "secureboot2xmldata"

static char *schemaPath;


static char *
siplTestJoinWarnings(GPtrArray *warnings)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < warnings->len; i++)
        g_string_append_printf(out, "%s\n", (char *)warnings->pdata[i]);
    return g_string_free(out, FALSE);
}


static void
testGolden(gconstpointer opaque)
{
    const char *file = opaque;
    g_autofree char *base = g_strndup(file, strlen(file) - strlen(".xml"));
    g_autofree char *errName = g_strdup_printf("%s.err", base);
    g_autofree char *warnName = g_strdup_printf("%s.warn", base);
    g_autofree char *outName = g_strdup_printf("%s.out.xml", base);
    g_autofree char *raw = siplTestDataRead(DATADIR, file);
    g_autofree char *input = siplTestExpand(raw);
    g_autofree char *inputCopy = g_strdup(input);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(siplSecureBootDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *lint = NULL;
    bool expectFail = siplTestDataExists(DATADIR, errName);
    bool schemaInvalid = g_str_has_suffix(base, "-invalid");
    bool linted;

    def = siplSecureBootDefParseString(input, &err);
    if (def && !siplSecureBootDefValidate(def, time(NULL), warnings, &err))
        g_clear_pointer(&def, siplSecureBootDefFree);

    /* Regeneration writes the .err of a new negative. */
    if (!def && g_strcmp0(g_getenv("SIPL_TEST_REGENERATE_OUTPUT"), "1") == 0)
        expectFail = true;
    /* A negative needs its .err; an -invalid file must be a negative. */
    g_assert_true(expectFail || !schemaInvalid);

    linted = siplTestXmllint(schemaPath, input, &lint);
    if (schemaInvalid)
        g_assert_false(linted);
    else if (strstr(input, "xmlns:sipl="))
        g_assert_true(linted);

    if (expectFail) {
        g_autofree char *msg = NULL;
        g_autofree char *line = NULL;

        g_assert_null(def);
        g_assert_nonnull(err);
        g_assert_true(err->domain == SIPL_SECUREBOOT_ERROR);
        msg = siplTestAbstract(err->message);
        line = g_strconcat(msg, "\n", NULL);
        siplTestCompareToFile(line, DATADIR, errName);
        g_assert_cmpstr(input, ==, inputCopy);
        return;
    }

    g_assert_no_error(err);
    g_assert_nonnull(def);
    {
        g_autofree char *out = siplSecureBootDefFormat(def, 0);
        g_autofree char *abstract = siplTestAbstract(out);
        g_autoptr(siplSecureBootDef) again = NULL;
        g_autoptr(siplSecureBootDef) bare = NULL;
        g_autofree char *out2 = NULL;
        g_autofree char *noNs = siplSecureBootDefFormat(def, SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE);
        g_autofree char *out3 = NULL;
        g_autofree char *warn = siplTestJoinWarnings(warnings);
        g_autofree char *warnAbstract = siplTestAbstract(warn);

        if (siplTestDataExists(DATADIR, outName))
            siplTestCompareToFile(abstract, DATADIR, outName);
        else if (g_strcmp0(g_getenv("SIPL_TEST_REGENERATE_OUTPUT"), "1") == 0 &&
                 strcmp(abstract, raw) != 0)
            siplTestCompareToFile(abstract, DATADIR, outName);
        else
            g_assert_cmpstr(abstract, ==, raw);

        if (siplTestDataExists(DATADIR, warnName) ||
            (warnings->len && g_strcmp0(g_getenv("SIPL_TEST_REGENERATE_OUTPUT"), "1") == 0))
            siplTestCompareToFile(warnAbstract, DATADIR, warnName);
        else
            g_assert_cmpstr(warnAbstract, ==, "");

        g_assert_true(siplTestXmllint(schemaPath, out, NULL));

        /* Output parses again and formats identically, in both forms. */
        again = siplSecureBootDefParseString(out, &err);
        g_assert_no_error(err);
        out2 = siplSecureBootDefFormat(again, 0);
        g_assert_cmpstr(out2, ==, out);
        bare = siplSecureBootDefParseString(noNs, &err);
        g_assert_no_error(err);
        out3 = siplSecureBootDefFormat(bare, 0);
        g_assert_cmpstr(out3, ==, out);
    }
}


static siplSecureBootCertDef *
siplTestNewCert(const char *tag, const char *name)
{
    g_autoptr(GError) err = NULL;
    const char *pem = siplTestCertPem(tag);
    siplSecureBootCertDef *cert;

    cert = siplSecureBootCertDefNew(pem, strlen(pem), name,
                                    SIPL_CERT_STATE_ACTIVE,
                                    SIPL_CERT_SOURCE_NONE, NULL, &err);
    g_assert_no_error(err);
    return cert;
}


/* 65 certificates: refused by Validate, and the def is left as it was. */
static void
testTooMany(void)
{
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_autoptr(GError) err = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    guint i;

    for (i = 0; i < 65; i++) {
        g_autofree char *tag = g_strdup_printf("many%u", i);
        g_autofree char *name = g_strdup_printf("c%u.pem", i);

        g_ptr_array_add(def->certs, siplTestNewCert(tag, name));
    }
    before = siplSecureBootDefFormat(def, 0);
    g_assert_false(siplSecureBootDefValidate(def, time(NULL), NULL, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "65 certificates given; the store holds at most 64");
    after = siplSecureBootDefFormat(def, 0);
    g_assert_cmpstr(before, ==, after);

    /* 64 are fine */
    g_ptr_array_remove_index(def->certs, 64);
    g_clear_error(&err);
    g_assert_true(siplSecureBootDefValidate(def, time(NULL), NULL, &err));
    g_assert_no_error(err);
}


/* DER in, same certificate out as from PEM; bundles and keys refused. */
static void
testCertNew(void)
{
    g_autoptr(GError) err = NULL;
    GBytes *der = siplTestCertDer("a");
    g_autoptr(siplSecureBootCertDef) fromDer = NULL;
    g_autoptr(siplSecureBootCertDef) fromPem = siplTestNewCert("a", "a.pem");
    g_autofree char *bundle = g_strconcat(siplTestCertPem("a"),
                                          siplTestCertPem("b"), NULL);
    g_autofree char *withKey = g_strconcat(siplTestCertPem("a"),
                                           "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                                           NULL);

    fromDer = siplSecureBootCertDefNew(g_bytes_get_data(der, NULL),
                                       g_bytes_get_size(der), "a.pem",
                                       SIPL_CERT_STATE_STAGED,
                                       SIPL_CERT_SOURCE_FILE, "/tmp/a.der",
                                       &err);
    g_assert_no_error(err);
    g_assert_cmpstr(fromDer->pem, ==, fromPem->pem);
    g_assert_cmpstr(fromDer->fingerprint, ==, siplTestCertFingerprint("a"));
    g_assert_true(g_bytes_equal(fromDer->der, der));

    g_assert_null(siplSecureBootCertDefNew(bundle, strlen(bundle), "x.pem",
                                           SIPL_CERT_STATE_ACTIVE,
                                           SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT);
    g_assert_cmpstr(err->message, ==,
                    "certificate 'x.pem' holds 2 PEM certificates; exactly one is allowed");
    g_clear_error(&err);

    g_assert_null(siplSecureBootCertDefNew(withKey, strlen(withKey), "x.pem",
                                           SIPL_CERT_STATE_ACTIVE,
                                           SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT);
    g_assert_cmpstr(err->message, ==,
                    "certificate 'x.pem' contains a PEM block that is not a certificate");
    g_clear_error(&err);

    g_assert_null(siplSecureBootCertDefNew("garbage", 7, "x.pem",
                                           SIPL_CERT_STATE_ACTIVE,
                                           SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT);
    g_clear_error(&err);

    g_assert_null(siplSecureBootCertDefNew(g_bytes_get_data(der, NULL),
                                           g_bytes_get_size(der), "a.pem",
                                           SIPL_CERT_STATE_ACTIVE,
                                           SIPL_CERT_SOURCE_PKCS11,
                                           "pkcs11:token=t;object=a;type=cert?pin-value=1234",
                                           &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SOURCE);
    g_clear_error(&err);

    g_assert_null(siplSecureBootCertDefNew(g_bytes_get_data(der, NULL),
                                           g_bytes_get_size(der), "a.pem",
                                           SIPL_CERT_STATE_ACTIVE,
                                           SIPL_CERT_SOURCE_FILE, NULL, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SOURCE);
    g_assert_cmpstr(err->message, ==,
                    "attributes 'source' and 'sourceType' must be given together");
}


static void
testCopyFind(void)
{
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefNew(SIPL_MODE_AUDIT);
    g_autoptr(siplSecureBootDef) copy = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    g_ptr_array_add(def->certs, siplTestNewCert("a", "a.pem"));
    g_ptr_array_add(def->certs, siplTestNewCert("b", "b.pem"));
    copy = siplSecureBootDefCopy(def);
    a = siplSecureBootDefFormat(def, 0);
    b = siplSecureBootDefFormat(copy, 0);
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpint(siplSecureBootDefFindCert(copy, "b.pem"), ==, 1);
    g_assert_cmpint(siplSecureBootDefFindCert(copy, "c.pem"), ==, -1);
    g_assert_cmpint(siplSecureBootDefFindFingerprint(copy,
                                                     siplTestCertFingerprint("a")), ==, 0);
    g_ptr_array_remove_index(copy->certs, 0);
    g_assert_cmpuint(def->certs->len, ==, 2);
}


static void
testNames(void)
{
    static const struct {
        const char *label;
        const char *name;
    } cases[] = {
        { "signer-2026", "signer-2026.pem" },
        { "My Signer 2026", "My_Signer_2026.pem" },
        { "/etc/pki/sipl/vendor.CRT", "vendor.pem" },
        { "..hidden.pem", "hidden.pem" },
        { "", "cert.pem" },
        { "äöü", "cert.pem" },
    };
    g_autofree char *longLabel = g_strnfill(100, 'x');
    g_autofree char *longName = siplSecureBootCertNameFromLabel(longLabel, NULL);
    g_autofree char *fromFp = siplSecureBootCertNameFromLabel("---", "0123456789abcdef0123");
    guint i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = siplSecureBootCertNameFromLabel(cases[i].label, NULL);

        g_assert_cmpstr(name, ==, cases[i].name);
        g_assert_true(siplSecureBootCertNameIsValid(name));
    }
    /* 64 bytes QEMU shows the guest, minus the store's "NN-" prefix */
    g_assert_cmpuint(strlen(longName), ==, 61);
    g_assert_true(siplSecureBootCertNameIsValid(longName));
    g_assert_cmpstr(fromFp, ==, "cert-0123456789abcdef.pem");

    g_assert_false(siplSecureBootCertNameIsValid(".pem"));
    g_assert_false(siplSecureBootCertNameIsValid("a.PEM"));
    g_assert_false(siplSecureBootCertNameIsValid("-a.pem"));
    g_assert_false(siplSecureBootCertNameIsValid("a/b.pem"));
    g_assert_false(siplSecureBootCertNameIsValid(NULL));
}


/* Warnings that depend on the clock or on extensions golden files cannot
 * pin down: expiry within 30 days; no KeyUsage at all (no restriction). */
static void
testValidityWarnings(void)
{
    time_t now = time(NULL);
    CertGenSpec soonSpec = { .key_type = CERTGEN_P256, .cn = "soon",
                             .not_after = now + 10 * 86400 };
    CertGenSpec noKuSpec = { .key_type = CERTGEN_P256, .cn = "noku",
                             .no_key_usage = true };
    g_autoptr(CertGenCert) soon = certgen_new(&soonSpec);
    g_autoptr(CertGenCert) noKu = certgen_new(&noKuSpec);
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;

    g_ptr_array_add(def->certs,
                    siplSecureBootCertDefNew(soon->der, soon->der_len, "soon.pem",
                                             SIPL_CERT_STATE_ACTIVE,
                                             SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_no_error(err);
    g_ptr_array_add(def->certs,
                    siplSecureBootCertDefNew(noKu->der, noKu->der_len, "noku.pem",
                                             SIPL_CERT_STATE_ACTIVE,
                                             SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_no_error(err);

    g_assert_true(siplSecureBootDefValidate(def, now, warnings, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(warnings->len, ==, 1);
    g_assert_true(g_str_has_prefix(warnings->pdata[0],
                                   "certificate 'soon.pem' expires on "));

    /* 40 days on, it has expired: still a warning, never an error */
    g_ptr_array_set_size(warnings, 0);
    g_assert_true(siplSecureBootDefValidate(def, now + 40 * 86400, warnings, &err));
    g_assert_cmpuint(warnings->len, ==, 1);
    g_assert_nonnull(strstr(warnings->pdata[0], "expired on"));
}


int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) files = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    schemaPath = siplTestTopSrcPath("schemas/secureboot.rng");

    files = siplTestAddGoldenCases("secureboot2xml", DATADIR, testGolden);
    g_test_add_func("/secureboot2xml/too-many", testTooMany);
    g_test_add_func("/secureboot2xml/cert-new", testCertNew);
    g_test_add_func("/secureboot2xml/copy-find", testCopyFind);
    g_test_add_func("/secureboot2xml/names", testNames);
    g_test_add_func("/secureboot2xml/validity-warnings", testValidityWarnings);
    siplTestAddUnusedDataCheck("secureboot2xml", DATADIR);

    ret = g_test_run();
    g_free(schemaPath);
    return ret;
}
