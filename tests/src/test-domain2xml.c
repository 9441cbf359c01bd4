/*
 * test-domain2xml.c: the domain-XML transform (spec/05 §3) golden tests
 *
 * For each domain2xmldata/<name>.xml (not .out.xml): the configuration is
 * the <secureBoot> in the input's <metadata> (none: sipl is removed), the
 * store is under the default state directory, and the output of
 * siplDomainXMLApply() must equal <name>.out.xml, be a fixed point (apply
 * again: same bytes) and validate against libvirt's own domain.rng with
 * xmllint. With <name>.err the transform must fail with that message and
 * leave the input alone.
 */
#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "domain_xml.h"
#include "store_render.h"
#include "testutils.h"

#define DATADIR "domain2xmldata"
#define LIBVIRT_DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"

static char *
transform(const char *input, GError **error)
{
    g_autoptr(siplSecureBootDef) def = NULL;
    g_autofree char *uuid = NULL;
    g_autofree char *certs = NULL;

    if (!siplDomainXMLGetSecureBoot(input, &def, error))
        return NULL;
    if (!(uuid = siplDomainXMLGetUUID(input, error)))
        return NULL;
    if (!(certs = siplStoreCertsPath(NULL, uuid, error)))
        return NULL;
    return siplDomainXMLApply(input, def, certs, error);
}


static void
testGolden(gconstpointer opaque)
{
    const char *file = opaque;
    g_autofree char *base = g_strndup(file, strlen(file) - strlen(".xml"));
    g_autofree char *errName = g_strdup_printf("%s.err", base);
    g_autofree char *outName = g_strdup_printf("%s.out.xml", base);
    g_autofree char *raw = siplTestDataRead(DATADIR, file);
    g_autofree char *input = siplTestExpand(raw);
    g_autofree char *inputCopy = g_strdup(input);
    g_autoptr(GError) err = NULL;
    g_autofree char *out = transform(input, &err);
    g_autofree char *lint = NULL;

    if (siplTestDataExists(DATADIR, errName) ||
        (!out && g_strcmp0(g_getenv("SIPL_TEST_REGENERATE_OUTPUT"), "1") == 0)) {
        g_autofree char *msg = NULL;
        g_autofree char *line = NULL;

        g_assert_null(out);
        g_assert_nonnull(err);
        msg = siplTestAbstract(err->message);
        line = g_strconcat(msg, "\n", NULL);
        siplTestCompareToFile(line, DATADIR, errName);
        g_assert_cmpstr(input, ==, inputCopy);
        return;
    }
    g_assert_no_error(err);
    g_assert_cmpstr(input, ==, inputCopy);
    {
        g_autofree char *abstract = siplTestAbstract(out);
        g_autofree char *again = transform(out, &err);

        siplTestCompareToFile(abstract, DATADIR, outName);
        g_assert_no_error(err);
        g_assert_cmpstr(again, ==, out);
    }
    if (!siplTestXmllint(LIBVIRT_DOMAIN_RNG, out, &lint))
        g_error("output does not validate against domain.rng: %s", lint);
}


static void
testMachineArg(void)
{
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_autofree char *secure = siplDomainXMLMachineArg(def, "/srv/a,b,,c/certs");
    g_autofree char *audit = NULL;
    g_autofree char *normal = NULL;

    g_assert_cmpstr(secure, ==,
                    "secure-boot=on,boot-certs.0.path=/srv/a,,b,,,,c/certs");
    def->mode = SIPL_MODE_AUDIT;
    audit = siplDomainXMLMachineArg(def, "/x/certs");
    g_assert_cmpstr(audit, ==, "secure-boot=off,boot-certs.0.path=/x/certs");
    def->mode = SIPL_MODE_NORMAL;
    normal = siplDomainXMLMachineArg(def, "/x/certs");
    g_assert_null(normal);
}


/* A configuration given by the caller replaces the one in the domain. */
static void
testReplaceConfig(void)
{
    g_autofree char *raw = siplTestDataRead(DATADIR, "secure-add.xml");
    g_autofree char *input = siplTestExpand(raw);
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefNew(SIPL_MODE_AUDIT);
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    const char *pem = siplTestCertPem("z");

    g_ptr_array_add(def->certs,
                    siplSecureBootCertDefNew(pem, strlen(pem), "z.pem",
                                             SIPL_CERT_STATE_STAGED,
                                             SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_no_error(err);
    out = siplDomainXMLApply(input, def, "/run/x/certs", &err);
    g_assert_no_error(err);
    g_assert_true(siplDomainXMLGetSecureBoot(out, &back, &err));
    g_assert_nonnull(back);
    g_assert_cmpint(back->mode, ==, SIPL_MODE_AUDIT);
    g_assert_cmpuint(back->certs->len, ==, 1);
    g_assert_nonnull(strstr(out, "value=\"secure-boot=off,boot-certs.0.path=/run/x/certs\""));

    /* a relative store path is refused */
    g_free(out);
    out = siplDomainXMLApply(input, def, "certs", &err);
    g_assert_null(out);
    g_assert_error(err, SIPL_DOMAIN_XML_ERROR, SIPL_DOMAIN_XML_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, "certificate store path 'certs' is not absolute");
}


/* White space that XML_PARSE_NOBLANKS keeps (an element's only content,
 * or after text) next to what Apply inserts: the output must still be a
 * fixed point, with and without a configuration (fuzz-domainxml repros). */
static void
testIdempotentBlanks(void)
{
    static const char *const inputs[] = {
        /* metadata holding only white space */
        "<domain><metadata>\n  </metadata></domain>",
        /* the same, with text (mixed content) directly in <domain> */
        "<domain type='kvm'>\n"
        "  <name>g</name>\n"
        "  <uuid>c7a5fdbd-cdaf-9455-926a-d65c16db1809</uuid>\n"
        "  <metadata>\n"
        "    </metadata>\n"
        "  <memory unit='KiB'>1048576</memory>\n"
        "  <os>\n"
        "    <type arch='s390x' machine='s390-ccw-virtio-11.*'>hvm</type>\n"
        "  </os>evices>\n"
        "</domain>\n",
        /* a <qemu:commandline> holding only white space */
        "<domain xmlns:qemu='" SIPL_QEMU_NAMESPACE "'><name>g</name>\n"
        "  <qemu:commandline>\n  </qemu:commandline>\n</domain>\n",
    };
    g_autoptr(siplSecureBootDef) def = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_autoptr(GError) err = NULL;
    const char *pem = siplTestCertPem("a");
    guint i;

    g_ptr_array_add(def->certs,
                    siplSecureBootCertDefNew(pem, strlen(pem), "a.pem",
                                             SIPL_CERT_STATE_ACTIVE,
                                             SIPL_CERT_SOURCE_NONE, NULL, &err));
    g_assert_no_error(err);
    for (i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_autofree char *out = siplDomainXMLApply(inputs[i], def, "/run/x/certs", &err);
        g_autofree char *again = NULL;
        g_autofree char *removed = NULL;
        g_autofree char *removedAgain = NULL;

        g_assert_no_error(err);
        again = siplDomainXMLApply(out, def, "/run/x/certs", &err);
        g_assert_no_error(err);
        g_assert_cmpstr(again, ==, out);
        /* what Apply inserted is indented, not glued to kept white space */
        g_assert_null(strstr(out, "\n    \n"));

        removed = siplDomainXMLApply(out, NULL, NULL, &err);
        g_assert_no_error(err);
        removedAgain = siplDomainXMLApply(removed, NULL, NULL, &err);
        g_assert_no_error(err);
        g_assert_cmpstr(removedAgain, ==, removed);
    }

    /* the first one, exactly */
    {
        g_autofree char *out = siplDomainXMLApply(inputs[0], def, "/run/x/certs", &err);
        g_autofree char *abstract = siplTestAbstract(out);

        g_assert_no_error(err);
        g_assert_cmpstr(abstract, ==,
                        "<domain xmlns:qemu=\"" SIPL_QEMU_NAMESPACE "\">\n"
                        "  <metadata>\n"
                        "    <sipl:secureBoot xmlns:sipl=\"" SIPL_SECUREBOOT_NAMESPACE "\" mode=\"secure\">\n"
                        "      <sipl:cert name=\"a.pem\" state=\"active\" fingerprint=\"@FP:a@\">\n"
                        "@PEM:a@  </sipl:cert>\n"
                        "    </sipl:secureBoot>\n"
                        "  </metadata>\n"
                        "  <qemu:commandline>\n"
                        "    <qemu:arg value=\"-machine\"/>\n"
                        "    <qemu:arg value=\"secure-boot=on,boot-certs.0.path=/run/x/certs\"/>\n"
                        "  </qemu:commandline>\n"
                        "</domain>\n");
    }
}


static void
siplTestQuietLibvirt(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}


/* Real libvirt (test driver, in process): it accepts the transformed XML
 * (define --validate), keeps our element, and virDomainGetMetadata gives
 * back the namespace-less form, which parses to the same configuration. */
static void
testLibvirtRoundTrip(void)
{
    g_autofree char *raw = siplTestDataRead(DATADIR, "audit-user-args.xml");
    g_autofree char *input = siplTestExpand(raw);
    g_autoptr(GError) err = NULL;
    g_autofree char *out = transform(input, &err);
    g_autoptr(siplSecureBootDef) want = NULL;
    g_autoptr(siplSecureBootDef) got = NULL;
    g_autofree char *wantXml = NULL;
    g_autofree char *gotXml = NULL;
    virConnectPtr conn;
    virDomainPtr dom;
    char *meta;

    g_assert_no_error(err);
    g_assert_true(siplDomainXMLGetSecureBoot(input, &want, &err));
    virSetErrorFunc(NULL, siplTestQuietLibvirt);
    conn = virConnectOpen("test:///default");
    g_assert_nonnull(conn);
    dom = virDomainDefineXMLFlags(conn, out, VIR_DOMAIN_DEFINE_VALIDATE);
    g_assert_nonnull(dom);

    meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                SIPL_SECUREBOOT_NAMESPACE, VIR_DOMAIN_AFFECT_CONFIG);
    g_assert_nonnull(meta);
    g_assert_true(g_str_has_prefix(meta, "<secureBoot mode=\"audit\">"));
    got = siplSecureBootDefParseString(meta, &err);
    g_assert_no_error(err);
    wantXml = siplSecureBootDefFormat(want, 0);
    gotXml = siplSecureBootDefFormat(got, 0);
    g_assert_cmpstr(gotXml, ==, wantXml);

    free(meta);
    virDomainUndefine(dom);
    virDomainFree(dom);
    virConnectClose(conn);
}


int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) files = NULL;

    g_test_init(&argc, &argv, NULL);

    files = siplTestAddGoldenCases("domain2xml", DATADIR, testGolden);
    g_test_add_func("/domain2xml/machine-arg", testMachineArg);
    g_test_add_func("/domain2xml/replace-config", testReplaceConfig);
    g_test_add_func("/domain2xml/idempotent-blanks", testIdempotentBlanks);
    g_test_add_func("/domain2xml/libvirt-round-trip", testLibvirtRoundTrip);
    siplTestAddUnusedDataCheck("domain2xml", DATADIR);
    return g_test_run();
}
