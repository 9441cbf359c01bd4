/*
 * test-secureboot-apply.c: every refused change leaves the domain XML and
 * the rendered store as they were (issue 4)
 *
 * A domain is configured once (store rendered, XML transformed); then
 * each bad change is tried through the same path a tool takes (parse the
 * <secureBoot> XML or build the configuration, then siplSecureBootApply)
 * and must fail with its exact message while the XML string and a
 * snapshot of the store directory stay byte for byte the same. A good
 * change at the end proves the comparison can see a change.
 */
#include <string.h>

#include "certgen.h"
#include "domain_xml.h"
#include "secureboot_apply.h"
#include "store_render.h"
#include "testutils.h"

#define UUID "5d4e3f2a-1b0c-4d9e-8f7a-6b5c4d3e2f1a"
#define NS SIPL_SECUREBOOT_NAMESPACE

static const char *domainTemplate =
    "<domain type='kvm'>\n"
    "  <name>apply</name>\n"
    "  <uuid>" UUID "</uuid>\n"
    "  <memory unit='KiB'>1048576</memory>\n"
    "  <os>\n"
    "    <type arch='s390x' machine='s390-ccw-virtio-11.2'>hvm</type>\n"
    "  </os>\n"
    "  <cpu mode='host-model'/>\n"
    "  <devices>\n"
    "    <emulator>/usr/bin/qemu-system-s390x</emulator>\n"
    "    <disk type='file' device='disk'>\n"
    "      <source file='/g.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "      <boot order='1'/>\n"
    "    </disk>\n"
    "%s"
    "  </devices>\n"
    "%s"
    "</domain>\n";

typedef struct {
    char *tmp;
    char *state;
    char *dir;
    char *domain;           /* the configured domain's XML */
    siplQemuCaps *caps;     /* canned QEMU 11.2 */
    siplQemuCaps *caps72;   /* canned QEMU 7.2 */
} ApplyFixture;


static siplQemuCaps *
loadCaps(const char *file)
{
    g_autofree char *text = siplTestDataRead("qemucapsdata", file);
    g_autoptr(GError) err = NULL;
    siplQemuCaps *caps = siplQemuCapsParseHelp("/usr/bin/qemu-system-s390x",
                                               text, &err);

    g_assert_no_error(err);
    return caps;
}


static char *
certXML(const char *name, const char *tag)
{
    return g_strdup_printf("<sipl:cert name='%s'>%s</sipl:cert>", name,
                           siplTestCertPem(tag));
}


static void
fixtureSetUp(ApplyFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *plain = g_strdup_printf(domainTemplate, "", "");
    g_autofree char *a = certXML("a.pem", "a");
    g_autofree char *b = certXML("b.pem", "b");
    g_autofree char *xml = g_strdup_printf("<sipl:secureBoot xmlns:sipl='%s' mode='secure'>%s%s</sipl:secureBoot>",
                                           NS, a, b);
    g_autoptr(siplSecureBootDef) def = NULL;
    g_autoptr(GError) err = NULL;

    f->tmp = certgen_tmpdir_new();
    f->state = g_build_filename(f->tmp, "domains", NULL);
    f->dir = g_build_filename(f->state, UUID, NULL);
    f->caps = loadCaps("qemu-11.2.help");
    f->caps72 = loadCaps("qemu-7.2.help");

    def = siplSecureBootDefParseString(xml, &err);
    g_assert_no_error(err);
    f->domain = siplSecureBootApply(plain, def, f->caps, f->state, time(NULL),
                                    0, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(strstr(f->domain, "secure-boot=on,boot-certs.0.path="));
}


static void
fixtureTearDown(ApplyFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    certgen_tmpdir_remove(f->tmp);
    g_free(f->tmp);
    g_free(f->state);
    g_free(f->dir);
    g_free(f->domain);
    siplQemuCapsFree(f->caps);
    siplQemuCapsFree(f->caps72);
}


/* One refused change: @xml (a <secureBoot>) or @def, applied to @domain
 * (NULL: the configured one) with @caps. */
static void
refuse(ApplyFixture *f, const char *domain, const char *xml,
       const siplSecureBootDef *def, const siplQemuCaps *caps,
       const char *message)
{
    const char *dom = domain ? domain : f->domain;
    g_autofree char *domBefore = g_strdup(dom);
    g_autofree char *storeBefore = siplTestSnapshot(f->dir);
    g_autofree char *storeAfter = NULL;
    g_autoptr(siplSecureBootDef) parsed = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *msg = NULL;

    if (xml) {
        parsed = siplSecureBootDefParseString(xml, &err);
        def = parsed;
    }
    if (def)
        out = siplSecureBootApply(dom, def, caps, f->state, time(NULL), 0,
                                  warnings, &err);
    g_assert_null(out);
    g_assert_nonnull(err);
    msg = siplTestAbstract(err->message);
    g_assert_cmpstr(msg, ==, message);
    g_assert_cmpuint(warnings->len, ==, 0);

    g_assert_cmpstr(dom, ==, domBefore);
    storeAfter = siplTestSnapshot(f->dir);
    g_assert_cmpstr(storeAfter, ==, storeBefore);
}


static siplSecureBootDef *
defOf(const char *const *tags, siplSecureBootMode mode)
{
    siplSecureBootDef *def = siplSecureBootDefNew(mode);
    guint i;

    for (i = 0; tags[i]; i++) {
        g_autofree char *name = g_strdup_printf("c%u.pem", i);
        GBytes *der = siplTestCertDer(tags[i]);
        g_autoptr(GError) err = NULL;

        g_ptr_array_add(def->certs,
                        siplSecureBootCertDefNew(g_bytes_get_data(der, NULL),
                                                 g_bytes_get_size(der), name,
                                                 SIPL_CERT_STATE_ACTIVE,
                                                 SIPL_CERT_SOURCE_NONE, NULL,
                                                 &err));
        g_assert_no_error(err);
    }
    return def;
}


static void
testRefused(ApplyFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autofree char *a = certXML("a.pem", "a");
    g_autofree char *b = certXML("b.pem", "b");
    g_autofree char *xml = NULL;
    g_autoptr(siplSecureBootDef) many = siplSecureBootDefNew(SIPL_MODE_SECURE);
    static const char *const big[] = { "der8001", NULL };
    static const char *const ok[] = { "c", NULL };
    g_autoptr(siplSecureBootDef) bigDef = defOf(big, SIPL_MODE_SECURE);
    g_autoptr(siplSecureBootDef) okDef = defOf(ok, SIPL_MODE_AUDIT);
    g_autofree char *vfio = NULL;
    g_autofree char *twoCmd = NULL;
    guint i;

    refuse(f, NULL, "<sipl:secureBoot xmlns:sipl='" NS "' mode='secure'>", NULL,
           f->caps, "malformed secure boot XML at line 1: Premature end of data in tag secureBoot line 1");

    xml = g_strdup_printf("<secureBoot mode='paranoid'>%s</secureBoot>", a);
    refuse(f, NULL, xml, NULL, f->caps,
           "unknown secure boot mode 'paranoid' (expected 'normal', 'audit' or 'secure')");
    g_clear_pointer(&xml, g_free);

    xml = g_strdup_printf("<other xmlns='https://example.com/x' mode='secure'/>");
    refuse(f, NULL, xml, NULL, f->caps,
           "expected element <secureBoot> in namespace 'https://sipl.dev/schemas/secureboot/1.0'");
    g_clear_pointer(&xml, g_free);

    xml = g_strdup_printf("<sipl:secureBoot xmlns:sipl='" NS "' mode='secure'>%s<sipl:cert name='a.pem'>%s</sipl:cert></sipl:secureBoot>",
                          a, siplTestCertPem("b"));
    refuse(f, NULL, xml, NULL, f->caps, "certificate name 'a.pem' is used twice");
    g_clear_pointer(&xml, g_free);

    xml = g_strdup_printf("<sipl:secureBoot xmlns:sipl='" NS "' mode='secure'>%s<sipl:cert name='z.pem'>%s</sipl:cert></sipl:secureBoot>",
                          b, siplTestCertPem("b"));
    refuse(f, NULL, xml, NULL, f->caps,
           "certificates 'b.pem' and 'z.pem' are the same certificate (SHA-256 @FP:b@)");
    g_clear_pointer(&xml, g_free);

    refuse(f, NULL, "<secureBoot mode='secure'/>", NULL, f->caps,
           "secure boot mode 'secure' needs at least one certificate");

    for (i = 0; i < 65; i++) {
        g_autofree char *tag = g_strdup_printf("apply%u", i);
        static const char *tags[2] = { NULL, NULL };
        g_autoptr(siplSecureBootDef) one = NULL;
        siplSecureBootCertDef *cert;

        tags[0] = tag;
        one = defOf(tags, SIPL_MODE_SECURE);
        cert = g_ptr_array_steal_index(one->certs, 0);
        g_free(cert->name);
        cert->name = g_strdup_printf("n%u.pem", i);
        g_ptr_array_add(many->certs, cert);
    }
    refuse(f, NULL, NULL, many, f->caps,
           "65 certificates given; the store holds at most 64");

    refuse(f, NULL, NULL, bigDef, f->caps,
           "certificate 'c0.pem' is 8001 bytes in DER; QEMU's store takes at most 8000");

    /* a good configuration on Debian's QEMU 7.2 */
    refuse(f, NULL, NULL, okDef, f->caps72,
           "QEMU '/usr/bin/qemu-system-s390x' (machine type 's390-ccw-virtio-7.2') has no secure IPL: its machine lacks the 'secure-boot' and 'boot-certs' properties, which QEMU 11.2 and later provide; a domain using them would not start");

    /* a good configuration on a domain secure IPL cannot boot */
    vfio = g_strdup_printf(domainTemplate,
                           "    <hostdev mode='subsystem' type='mdev' model='vfio-ccw'>\n"
                           "      <source><address uuid='90c6c135-ad44-41d0-b1b7-bae47de48627'/></source>\n"
                           "      <boot order='2'/>\n"
                           "    </hostdev>\n", "");
    refuse(f, vfio, NULL, okDef, f->caps,
           "boot device 'hostdev' is a vfio-ccw passthrough device: passthrough CCW devices do not support secure boot");

    /* refused by the transform, after validation, before rendering */
    twoCmd = g_strdup_printf(domainTemplate, "",
                             "  <qemu:commandline xmlns:qemu='" SIPL_QEMU_NAMESPACE "'><qemu:arg value='-S'/></qemu:commandline>\n"
                             "  <qemu:commandline xmlns:qemu='" SIPL_QEMU_NAMESPACE "'><qemu:arg value='-s'/></qemu:commandline>\n");
    refuse(f, twoCmd, NULL, okDef, f->caps,
           "the domain XML has more than one <qemu:commandline>");

    /* the comparison sees a change that goes ahead */
    {
        g_autofree char *before = siplTestSnapshot(f->dir);
        g_autofree char *after = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *out = siplSecureBootApply(f->domain, okDef, f->caps,
                                                   f->state, time(NULL), 0,
                                                   NULL, &err);

        g_assert_no_error(err);
        g_assert_nonnull(strstr(out, "secure-boot=off,boot-certs.0.path="));
        g_assert_cmpstr(out, !=, f->domain);
        after = siplTestSnapshot(f->dir);
        g_assert_cmpstr(after, !=, before);
    }
}


/* Warnings come with a change that goes ahead. */
static void
testWarnings(ApplyFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "expired", NULL };
    g_autoptr(siplSecureBootDef) def = defOf(tags, SIPL_MODE_AUDIT);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    g_autofree char *out = siplSecureBootApply(f->domain, def, NULL, f->state,
                                               time(NULL), 0, warnings, &err);

    g_assert_no_error(err);
    g_assert_nonnull(out);
    g_assert_cmpuint(warnings->len, ==, 2);
    g_assert_cmpstr(warnings->pdata[0], ==,
                    "certificate 'c0.pem' expired on 2000-01-01T00:00:00Z: DIAG 0x508 rejects it, a secure guest signed only by it will not boot");
    g_assert_true(g_str_has_prefix(warnings->pdata[1], "the domain's QEMU was not probed"));
}


/* Normal mode (and removal) transforms the XML but renders nothing: the
 * store stays whole, never emptied, so a config still naming it cannot
 * boot in QEMU's silent normal mode (07 K11); prune/undefine remove it. */
static void
testNormalKeepsStore(ApplyFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(siplSecureBootDef) normal = siplSecureBootDefNew(SIPL_MODE_NORMAL);
    g_autofree char *before = siplTestSnapshot(f->dir);
    g_autofree char *after = NULL;
    g_autofree char *out = NULL;
    g_autofree char *gone = NULL;
    g_autoptr(GError) err = NULL;

    out = siplSecureBootApply(f->domain, normal, f->caps, f->state,
                              time(NULL), 0, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(out);
    g_assert_null(strstr(out, "secure-boot="));
    after = siplTestSnapshot(f->dir);
    g_assert_cmpstr(after, ==, before);
    g_assert_nonnull(strstr(after, "00-a.pem"));

    gone = siplSecureBootApply(f->domain, NULL, f->caps, f->state,
                               time(NULL), 0, NULL, &err);
    g_assert_no_error(err);
    g_assert_null(strstr(gone, "secure-boot="));
    g_free(after);
    after = siplTestSnapshot(f->dir);
    g_assert_cmpstr(after, ==, before);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/apply/refused", ApplyFixture, NULL, fixtureSetUp, testRefused,
               fixtureTearDown);
    g_test_add("/apply/warnings", ApplyFixture, NULL, fixtureSetUp,
               testWarnings, fixtureTearDown);
    g_test_add("/apply/normal-keeps-store", ApplyFixture, NULL, fixtureSetUp,
               testNormalKeepsStore, fixtureTearDown);
    return g_test_run();
}
