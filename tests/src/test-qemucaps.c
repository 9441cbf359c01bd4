/*
 * test-qemucaps.c: the QEMU probe (spec/05 §7)
 *
 * Canned output: qemucapsdata/qemu-7.2.help is what Debian 12's
 * qemu-system-s390x prints for "-machine s390-ccw-virtio,help";
 * qemu-11.2.help is the same list with the two properties QEMU 11.2 adds
 * (constructed: no 11.2 binary is available here). The real binary is
 * probed too: it must be told apart as QEMU 7.2 without secure IPL.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "qemu_caps.h"
#include "secureboot_conf.h"
#include "testutils.h"

#define DATADIR "qemucapsdata"
#define DEBIAN_QEMU "/usr/bin/qemu-system-s390x"

static siplQemuCaps *
parseCanned(const char *file, GError **error)
{
    g_autofree char *text = siplTestDataRead(DATADIR, file);

    return siplQemuCapsParseHelp(DEBIAN_QEMU, text, error);
}


static void
testCanned72(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(siplQemuCaps) caps = parseCanned("qemu-7.2.help", &err);

    g_assert_no_error(err);
    g_assert_cmpstr(caps->machine, ==, "s390-ccw-virtio-7.2");
    g_assert_false(caps->secureBoot);
    g_assert_false(caps->bootCerts);
    g_assert_false(siplQemuCapsCheck(caps, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "QEMU '/usr/bin/qemu-system-s390x' (machine type 's390-ccw-virtio-7.2') has no secure IPL: its machine lacks the 'secure-boot' and 'boot-certs' properties, which QEMU 11.2 and later provide; a domain using them would not start");
}


static void
testCanned112(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(siplQemuCaps) caps = parseCanned("qemu-11.2.help", &err);

    g_assert_no_error(err);
    g_assert_cmpstr(caps->machine, ==, "s390-ccw-virtio-11.2");
    g_assert_true(caps->secureBoot);
    g_assert_true(caps->bootCerts);
    g_assert_true(siplQemuCapsCheck(caps, &err));
    g_assert_no_error(err);
}


static void
testCannedGarbage(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(siplQemuCaps) caps = parseCanned("not-s390.help", &err);

    g_assert_null(caps);
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "'/usr/bin/qemu-system-s390x -machine s390-ccw-virtio,help' did not list machine properties; is it an s390x QEMU?");
}


/* Debian 12's real QEMU 7.2: found, and refused with a clear message. */
static void
testRealDebianQemu(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(siplQemuCaps) caps = siplQemuCapsProbe(DEBIAN_QEMU, &err);
    g_autoptr(siplQemuCaps) canned = parseCanned("qemu-7.2.help", NULL);

    g_assert_no_error(err);
    g_assert_cmpstr(caps->emulator, ==, DEBIAN_QEMU);
    g_assert_cmpstr(caps->machine, ==, canned->machine);
    g_assert_false(caps->secureBoot);
    g_assert_false(caps->bootCerts);
    g_assert_false(siplQemuCapsCheck(caps, &err));
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(err->message, "has no secure IPL"));
}


static void
testProbeFailures(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(siplQemuCaps) missing = siplQemuCapsProbe("/nonexistent/qemu-system-s390x", &err);
    g_autoptr(siplQemuCaps) failing = NULL;
    g_autoptr(siplQemuCaps) notQemu = NULL;

    g_assert_null(missing);
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_true(g_str_has_prefix(err->message,
                                   "cannot run QEMU '/nonexistent/qemu-system-s390x' to probe for secure IPL: "));
    g_clear_error(&err);

    failing = siplQemuCapsProbe("/bin/false", &err);
    g_assert_null(failing);
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==,
                    "QEMU '/bin/false' failed to list the properties of machine 's390-ccw-virtio': Child process exited with code 1");
    g_clear_error(&err);

    notQemu = siplQemuCapsProbe("/bin/echo", &err);
    g_assert_null(notQemu);
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
}


/* A fake emulator: a shell script in a temp dir, removed by the caller. */
static char *
writeScript(const char *dir, const char *name, const char *body)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = g_strconcat("#!/bin/sh\n", body, NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_cmpint(g_chmod(path, 0755), ==, 0);
    return g_steal_pointer(&path);
}


/* A PIN given as env:VAR must not reach QEMU (spec/06 §5.2). */
static void
testProbeCleanEnvironment(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("sipl-qemucaps-XXXXXX", &err);
    g_autofree char *help = g_test_build_filename(G_TEST_DIST, DATADIR,
                                                  "qemu-11.2.help", NULL);
    g_autofree char *body = g_strdup_printf(
        "if [ -n \"$SIPL_TEST_SECRET_PIN\" ]; then echo leaked >&2; exit 1; fi\n"
        "[ \"$LC_ALL\" = C ] || { echo \"no C locale\" >&2; exit 1; }\n"
        "exec cat '%s'\n", help);
    g_autofree char *qemu = NULL;
    g_autoptr(siplQemuCaps) caps = NULL;

    g_assert_no_error(err);
    qemu = writeScript(dir, "qemu-env", body);
    g_setenv("SIPL_TEST_SECRET_PIN", "S3cr3tPIN", TRUE);
    caps = siplQemuCapsProbe(qemu, &err);
    g_unsetenv("SIPL_TEST_SECRET_PIN");
    g_assert_no_error(err);
    g_assert_true(caps->secureBoot);
    g_assert_true(caps->bootCerts);
    g_assert_cmpint(g_unlink(qemu), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}


/* A QEMU that hangs is stopped after 10 s with a clear error. */
static void
testProbeTimeout(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("sipl-qemucaps-XXXXXX", &err);
    g_autofree char *qemu = NULL;
    g_autofree char *want = NULL;
    g_autoptr(siplQemuCaps) caps = NULL;

    g_assert_no_error(err);
    qemu = writeScript(dir, "qemu-hang", "exec sleep 600\n");
    want = g_strdup_printf("QEMU '%s' did not list the properties of machine 's390-ccw-virtio' within 10 seconds and was stopped",
                           qemu);
    caps = siplQemuCapsProbe(qemu, &err);
    g_assert_null(caps);
    g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
    g_assert_cmpstr(err->message, ==, want);
    g_assert_cmpint(g_unlink(qemu), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}


/* A QEMU that prints without end, on stdout or stderr, is stopped once
 * it passed 1 MiB, long before the timeout: the probe used to keep all
 * of it for the whole 10 s and then report a timeout. */
static void
testProbeEndlessOutput(void)
{
    static const char *const bodies[] = {
        "while :; do echo '  x-endless=<str>     - not a QEMU property line'; done\n",
        "while :; do echo 'qemu: warning: not a QEMU message' >&2; done\n",
    };
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("sipl-qemucaps-XXXXXX", &err);
    guint i;

    g_assert_no_error(err);
    for (i = 0; i < G_N_ELEMENTS(bodies); i++) {
        g_autofree char *qemu = writeScript(dir, "qemu-endless", bodies[i]);
        g_autofree char *want = g_strdup_printf("QEMU '%s' printed more than 1048576 bytes when asked for the properties of machine 's390-ccw-virtio' and was stopped; is it an s390x QEMU?",
                                                qemu);
        g_autoptr(siplQemuCaps) caps = NULL;
        gint64 start = g_get_monotonic_time();

        caps = siplQemuCapsProbe(qemu, &err);
        g_assert_null(caps);
        g_assert_error(err, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED);
        g_assert_cmpstr(err->message, ==, want);
        /* stopped by the bound, not by the 10 s timeout */
        g_assert_cmpint(g_get_monotonic_time() - start, <, 8 * G_USEC_PER_SEC);
        g_clear_error(&err);
        g_assert_cmpint(g_unlink(qemu), ==, 0);
    }
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}


/* Output under the bound is read whole, across many reads: 900 KiB of
 * noise before the real property list. */
static void
testProbeLargeOutput(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("sipl-qemucaps-XXXXXX", &err);
    g_autofree char *help = g_test_build_filename(G_TEST_DIST, DATADIR,
                                                  "qemu-11.2.help", NULL);
    g_autofree char *body = g_strdup_printf(
        "yes '  x-padding=<str>     - noise' | head -c 921600\n"
        "exec cat '%s'\n", help);
    g_autofree char *qemu = NULL;
    g_autoptr(siplQemuCaps) caps = NULL;

    g_assert_no_error(err);
    qemu = writeScript(dir, "qemu-large", body);
    caps = siplQemuCapsProbe(qemu, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(caps->machine, ==, "s390-ccw-virtio-11.2");
    g_assert_true(caps->secureBoot);
    g_assert_true(caps->bootCerts);
    g_assert_cmpint(g_unlink(qemu), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}


static void
testMachineVersion(void)
{
    guint major = 0;
    guint minor = 0;

    g_assert_true(siplQemuMachineVersion("s390-ccw-virtio-11.2", &major, &minor));
    g_assert_cmpuint(major, ==, 11);
    g_assert_cmpuint(minor, ==, 2);
    g_assert_true(siplQemuMachineVersion("s390-ccw-virtio-7.2", &major, &minor));
    g_assert_cmpuint(major, ==, 7);
    g_assert_false(siplQemuMachineVersion("s390-ccw-virtio", &major, &minor));
    g_assert_false(siplQemuMachineVersion("s390-ccw-virtio-11", &major, &minor));
    g_assert_false(siplQemuMachineVersion("s390-ccw-virtio-1x.2", &major, &minor));
    g_assert_false(siplQemuMachineVersion("pc-q35-8.0", &major, &minor));
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemucaps/canned-7.2", testCanned72);
    g_test_add_func("/qemucaps/canned-11.2", testCanned112);
    g_test_add_func("/qemucaps/canned-garbage", testCannedGarbage);
    g_test_add_func("/qemucaps/real-debian-qemu", testRealDebianQemu);
    g_test_add_func("/qemucaps/probe-failures", testProbeFailures);
    g_test_add_func("/qemucaps/probe-clean-environment", testProbeCleanEnvironment);
    g_test_add_func("/qemucaps/probe-timeout", testProbeTimeout);
    g_test_add_func("/qemucaps/probe-endless-output", testProbeEndlessOutput);
    g_test_add_func("/qemucaps/probe-large-output", testProbeLargeOutput);
    g_test_add_func("/qemucaps/machine-version", testMachineVersion);
    siplTestAddUnusedDataCheck("qemucaps", DATADIR);
    return g_test_run();
}
