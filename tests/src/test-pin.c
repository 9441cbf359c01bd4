/*
 * test-pin.c: where PINs come from (spec/06 §5): pin-source files, env:
 * variables, the terminal, and the GnuTLS and p11-kit callbacks that offer
 * a stored PIN once and never on a retry.  No token needed.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <p11-kit/pin.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "pin.h"
#include "pkcs11_uri.h"

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

/* ---- PINs stay out of messages and prompts (spec/06 §5.2, §8.3) ---- */

#define SECRET "S3cr3tPIN"

static void
test_uri_redact(void)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        { "pkcs11:token=demo?pin-value=" SECRET, "pkcs11:token=demo" },
        { "pkcs11:token=demo;object=a;type=cert?pin-source=/run/" SECRET
          "&module-path=/tmp/evil.so", "pkcs11:token=demo;object=a;type=cert" },
        /* p11-kit takes pin-value in the path too (spec/06 §4.3) */
        { "pkcs11:token=demo;pin-value=" SECRET ";id=%zz", "pkcs11:token=demo;id=%zz" },
        { "pkcs11:PIN-VALUE=" SECRET ";token=demo", "pkcs11:token=demo" },
        /* what is left of a value with ';' or '&' in it */
        { "pkcs11:token=demo;pin-value=S3;cr3tPIN", "pkcs11:token=demo" },
        { "pkcs11:token=demo?pin-value=S3&cr3tPIN", "pkcs11:token=demo" },
        /* kept as written: the unrecognised attribute a message is about */
        { "pkcs11:token=demo;x-vendor=1;type=certificate",
          "pkcs11:token=demo;x-vendor=1;type=certificate" },
        { "pkcs11:token=My%20Token", "pkcs11:token=My%20Token" },
        /* p11-kit drops " \n\r\v" anywhere, so these carry a PIN to it:
         * shown as p11-kit reads them (they used to be shown whole) */
        { "pkcs11:token=demo; pin-value=" SECRET, "pkcs11:token=demo" },
        { "pkcs11:token=demo;pin- value=" SECRET, "pkcs11:token=demo" },
        { "pkcs11:token=demo;\npin-value\v=" SECRET ";object=a b",
          "pkcs11:token=demo;object=ab" },
        { " pkcs11:pin-value=" SECRET ";token=demo", "pkcs11:token=demo" },
        { "pkcs11 :token=demo;pin-value=" SECRET, "pkcs11:token=demo" },
        /* a tab is not white space to p11-kit: an attribute of its own */
        { "pkcs11:token=demo;pin-\tvalue=1", "pkcs11:token=demo;pin-\tvalue=1" },
        /* not PKCS#11: only the query goes */
        { "file:///etc/ssl/cert.pem?pin-value=" SECRET, "file:///etc/ssl/cert.pem" },
        { "pkcs11:", "pkcs11:" },
        { "", "" },
    };
    g_autofree char *null = siplPkcs11UriRedact(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *out = siplPkcs11UriRedact(cases[i].in);

        g_test_message("%s", cases[i].in);
        g_assert_cmpstr(out, ==, cases[i].out);
    }
    g_assert_cmpstr(null, ==, "");
}

static void
test_pin_no_secret_in_messages(void)
{
    g_autoptr(GError) error = NULL;

    g_assert_null(siplPinGet(NULL, "pkcs11:token=demo?pin-value=" SECRET,
                             false, &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE);
    g_assert_cmpstr(error->message, ==,
                    "a PIN is needed for 'pkcs11:token=demo'; give a PIN source (file:/path or env:VAR)");
}

/* PIN files: 0400/0600 only; group access is refused too (spec/06 §5.2). */
static void
test_pin_file_modes(void)
{
    static const struct {
        unsigned int mode;
        bool ok;
    } cases[] = {
        { 0400, true }, { 0600, true }, { 0640, false }, { 0440, false },
        { 0620, false }, { 0604, false },
    };
    g_autofree char *path = g_build_filename(dir, "mode.pin", NULL);

    g_assert_true(g_file_set_contents(path, USER_PIN, -1, NULL));
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(siplPin) pin = NULL;

        g_assert_cmpint(g_chmod(path, cases[i].mode), ==, 0);
        pin = siplPinFromSource(path, &error);
        g_test_message("mode %04o", cases[i].mode);
        if (cases[i].ok) {
            g_assert_no_error(error);
            g_assert_cmpstr(pin, ==, USER_PIN);
        } else {
            g_autofree char *want = g_strdup_printf(
                "PIN file '%s' is accessible by its group or other users (mode %04o); make it 0400 or 0600",
                path, cases[i].mode);
            g_assert_null(pin);
            g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_INSECURE);
            g_assert_cmpstr(error->message, ==, want);
        }
    }
    g_assert_cmpint(g_chmod(path, 0600), ==, 0);
}

/* Too long is refused, never cut to a wrong PIN that costs a retry. */
static void
test_pin_too_long(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *longest = g_strnfill(1024, '7');
    g_autofree char *over = g_strnfill(1025, '7');
    g_autoptr(siplPin) ok = NULL;

    g_setenv("SIPL_TEST_LONG_PIN", longest, TRUE);
    ok = siplPinFromSource("env:SIPL_TEST_LONG_PIN", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(ok, ==, longest);
    g_setenv("SIPL_TEST_LONG_PIN", over, TRUE);
    g_assert_null(siplPinFromSource("env:SIPL_TEST_LONG_PIN", &error));
    g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ);
    g_assert_cmpstr(error->message, ==,
                    "the PIN from 'env:SIPL_TEST_LONG_PIN' is longer than 1024 bytes");
    g_unsetenv("SIPL_TEST_LONG_PIN");
}

/*
 * A child prompting on a fresh pseudo-terminal.  @uri NULL: siplPinPrompt
 * for "token 'demo'"; else siplPinGet() for @uri.  The parent reads until
 * the prompt has appeared and returns it, the slave still open so the
 * terminal's settings can be checked after the child is gone.
 */
static pid_t
prompt_child(const char *uri, int *master, int *slave, GString *seen)
{
    char buf[256];
    pid_t pid;

    g_assert_cmpint(openpty(master, slave, NULL, NULL, NULL), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        g_autoptr(GError) error = NULL;
        g_autoptr(siplPin) pin = NULL;

        close(*master);
        if (setsid() < 0 || ioctl(*slave, TIOCSCTTY, 0) < 0)
            _exit(2);
        pin = uri ? siplPinGet(NULL, uri, true, &error)
                  : siplPinPrompt("token 'demo'", &error);
        if (!pin && error && g_str_has_suffix(error->message, "longer than 1024 bytes"))
            _exit(3);
        _exit(pin && strcmp(pin, "42 42") == 0 ? 0 : 1);
    }
    while (!strstr(seen->str, "PIN for ")  || !g_str_has_suffix(seen->str, ": ")) {
        ssize_t n = read(*master, buf, sizeof(buf));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(seen, buf, n);
    }
    return pid;
}

static void
test_pin_prompt_redacted(void)
{
    g_autoptr(GString) seen = g_string_new(NULL);
    int master = -1, slave = -1, status = -1;
    pid_t pid = prompt_child("pkcs11:token=demo?pin-value=" SECRET, &master,
                             &slave, seen);

    g_assert_nonnull(strstr(seen->str, "PIN for pkcs11:token=demo: "));
    g_assert_null(strstr(seen->str, SECRET));
    g_assert_cmpint(write(master, "42 42\n", 6), ==, 6);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    close(slave);
    close(master);
}

/* Ctrl-C at the prompt: the terminal gets its echo back. */
static void
test_pin_prompt_signal(void)
{
    static const int sigs[] = { SIGINT, SIGTERM };

    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        g_autoptr(GString) seen = g_string_new(NULL);
        int master = -1, slave = -1, status = -1;
        pid_t pid = prompt_child(NULL, &master, &slave, seen);
        struct termios t;

        g_assert_cmpint(kill(pid, sigs[i]), ==, 0);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, sigs[i]);
        g_assert_cmpint(tcgetattr(slave, &t), ==, 0);
        g_assert_true(t.c_lflag & ECHO);
        close(slave);
        close(master);
    }
}

/* A line longer than 1024 bytes is refused, not cut. */
static void
test_pin_prompt_too_long(void)
{
    g_autoptr(GString) seen = g_string_new(NULL);
    g_autofree char *line = g_strnfill(1100, '9');
    int master = -1, slave = -1, status = -1;
    pid_t pid = prompt_child(NULL, &master, &slave, seen);

    line[1099] = '\n';
    g_assert_cmpint(write(master, line, 1100), ==, 1100);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 3);
    close(slave);
    close(master);
}

/* A PIN file holds the longest PIN and its line ending; one byte more
 * is refused as too long. The file's size limit used to count the
 * newline, refusing a 1024-byte PIN that env: accepts. */
static void
test_pin_file_longest(void)
{
    g_autofree char *path = g_build_filename(dir, "long.pin", NULL);
    g_autofree char *longest = g_strnfill(1024, '7');
    g_autofree char *lf = g_strconcat(longest, "\n", NULL);
    g_autofree char *crlf = g_strconcat(longest, "\r\n", NULL);
    g_autofree char *over = g_strconcat(longest, "7\n", NULL);
    const char *const ok[] = { longest, lf, crlf };

    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(siplPin) pin = NULL;

        g_assert_true(g_file_set_contents(path, ok[i], -1, NULL));
        g_assert_cmpint(g_chmod(path, 0600), ==, 0);
        pin = siplPinFromSource(path, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(pin, ==, longest);
    }
    {
        g_autoptr(GError) error = NULL;
        g_autofree char *want = g_strdup_printf("the PIN from '%s' is longer than 1024 bytes", path);

        g_assert_true(g_file_set_contents(path, over, -1, NULL));
        g_assert_cmpint(g_chmod(path, 0600), ==, 0);
        g_assert_null(siplPinFromSource(path, &error));
        g_assert_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ);
        g_assert_cmpstr(error->message, ==, want);
    }
    g_assert_cmpint(g_unlink(path), ==, 0);
}

/*
 * A prompt from a background job whose shell is gone (an orphaned process
 * group): the terminal refuses it with EIO.  The process tree: session
 * leader holding the terminal, and a prompting process in a process group
 * of its own whose parent has exited; it reports whether the error
 * message starts with @want.  With @ignoreTtou, tcsetattr() works and the
 * read fails.
 */
static void
prompt_orphaned(bool ignoreTtou, const char *want)
{
    int master = -1, slave = -1, status = -1;
    int report[2];
    struct pollfd pfd;
    char code = 0;
    pid_t pid;

    g_assert_cmpint(openpty(&master, &slave, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint(pipe(report), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        pid_t middle;

        close(master);
        close(report[0]);
        if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
            _exit(2);
        middle = fork();
        if (middle == 0) {
            middle = getpid();
            if (fork() == 0) {
                g_autoptr(GError) error = NULL;
                g_autoptr(siplPin) pin = NULL;
                guint i;

                if (setpgid(0, 0) < 0)
                    _exit(2);
                if (ignoreTtou)
                    signal(SIGTTOU, SIG_IGN);
                for (i = 0; i < 1000 && getppid() == middle; i++)
                    g_usleep(10 * 1000);
                pin = siplPinPrompt("token 'demo'", &error);
                code = !pin && error && g_str_has_prefix(error->message, want)
                       ? 'E' : 'X';
                if (write(report[1], &code, 1) != 1)
                    _exit(2);
                _exit(0);
            }
            _exit(0);
        }
        waitpid(middle, NULL, 0);
        pause();    /* keep the terminal until killed */
        _exit(0);
    }
    close(slave);
    close(report[1]);
    pfd.fd = report[0];
    pfd.events = POLLIN;
    g_assert_cmpint(poll(&pfd, 1, 10 * 1000), ==, 1);
    g_assert_cmpint(read(report[0], &code, 1), ==, 1);
    g_assert_cmpint(code, ==, 'E');
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    close(report[0]);
    close(master);
}

/* The echo cannot be turned off: refused before the prompt, with the
 * reason. It used to prompt with echo on and then report an empty PIN. */
static void
test_pin_prompt_no_echo_control(void)
{
    prompt_orphaned(false, "a PIN is needed for token 'demo' but the terminal's echo cannot be turned off: ");
}

/* With SIGTTOU ignored the echo goes off, and the read fails instead:
 * said so, rather than "empty" (or a PIN cut at the error). */
static void
test_pin_prompt_read_error(void)
{
    prompt_orphaned(true, "cannot read the PIN from '/dev/tty': Input/output error");
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
    g_test_add_func("/pin/uri-redact", test_uri_redact);
    g_test_add_func("/pin/no-secret-in-messages", test_pin_no_secret_in_messages);
    g_test_add_func("/pin/file-modes", test_pin_file_modes);
    g_test_add_func("/pin/too-long", test_pin_too_long);
    g_test_add_func("/pin/file-longest", test_pin_file_longest);
    g_test_add_func("/pin/prompt-redacted", test_pin_prompt_redacted);
    g_test_add_func("/pin/prompt-signal", test_pin_prompt_signal);
    g_test_add_func("/pin/prompt-too-long", test_pin_prompt_too_long);
    g_test_add_func("/pin/prompt-no-echo-control", test_pin_prompt_no_echo_control);
    g_test_add_func("/pin/prompt-read-error", test_pin_prompt_read_error);
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
