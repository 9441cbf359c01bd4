/*
 * qemu_caps.c: does this QEMU binary have secure IPL? (spec/05 §7)
 */
#include "qemu_caps.h"

#include <string.h>

#include "secureboot_conf.h"
#include "sipl_i18n.h"

#define SIPL_QEMU_HELP_SUFFIX "-machine options:"

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


siplQemuCaps *
siplQemuCapsProbe(const char *emulator, GError **error)
{
    const char *argv[] = { NULL, "-machine", SIPL_QEMU_MACHINE ",help", NULL };
    g_auto(GStrv) envp = g_environ_setenv(g_get_environ(), "LC_ALL", "C", TRUE);
    g_autofree char *out = NULL;
    g_autofree char *errOut = NULL;
    g_autoptr(GError) local = NULL;
    int status = 0;

    if (!emulator)
        emulator = SIPL_QEMU_DEFAULT_EMULATOR;
    argv[0] = emulator;
    if (!g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                      &out, &errOut, &status, &local)) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_UNSUPPORTED,
                    _("cannot run QEMU '%1$s' to probe for secure IPL: %2$s"),
                    emulator, local->message);
        return NULL;
    }
    if (!g_spawn_check_wait_status(status, &local)) {
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
