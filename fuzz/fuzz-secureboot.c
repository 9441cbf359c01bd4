/*
 * fuzz-secureboot.c: libFuzzer target for the <secureBoot> parser
 * (spec/05 §2, §8.4)
 *
 * The element comes from a domain's <metadata>, from virDomainGetMetadata
 * (no prefix, no xmlns) and from users editing XML by hand, so every byte
 * of it is untrusted. Each input (up to its first NUL) is parsed as one
 * <secureBoot> element in whatever form it has: prefixed, prefix-less, the
 * mixed form libvirt stores, or none of these.
 *
 * Checks, whatever the bytes:
 *   - a refusal is a SIPL_SECUREBOOT_ERROR with a message, and one of the
 *     codes Parse documents (never INTERNAL: the built-in schema compiles);
 *   - an accepted configuration keeps the model's invariants
 *     (secureboot_conf.h): valid names, canonical PEM ending in "\n", a DER
 *     whose SHA-256 is the lowercase-hex fingerprint, source iff sourceType;
 *   - Validate either accepts or refuses with SIPL_SECUREBOOT_ERROR_INVALID,
 *     with non-empty warnings; time is fixed so runs are reproducible;
 *   - Format is a fixed point: in both forms (prefixed, and the
 *     NO_NAMESPACE form virDomainSetMetadata takes) the formatted text
 *     parses again and formats to the same bytes, the prefix-less text
 *     reads back as the same configuration as the prefixed one, and a Copy
 *     formats like its original.
 * A failed check prints both texts and aborts, so libFuzzer saves the input.
 */
#include "src/secureboot_conf.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdlib.h>
#include <string.h>

/* 2027-01-01T00:00:00Z: validity checks must not depend on the clock */
#define FUZZ_NOW ((time_t)1798761600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void
fuzz_xml_generic_quiet(void *ctx G_GNUC_UNUSED, const char *msg G_GNUC_UNUSED,
                       ...)
{
}

static void
fuzz_xml_structured_quiet(void *ctx G_GNUC_UNUSED,
                          xmlErrorPtr err G_GNUC_UNUSED)
{
}

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    /* Parse asks libxml2 for silence, but not every path honours it; a
     * fuzz log full of parser errors hides the one report that matters. */
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, fuzz_xml_generic_quiet);
    xmlSetStructuredErrorFunc(NULL, fuzz_xml_structured_quiet);
    /* A GLib critical in sipl's code is a bug the fuzzer should report. */
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
    return 0;
}

static G_NORETURN void
fuzz_fail(const char *what, const char *a, const char *b)
{
    g_printerr("fuzz-secureboot: %s\n--- first:\n%s\n--- second:\n%s\n",
               what, a ? a : "(null)", b ? b : "(null)");
    abort();
}

static bool
fuzz_is_lower_hex(const char *s, gsize len)
{
    gsize i;

    if (!s || strlen(s) != len)
        return false;
    for (i = 0; i < len; i++) {
        if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
            return false;
    }
    return true;
}

static void
fuzz_check_model(const siplSecureBootDef *def)
{
    guint i;

    if (def->mode >= SIPL_MODE_LAST || !def->certs)
        fuzz_fail("mode or cert list out of range", NULL, NULL);
    for (i = 0; i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);
        g_autofree char *sha = NULL;
        gsize derLen = 0;
        const guint8 *der;

        if (!siplSecureBootCertNameIsValid(cert->name))
            fuzz_fail("parsed an invalid name", cert->name, NULL);
        if (cert->state >= SIPL_CERT_STATE_LAST ||
            cert->sourceType >= SIPL_CERT_SOURCE_LAST ||
            (cert->sourceType == SIPL_CERT_SOURCE_NONE) != (cert->source == NULL))
            fuzz_fail("state or source out of range", cert->name, cert->source);
        if (!cert->pem || !g_str_has_suffix(cert->pem, "\n") || !cert->der)
            fuzz_fail("no canonical PEM or DER", cert->name, cert->pem);
        der = g_bytes_get_data(cert->der, &derLen);
        sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, der, derLen);
        if (!fuzz_is_lower_hex(cert->fingerprint,
                               SIPL_SECUREBOOT_FINGERPRINT_LEN) ||
            strcmp(sha, cert->fingerprint) != 0)
            fuzz_fail("fingerprint is not the SHA-256 of the DER",
                      cert->fingerprint, sha);
    }
}

static void
fuzz_check_validate(const siplSecureBootDef *def)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    guint i;

    if (!siplSecureBootDefValidate(def, FUZZ_NOW, warnings, &error)) {
        if (!error || error->domain != SIPL_SECUREBOOT_ERROR ||
            error->code != SIPL_SECUREBOOT_ERROR_INVALID ||
            !error->message || !*error->message)
            fuzz_fail("Validate refused without an INVALID error",
                      error ? error->message : NULL, NULL);
    } else if (error) {
        fuzz_fail("Validate accepted and set an error", error->message, NULL);
    }
    for (i = 0; i < warnings->len; i++) {
        const char *w = g_ptr_array_index(warnings, i);

        if (!w || !*w)
            fuzz_fail("empty warning", NULL, NULL);
    }
}

/* Format @def with @flags, parse it back, and check it formats the same.
 * Returns the re-parsed configuration. */
static siplSecureBootDef *
fuzz_round_trip(const siplSecureBootDef *def, unsigned int flags)
{
    g_autofree char *first = siplSecureBootDefFormat(def, flags);
    g_autofree char *second = NULL;
    g_autoptr(GError) error = NULL;
    siplSecureBootDef *again = siplSecureBootDefParseString(first, &error);

    if (!again)
        fuzz_fail("formatted XML does not parse again", first,
                  error ? error->message : NULL);
    second = siplSecureBootDefFormat(again, flags);
    if (strcmp(first, second) != 0)
        fuzz_fail("format(parse(format(x))) != format(x)", first, second);
    return again;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefParseString(xml, &error);
    g_autoptr(siplSecureBootDef) prefixed = NULL;
    g_autoptr(siplSecureBootDef) bare = NULL;
    g_autoptr(siplSecureBootDef) copy = NULL;
    g_autofree char *want = NULL;
    g_autofree char *got = NULL;

    if (!def) {
        if (!error || error->domain != SIPL_SECUREBOOT_ERROR ||
            !error->message || !*error->message ||
            (error->code != SIPL_SECUREBOOT_ERROR_XML &&
             error->code != SIPL_SECUREBOOT_ERROR_SCHEMA &&
             error->code != SIPL_SECUREBOOT_ERROR_CERT &&
             error->code != SIPL_SECUREBOOT_ERROR_FINGERPRINT &&
             error->code != SIPL_SECUREBOOT_ERROR_SOURCE))
            fuzz_fail("Parse refused without a documented error",
                      error ? error->message : NULL, xml);
        return 0;
    }
    if (error)
        fuzz_fail("Parse accepted and set an error", error->message, xml);

    fuzz_check_model(def);
    fuzz_check_validate(def);

    prefixed = fuzz_round_trip(def, 0);
    bare = fuzz_round_trip(def, SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE);
    copy = siplSecureBootDefCopy(def);

    /* the prefix-less form is the same configuration (spec/05 §2) */
    want = siplSecureBootDefFormat(def, 0);
    got = siplSecureBootDefFormat(bare, 0);
    if (strcmp(want, got) != 0)
        fuzz_fail("prefix-less form reads back differently", want, got);
    g_free(got);
    got = siplSecureBootDefFormat(copy, 0);
    if (strcmp(want, got) != 0)
        fuzz_fail("Copy formats differently", want, got);
    return 0;
}
