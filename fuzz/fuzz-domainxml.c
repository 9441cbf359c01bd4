/*
 * fuzz-domainxml.c: libFuzzer target for the domain-XML transform and the
 * domain checks (spec/05 §2, §3, §8.4)
 *
 * Each input (up to its first NUL) is a domain XML as virsh edit or
 * virDomainGetXMLDesc may hand it to sipl. The configuration is fixed and
 * small: secure mode, one P-256 certificate made at start-up with certgen
 * (GnuTLS), and a store path with a comma so QEMU's ",," escaping is used.
 *
 * Checks, whatever the bytes:
 *   - Apply with the configuration, and Apply with NULL (the removal of
 *     normal mode), either refuse with a SIPL_DOMAIN_XML_ERROR or give a
 *     domain XML that parses again; applying the same thing to that output
 *     changes nothing; the output carries our <secureBoot> (reading back as
 *     the same configuration) and exactly one sipl "-machine" pair with the
 *     expected value (spec/05 §3), or after the removal neither;
 *   - a refusal of Apply, Validate, GetUUID, GetEmulator and GetSecureBoot
 *     agrees with whether the input is a domain at all (ParseDoc also
 *     refuses a DOCTYPE and XML that is not namespace-well-formed);
 *   - Validate (QEMU caps fixed, or NULL for odd-sized inputs) accepts or
 *     refuses with a documented error; with a normal-mode configuration it
 *     accepts every domain.
 * A failed check prints the texts and aborts, so libFuzzer saves the input.
 */
#include "certgen.h"
#include "src/domain_validate.h"
#include "src/domain_xml.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CERTS_PATH "/var/lib/sipl/domains/fuzz,1/certs"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static siplSecureBootDef *fuzz_def;
static siplSecureBootDef *fuzz_normal;
static char *fuzz_def_xml;
static char *fuzz_machine_arg;
static siplQemuCaps fuzz_caps = {
    .emulator = (char *)SIPL_QEMU_DEFAULT_EMULATOR,
    .machine = (char *)"s390-ccw-virtio-11.2",
    .secureBoot = true,
    .bootCerts = true,
};

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

static G_NORETURN void
fuzz_fail(const char *what, const char *a, const char *b)
{
    g_printerr("fuzz-domainxml: %s\n--- first:\n%s\n--- second:\n%s\n",
               what, a ? a : "(null)", b ? b : "(null)");
    abort();
}

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = "sipl fuzz" };
    g_autoptr(CertGenCert) crt = NULL;
    g_autoptr(GError) error = NULL;
    siplSecureBootCertDef *cert;

    /* ParseDoc asks libxml2 for silence, but not every path (XPath
     * evaluation, the schema) honours it: keep the log readable. */
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, fuzz_xml_generic_quiet);
    xmlSetStructuredErrorFunc(NULL, fuzz_xml_structured_quiet);
    g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

    crt = certgen_new(&spec);
    cert = siplSecureBootCertDefNew(crt->pem, strlen(crt->pem), "signer.pem",
                                    SIPL_CERT_STATE_ACTIVE,
                                    SIPL_CERT_SOURCE_PKCS11,
                                    "pkcs11:token=hsm;object=signer;type=cert",
                                    &error);
    if (!cert) {
        g_printerr("fuzz-domainxml: %s\n", error->message);
        abort();
    }
    fuzz_def = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_ptr_array_add(fuzz_def->certs, cert);
    fuzz_normal = siplSecureBootDefNew(SIPL_MODE_NORMAL);
    fuzz_def_xml = siplSecureBootDefFormat(fuzz_def, 0);
    fuzz_machine_arg = siplDomainXMLMachineArg(fuzz_def, FUZZ_CERTS_PATH);
    if (!fuzz_machine_arg || !strstr(fuzz_machine_arg, "fuzz,,1"))
        fuzz_fail("unexpected -machine value", fuzz_machine_arg, NULL);
    return 0;
}

static bool
fuzz_is(xmlNodePtr node, const char *nsHref, const char *name)
{
    return node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0 &&
           (nsHref ? node->ns && strcmp((const char *)node->ns->href, nsHref) == 0
                   : node->ns == NULL);
}

static char *
fuzz_value(xmlNodePtr node)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)"value");
    char *ret = g_strdup((const char *)val);

    xmlFree(val);
    return ret;
}

/* spec/05 §3: sipl's pairs in <qemu:commandline>, counted independently of
 * domain_xml.c; @value gets the value of the last one. */
static guint
fuzz_count_pairs(xmlNodePtr root, char **value)
{
    guint n = 0;

    for (xmlNodePtr cmd = root->children; cmd; cmd = cmd->next) {
        xmlNodePtr prev = NULL;

        if (!fuzz_is(cmd, SIPL_QEMU_NAMESPACE, "commandline"))
            continue;
        for (xmlNodePtr arg = cmd->children; arg; arg = arg->next) {
            g_autofree char *first = NULL;
            g_autofree char *second = NULL;

            if (arg->type != XML_ELEMENT_NODE)
                continue;
            if (prev && fuzz_is(prev, SIPL_QEMU_NAMESPACE, "arg") &&
                fuzz_is(arg, SIPL_QEMU_NAMESPACE, "arg") &&
                g_strcmp0((first = fuzz_value(prev)), "-machine") == 0 &&
                (second = fuzz_value(arg)) &&
                (g_str_has_prefix(second, "secure-boot=") ||
                 g_str_has_prefix(second, "boot-certs."))) {
                n++;
                g_free(*value);
                *value = g_steal_pointer(&second);
                prev = NULL;    /* a value never starts the next pair */
                continue;
            }
            prev = arg;
        }
    }
    return n;
}

/* @out is what Apply gave for @def (NULL: the removal). */
static void
fuzz_check_output(const char *out, const siplSecureBootDef *def)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autofree char *again = NULL;
    g_autofree char *value = NULL;
    xmlDocPtr doc = siplDomainXMLParseDoc(out, &error);
    guint pairs;

    if (!doc)
        fuzz_fail("Apply output does not parse as a domain", out,
                  error->message);
    pairs = fuzz_count_pairs(xmlDocGetRootElement(doc), &value);
    xmlFreeDoc(doc);
    if (def && (pairs != 1 || g_strcmp0(value, fuzz_machine_arg) != 0))
        fuzz_fail("output lacks exactly one sipl -machine pair", out, value);
    if (!def && pairs != 0)
        fuzz_fail("removal left a sipl -machine pair", out, value);

    if (!(again = siplDomainXMLApply(out, def, FUZZ_CERTS_PATH, &error)))
        fuzz_fail("Apply refuses its own output", out, error->message);
    if (strcmp(out, again) != 0)
        fuzz_fail("Apply is not idempotent", out, again);

    if (!siplDomainXMLGetSecureBoot(out, &back, &error))
        fuzz_fail("output's <secureBoot> does not parse", out, error->message);
    if (!def != !back)
        fuzz_fail("output's <secureBoot> presence is wrong", out, NULL);
    if (back) {
        g_autofree char *got = siplSecureBootDefFormat(back, 0);

        if (strcmp(got, fuzz_def_xml) != 0)
            fuzz_fail("output's <secureBoot> reads back differently",
                      fuzz_def_xml, got);
    }
}

static void
fuzz_check_apply(const char *xml, const siplSecureBootDef *def, bool isDomain)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = siplDomainXMLApply(xml, def, FUZZ_CERTS_PATH, &error);

    if (!out) {
        /* the only refusal of a domain: two <qemu:commandline> */
        if (!error || error->domain != SIPL_DOMAIN_XML_ERROR ||
            error->code != (isDomain ? SIPL_DOMAIN_XML_ERROR_INVALID
                                     : SIPL_DOMAIN_XML_ERROR_XML))
            fuzz_fail("Apply refused with an unexpected error", xml,
                      error ? error->message : NULL);
        return;
    }
    if (!isDomain)
        fuzz_fail("Apply accepted what is not a domain", xml, out);
    fuzz_check_output(out, def);
}

static void
fuzz_check_validate(const char *xml, const siplSecureBootDef *def,
                    const siplQemuCaps *caps, bool isDomain)
{
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    bool ok = siplDomainValidate(xml, def, caps, warnings, &error);

    if (!isDomain) {
        if (ok || !error || error->domain != SIPL_DOMAIN_XML_ERROR)
            fuzz_fail("Validate did not refuse a non-domain", xml, NULL);
        return;
    }
    if (ok) {
        if (error)
            fuzz_fail("Validate accepted and set an error", xml, error->message);
    } else if (def->mode == SIPL_MODE_NORMAL) {
        fuzz_fail("Validate refused normal mode", xml, error->message);
    } else if (!error || error->domain != SIPL_SECUREBOOT_ERROR ||
               (error->code != SIPL_SECUREBOOT_ERROR_DOMAIN &&
                error->code != SIPL_SECUREBOOT_ERROR_UNSUPPORTED) ||
               !*error->message) {
        fuzz_fail("Validate refused with an unexpected error", xml,
                  error ? error->message : NULL);
    }
    for (guint i = 0; i < warnings->len; i++) {
        const char *w = g_ptr_array_index(warnings, i);

        if (!w || !*w)
            fuzz_fail("empty warning", xml, NULL);
    }
}

/* The read-only helpers agree with ParseDoc on what a domain is. */
static void
fuzz_check_getters(const char *xml, bool isDomain)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = NULL;
    g_autofree char *emulator = siplDomainGetEmulator(xml, NULL);
    g_autofree char *uuid = siplDomainXMLGetUUID(xml, NULL);

    if (!emulator != !isDomain || (uuid && (!isDomain || !*uuid)))
        fuzz_fail("getters disagree with ParseDoc", xml, emulator);
    if (siplDomainXMLGetSecureBoot(xml, &def, &error)) {
        if (!isDomain)
            fuzz_fail("GetSecureBoot accepted a non-domain", xml, NULL);
        if (def)
            (void)siplSecureBootDefValidate(def, 0, NULL, NULL);
    } else if (def || !error ||
               (error->domain != SIPL_DOMAIN_XML_ERROR &&
                error->domain != SIPL_SECUREBOOT_ERROR)) {
        fuzz_fail("GetSecureBoot failed without an error", xml, NULL);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *)data, size);
    xmlDocPtr doc = siplDomainXMLParseDoc(xml, NULL);
    bool isDomain = doc != NULL;

    xmlFreeDoc(doc);
    fuzz_check_getters(xml, isDomain);
    fuzz_check_apply(xml, fuzz_def, isDomain);
    fuzz_check_apply(xml, NULL, isDomain);
    fuzz_check_validate(xml, fuzz_def, size & 1 ? NULL : &fuzz_caps, isDomain);
    fuzz_check_validate(xml, fuzz_normal, &fuzz_caps, isDomain);
    return 0;
}
