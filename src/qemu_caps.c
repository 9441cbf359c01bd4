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


/* Output as a string, even when empty (GBytes may then hold NULL). */
static char *
siplQemuCapsText(GBytes *bytes)
{
    gsize len = 0;
    const char *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;

    return len ? g_strndup(data, len) : g_strdup("");
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
    g_autoptr(GBytes) outBytes = NULL;
    g_autoptr(GBytes) errBytes = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errOut = NULL;
    g_autoptr(GError) local = NULL;
    bool timedOut = false;
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

    /* A private context: callers may run their own main loop, or none. */
    ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    cancel = g_cancellable_new();
    g_subprocess_communicate_async(proc, NULL, cancel, siplQemuCapsDone, &res);
    timeout = g_timeout_source_new_seconds(SIPL_QEMU_PROBE_TIMEOUT);
    g_source_set_callback(timeout, siplQemuCapsTimedOut, &timedOut, NULL);
    g_source_attach(timeout, ctx);
    while (!res && !timedOut)
        g_main_context_iteration(ctx, TRUE);
    if (!res) {
        g_subprocess_force_exit(proc);
        g_cancellable_cancel(cancel);
        while (!res)
            g_main_context_iteration(ctx, TRUE);
    }
    g_source_destroy(timeout);
    /* cancelled by the timeout, or failed: reap the child either way */
    ok = g_subprocess_communicate_finish(proc, res, &outBytes, &errBytes, &local);
    if (!ok)
        g_subprocess_wait(proc, NULL, NULL);
    g_main_context_pop_thread_default(ctx);

    if (timedOut && !ok) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("QEMU '%1$s' did not list the properties of machine '%2$s' within %3$d seconds and was stopped"),
                    emulator, SIPL_QEMU_MACHINE, SIPL_QEMU_PROBE_TIMEOUT);
        return NULL;
    }
    if (!ok) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("cannot run QEMU '%1$s' to probe for secure IPL: %2$s"),
                    emulator, local->message);
        return NULL;
    }
    out = siplQemuCapsText(outBytes);
    errOut = siplQemuCapsText(errBytes);
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
