/*
 * test-pin.c: where PINs come from (spec/06 §5): pin-source files, env:
 * variables, the terminal, and the GnuTLS and p11-kit callbacks that offer
 * a stored PIN once and never on a retry.  No token needed.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <p11-kit/pin.h>
#include <pty.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pin.h"

#define USER_PIN "1234"

static char *dir;
static char *pin_file;   /* USER_PIN plus a newline, mode 0600 */

static void
test_pin_sources(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *crlf = g_build_filename(dir, "crlf.pin", NULL);
    g_autofree char *open_file = g_build_filename(dir, "open.pin", NULL);
    g_autofree char *file_uri = g_strdup_printf("file:%s", pin_file);
    siplPin *pin;

    pin = siplPinFromSource(pin_file, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(pin, ==, USER_PIN);  /* newline gone */
    siplPinFree(pin);
    pin = siplPinFromSource(file_uri, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(pin, ==, USER_PIN);
    siplPinFree(pin);

    g_assert_true(g_file_set_contents(crlf, "12 34\r\n", -1, NULL));
    g_assert_cmpint(g_chmod(crlf, 0400), ==, 0);
    pin = siplPinFromSource(crlf, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(pin, ==, "12 34");
    siplPinFree(pin);

    g_setenv("SIPL_TEST_PIN", "4321\n", TRUE);
    pin = siplPinFromSource("env:SIPL_TEST_PIN", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(pin, ==, "4321");
    siplPinFree(pin);

    /* the URI's pin-source is used when no explicit source is given */
    {
        g_autofree char *uri = g_strdup_printf("%s?pin-source=%s", "pkcs11:token=demo", file_uri);
        pin = siplPinGet(NULL, uri, false, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(pin, ==, USER_PIN);
        siplPinFree(pin);
        pin = siplPinGet("env:SIPL_TEST_PIN", NULL, false, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(pin, ==, "4321");
        siplPinFree(pin);
    }

    g_assert_true(g_file_set_contents(open_file, "1234", -1, NULL));
    g_assert_cmpint(g_chmod(open_file, 0644), ==, 0);
    g_assert_null(siplPinFromSource(open_file, &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_INSECURE);
    g_clear_error(&error);

    g_unsetenv("SIPL_TEST_NO_PIN");
    g_assert_null(siplPinFromSource("env:SIPL_TEST_NO_PIN", &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ);
    g_assert_cmpstr(error->message, ==,
                    "environment variable 'SIPL_TEST_NO_PIN' for the PIN is not set");
    g_clear_error(&error);
    g_assert_null(siplPinFromSource("/nonexistent/pin", &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ);
    g_clear_error(&error);
    g_assert_null(siplPinFromSource("relative/pin", &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE);
    g_clear_error(&error);
    g_assert_null(siplPinFromSource("1234", &error));  /* a PIN is no source */
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE);
    g_clear_error(&error);
    g_assert_null(siplPinGet(NULL, "pkcs11:token=demo", false, &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE);
}

static void
test_pin_no_tty(void)
{
    if (g_test_subprocess()) {
        g_autoptr(GError) error = NULL;
        /* A new session has no controlling terminal. */
        g_assert_cmpint(setsid(), >=, 0);
        g_assert_null(siplPinPrompt("token 'x'", &error));
        g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_NO_TTY);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

static void
test_pin_callbacks(void)
{
    siplPinGnutlsContext ctx = { .pin = "1234" };
    g_autofree char *file_uri = g_strdup_printf("file:%s", pin_file);
    char buf[64];
    P11KitPin *pin;
    size_t len = 0;

    /* GnuTLS: the stored PIN once, never a retry, never a final try. */
    g_assert_cmpint(siplPinGnutlsCallback(&ctx, 0, "", "", 0, buf, sizeof(buf)), ==, 0);
    g_assert_cmpstr(buf, ==, "1234");
    g_assert_cmpint(siplPinGnutlsCallback(&ctx, 1, "", "", 0, buf, sizeof(buf)),
                    ==, GNUTLS_E_PKCS11_PIN_ERROR);
    g_assert_cmpint(siplPinGnutlsCallback(&ctx, 0, "", "", GNUTLS_PIN_FINAL_TRY,
                                          buf, sizeof(buf)),
                    ==, GNUTLS_E_PKCS11_PIN_ERROR);
    g_assert_cmpuint(ctx.calls, ==, 3);

    /* p11-kit: ours wins over p11-kit's literal file reader. */
    siplPinRegisterP11Kit();
    pin = p11_kit_pin_request(file_uri, NULL, "test", P11_KIT_PIN_FLAGS_USER_LOGIN);
    g_assert_nonnull(pin);
    g_assert_cmpmem(p11_kit_pin_get_value(pin, &len), len,
                    USER_PIN, strlen(USER_PIN));
    p11_kit_pin_unref(pin);
    pin = p11_kit_pin_request(file_uri, NULL, "test",
                              P11_KIT_PIN_FLAGS_USER_LOGIN | P11_KIT_PIN_FLAGS_RETRY);
    g_assert_null(pin);
}

/*
 * The prompt on a real terminal: a pseudo-terminal becomes the child's
 * controlling terminal; the parent waits for the prompt, types the PIN and
 * checks it was not echoed.
 */
static void
test_pin_prompt(void)
{
    g_autoptr(GString) seen = g_string_new(NULL);
    int master = -1, slave = -1, status = -1;
    pid_t pid;
    char buf[256];

    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        g_autoptr(GError) error = NULL;
        g_autoptr(siplPin) pin = NULL;

        close(master);
        if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
            _exit(2);
        pin = siplPinPrompt("token 'demo'", &error);
        _exit(pin && strcmp(pin, "42 42") == 0 ? 0 : 1);
    }
    close(slave);
    while (!strstr(seen->str, "PIN for token 'demo': ")) {
        ssize_t n = read(master, buf, sizeof(buf));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(seen, buf, n);
    }
    g_assert_cmpint(write(master, "42 42\n", 6), ==, 6);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    /* whatever the terminal printed after the prompt: no PIN (echo off) */
    for (;;) {
        ssize_t n = read(master, buf, sizeof(buf));
        if (n <= 0)
            break;
        g_string_append_len(seen, buf, n);
    }
    g_assert_null(strstr(seen->str, "42 42"));
    close(master);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    dir = g_dir_make_tmp("sipl-pin-XXXXXX", &error);
    g_assert_no_error(error);
    pin_file = g_build_filename(dir, "user.pin", NULL);
    g_assert_true(g_file_set_contents(pin_file, USER_PIN "\n", -1, NULL));
    g_assert_cmpint(g_chmod(pin_file, 0600), ==, 0);

    g_test_add_func("/pin/sources", test_pin_sources);
    g_test_add_func("/pin/no-tty", test_pin_no_tty);
    g_test_add_func("/pin/prompt", test_pin_prompt);
    g_test_add_func("/pin/callbacks", test_pin_callbacks);
    ret = g_test_run();

    {
        /* the no-tty subprocess made and removes its own */
        const char *rm[] = { "rm", "-rf", dir, NULL };
        g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, NULL, NULL, NULL, NULL);
    }
    g_free(pin_file);
    g_free(dir);
    return ret;
}
