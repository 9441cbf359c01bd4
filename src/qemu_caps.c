/*
 * qemu_caps.c: does this QEMU binary have secure IPL? (spec/05 §7)
 */
#include "qemu_caps.h"

#include <gio/gio.h>
#include <string.h>

#include "secureboot_conf.h"
#include "sipl_i18n.h"

#define SIPL_QEMU_HELP_SUFFIX "-machine options:"

/* Listing properties takes QEMU well under a second; a binary that hangs
 * (a wrapper waiting on something, a broken install) must not hang the
 * hook or the CLI with it. */
#define SIPL_QEMU_PROBE_TIMEOUT 10

void
siplQemuCapsFree(siplQemuCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->emulator);
    g_free(caps->machine);
    g_free(caps);
}


siplQemuCaps *
siplQemuCapsParseHelp(const char *emulator, const char *help, GError **error)
{
    g_autoptr(siplQemuCaps) caps = g_new0(siplQemuCaps, 1);
    g_auto(GStrv) lines = g_strsplit(help ? help : "", "\n", -1);
    guint i;

    caps->emulator = g_strdup(emulator);
    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];

        /* "s390-ccw-virtio-7.2-machine options:" names the canonical type */
        if (!caps->machine && g_str_has_suffix(line, SIPL_QEMU_HELP_SUFFIX) &&
            line[0] != ' ') {
            caps->machine = g_strndup(line, strlen(line) - strlen(SIPL_QEMU_HELP_SUFFIX));
            continue;
        }
        /* property lines: "  name=<type>  - description" */
        while (*line == ' ')
            line++;
        if (g_str_has_prefix(line, "secure-boot="))
            caps->secureBoot = true;
        else if (g_str_has_prefix(line, "boot-certs="))
            caps->bootCerts = true;
    }
    if (!caps->machine) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("'%1$s -machine %2$s,help' did not list machine properties; is it an s390x QEMU?"),
                    emulator, SIPL_QEMU_MACHINE);
        return NULL;
    }
    return g_steal_pointer(&caps);
}


/*
 * What the probe gets of our environment: only PATH and the C locale.  A
 * PIN read from env:VAR (spec/06 §5.2) or anything else secret in the
 * caller's environment is none of QEMU's business.
 */
static GStrv
siplQemuCapsEnviron(void)
{
    const char *path = g_getenv("PATH");
    GStrv envp = g_new0(char *, 3);

    envp[0] = g_strdup("LC_ALL=C");
    envp[1] = g_strconcat("PATH=", path ? path : "/usr/bin:/bin", NULL);
    return envp;
}


/* How much of each of QEMU's stdout and stderr the probe keeps. The
 * property list is a few KiB; a binary that prints without end (a
 * wrapper in a loop, the wrong program) must not fill our memory for the
 * whole SIPL_QEMU_PROBE_TIMEOUT. */
#define SIPL_QEMU_PROBE_MAX_OUTPUT (1024 * 1024)

/* One of the child's output pipes, read as data arrives. */
typedef struct {
    GByteArray *data;
    bool eof;
    bool *overflow;     /* shared: either pipe stops the probe */
    GError **error;     /* shared: the first read error */
} siplQemuCapsPipe;


/* Output as a string, even when empty (an empty array may hold NULL). */
static char *
siplQemuCapsText(const GByteArray *data)
{
    return data->len ? g_strndup((const char *)data->data, data->len)
                     : g_strdup("");
}


/* GPollableSourceFunc: take what the pipe has, up to the limit. */
static gboolean
siplQemuCapsRead(GObject *stream, gpointer opaque)
{
    siplQemuCapsPipe *pipe = opaque;
    guint8 buf[16 * 1024];
    g_autoptr(GError) local = NULL;
    gssize n = g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(stream),
                                                        buf, sizeof(buf),
                                                        NULL, &local);

    if (n < 0 && g_error_matches(local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
    if (n < 0) {
        if (!*pipe->error)
            *pipe->error = g_steal_pointer(&local);
        pipe->eof = true;
        return G_SOURCE_REMOVE;
    }
    if (n == 0) {
        pipe->eof = true;
        return G_SOURCE_REMOVE;
    }
    if (pipe->data->len + (gsize)n > SIPL_QEMU_PROBE_MAX_OUTPUT) {
        *pipe->overflow = true;
        return G_SOURCE_REMOVE;
    }
    g_byte_array_append(pipe->data, buf, n);
    return G_SOURCE_CONTINUE;
}


/* Start reading @stream into @pipe in @ctx; the caller destroys the
 * returned source. */
static GSource *
siplQemuCapsWatch(GInputStream *stream, siplQemuCapsPipe *pipe,
                  GMainContext *ctx)
{
    GSource *source =
        g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(stream),
                                              NULL);

    g_source_set_callback(source, G_SOURCE_FUNC(siplQemuCapsRead), pipe, NULL);
    g_source_attach(source, ctx);
    return source;
}


static void
siplQemuCapsDone(GObject *source, GAsyncResult *res, gpointer data)
{
    GAsyncResult **out = data;

    (void)source;
    *out = g_object_ref(res);
}


static gboolean
siplQemuCapsTimedOut(gpointer data)
{
    bool *timedOut = data;

    *timedOut = true;
    return G_SOURCE_REMOVE;
}


siplQemuCaps *
siplQemuCapsProbe(const char *emulator, GError **error)
{
    const char *argv[] = { NULL, "-machine", SIPL_QEMU_MACHINE ",help", NULL };
    g_auto(GStrv) envp = siplQemuCapsEnviron();
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GCancellable) cancel = NULL;
    g_autoptr(GMainContext) ctx = NULL;
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GSource) timeout = NULL;
    g_autoptr(GSource) outSource = NULL;
    g_autoptr(GSource) errSource = NULL;
    g_autoptr(GByteArray) outData = g_byte_array_new();
    g_autoptr(GByteArray) errData = g_byte_array_new();
    g_autofree char *out = NULL;
    g_autofree char *errOut = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(GError) readError = NULL;
    bool timedOut = false;
    bool overflow = false;
    siplQemuCapsPipe outPipe = { outData, false, &overflow, &readError };
    siplQemuCapsPipe errPipe = { errData, false, &overflow, &readError };
    bool finished;
    bool ok;

    if (!emulator)
        emulator = SIPL_QEMU_DEFAULT_EMULATOR;
    argv[0] = emulator;
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_set_environ(launcher, envp);
    if (!(proc = g_subprocess_launcher_spawnv(launcher, argv, &local))) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("cannot run QEMU '%1$s' to probe for secure IPL: %2$s"),
                    emulator, local->message);
        return NULL;
    }

    /* A private context: callers may run their own main loop, or none.
     * Not g_subprocess_communicate(): it keeps all the output, however
     * much (SIPL_QEMU_PROBE_MAX_OUTPUT). */
    ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    cancel = g_cancellable_new();
    outSource = siplQemuCapsWatch(g_subprocess_get_stdout_pipe(proc), &outPipe, ctx);
    errSource = siplQemuCapsWatch(g_subprocess_get_stderr_pipe(proc), &errPipe, ctx);
    g_subprocess_wait_async(proc, cancel, siplQemuCapsDone, &res);
    timeout = g_timeout_source_new_seconds(SIPL_QEMU_PROBE_TIMEOUT);
    g_source_set_callback(timeout, siplQemuCapsTimedOut, &timedOut, NULL);
    g_source_attach(timeout, ctx);
    while (!(outPipe.eof && errPipe.eof && res) &&
           !timedOut && !overflow && !readError)
        g_main_context_iteration(ctx, TRUE);
    finished = outPipe.eof && errPipe.eof && res;
    g_source_destroy(outSource);
    g_source_destroy(errSource);
    if (!res) {
        g_subprocess_force_exit(proc);
        g_cancellable_cancel(cancel);
        while (!res)
            g_main_context_iteration(ctx, TRUE);
    }
    g_source_destroy(timeout);
    /* cancelled when stopped, or failed: reap the child either way */
    ok = g_subprocess_wait_finish(proc, res, &local);
    if (!ok)
        g_subprocess_wait(proc, NULL, NULL);
    g_main_context_pop_thread_default(ctx);

    if (overflow) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("QEMU '%1$s' printed more than %2$d bytes when asked for the properties of machine '%3$s' and was stopped; is it an s390x QEMU?"),
                    emulator, SIPL_QEMU_PROBE_MAX_OUTPUT, SIPL_QEMU_MACHINE);
        return NULL;
    }
    if (!finished && timedOut) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("QEMU '%1$s' did not list the properties of machine '%2$s' within %3$d seconds and was stopped"),
                    emulator, SIPL_QEMU_MACHINE, SIPL_QEMU_PROBE_TIMEOUT);
        return NULL;
    }
    if (readError || !ok) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("cannot run QEMU '%1$s' to probe for secure IPL: %2$s"),
                    emulator, readError ? readError->message : local->message);
        return NULL;
    }
    out = siplQemuCapsText(outData);
    errOut = siplQemuCapsText(errData);
    if (!g_spawn_check_wait_status(g_subprocess_get_status(proc), &local)) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("QEMU '%1$s' failed to list the properties of machine '%2$s': %3$s"),
                    emulator, SIPL_QEMU_MACHINE,
                    *g_strstrip(errOut) ? errOut : local->message);
        return NULL;
    }
    return siplQemuCapsParseHelp(emulator, out, error);
}


bool
siplQemuCapsCheck(const siplQemuCaps *caps, GError **error)
{
    if (caps->secureBoot && caps->bootCerts)
        return true;
    g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                _("QEMU '%1$s' (machine type '%2$s') has no secure IPL: its machine lacks the 'secure-boot' and 'boot-certs' properties, which QEMU 11.2 and later provide; a domain using them would not start"),
                caps->emulator, caps->machine);
    return false;
}


bool
siplQemuMachineVersion(const char *machine, guint *major, guint *minor)
{
    g_auto(GStrv) parts = NULL;
    guint64 maj;
    guint64 min;

    if (!machine || !g_str_has_prefix(machine, SIPL_QEMU_MACHINE "-"))
        return false;
    parts = g_strsplit(machine + strlen(SIPL_QEMU_MACHINE "-"), ".", -1);
    if (g_strv_length(parts) != 2 ||
        !g_ascii_string_to_unsigned(parts[0], 10, 0, G_MAXUINT, &maj, NULL) ||
        !g_ascii_string_to_unsigned(parts[1], 10, 0, G_MAXUINT, &min, NULL))
        return false;
    *major = maj;
    *minor = min;
    return true;
}
