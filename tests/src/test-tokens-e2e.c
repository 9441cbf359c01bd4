/*
 * test-tokens-e2e.c: bad inputs change nothing, end to end
 *
 * The path a certificate takes into a guest, in library calls: a source
 * (file, directory, PKCS#11 URI on a real SoftHSM2 token) -> the domain's
 * <secureBoot> (libvirt test driver, s390x node file) ->
 * siplVirtSecureBootSet(): validation, the domain XML with its QEMU
 * arguments defined, then the rendered store.  For each bad
 * input (wrong PIN, missing module, missing token, a delete URI matching 0
 * or 2 objects, unreadable or non-certificate files) the test shows one
 * clear error and that the domain XML, the token and the store are
 * byte-for-byte what they were; a good input then changes all of them.
 * And concurrent sipl processes writing to one token lose nothing.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cert_source.h"
#include "certgen.h"
#include "pin.h"
#include "pkcs11.h"
#include "qemu_caps.h"
#include "secureboot_conf.h"
#include "softhsm-fixture.h"
#include "testutils.h"
#include "virt_glue.h"
#include "virt-fixture.h"

#define LABEL "sipl-e2e"
#define TOKEN "pkcs11:token=" LABEL
#define DOMAIN "s390-off"

static SoftHsmFixture *fx;
static siplPkcs11 *p11;
static char *state;         /* store state directory */
static char *node_uri;
static char *pem_file;      /* a certificate file (token key, on the token) */
static char *pem_new;       /* a certificate not on the token */

/* The node file's domains name /usr/bin/qemu-system-s390x, Debian 12's
 * QEMU 7.2 on the test host: canned probe results stand in for the QEMU
 * 11.2 of a secure-IPL host, and for 7.2. */
static const siplQemuCaps caps112 = {
    (char *)"/usr/bin/qemu-system-s390x", (char *)"s390-ccw-virtio-11.2", true, true,
};
static const siplQemuCaps caps72 = {
    (char *)"/usr/bin/qemu-system-s390x", (char *)"s390-ccw-virtio-7.2", false, false,
};

/* What `secure-ipl-certs DOMAIN --add SOURCE --config` does: load, then
 * the library's one path to libvirt (validate, define, render, undo). */
static bool
add_certs_on(virDomainPtr dom, const char *source, siplPkcs11 *mod,
             const siplQemuCaps *caps, GError **error)
{
    g_autoptr(GPtrArray) certs = siplCertSourceLoad(source, mod, error);
    g_autoptr(siplSecureBootDef) cur = NULL;
    g_autoptr(siplSecureBootDef) def = NULL;

    if (!certs ||
        siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &cur, error) < 0)
        return false;
    def = cur ? siplSecureBootDefCopy(cur) : siplSecureBootDefNew(SIPL_MODE_AUDIT);
    for (guint i = 0; i < certs->len; i++)
        g_ptr_array_add(def->certs,
                        siplSecureBootCertDefCopy(g_ptr_array_index(certs, i)));
    return siplVirtSecureBootSet(dom, def, VIR_DOMAIN_AFFECT_CONFIG, state,
                                 caps, time(NULL), NULL, NULL, error);
}

static bool
add_certs(virDomainPtr dom, const char *source, siplPkcs11 *mod,
          GError **error)
{
    return add_certs_on(dom, source, mod, &caps112, error);
}

typedef struct {
    char *domxml;
    char *store;
    char *token;
} Snapshot;

static void
snapshot_take(Snapshot *s, virDomainPtr dom)
{
    char *x = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

    g_assert_nonnull(x);
    s->domxml = g_strdup(x);
    free(x);
    s->store = siplTestSnapshot(state);
    s->token = softhsm_fixture_list(fx);
}

static void
snapshot_assert_same(const Snapshot *before, virDomainPtr dom)
{
    Snapshot after;

    snapshot_take(&after, dom);
    g_assert_cmpstr(after.domxml, ==, before->domxml);
    g_assert_cmpstr(after.store, ==, before->store);
    g_assert_cmpstr(after.token, ==, before->token);
    g_free(after.domxml);
    g_free(after.store);
    g_free(after.token);
}

static void
snapshot_clear(Snapshot *s)
{
    g_free(s->domxml);
    g_free(s->store);
    g_free(s->token);
}

static void
test_e2e(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect(node_uri, &error);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(siplPin) bad_pin = NULL;
    g_autoptr(siplPin) pin = NULL;
    g_autoptr(siplSecureBootDef) now = NULL;
    g_autofree char *fifo = g_build_filename(fx->dir, "fifo.pem", NULL);
    g_autofree char *text = g_build_filename(fx->dir, "notes.pem", NULL);
    g_autofree char *dir = g_build_filename(fx->dir, "certdir", NULL);
    g_autofree char *stray = g_build_filename(dir, "README", NULL);
    g_autofree char *good = g_build_filename(dir, "good.pem", NULL);
    g_autofree char *missing = g_build_filename(fx->dir, "nosuch.pem", NULL);
    Snapshot before;

    g_assert_no_error(error);
    dom = siplVirtLookupDomain(conn, DOMAIN, &error);
    g_assert_no_error(error);

    /* A configured guest with a rendered store to begin with. */
    g_assert_true(add_certs(dom, pem_file, p11, &error));
    g_assert_no_error(error);
    snapshot_take(&before, dom);
    g_assert_nonnull(strstr(before.store, "00-cert-1.pem"));

    bad_pin = siplPinFromSource(fx->bad_pin_file, &error);
    g_assert_no_error(error);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_true(g_file_set_contents(text, "not a certificate\n", -1, NULL));
    g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(stray, "read me\n", -1, NULL));
    {
        g_autofree char *pem = NULL;
        g_assert_true(g_file_get_contents(pem_new, &pem, NULL, NULL));
        g_assert_true(g_file_set_contents(good, pem, -1, NULL));
    }

    /* wrong PIN: the import fails, so nothing is added */
    {
        g_autoptr(GPtrArray) c = siplCertSourceLoadFile(pem_new, &error);
        siplSecureBootCertDef *cert = g_ptr_array_index(c, 0);
        g_autofree char *uri = siplPkcs11ImportCert(p11, TOKEN, cert->der,
                                                    "new", NULL, bad_pin, &error);
        g_assert_null(uri);
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN);
        g_clear_error(&error);
        snapshot_assert_same(&before, dom);
    }
    /* missing module */
    {
        g_autoptr(siplPkcs11) none = siplPkcs11Open("/nonexistent/libp11.so", &error);
        g_assert_null(none);
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
        g_clear_error(&error);
        g_assert_false(add_certs(dom, TOKEN ";object=signer;type=cert", NULL, &error));
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
        g_clear_error(&error);
        snapshot_assert_same(&before, dom);
    }
    /* missing token */
    g_assert_false(add_certs(dom, "pkcs11:token=nosuch;type=cert", p11, &error));
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN);
    g_clear_error(&error);
    snapshot_assert_same(&before, dom);

    /* delete URIs matching 0 and 2 objects */
    g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=nosuch;type=cert", NULL, &error));
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_OBJECT);
    g_clear_error(&error);
    g_assert_false(siplPkcs11DeleteCert(p11, TOKEN ";object=twin;type=cert", NULL, &error));
    g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_AMBIGUOUS);
    g_clear_error(&error);
    snapshot_assert_same(&before, dom);

    /* unreadable and non-certificate files, a directory with a stray file */
    g_assert_false(add_certs(dom, missing, p11, &error));
    g_assert_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_READ);
    g_clear_error(&error);
    g_assert_false(add_certs(dom, fifo, p11, &error));
    g_assert_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_READ);
    g_clear_error(&error);
    g_assert_false(add_certs(dom, text, p11, &error));
    g_assert_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_NOT_CERT);
    g_clear_error(&error);
    g_assert_false(add_certs(dom, dir, p11, &error));
    g_assert_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_NOT_CERT);
    g_clear_error(&error);
    /* the certificate already there: refused by validation (duplicate) */
    g_assert_false(add_certs(dom, TOKEN ";object=signer;type=cert", p11, &error));
    g_assert_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID);
    g_clear_error(&error);
    snapshot_assert_same(&before, dom);

    /* A good input does change things: import with the right PIN, add. */
    pin = siplPinFromSource(fx->pin_file, &error);
    g_assert_no_error(error);
    {
        g_autoptr(GPtrArray) c = siplCertSourceLoadFile(pem_new, &error);
        siplSecureBootCertDef *cert = g_ptr_array_index(c, 0);
        g_autofree char *uri = siplPkcs11ImportCert(p11, TOKEN, cert->der,
                                                    "new", NULL, pin, &error);
        g_assert_no_error(error);
        {
            /* ... but not on a QEMU without secure IPL: refused before
             * the define, so the domain and the store are untouched (the
             * token keeps the import, which is what the user asked for) */
            g_autofree char *token = softhsm_fixture_list(fx);
            Snapshot mid;

            g_assert_false(add_certs_on(dom, uri, p11, &caps72, &error));
            g_assert_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
            g_clear_error(&error);
            mid.domxml = g_strdup(before.domxml);
            mid.store = g_strdup(before.store);
            mid.token = g_steal_pointer(&token);
            snapshot_assert_same(&mid, dom);
            snapshot_clear(&mid);
        }
        g_assert_true(add_certs(dom, uri, p11, &error));
        g_assert_no_error(error);
    }
    {
        Snapshot after;
        snapshot_take(&after, dom);
        g_assert_cmpstr(after.domxml, !=, before.domxml);
        g_assert_cmpstr(after.store, !=, before.store);
        g_assert_cmpstr(after.token, !=, before.token);
        g_assert_nonnull(strstr(after.store, "01-new.pem"));
        snapshot_clear(&after);
    }
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &now, &error), ==, 1);
    g_assert_cmpuint(now->certs->len, ==, 2);
    g_assert_cmpint(((siplSecureBootCertDef *)g_ptr_array_index(now->certs, 1))->sourceType,
                    ==, SIPL_CERT_SOURCE_PKCS11);
    snapshot_clear(&before);
}

/*
 * Concurrent writers and readers (spec/06 §7.2): SoftHSM loses writes and
 * fails readers without sipl's lock; with it every write is stored.
 */

#define WORKERS 4
#define WORKER_CERTS 8

/* One of WORKERS processes: import WORKER_CERTS certificates, listing the
 * token (a reader) after each, as fast as it can. */
static int
import_worker(const char *id)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(siplPkcs11) mod = siplPkcs11Open(g_getenv("SIPL_TEST_MODULE"), &error);
    g_autoptr(siplPin) pin = NULL;

    if (!mod || !(pin = siplPinFromSource(g_getenv("SIPL_TEST_PIN_FILE"), &error))) {
        g_printerr("worker %s: %s\n", id, error->message);
        return 1;
    }
    for (int i = 0; i < WORKER_CERTS; i++) {
        g_autofree char *cn = g_strdup_printf("worker %s cert %d", id, i);
        g_autofree char *label = g_strdup_printf("w%s-%d", id, i);
        CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = cn };
        g_autoptr(CertGenCert) cg = certgen_new(&spec);
        g_autoptr(GBytes) der = g_bytes_new(cg->der, cg->der_len);
        g_autofree char *uri = siplPkcs11ImportCert(mod, TOKEN, der, label,
                                                    NULL, pin, &error);
        g_autoptr(GPtrArray) all = NULL;

        if (!uri || !(all = siplPkcs11ListCerts(mod, TOKEN, &error))) {
            g_printerr("worker %s: %s\n", id, error->message);
            return 1;
        }
    }
    return 0;
}

static void
test_concurrent_writers(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;
    g_autoptr(siplPin) pin = siplPinFromSource(fx->pin_file, NULL);
    g_autofree char *self = g_test_build_filename(G_TEST_BUILT, "test-tokens-e2e", NULL);
    GPid pids[WORKERS];
    unsigned int ours = 0;

    for (int w = 0; w < WORKERS; w++) {
        g_autofree char *id = g_strdup_printf("%d", w);
        g_auto(GStrv) env = g_get_environ();
        const char *argv[] = { self, NULL };

        env = g_environ_setenv(env, "SIPL_TEST_IMPORT_WORKER", id, TRUE);
        env = g_environ_setenv(env, "SIPL_TEST_MODULE", fx->module, TRUE);
        env = g_environ_setenv(env, "SIPL_TEST_PIN_FILE", fx->pin_file, TRUE);
        g_assert_true(g_spawn_async(NULL, (char **)argv, env,
                                    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                    &pids[w], &error));
        g_assert_no_error(error);
    }
    for (int w = 0; w < WORKERS; w++) {
        int status = -1;

        g_assert_cmpint(waitpid(pids[w], &status, 0), ==, pids[w]);
        g_spawn_close_pid(pids[w]);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }

    /* every write stored, none lost; then remove them again */
    certs = siplPkcs11ListCerts(p11, TOKEN, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < certs->len; i++) {
        siplPkcs11Cert *c = g_ptr_array_index(certs, i);

        if (c->label[0] != 'w')
            continue;
        ours++;
        g_assert_true(siplPkcs11DeleteCert(p11, c->uri, pin, &error));
        g_assert_no_error(error);
    }
    g_assert_cmpuint(ours, ==, WORKERS * WORKER_CERTS);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int ret;

    if (g_getenv("SIPL_TEST_IMPORT_WORKER"))
        return import_worker(g_getenv("SIPL_TEST_IMPORT_WORKER"));
    if (!softhsm_fixture_available()) {
        printf("1..0 # SKIP softhsm2-util, p11tool, certtool or the module is missing\n");
        return 77;
    }
    g_test_init(&argc, &argv, NULL);

    fx = softhsm_fixture_new(LABEL);
    softhsm_fixture_generate_key(fx, "signer", "01");
    softhsm_fixture_generate_key(fx, "twin", "02");
    softhsm_fixture_generate_key(fx, "new", "03");
    pem_file = softhsm_fixture_issue_cert(fx, "signer", "e2e signer", 1);
    pem_new = softhsm_fixture_issue_cert(fx, "new", "e2e new", 3);
    softhsm_fixture_write_cert(fx, pem_file, "signer", "01");
    {
        g_autofree char *t1 = softhsm_fixture_issue_cert(fx, "twin", "twin 1", 21);
        g_autofree char *t2 = softhsm_fixture_issue_cert(fx, "twin", "twin 2", 22);
        softhsm_fixture_write_cert(fx, t1, "twin", "21");
        softhsm_fixture_write_cert(fx, t2, "twin", "22");
    }
    p11 = siplPkcs11Open(fx->module, &error);
    g_assert_no_error(error);
    state = g_build_filename(fx->dir, "state", NULL);
    g_assert_cmpint(g_mkdir(state, 0755), ==, 0);
    node_uri = virt_node_uri();

    g_test_add_func("/tokens-e2e/bad-inputs-change-nothing", test_e2e);
    g_test_add_func("/tokens-e2e/concurrent-writers", test_concurrent_writers);
    ret = g_test_run();

    siplPkcs11Free(p11);
    softhsm_fixture_free(fx);
    g_free(state);
    g_free(node_uri);
    g_free(pem_file);
    g_free(pem_new);
    return ret;
}
