/*
 * test-virt-session.c: the libvirt glue against a real libvirt session
 * daemon with Debian's QEMU driver and qemu-system-s390x (spec/05
 * Appendix).
 *
 * As root, qemu:///session goes to the system socket, so the test re-runs
 * itself as an unprivileged user ("sipl-test", created when missing) and
 * starts its own `libvirtd` in session mode with HOME/XDG dirs under a
 * temp dir; the daemon is stopped by its pid at the end.  The QEMU driver
 * is real: defining goes through libvirt's schema validation, and
 * `virsh domxml-to-native qemu-argv` shows the exact QEMU command line.
 *
 * Exit 77 (skip) only when a part is not installed or the user cannot be
 * created; the reason is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "certgen.h"
#include "qemu_caps.h"
#include "secureboot_conf.h"
#include "virt_glue.h"

#define TEST_USER "sipl-test"
#define QEMU "/usr/bin/qemu-system-s390x"
#define QEMU_DRIVER "/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"
#define STORE "/var/lib/sipl/domains/6a3a4c0e-6f43-4a55-9d4e-1d5a0e2a0010/certs"

static char *tmpdir;

static int
skip(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    return 77;
}

static const char *
missing_part(void)
{
    g_autofree char *virsh = g_find_program_in_path("virsh");
    g_autofree char *libvirtd = g_find_program_in_path("libvirtd");

    if (!virsh)
        return "virsh (libvirt-clients)";
    if (!libvirtd && !g_file_test("/usr/sbin/libvirtd", G_FILE_TEST_IS_EXECUTABLE))
        return "libvirtd (libvirt-daemon)";
    if (!g_file_test(QEMU, G_FILE_TEST_IS_EXECUTABLE))
        return QEMU " (qemu-system-misc)";
    if (!g_file_test(QEMU_DRIVER, G_FILE_TEST_EXISTS))
        return "libvirt's QEMU driver (libvirt-daemon-driver-qemu)";
    return NULL;
}

/* As root: make sure the test user exists, then run this program as it. */
static int
rerun_as_user(char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *self = g_canonicalize_filename(argv[0], NULL);
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    int status = 0;

    if (!getpwnam(TEST_USER)) {
        const char *add[] = {
            "useradd", "--system", "--no-create-home",
            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
            TEST_USER, NULL
        };
        if (!g_spawn_sync(NULL, (char **)add, NULL, G_SPAWN_SEARCH_PATH,
                          NULL, NULL, NULL, NULL, &status, NULL) ||
            !g_spawn_check_wait_status(status, NULL) || !getpwnam(TEST_USER))
            return skip("running as root and cannot create user " TEST_USER);
    }
    if (access(self, R_OK) < 0)
        return skip("cannot find the test program");

    g_ptr_array_add(args, (char *)"runuser");
    g_ptr_array_add(args, (char *)"-u");
    g_ptr_array_add(args, (char *)TEST_USER);
    g_ptr_array_add(args, (char *)"--");
    g_ptr_array_add(args, self);
    for (int i = 1; argv[i]; i++)
        g_ptr_array_add(args, argv[i]);
    g_ptr_array_add(args, NULL);
    /* stdout/stderr inherited: the TAP stream is the child's. */
    if (!g_spawn_sync(NULL, (char **)args->pdata, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, NULL, NULL, &status, &error)) {
        g_printerr("runuser: %s\n", error->message);
        return 1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 1;
}

static GPid daemon_pid;

/* If a failed assertion kills the test, the daemon goes with it. */
static void
die_with_parent(gpointer data)
{
    (void)data;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* libvirtd in session mode, private dirs; waits for its socket. */
static bool
start_daemon(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *run = g_build_filename(tmpdir, "run", NULL);
    g_autofree char *sock = g_build_filename(run, "libvirt", "libvirt-sock", NULL);
    g_autofree char *log = g_build_filename(tmpdir, "libvirtd.log", NULL);
    g_autofree char *found = g_find_program_in_path("libvirtd");
    const char *argv[] = { found ? found : "/usr/sbin/libvirtd",
                           "--timeout=120", NULL };
    static const char *const dirs[][2] = {
        { "HOME", "" }, { "XDG_CONFIG_HOME", "config" },
        { "XDG_CACHE_HOME", "cache" }, { "XDG_DATA_HOME", "data" },
    };

    g_assert_cmpint(g_mkdir(run, 0700), ==, 0);
    g_setenv("XDG_RUNTIME_DIR", run, TRUE);
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *d = g_build_filename(tmpdir, dirs[i][1], NULL);
        g_mkdir_with_parents(d, 0700);
        g_setenv(dirs[i][0], d, TRUE);
    }
    /* The test driver state of other tests must not leak in. */
    g_unsetenv("LIBVIRT_DEFAULT_URI");
    g_setenv("LIBVIRT_AUTOSTART", "0", TRUE);

    {
        int fd = g_open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        g_assert_cmpint(fd, >=, 0);
        if (!g_spawn_async_with_fds(NULL, (char **)argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD,
                                    die_with_parent, NULL,
                                    &daemon_pid, -1, fd, fd, &error)) {
            g_printerr("libvirtd: %s\n", error->message);
            close(fd);
            return false;
        }
        close(fd);
    }
    for (int i = 0; i < 200; i++) {
        if (g_file_test(sock, G_FILE_TEST_EXISTS))
            return true;
        g_usleep(50 * 1000);
    }
    g_printerr("libvirtd did not create %s\n", sock);
    return false;
}

static void
stop_daemon(void)
{
    int status;

    if (!daemon_pid)
        return;
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, &status, 0);
    g_spawn_close_pid(daemon_pid);
    daemon_pid = 0;
}

static char *
run_virsh(const char *const *args, int *status_out)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    g_ptr_array_add(argv, (char *)"virsh");
    g_ptr_array_add(argv, (char *)"-c");
    g_ptr_array_add(argv, (char *)"qemu:///session");
    for (size_t i = 0; args[i]; i++)
        g_ptr_array_add(argv, (char *)args[i]);
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, &error));
    if (status_out)
        *status_out = status;
    else if (!g_spawn_check_wait_status(status, NULL))
        g_error("virsh %s failed: %s", args[0], err);
    return g_steal_pointer(&out);
}

static char *
base_domain_xml(const char *name)
{
    return g_strdup_printf(
        "<domain type='qemu'>\n"
        "  <name>%s</name>\n"
        "  <uuid>6a3a4c0e-6f43-4a55-9d4e-1d5a0e2a0010</uuid>\n"
        "  <memory unit='MiB'>256</memory>\n"
        "  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>\n"
        "  <devices>\n"
        "    <emulator>" QEMU "</emulator>\n"
        "    <disk type='file' device='disk'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        "      <source file='%s/disk.img'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "      <boot order='1'/>\n"
        "    </disk>\n"
        "  </devices>\n"
        "</domain>\n", name, tmpdir);
}

static siplSecureBootDef *
make_def(siplSecureBootMode mode)
{
    g_autoptr(GError) error = NULL;
    CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = "session signer" };
    g_autoptr(CertGenCert) cg = certgen_new(&spec);
    siplSecureBootDef *def = siplSecureBootDefNew(mode);
    siplSecureBootCertDef *cert;

    cert = siplSecureBootCertDefNew(cg->der, cg->der_len, "signer.pem",
                                    SIPL_CERT_STATE_ACTIVE,
                                    SIPL_CERT_SOURCE_NONE, NULL, &error);
    g_assert_no_error(error);
    g_ptr_array_add(def->certs, cert);
    return def;
}

static void
test_define_argv(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect("qemu:///session", &error);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_SECURE);
    g_autoptr(siplSecureBootDef) normal = siplSecureBootDefNew(SIPL_MODE_NORMAL);
    g_autoptr(siplSecureBootDef) back = NULL;
    g_autofree char *xml = base_domain_xml("s390-sess");
    g_autofree char *argv1 = NULL;
    g_autofree char *argv2 = NULL;
    g_autofree char *want = siplSecureBootDefFormat(def, 0);
    g_autofree char *got = NULL;
    const char *native[] = { "domxml-to-native", "qemu-argv", "--domain",
                             "s390-sess", NULL };
    const char *ours;
    const char *libvirts;
    siplVirtEffect effect = SIPL_VIRT_EFFECT_POWER_CYCLE;

    g_assert_no_error(error);
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);

    /* The define step alone (siplVirtApply): siplVirtSecureBootSet()
     * refuses this QEMU 7.2 (/virt-session/start-unsupported), but the
     * transform must still be what libvirt's QEMU driver turns into argv. */
    g_assert_true(siplVirtApply(dom, def, VIR_DOMAIN_AFFECT_CONFIG, STORE,
                                &effect, &error));
    g_assert_no_error(error);
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_NEXT_START);

    /* libvirt's own -machine first, ours after it, exactly once. */
    argv1 = run_virsh(native, NULL);
    libvirts = strstr(argv1, " -machine s390-ccw-virtio-7.2,");
    ours = strstr(argv1, " -machine secure-boot=on,boot-certs.0.path=" STORE " ");
    g_assert_nonnull(libvirts);
    g_assert_nonnull(ours);
    g_assert_true(libvirts < ours);
    g_assert_null(strstr(ours + strlen(" -machine secure-boot="), "secure-boot="));

    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &back, &error), ==, 1);
    got = siplSecureBootDefFormat(back, 0);
    g_assert_cmpstr(got, ==, want);

    /* The same through an explicit remote-transport URI (qemu+unix://). */
    {
        g_autofree char *sock = g_build_filename(g_getenv("XDG_RUNTIME_DIR"),
                                                 "libvirt", "libvirt-sock", NULL);
        g_autofree char *uri = g_strdup_printf("qemu+unix:///session?socket=%s", sock);
        g_autoptr(virConnect) remote = siplVirtConnect(uri, &error);
        g_autoptr(virDomain) rdom = NULL;
        g_autoptr(siplSecureBootDef) rdef = NULL;
        g_autofree char *rgot = NULL;

        g_assert_no_error(error);
        rdom = siplVirtLookupDomain(remote, "s390-sess", &error);
        g_assert_no_error(error);
        g_assert_cmpint(siplVirtGetSecureBoot(rdom, 0, &rdef, &error), ==, 1);
        rgot = siplSecureBootDefFormat(rdef, 0);
        g_assert_cmpstr(rgot, ==, want);
    }

    /* Normal mode removes our -machine again. */
    g_assert_true(siplVirtApply(dom, normal, VIR_DOMAIN_AFFECT_CONFIG, STORE,
                                NULL, &error));
    g_assert_no_error(error);
    argv2 = run_virsh(native, NULL);
    g_assert_nonnull(strstr(argv2, " -machine s390-ccw-virtio-7.2,"));
    g_assert_null(strstr(argv2, "secure-boot"));
    g_assert_null(strstr(argv2, "boot-certs"));

    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
}

static void
test_live_refused(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect("qemu:///session", &error);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_AUDIT);
    g_autofree char *xml = base_domain_xml("s390-live");
    char *before;
    char *after;

    g_assert_no_error(error);
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    before = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);

    /* --live on a shut-off domain: refused before anything changes. */
    g_assert_false(siplVirtApply(dom, def, VIR_DOMAIN_AFFECT_LIVE |
                                 VIR_DOMAIN_AFFECT_CONFIG, STORE, NULL, &error));
    g_assert_error(error, SIPL_VIRT_ERROR, SIPL_VIRT_ERROR_FAILED);
    after = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    g_assert_cmpstr(after, ==, before);
    free(before);
    free(after);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
}

/*
 * A running guest (TCG, started paused): a live+config change updates both
 * XMLs and reports that it needs a power cycle; the running QEMU's
 * command line cannot change.
 */
static void
test_live_running(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect("qemu:///session", &error);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_AUDIT);
    g_autoptr(siplSecureBootDef) live = NULL;
    g_autoptr(siplSecureBootDef) conf = NULL;
    g_autofree char *xml = base_domain_xml("s390-running");
    g_autofree char *disk = g_build_filename(tmpdir, "disk.img", NULL);
    g_autofree char *notice = NULL;
    char *livexml;
    siplVirtEffect effect = SIPL_VIRT_EFFECT_NEXT_START;
    bool ok;

    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(disk, "", 0, NULL));
    g_assert_cmpint(truncate(disk, 1024 * 1024), ==, 0);
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    /* paused: with an empty disk the guest would stop at once */
    if (virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED) < 0)
        g_error("cannot start the s390x guest: %s", virGetLastErrorMessage());

    ok = siplVirtApply(dom, def, VIR_DOMAIN_AFFECT_LIVE |
                       VIR_DOMAIN_AFFECT_CONFIG, STORE, &effect, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_cmpint(effect, ==, SIPL_VIRT_EFFECT_POWER_CYCLE);
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_LIVE, &live, &error), ==, 1);
    g_assert_cmpint(siplVirtGetSecureBoot(dom, VIR_DOMAIN_AFFECT_CONFIG, &conf, &error), ==, 1);
    /* the running definition keeps the arguments it was started with */
    livexml = virDomainGetXMLDesc(dom, 0);
    g_assert_nonnull(livexml);
    g_assert_null(strstr(livexml, "secure-boot"));
    free(livexml);
    notice = siplVirtEffectNotice(dom, effect);
    g_assert_nonnull(strstr(notice, "'s390-running' is running"));

    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
}

/*
 * Why the probe exists: QEMU 7.2 refuses to start with our -machine
 * (spec/05 §1), and only at start time. The library's one path
 * (siplVirtSecureBootSet) probes the domain's QEMU on a local connection,
 * qemu:///session and its qemu+unix:// form alike, and refuses the change
 * with a clear message before anything is defined or rendered; only the
 * bare define step (siplVirtApply) gets as far as the failed start.
 */
static void
test_start_unsupported(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect("qemu:///session", &error);
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(siplSecureBootDef) def = make_def(SIPL_MODE_SECURE);
    g_autofree char *xml = base_domain_xml("s390-nostart");
    g_autofree char *disk = g_build_filename(tmpdir, "disk.img", NULL);
    g_autofree char *state = g_build_filename(tmpdir, "domains", NULL);
    g_autofree char *sock = g_build_filename(g_getenv("XDG_RUNTIME_DIR"),
                                             "libvirt", "libvirt-sock", NULL);
    g_autofree char *unix_uri = g_strdup_printf("qemu+unix:///session?socket=%s", sock);
    const char *uris[] = { "qemu:///session", unix_uri };
    char *before;
    const char *msg;

    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(disk, "", 0, NULL));
    dom = virDomainDefineXML(conn, xml);
    g_assert_nonnull(dom);
    before = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    for (size_t i = 0; i < G_N_ELEMENTS(uris); i++) {
        g_autoptr(virConnect) c = siplVirtConnect(uris[i], &error);
        g_autoptr(virDomain) d = NULL;
        char *after;

        g_assert_no_error(error);
        g_assert_true(siplVirtConnectIsLocal(c));
        d = siplVirtLookupDomain(c, "s390-nostart", &error);
        g_assert_no_error(error);
        g_assert_false(siplVirtSecureBootSet(d, def, VIR_DOMAIN_AFFECT_CONFIG,
                                             state, NULL, time(NULL), NULL,
                                             NULL, &error));
        /* libvirt's inactive XML carries the machine type QEMU 7.2
         * resolved (s390-ccw-virtio-7.2): the machine check refuses it
         * first, before the capability check would */
        g_assert_nonnull(error);
        g_test_message("apply: %s", error->message);
        g_assert_true(error->domain == SIPL_SECUREBOOT_ERROR);
        g_assert_true(error->code == SIPL_SECUREBOOT_ERROR_DOMAIN ||
                      error->code == SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
        g_assert_nonnull(strstr(error->message, "'s390-ccw-virtio-7.2'"));
        g_assert_nonnull(strstr(error->message, "secure IPL"));
        g_clear_error(&error);
        after = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
        g_assert_cmpstr(after, ==, before);
        free(after);
        g_assert_false(g_file_test(state, G_FILE_TEST_EXISTS));
    }
    free(before);

    g_assert_true(siplVirtApply(dom, def, VIR_DOMAIN_AFFECT_CONFIG, STORE, NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpint(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED), ==, -1);
    msg = virGetLastErrorMessage();
    g_test_message("start: %s", msg);
    g_assert_nonnull(strstr(msg, "secure-boot"));
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
}

/*
 * The capability probe against the same binary the daemon uses: Debian
 * 12's QEMU 7.2 has neither secure-boot nor boot-certs, and says so
 * before anything is saved.
 */
static void
test_probe(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(virConnect) conn = siplVirtConnect("qemu:///session", &error);
    g_autoptr(siplQemuCaps) caps = NULL;
    g_autofree char *want = NULL;
    char *domcaps;

    g_assert_no_error(error);
    caps = siplQemuCapsProbe(QEMU, &error);
    g_assert_no_error(error);
    g_assert_false(caps->secureBoot);
    g_assert_false(caps->bootCerts);

    /* libvirt's view of the binary agrees on the machine type */
    domcaps = virConnectGetDomainCapabilities(conn, QEMU, "s390x",
                                              "s390-ccw-virtio", "qemu", 0);
    g_assert_nonnull(domcaps);
    want = g_strdup_printf("<machine>%s</machine>", caps->machine);
    g_assert_nonnull(strstr(domcaps, want));
    free(domcaps);

    g_assert_false(siplQemuCapsCheck(caps, &error));
    g_assert_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, QEMU));
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    const char *missing = missing_part();
    int ret;

    if (missing) {
        g_autofree char *why = g_strdup_printf("%s is not installed", missing);
        return skip(why);
    }
    if (geteuid() == 0)
        return rerun_as_user(argv);

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("sipl-virt-session-XXXXXX", &error);
    g_assert_no_error(error);
    if (!start_daemon()) {
        stop_daemon();
        g_error("cannot start a libvirt session daemon (log in %s)", tmpdir);
    }

    g_test_add_func("/virt-session/define-argv", test_define_argv);
    g_test_add_func("/virt-session/live-refused", test_live_refused);
    g_test_add_func("/virt-session/live-running", test_live_running);
    g_test_add_func("/virt-session/start-unsupported", test_start_unsupported);
    g_test_add_func("/virt-session/probe", test_probe);
    ret = g_test_run();

    stop_daemon();
    if (!g_getenv("SIPL_TEST_KEEP_TMP")) {
        const char *rm[] = { "rm", "-rf", tmpdir, NULL };
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, NULL, NULL, NULL, NULL);
    }
    g_free(tmpdir);
    return ret;
}
