/*
 * test-virt-glue.c: sipl's metadata through libvirt's API, against the
 * real libvirt test driver (in-process) with s390x domains from
 * virtdata/node.xml (spec/05 §2, §6, §10).
 *
 * Every test opens its own connection: the test driver keeps state per
 * connection, so cases cannot leak into each other.
 */
#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "virt-fixture.h"

#define NS SIPL_SECUREBOOT_NAMESPACE
#define STORE "/var/lib/sipl/domains/6a3a4c0e-6f43-4a55-9d4e-1d5a0e2a0001/certs"

static char *node_uri;

static virConnectPtr
open_node(void)
{
    g_autoptr(GError) error = NULL;
    virConnectPtr conn = siplVirtConnect(node_uri, &error);

    g_assert_no_error(error);
    g_assert_nonnull(conn);
    return conn;
}

#define lookup virt_lookup

/* An audit-mode configuration with one real certificate. */
static siplSecureBootDef *
make_def(const char *name)
{
    return virt_make_def(SIPL_MODE_AUDIT, name, SIPL_CERT_SOURCE_FILE,
                         "/etc/sipl/a.pem");
}

/* The configuration read back with @flags must format as @want. */
static void
assert_def_is(virDomainPtr dom, unsigned int flags, const char *want)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autofree char *got = NULL;

    g_assert_cmpint(siplVirtGetSecureBoot(dom, flags, &back, &error), ==, 1);
    g_assert_no_error(error);
    got = siplSecureBootDefFormat(back, 0);
    g_assert_cmpstr(got, ==, want);
}

static void
test_connect_bad(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect("test:///nonexistent/node.xml", &error);

    g_assert_null(conn);
    g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_CONNECT);
    g_assert_nonnull(strstr(error->message, "/nonexistent/node.xml"));
}

static void
test_lookup(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(GError) error = NULL;
    g_autoptr(virDomain) by_name = lookup(conn, "s390-run");
    g_autoptr(virDomain) by_uuid = lookup(conn, "6a3a4c0e-6f43-4a55-9d4e-1d5a0e2a0002");
    g_autofree char *id = g_strdup_printf("%u", virDomainGetID(by_name));
    g_autoptr(virDomain) by_id = lookup(conn, id);
    g_autoptr(virDomain) none = NULL;

    g_assert_cmpstr(virDomainGetName(by_uuid), ==, "s390-run");
    g_assert_cmpstr(virDomainGetName(by_id), ==, "s390-run");
    none = siplVirtLookupDomain(conn, "nosuch", &error);
    g_assert_null(none);
    g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_NO_DOMAIN);
    g_assert_cmpstr(error->message, ==, "failed to get domain 'nosuch'");
}

static void
test_flags(void)
{
    static const struct {
        bool config, live, current;
        int flags;      /* -1: refused */
        const char *msg;
    } cases[] = {
        { false, false, false, VIR_DOMAIN_AFFECT_CURRENT, NULL },
        { false, false, true, VIR_DOMAIN_AFFECT_CURRENT, NULL },
        { true, false, false, VIR_DOMAIN_AFFECT_CONFIG, NULL },
        { false, true, false, VIR_DOMAIN_AFFECT_LIVE, NULL },
        { true, true, false, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, NULL },
        { false, true, true, -1, "Options --current and --live are mutually exclusive" },
        { true, false, true, -1, "Options --current and --config are mutually exclusive" },
        { true, true, true, -1, "Options --current and --live are mutually exclusive" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        unsigned int flags = 0xdead;
        bool ok = siplVirtAffectFlags(cases[i].config, cases[i].live,
                                      cases[i].current, &flags, &error);

        if (cases[i].flags < 0) {
            g_assert_false(ok);
            g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FLAGS);
            g_assert_cmpstr(error->message, ==, cases[i].msg);
            g_assert_cmpuint(flags, ==, 0xdead);
        } else {
            g_assert_true(ok);
            g_assert_cmpuint(flags, ==, (unsigned int)cases[i].flags);
        }
    }
}

static void
test_metadata_missing(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) dom = lookup(conn, "s390-off");
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = NULL;
    char *raw;
    char *xml = (char *)"unset";

    /* What libvirt itself says: error 80 (spec/05 §2) ... */
    raw = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NS, 0);
    g_assert_null(raw);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_NO_DOMAIN_METADATA);
    g_assert_cmpint(VIR_ERR_NO_DOMAIN_METADATA, ==, 80);
    g_assert_cmpstr(virGetLastErrorMessage(), ==,
                    "metadata not found: Requested metadata element is not present");
    virResetLastError();

    /* ... is "nothing configured" for us, not a failure. */
    g_assert_cmpint(siplVirtGetMetadata(dom, 0, &xml, &error), ==, 0);
    g_assert_no_error(error);
    g_assert_null(xml);
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &def, &error), ==, 0);
    g_assert_no_error(error);
    g_assert_null(def);
}

static void
test_metadata_roundtrip(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) dom = lookup(conn, "s390-off");
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = make_def("signer");
    g_autofree char *want = siplSecureBootDefFormat(def, 0);
    g_autofree char *raw = NULL;
    g_autofree char *domxml = NULL;
    g_autofree char *meta = siplSecureBootDefFormat(def, SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE);

    g_assert_true(siplVirtSetMetadata(dom, meta, VIR_DOMAIN_AFFECT_CONFIG, &error));
    g_assert_no_error(error);

    /* Get hands back the element without prefix and xmlns (spec/05 §2). */
    g_assert_cmpint(siplVirtGetMetadata(dom, 0, &raw, &error), ==, 1);
    g_assert_true(g_str_has_prefix(raw, "<secureBoot mode=\"audit\">"));
    g_assert_null(strstr(raw, "sipl:"));
    g_assert_null(strstr(raw, "xmlns"));

    /* The domain XML carries it prefixed, in sipl's namespace. */
    domxml = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(domxml, "<sipl:secureBoot xmlns:sipl=\"" NS "\""));

    assert_def_is(dom, 0, want);

    /* NULL removes it again. */
    g_assert_true(siplVirtSetMetadata(dom, NULL, VIR_DOMAIN_AFFECT_CONFIG, &error));
    g_assert_no_error(error);
    g_clear_pointer(&raw, g_free);
    g_assert_cmpint(siplVirtGetMetadata(dom, 0, &raw, &error), ==, 0);
}

static void
test_metadata_from_node(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) dom = lookup(conn, "s390-meta");
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = NULL;

    g_assert_cmpint(siplVirtGetSecureBoot(dom, 0, &def, &error), ==, 1);
    g_assert_no_error(error);
    g_assert_cmpint(def->mode, ==, SIPL_MODE_NORMAL);
    g_assert_cmpuint(def->certs->len, ==, 0);
}

static void
test_metadata_flags(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) run = lookup(conn, "s390-run");
    g_autoptr(virDomain) off = lookup(conn, "s390-off");
    g_autoptr(GError) error = NULL;
    g_autofree char *live_x = NULL;
    g_autofree char *conf_x = NULL;
    g_autofree char *before = dom_xml(off, VIR_DOMAIN_XML_INACTIVE);
    const char *meta = "<secureBoot mode='normal'/>";

    /* --live changes the live XML only ... */
    g_assert_true(siplVirtSetMetadata(run, meta, VIR_DOMAIN_AFFECT_LIVE, &error));
    g_assert_no_error(error);
    g_assert_cmpint(siplVirtGetMetadata(run, VIR_DOMAIN_AFFECT_LIVE, &live_x, &error), ==, 1);
    g_assert_cmpint(siplVirtGetMetadata(run, VIR_DOMAIN_AFFECT_CONFIG, &conf_x, &error), ==, 0);
    g_assert_no_error(error);
    g_clear_pointer(&live_x, g_free);

    /* ... --config the persistent one only; current = live when running */
    g_assert_true(siplVirtSetMetadata(run, NULL, VIR_DOMAIN_AFFECT_CURRENT, &error));
    g_assert_cmpint(siplVirtGetMetadata(run, VIR_DOMAIN_AFFECT_LIVE, &live_x, &error), ==, 0);
    g_assert_true(siplVirtSetMetadata(run, meta, VIR_DOMAIN_AFFECT_CONFIG, &error));
    g_assert_cmpint(siplVirtGetMetadata(run, VIR_DOMAIN_AFFECT_LIVE, &live_x, &error), ==, 0);
    g_assert_cmpint(siplVirtGetMetadata(run, VIR_DOMAIN_AFFECT_CONFIG, &conf_x, &error), ==, 1);
    g_assert_no_error(error);

    /* --live on a shut-off domain: libvirt's error, nothing changed. */
    g_assert_false(siplVirtSetMetadata(off, meta, VIR_DOMAIN_AFFECT_LIVE, &error));
    g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "Requested operation is not valid: domain is not running");
    assert_dom_xml_is(off, VIR_DOMAIN_XML_INACTIVE, before);
}

static void
test_get_invalid(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) dom = lookup(conn, "s390-off");
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = NULL;
    g_autofree char *before = NULL;

    g_assert_true(siplVirtSetMetadata(dom, "<secureBoot mode='bogus'/>",
                                      VIR_DOMAIN_AFFECT_CONFIG, &error));
    before = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_cmpint(siplVirtGetSecureBoot(dom, 0, &def, &error), ==, -1);
    g_assert_null(def);
    g_assert_true(error->domain == SIPL_SECUREBOOT_ERROR);
    assert_dom_xml_is(dom, VIR_DOMAIN_XML_INACTIVE, before);
}

static void
test_apply_config(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) dom = lookup(conn, "s390-off");
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = make_def("signer");
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autofree char *want = siplSecureBootDefFormat(def, 0);
    g_autofree char *secure = NULL;
    siplVirtEffect effect = SIPL_VIRT_EFFECT_POWER_CYCLE;

    g_assert_true(siplVirtApply(dom, def, 0, STORE, &effect, &error));
    g_assert_no_error(error);
    /* shut off: effective at the next start, nothing to say */
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_NEXT_START);
    g_assert_null(siplVirtEffectNotice(dom, effect));
    secure = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    g_assert_nonnull(strstr(secure, "passwd='vnc-secret'"));
    assert_def_is(dom, VIR_DOMAIN_AFFECT_CONFIG, want);

    /* NULL removes it. */
    g_assert_true(siplVirtApply(dom, NULL, VIR_DOMAIN_AFFECT_CONFIG, STORE, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &back, &error), ==, 0);
}

static void
test_apply_live(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) run = lookup(conn, "s390-run");
    g_autoptr(virDomain) off = lookup(conn, "s390-off");
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = make_def("signer");
    g_autoptr(siplSecureBootDef) live = NULL;
    g_autoptr(siplSecureBootDef) conf = NULL;
    g_autofree char *before = dom_xml(off, VIR_DOMAIN_XML_INACTIVE);
    g_autofree char *notice = NULL;
    siplVirtEffect effect = SIPL_VIRT_EFFECT_NEXT_START;

    g_assert_true(siplVirtApply(run, def, VIR_DOMAIN_AFFECT_LIVE |
                                VIR_DOMAIN_AFFECT_CONFIG, STORE, &effect, &error));
    g_assert_no_error(error);
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_POWER_CYCLE);
    g_assert_cmpint(siplVirtGetSecureBoot(run, VIR_DOMAIN_AFFECT_LIVE, &live, &error), ==, 1);
    g_assert_cmpint(siplVirtGetSecureBoot(run, VIR_DOMAIN_AFFECT_CONFIG, &conf, &error), ==, 1);
    notice = siplVirtEffectNotice(run, effect);
    g_assert_cmpstr(notice, ==,
                    "Domain 's390-run' is running: the change takes effect after "
                    "it is shut down and started again (a guest reboot is not enough).");

    /* --live --config on a shut-off domain: refused before any change. */
    g_assert_false(siplVirtApply(off, def, VIR_DOMAIN_AFFECT_LIVE |
                                 VIR_DOMAIN_AFFECT_CONFIG, STORE, NULL, &error));
    g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED);
    assert_dom_xml_is(off, VIR_DOMAIN_XML_INACTIVE, before);
}

/* --current on a running persistent domain, and --live alone, change only
 * the live definition: no "takes effect later" (it never does), but the
 * warning that it is lost at the stop; the persistent XML is untouched. */
static void
test_apply_live_only(void)
{
    static const unsigned int flags[] = {
        VIR_DOMAIN_AFFECT_CURRENT, VIR_DOMAIN_AFFECT_LIVE,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
        g_autoptr(virConnect) conn = open_node();
        g_autoptr(virDomain) run = lookup(conn, "s390-run");
        g_autoptr(GError) error = NULL;
        g_autoptr(siplSecureBootDef) def = make_def("signer");
        g_autoptr(siplSecureBootDef) live = NULL;
        g_autoptr(siplSecureBootDef) conf = NULL;
        g_autofree char *before = dom_xml(run, VIR_DOMAIN_XML_INACTIVE);
        g_autofree char *notice = NULL;
        siplVirtEffect effect = SIPL_VIRT_EFFECT_POWER_CYCLE;

        g_assert_true(siplVirtApply(run, def, flags[i], STORE, &effect, &error));
        g_assert_no_error(error);
        g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_LIVE_ONLY);
        g_assert_cmpint(siplVirtGetSecureBoot(run, VIR_DOMAIN_AFFECT_LIVE, &live, &error), ==, 1);
        g_assert_cmpint(siplVirtGetSecureBoot(run, VIR_DOMAIN_AFFECT_CONFIG, &conf, &error), ==, 0);
        assert_dom_xml_is(run, VIR_DOMAIN_XML_INACTIVE, before);
        notice = siplVirtEffectNotice(run, effect);
        g_assert_cmpstr(notice, ==,
                        "Domain 's390-run' is running: only its running definition "
                        "changed, and that is lost when the domain stops (QEMU never "
                        "reads it); use --config to keep the change.");
    }
}

/* Local is decided on the URI alone (siplVirtURIIsLocal()). */
static void
test_uri_local(void)
{
    static const struct {
        const char *uri;
        bool local;
    } cases[] = {
        { "qemu:///system", true },
        { "qemu:///session", true },
        { "test:///default", true },
        { "test:///abs/path/node.xml", true },
        { "qemu+unix:///session?socket=/run/user/1000/libvirt/libvirt-sock", true },
        { "qemu+ssh:///system", true },
        { "qemu+tcp://localhost/system", true },
        { "qemu+tls://127.0.0.1/system", true },
        { "qemu+tls://[::1]/system", true },
        /* loopback on the transport's default port: local */
        { "qemu+ssh://localhost:22/system", true },
        { "qemu+tcp://127.0.0.1:16509/system", true },
        { "qemu+tls://localhost:16514/system", true },
        { "qemu://localhost:16514/system", true },
        /* loopback on another port: a tunnel to another host */
        { "qemu+ssh://root@localhost:2222/system", false },
        { "qemu+tcp://127.0.0.1:16510/system", false },
        { "qemu+tls://[::1]:26514/system", false },
        { "qemu://localhost:16509/system", false },
        { "qemu+ssh://root@s390host.example.com/system", false },
        { "qemu+tls://10.0.0.7/system", false },
        { "qemu+ssh://lpar2:2222/system?keyfile=/root/.ssh/id", false },
        { "not a uri", false },
        { NULL, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].uri ? cases[i].uri : "(null)");
        g_assert_cmpint(siplVirtURIIsLocal(cases[i].uri), ==, cases[i].local);
    }
}

/* A password in a URI's user information stays out of messages (the
 * "not local" warning showed virConnectGetURI() whole). */
static void
test_uri_redact(void)
{
    static const struct {
        const char *uri;
        const char *shown;
    } cases[] = {
        { "qemu+tcp://admin:S3cr3t@s390host/system", "qemu+tcp://admin@s390host/system" },
        { "qemu+ssh://root:p%40ss@host:2222/system?keyfile=/k",
          "qemu+ssh://root@host:2222/system?keyfile=/k" },
        { "qemu+tls://:S3cr3t@host/system", "qemu+tls://@host/system" },
        /* no password: as given */
        { "qemu+ssh://root@s390host.example.com/system", "qemu+ssh://root@s390host.example.com/system" },
        { "qemu+tls://[::1]:16514/system", "qemu+tls://[::1]:16514/system" },
        { "qemu:///system", "qemu:///system" },
        /* an '@' after the authority is not user information */
        { "qemu+tcp://host:1/system?x=a:b@c", "qemu+tcp://host:1/system?x=a:b@c" },
        { "not a uri", "not a uri" },
        { NULL, "?" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *shown = siplVirtURIRedact(cases[i].uri);

        g_test_message("%s", cases[i].uri ? cases[i].uri : "(null)");
        g_assert_cmpstr(shown, ==, cases[i].shown);
    }
}

/* A transient domain has no config to define: refused, not made persistent. */
static void
test_apply_transient(void)
{
    g_autoptr(virConnect) conn = open_node();
    g_autoptr(virDomain) tmp = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(siplSecureBootDef) def = make_def("signer");
    const char *xml =
        "<domain type='kvm'><name>s390-tmp</name><memory unit='MiB'>512</memory>"
        "<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os></domain>";
    g_autofree char *before = NULL;

    tmp = virDomainCreateXML(conn, xml, 0);
    g_assert_nonnull(tmp);
    g_assert_cmpint(virDomainIsPersistent(tmp), ==, 0);
    before = dom_xml(tmp, 0);

    g_assert_false(siplVirtApply(tmp, def, VIR_DOMAIN_AFFECT_CONFIG, STORE, NULL, &error));
    g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED);
    g_assert_cmpint(virDomainIsPersistent(tmp), ==, 0);
    assert_dom_xml_is(tmp, 0, before);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    node_uri = virt_node_uri();

    g_test_add_func("/virt/connect/bad-uri", test_connect_bad);
    g_test_add_func("/virt/lookup", test_lookup);
    g_test_add_func("/virt/flags", test_flags);
    g_test_add_func("/virt/metadata/missing", test_metadata_missing);
    g_test_add_func("/virt/metadata/roundtrip", test_metadata_roundtrip);
    g_test_add_func("/virt/metadata/from-node", test_metadata_from_node);
    g_test_add_func("/virt/metadata/flags", test_metadata_flags);
    g_test_add_func("/virt/metadata/invalid", test_get_invalid);
    g_test_add_func("/virt/apply/config", test_apply_config);
    g_test_add_func("/virt/apply/live", test_apply_live);
    g_test_add_func("/virt/apply/live-only", test_apply_live_only);
    g_test_add_func("/virt/apply/transient", test_apply_transient);
    g_test_add_func("/virt/uri-local", test_uri_local);
    g_test_add_func("/virt/uri-redact", test_uri_redact);

    ret = g_test_run();
    g_free(node_uri);
    return ret;
}
