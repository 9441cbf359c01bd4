/*
 * test-virt-set.c: siplVirtSecureBootSet(), the one path from a change to
 * libvirt, against the real libvirt test driver (in-process) with the
 * s390x domains of virtdata/node.xml and a private store directory.
 *
 * Validate, define, render, undo (issue 4): a refused change and a change
 * whose render fails leave the domain XML (persistent and live) and the
 * store exactly as they were; a change that goes ahead changes both.
 * QEMU capabilities are canned (11.2 and 7.2) except in /virt-set/probe,
 * which probes the host's qemu-system-s390x over the local test:/// URI.
 * test-virt-session.c does the same against a real QEMU driver.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store_render.h"
#include "virt-fixture.h"

#define UUID_OFF "6a3a4c0e-6f43-4a55-9d4e-1d5a0e2a0001"
#define UUID_RUN "6a3a4c0e-6f43-4a55-9d4e-1d5a0e2a0002"
#define QEMU "/usr/bin/qemu-system-s390x"

static char *node_uri;

/* What siplQemuCapsProbe() finds in QEMU 11.2 and in Debian 12's 7.2. */
static const siplQemuCaps caps112 = {
    (char *)QEMU, (char *)"s390-ccw-virtio-11.2", true, true,
};
static const siplQemuCaps caps72 = {
    (char *)QEMU, (char *)"s390-ccw-virtio-7.2", false, false,
};

typedef struct {
    char *tmp;
    char *state;
    virConnectPtr conn;
} SetFixture;

static void
fixture_set_up(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(GError) error = NULL;

    f->tmp = certgen_tmpdir_new();
    f->state = g_build_filename(f->tmp, "domains", NULL);
    /* the test driver keeps state per connection: every case starts clean */
    f->conn = siplVirtConnect(node_uri, &error);
    g_assert_no_error(error);
}

static void
fixture_tear_down(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    virConnectClose(f->conn);
    certgen_tmpdir_remove(f->tmp);
    g_free(f->tmp);
    g_free(f->state);
}

static virDomainPtr
lookup(SetFixture *f, const char *name)
{
    return virt_lookup(f->conn, name);
}

static siplSecureBootDef *
make_def(siplSecureBootMode mode, const char *name)
{
    return virt_make_def(mode, name, SIPL_CERT_SOURCE_NONE, NULL);
}

/* Every file under the store dir, and link targets, sorted; "" when
 * there is no store. */
static void
snapshot_dir(GString *out, const char *dir, const char *rel)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = dir_names_sorted(d);

    for (guint i = 0; i < names->len; i++) {
        g_autofree char *p = g_build_filename(dir, names->pdata[i], NULL);
        g_autofree char *r = g_build_filename(rel, names->pdata[i], NULL);
        g_autofree char *target = g_file_read_link(p, NULL);

        if (target)
            g_string_append_printf(out, "%s -> %s\n", r, target);
        else if (g_file_test(p, G_FILE_TEST_IS_DIR))
            snapshot_dir(out, p, r);
        else
            g_string_append_printf(out, "%s\n", r);
    }
}

static char *
snapshot(SetFixture *f)
{
    GString *out = g_string_new(NULL);

    snapshot_dir(out, f->state, "");
    return g_string_free(out, FALSE);
}

/* Audit mode on a shut-off domain: defined, rendered, nothing to say. */
static void
test_config(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-off");
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_AUDIT, "signer");
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *store = NULL;
    g_autofree char *want = siplSecureBootDefFormat(def, 0);
    g_autofree char *got = NULL;
    siplVirtEffect effect = SIPL_VIRT_EFFECT_LIVE_ONLY;

    g_assert_true(siplVirtSecureBootSet(dom, def, VIR_DOMAIN_AFFECT_CURRENT,
                                        f->state, &caps112, time(NULL),
                                        warnings, &effect, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(warnings->len, ==, 0);
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_NEXT_START);
    g_assert_null(siplVirtEffectNotice(dom, effect));
    store = snapshot(f);
    g_assert_cmpstr(store, ==,
                    UUID_OFF "/certs -> certs.0\n"
                    UUID_OFF "/certs.0/00-signer.pem\n");
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &back, &error), ==, 1);
    got = siplSecureBootDefFormat(back, 0);
    g_assert_cmpstr(got, ==, want);
}

/* Refused before anything is written: bad configuration, a QEMU without
 * secure IPL (Debian 12's 7.2). */
static void
test_refused(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-off");
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_SECURE, "signer");
    g_autoptr(siplSecureBootDef) empty = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *before = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    g_autofree char *store = NULL;

    g_assert_false(siplVirtSecureBootSet(dom, def, VIR_DOMAIN_AFFECT_CONFIG,
                                         f->state, &caps72, time(NULL),
                                         warnings, NULL, &error));
    g_assert_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "s390-ccw-virtio-7.2"));
    g_clear_error(&error);

    g_assert_false(siplVirtSecureBootSet(dom, empty, VIR_DOMAIN_AFFECT_CONFIG,
                                         f->state, &caps112, time(NULL),
                                         warnings, NULL, &error));
    g_assert_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID);

    g_assert_cmpuint(warnings->len, ==, 0);
    assert_dom_xml_is(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE,
                      before);
    store = snapshot(f);
    g_assert_cmpstr(store, ==, "");
}

/* The local connection's QEMU is probed: on a host with Debian 12's QEMU
 * 7.2 the change is refused with the probe's message, not at start. */
static void
test_probe(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-off");
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_SECURE, "signer");
    g_autoptr(siplQemuCaps) host = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *before = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    bool ok;

    if (!g_file_test(QEMU, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip(QEMU " is not installed");
        return;
    }
    host = siplQemuCapsProbe(QEMU, &error);
    g_assert_no_error(error);
    ok = siplVirtSecureBootSet(dom, def, VIR_DOMAIN_AFFECT_CONFIG, f->state,
                               NULL, time(NULL), NULL, NULL, &error);
    if (host->secureBoot && host->bootCerts) {
        g_assert_no_error(error);
        g_assert_true(ok);
        return;
    }
    g_assert_false(ok);
    g_assert_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "QEMU '" QEMU "'"));
    assert_dom_xml_is(dom, VIR_DOMAIN_XML_INACTIVE, before);
    g_assert_false(g_file_test(f->state, G_FILE_TEST_EXISTS));
}

/* The render fails after the define (the state dir is a file): the
 * previous persistent XML and live metadata are put back. */
static void
test_render_fails(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-run");
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_AUDIT, "signer");
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *file = g_build_filename(f->tmp, "file", NULL);
    g_autofree char *bad = g_build_filename(file, "domains", NULL);
    g_autofree char *conf1 = NULL;
    g_autofree char *live1 = NULL;
    g_autofree char *conf2 = NULL;
    g_autofree char *live2 = NULL;
    const char *meta = "<secureBoot mode='normal'/>";

    /* some live metadata to restore */
    g_assert_true(siplVirtSetMetadata(dom, meta, VIR_DOMAIN_AFFECT_LIVE, &error));
    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    conf1 = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    live1 = dom_xml(dom, 0);

    g_assert_false(siplVirtSecureBootSet(dom, def, VIR_DOMAIN_AFFECT_LIVE |
                                         VIR_DOMAIN_AFFECT_CONFIG, bad,
                                         &caps112, time(NULL), warnings, NULL,
                                         &error));
    g_assert_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "cannot create directory"));
    g_assert_cmpuint(warnings->len, ==, 0);
    conf2 = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    live2 = dom_xml(dom, 0);
    g_assert_cmpstr(conf2, ==, conf1);
    g_assert_cmpstr(live2, ==, live1);
}

/* The store hook of test_stopped_meanwhile: at the step after the new
 * generation's mkdir (the first at which it exists; the steps before it
 * make the state directory and the domain directory) the domain stops
 * and the generation goes away, so the render fails and undoing the
 * live half fails too. */
typedef struct {
    virDomainPtr dom;
    char *gen;
} StopHook;

static void
stop_hook(unsigned int step G_GNUC_UNUSED, void *opaque)
{
    StopHook *h = opaque;

    if (!g_file_test(h->gen, G_FILE_TEST_IS_DIR))
        return;
    g_assert_cmpint(virDomainDestroy(h->dom), ==, 0);
    g_assert_cmpint(g_rmdir(h->gen), ==, 0);
}

/* The domain stops between the define and a failing render: the live
 * metadata cannot be put back, the persistent XML still is, and the
 * error says what could not be undone. The persistent half used to be
 * skipped once the live one failed. */
static void
test_stopped_meanwhile(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-run");
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_AUDIT, "signer");
    g_autoptr(GError) error = NULL;
    g_autofree char *conf1 = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    g_autofree char *conf2 = NULL;
    g_autofree char *gen = g_build_filename(f->state, UUID_RUN, "certs.0", NULL);
    StopHook hook = { dom, gen };

    siplStoreSetTestHook(stop_hook, &hook);
    g_assert_false(siplVirtSecureBootSet(dom, def, VIR_DOMAIN_AFFECT_LIVE |
                                         VIR_DOMAIN_AFFECT_CONFIG, f->state,
                                         &caps112, time(NULL), NULL, NULL,
                                         &error));
    siplStoreSetTestHook(NULL, NULL);
    g_assert_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_IO);
    g_assert_true(g_str_has_prefix(error->message, "cannot open directory 'certs.0'"));
    g_assert_nonnull(strstr(error->message, "restoring the previous definition failed as well"));
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    conf2 = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    g_assert_cmpstr(conf2, ==, conf1);
}

/* A running domain: --config renders (keeping the generation a QEMU may
 * read) and takes effect at the next power cycle; --current changes only
 * the live metadata, renders nothing, and says it is lost at the stop. */
static void
test_running(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-run");
    g_autoptr(siplSecureBootDef) one = make_def(SIPL_MODE_AUDIT, "one");
    g_autoptr(siplSecureBootDef) two = make_def(SIPL_MODE_AUDIT, "two");
    g_autoptr(siplSecureBootDef) live = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *store = NULL;
    g_autofree char *store2 = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *conf2 = NULL;
    g_autofree char *notice = NULL;
    siplVirtEffect effect = SIPL_VIRT_EFFECT_NEXT_START;

    g_assert_true(siplVirtSecureBootSet(dom, one, VIR_DOMAIN_AFFECT_CONFIG,
                                        f->state, &caps112, time(NULL), NULL,
                                        &effect, &error));
    g_assert_no_error(error);
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_POWER_CYCLE);
    notice = siplVirtEffectNotice(dom, effect);
    g_assert_nonnull(strstr(notice, "after it is shut down and started again"));
    g_assert_true(siplVirtSecureBootSet(dom, two, VIR_DOMAIN_AFFECT_CONFIG,
                                        f->state, &caps112, time(NULL), NULL,
                                        &effect, &error));
    g_assert_no_error(error);
    store = snapshot(f);
    g_assert_cmpstr(store, ==,
                    UUID_RUN "/certs -> certs.1\n"
                    UUID_RUN "/certs.0/00-one.pem\n"
                    UUID_RUN "/certs.1/00-two.pem\n");

    conf = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_true(siplVirtSecureBootSet(dom, one, VIR_DOMAIN_AFFECT_CURRENT,
                                        f->state, &caps112, time(NULL), NULL,
                                        &effect, &error));
    g_assert_no_error(error);
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_LIVE_ONLY);
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_LIVE, &live, &error), ==, 1);
    conf2 = dom_xml(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_cmpstr(conf2, ==, conf);
    store2 = snapshot(f);
    g_assert_cmpstr(store2, ==, store);
}

/* Normal mode renders nothing and leaves the store whole (07 K11); a
 * failure after the store's switch is a warning, the change kept. */
static void
test_normal_and_late(SetFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    g_autoptr(virDomain) dom = lookup(f, "s390-off");
    g_autoptr(siplSecureBootDef) one = make_def(SIPL_MODE_SECURE, "one");
    g_autoptr(siplSecureBootDef) two = make_def(SIPL_MODE_SECURE, "two");
    g_autoptr(siplSecureBootDef) normal = siplSecureBootDefNew(SIPL_MODE_NORMAL);
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *sub = g_build_filename(f->state, UUID_OFF, "certs.0", "sub", NULL);
    g_autofree char *store = NULL;
    g_autofree char *store2 = NULL;

    g_assert_true(siplVirtSecureBootSet(dom, one, 0, f->state, &caps112,
                                        time(NULL), NULL, NULL, &error));
    g_assert_no_error(error);
    store = snapshot(f);
    g_assert_true(siplVirtSecureBootSet(dom, normal, 0, f->state, &caps112,
                                        time(NULL), NULL, NULL, &error));
    g_assert_no_error(error);
    store2 = snapshot(f);
    g_assert_cmpstr(store2, ==, store);
    g_assert_nonnull(strstr(store2, "00-one.pem"));

    /* certs.0 cannot be removed after the switch to certs.1 */
    g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
    g_assert_true(siplVirtSecureBootSet(dom, two, 0, f->state, &caps112,
                                        time(NULL), warnings, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(warnings->len, ==, 1);
    g_assert_cmpstr(warnings->pdata[0], ==, "cannot remove file 'sub': Is a directory");
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &back, &error), ==, 1);
    g_assert_cmpstr(((siplSecureBootCertDef *)g_ptr_array_index(back->certs, 0))->name,
                    ==, "two.pem");
    g_free(store2);
    store2 = snapshot(f);
    g_assert_nonnull(strstr(store2, "/certs -> certs.1\n"));
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    node_uri = virt_node_uri();

#define ADD(path, func) \
    g_test_add(path, SetFixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD("/virt-set/config", test_config);
    ADD("/virt-set/refused", test_refused);
    ADD("/virt-set/probe", test_probe);
    ADD("/virt-set/render-fails", test_render_fails);
    ADD("/virt-set/running", test_running);
    ADD("/virt-set/stopped-meanwhile", test_stopped_meanwhile);
    ADD("/virt-set/normal-and-late", test_normal_and_late);
#undef ADD

    ret = g_test_run();
    g_free(node_uri);
    return ret;
}
