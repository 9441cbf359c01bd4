/*
 * pin.c: where PINs come from (spec/06 §5)
 */
#include "pin.h"
#include "pkcs11_uri.h"
#include "sipl_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <gnutls/gnutls.h>
#include <p11-kit/pin.h>
#include <p11-kit/uri.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

GQuark
siplPinErrorQuark(void)
{
    return g_quark_from_static_string("sipl-pin-error-quark");
}

/* A sane upper bound: no token takes PINs anywhere near this long. */
#define SIPL_PIN_MAX 1024

void
siplPinFree(siplPin *pin)
{
    if (!pin)
        return;
    explicit_bzero(pin, strlen(pin));
    g_free(pin);
}

static siplPin *
siplPinFinish(char *buf, gsize len, const char *where, GError **error)
{
    /* Exactly one line ending goes (spec/06 §5.2). */
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    if (len > SIPL_PIN_MAX) {
        explicit_bzero(buf, len);
        g_free(buf);
        /* cut short, it would be a wrong PIN that costs a token retry */
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                    _("the PIN from '%1$s' is longer than %2$d bytes"),
                    where, SIPL_PIN_MAX);
        return NULL;
    }
    if (len == 0 || strlen(buf) != len) {
        explicit_bzero(buf, len);
        g_free(buf);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                    _("the PIN from '%1$s' is empty or contains a NUL byte"),
                    where);
        return NULL;
    }
    return buf;
}

/* A PIN file may end in CR LF: up to SIPL_PIN_MAX + 2 bytes. */
#define SIPL_PIN_FILE_MAX (SIPL_PIN_MAX + 2)

/*
 * One open file is checked and read: a stat() of the path and a separate
 * read of it could check one file and read another one swapped in between.
 * O_NONBLOCK: a FIFO named as the PIN file must not hang the open.
 */
static siplPin *
siplPinFromFile(const char *path, GError **error)
{
    struct stat st;
    char *buf;
    gsize len = 0;
    int fd;

    if (!g_path_is_absolute(path)) {
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE,
                    _("PIN file '%1$s' is not an absolute path"), path);
        return NULL;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 ||
        fstat(fd, &st) < 0) {
        int err = errno;

        if (fd >= 0)
            close(fd);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                    _("cannot read PIN file '%1$s': %2$s"),
                    path, g_strerror(err));
        return NULL;
    }
    /* spec/06 §5.2: PIN files are 0400/0600, so not even the group may
     * read them (a shared group is how PINs leak to other services). */
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_INSECURE,
                    _("PIN file '%1$s' is accessible by its group or other users (mode %2$04o); make it 0400 or 0600"),
                    path, (unsigned int)(st.st_mode & 07777));
        return NULL;
    }
    /* the line ending is not part of the PIN: a PIN of SIPL_PIN_MAX bytes
     * and its newline fit */
    if (!S_ISREG(st.st_mode) || st.st_size > SIPL_PIN_FILE_MAX) {
        close(fd);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                    _("PIN file '%1$s' is not a small regular file"), path);
        return NULL;
    }
    /* one byte more than allowed: a file that grew is refused as too
     * long by siplPinFinish(), not cut */
    buf = g_malloc0(SIPL_PIN_FILE_MAX + 2);
    while (len < SIPL_PIN_FILE_MAX + 1) {
        ssize_t n = read(fd, buf + len, SIPL_PIN_FILE_MAX + 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;

            close(fd);
            explicit_bzero(buf, SIPL_PIN_FILE_MAX + 2);
            g_free(buf);
            g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                        _("cannot read PIN file '%1$s': %2$s"),
                        path, g_strerror(err));
            return NULL;
        }
        if (n == 0)
            break;
        len += n;
    }
    close(fd);
    return siplPinFinish(buf, len, path, error);
}

siplPin *
siplPinFromSource(const char *source, GError **error)
{
    const char *var;

    if (g_str_has_prefix(source, "env:")) {
        var = source + strlen("env:");
        if (!*var || !g_getenv(var)) {
            g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                        _("environment variable '%1$s' for the PIN is not set"),
                        var);
            return NULL;
        }
        return siplPinFinish(g_strdup(g_getenv(var)),
                             strlen(g_getenv(var)), source, error);
    }
    if (g_str_has_prefix(source, "file:"))
        return siplPinFromFile(source + strlen("file:"), error);
    if (g_path_is_absolute(source))
        return siplPinFromFile(source, error);
    g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE,
                _("unsupported PIN source '%1$s' (use file:/path or env:VAR)"),
                source);
    return NULL;
}

/*
 * Echo stays off if the prompt is interrupted, leaving the user's shell
 * silent: a fatal signal during the prompt restores the terminal first,
 * then takes its usual course.  Only signals still at their default
 * (fatal) action are caught: a program with its own handler or ignoring
 * one keeps it.  One prompt at a time per process.
 */
static const int siplPinSignals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static struct sigaction siplPinOldActions[G_N_ELEMENTS(siplPinSignals)];
static bool siplPinCaught[G_N_ELEMENTS(siplPinSignals)];
static struct termios siplPinOldTermios;
static volatile sig_atomic_t siplPinTtyFd = -1;

static void
siplPinRestoreOnSignal(int sig)
{
    if (siplPinTtyFd >= 0)
        tcsetattr(siplPinTtyFd, TCSAFLUSH, &siplPinOldTermios);
    for (size_t i = 0; i < G_N_ELEMENTS(siplPinSignals); i++) {
        if (siplPinSignals[i] == sig)
            sigaction(sig, &siplPinOldActions[i], NULL);
    }
    raise(sig);
}

static void
siplPinTrapSignals(int fd, const struct termios *old)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = siplPinRestoreOnSignal;
    sigemptyset(&sa.sa_mask);
    siplPinOldTermios = *old;
    siplPinTtyFd = fd;
    for (size_t i = 0; i < G_N_ELEMENTS(siplPinSignals); i++) {
        siplPinCaught[i] = false;
        if (sigaction(siplPinSignals[i], NULL, &siplPinOldActions[i]) == 0 &&
            !(siplPinOldActions[i].sa_flags & SA_SIGINFO) &&
            siplPinOldActions[i].sa_handler == SIG_DFL)
            siplPinCaught[i] = sigaction(siplPinSignals[i], &sa, NULL) == 0;
    }
}

static void
siplPinUntrapSignals(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(siplPinSignals); i++) {
        if (siplPinCaught[i])
            sigaction(siplPinSignals[i], &siplPinOldActions[i], NULL);
    }
    siplPinTtyFd = -1;
}

siplPin *
siplPinPrompt(const char *what, GError **error)
{
    g_autofree char *prompt = g_strdup_printf(_("PIN for %1$s: "), what);
    char buf[SIPL_PIN_MAX + 2];
    struct termios old, quiet;
    ssize_t n = 0;
    gsize len = 0;
    int rerr;
    int fd;

    fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || tcgetattr(fd, &old) < 0) {
        if (fd >= 0)
            close(fd);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_NO_TTY,
                    _("a PIN is needed for %1$s but there is no terminal to ask on; give a PIN source"),
                    what);
        return NULL;
    }
    quiet = old;
    quiet.c_lflag &= ~(ECHO | ECHONL);
    siplPinTrapSignals(fd, &old);
    /* Echo that stays on would show the PIN on the screen: no prompt then
     * (a background job of a gone shell gets EIO here). */
    if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
        int err = errno;

        siplPinUntrapSignals();
        close(fd);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_NO_TTY,
                    _("a PIN is needed for %1$s but the terminal's echo cannot be turned off: %2$s"),
                    what, g_strerror(err));
        return NULL;
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        /* The prompt is courtesy; reading still works. */
    }
    while (len < sizeof(buf) - 1 &&
           ((n = read(fd, buf + len, 1)) == 1 || (n < 0 && errno == EINTR))) {
        if (n == 1 && buf[len++] == '\n')
            break;
    }
    /* A full buffer without a line end is longer than SIPL_PIN_MAX:
     * siplPinFinish() refuses it, and TCSAFLUSH drops the rest. */
    rerr = n < 0 ? errno : 0;
    tcsetattr(fd, TCSAFLUSH, &old);
    siplPinUntrapSignals();
    if (write(fd, "\n", 1) < 0) {
        /* ditto */
    }
    close(fd);
    buf[len] = '\0';
    /* what was read before the error is not the PIN typed */
    if (rerr) {
        explicit_bzero(buf, sizeof(buf));
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_READ,
                    _("cannot read the PIN from '%1$s': %2$s"),
                    "/dev/tty", g_strerror(rerr));
        return NULL;
    }
    {
        char *pin = g_strndup(buf, len);
        explicit_bzero(buf, sizeof(buf));
        return siplPinFinish(pin, len, "/dev/tty", error);
    }
}

siplPin *
siplPinGet(const char *pin_source, const char *uri, bool allow_prompt,
           GError **error)
{
    if (!pin_source && uri) {
        P11KitUri *parsed = p11_kit_uri_new();
        siplPin *pin = NULL;
        bool have = false;

        if (p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, parsed) == P11_KIT_URI_OK &&
            p11_kit_uri_get_pin_source(parsed)) {
            pin = siplPinFromSource(p11_kit_uri_get_pin_source(parsed), error);
            have = true;
        }
        p11_kit_uri_free(parsed);
        if (have)
            return pin;
    }
    if (pin_source)
        return siplPinFromSource(pin_source, error);
    /* A pin-value URI reaches here: the prompt and the message show it
     * redacted (spec/06 §5.2, §8.3). */
    if (!allow_prompt) {
        g_autofree char *shown = siplPkcs11UriRedact(uri);
        g_set_error(error, SIPL_PIN_ERROR, SIPL_PIN_ERROR_SOURCE,
                    _("a PIN is needed for '%1$s'; give a PIN source (file:/path or env:VAR)"),
                    shown);
        return NULL;
    }
    if (uri) {
        g_autofree char *shown = siplPkcs11UriRedact(uri);
        return siplPinPrompt(shown, error);
    }
    return siplPinPrompt(_("the token"), error);
}

int
siplPinGnutlsCallback(void *userdata, int attempt, const char *token_url,
                      const char *token_label, unsigned int flags,
                      char *pin, size_t pin_max)
{
    siplPinGnutlsContext *ctx = userdata;

    (void)token_url;
    (void)token_label;
    ctx->calls++;
    /* Once only, and never the try that would lock the token. */
    if (attempt > 0 || !ctx->pin || (flags & GNUTLS_PIN_FINAL_TRY) ||
        strlen(ctx->pin) >= pin_max)
        return GNUTLS_E_PKCS11_PIN_ERROR;
    memcpy(pin, ctx->pin, strlen(ctx->pin) + 1);
    return 0;
}

static P11KitPin *
siplPinP11KitCallback(const char *pin_source, P11KitUri *pin_uri,
                      const char *pin_description, P11KitPinFlags pin_flags,
                      void *data)
{
    g_autoptr(siplPin) pin = NULL;

    (void)pin_uri;
    (void)pin_description;
    (void)data;
    if (pin_flags & (P11_KIT_PIN_FLAGS_RETRY | P11_KIT_PIN_FLAGS_FINAL_TRY))
        return NULL;
    if (!(pin = siplPinFromSource(pin_source, NULL)))
        return NULL;
    return p11_kit_pin_new_for_string(pin);
}

void
siplPinRegisterP11Kit(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        p11_kit_pin_register_callback(P11_KIT_PIN_FALLBACK,
                                      siplPinP11KitCallback, NULL, NULL);
        g_once_init_leave(&once, 1);
    }
}
