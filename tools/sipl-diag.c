/*
 * sipl-diag.c: a DIAG 0x320 / 0x508 responder for guest-code developers
 *
 *   sipl-diag [--cert PATH]... [--mem-size BYTES] [--load ADDR=FILE]...
 *             --diag 320|508 --subcode N --r1 ADDR [--dump ADDR:LEN=FILE]...
 *
 * Builds the store with QEMU's rules (qemu/certstore.h), creates zeroed,
 * sparse guest memory, loads the files, executes one DIAG with R1 = ADDR
 * (register 2, so even) and R3 = N on a DIAG_CPU_DEFAULT vCPU, prints one
 * line on stdout — "rc=0xNNNN" (4 lowercase hex digits; for DIAG 508
 * subcode 0 the installed-subcode mask 0x8000) or
 * "exception=privileged|specification|addressing" — and writes each dump.
 *
 * Exit status: 0 when the DIAG executed, whatever its outcome; 2 on a usage
 * error, a store error (QEMU's text after "sipl-diag: "), a file that
 * cannot be read or written, or a --load/--dump range outside guest
 * memory. All checks that do not need the DIAG's result run before it.
 * Store warnings and the handlers' host log lines go to stderr as
 * "sipl-diag: warning: <text>".
 */
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/certstore.h"
#include "qemu/diag320.h"
#include "qemu/diag508.h"
#include "qemu/guestmem.h"
#include "src/sipl_i18n.h"

#define SIPL_DIAG_EXIT_USAGE 2
#define SIPL_DIAG_DEFAULT_MEM (512ULL << 20)
#define SIPL_DIAG_R1 2          /* any even register number */

typedef struct {
    const char *arg;            /* the option value as given */
    uint64_t addr;
    uint64_t len;
    char *file;
} siplDiagRange;

static void
siplDiagRangeClear(gpointer p)
{
    g_free(((siplDiagRange *)p)->file);
}

/* Decimal, or hex after 0x/0X; no sign, no blanks, no overflow. @opt is
 * the option the number came from, for the message. */
static bool
siplDiagParseU64(const char *opt, const char *str, uint64_t *out,
                 GError **error)
{
    g_autoptr(GError) err = NULL;
    guint64 v;
    guint base = 10;
    const char *digits = str;

    if (g_str_has_prefix(str, "0x") || g_str_has_prefix(str, "0X")) {
        base = 16;
        digits = str + 2;
    }
    if (!g_ascii_string_to_unsigned(digits, base, 0, G_MAXUINT64, &v, &err)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("invalid number '%1$s' in %2$s: %3$s"), str, opt,
                    err->message);
        return false;
    }
    *out = v;
    return true;
}

/* "ADDR=FILE" (@with_len false) or "ADDR:LEN=FILE" (@with_len true) */
static bool
siplDiagParseRange(const char *opt, const char *arg, bool with_len,
                   siplDiagRange *r, GError **error)
{
    const char *eq = strchr(arg, '=');
    g_autofree char *head = NULL;
    char *colon;

    if (!eq || eq == arg || eq[1] == '\0') {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("invalid %1$s '%2$s': expected %3$s"), opt, arg,
                    with_len ? "ADDR:LEN=FILE" : "ADDR=FILE");
        return false;
    }
    head = g_strndup(arg, eq - arg);
    colon = strchr(head, ':');
    if (with_len != (colon != NULL)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    _("invalid %1$s '%2$s': expected %3$s"), opt, arg,
                    with_len ? "ADDR:LEN=FILE" : "ADDR=FILE");
        return false;
    }
    r->arg = arg;
    r->len = 0;
    if (colon) {
        *colon = '\0';
        if (!siplDiagParseU64(opt, colon + 1, &r->len, error)) {
            return false;
        }
    }
    if (!siplDiagParseU64(opt, head, &r->addr, error)) {
        return false;
    }
    r->file = g_strdup(eq + 1);
    return true;
}

static void
siplDiagLog(const gchar *domain G_GNUC_UNUSED, GLogLevelFlags level
            G_GNUC_UNUSED, const gchar *message, gpointer data G_GNUC_UNUSED)
{
    /* TRANSLATORS: %1$s is a host log line of a DIAG handler */
    fprintf(stderr, _("sipl-diag: warning: %1$s\n"), message);
}

/* Usage errors: exactly one line on stderr, exit status 2. */
static int
siplDiagUsage(const char *msg)
{
    fprintf(stderr, _("sipl-diag: %1$s (see --help)\n"), msg);
    return SIPL_DIAG_EXIT_USAGE;
}

static bool
siplDiagLoadFiles(GuestMem *mem, GArray *loads, GError **error)
{
    for (guint i = 0; i < loads->len; i++) {
        siplDiagRange *r = &g_array_index(loads, siplDiagRange, i);
        g_autofree char *data = NULL;
        gsize len = 0;

        if (!g_file_get_contents(r->file, &data, &len, error)) {
            return false;
        }
        if (!guestmem_write(mem, r->addr, data, len)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        _("--load %1$s: the file does not fit in guest "
                          "memory"), r->arg);
            return false;
        }
    }
    return true;
}

static bool
siplDiagWriteDumps(GuestMem *mem, GArray *dumps, GError **error)
{
    for (guint i = 0; i < dumps->len; i++) {
        siplDiagRange *r = &g_array_index(dumps, siplDiagRange, i);
        g_autofree uint8_t *buf = g_malloc(r->len ? r->len : 1);

        if (!guestmem_read(mem, r->addr, buf, r->len) ||
            !g_file_set_contents(r->file, (const char *)buf, r->len, error)) {
            return false;
        }
    }
    return true;
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) certs = NULL;
    g_auto(GStrv) load_args = NULL;
    g_auto(GStrv) dump_args = NULL;
    g_autofree char *mem_size_arg = NULL;
    g_autofree char *diag_arg = NULL;
    g_autofree char *subcode_arg = NULL;
    g_autofree char *r1_arg = NULL;
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) loads = g_array_new(FALSE, TRUE, sizeof(siplDiagRange));
    g_autoptr(GArray) dumps = g_array_new(FALSE, TRUE, sizeof(siplDiagRange));
    g_autoptr(CertStore) store = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GuestMem) mem = NULL;
    uint64_t mem_size = SIPL_DIAG_DEFAULT_MEM, subcode = 0, r1 = 0;
    uint64_t r1p1 = 0;
    const DiagCpu cpu = DIAG_CPU_DEFAULT;
    DiagException exc;
    bool is_320;
    GOptionEntry entries[] = {
        { "cert", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &certs,
          N_("Certificate file (.pem) or directory, in store order"),
          N_("PATH") },
        { "mem-size", 0, 0, G_OPTION_ARG_STRING, &mem_size_arg,
          N_("Guest memory size (default 512 MiB)"), N_("BYTES") },
        { "load", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &load_args,
          N_("Copy FILE to guest address ADDR before the DIAG"),
          N_("ADDR=FILE") },
        { "diag", 0, 0, G_OPTION_ARG_STRING, &diag_arg,
          N_("DIAG function code: 320 or 508"), "320|508" },
        { "subcode", 0, 0, G_OPTION_ARG_STRING, &subcode_arg,
          N_("Contents of R3: the subcode"), N_("N") },
        { "r1", 0, 0, G_OPTION_ARG_STRING, &r1_arg,
          N_("Contents of R1: the parameter-block address"), N_("ADDR") },
        { "dump", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dump_args,
          N_("Write LEN bytes at ADDR to FILE after the DIAG"),
          N_("ADDR:LEN=FILE") },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };

    setlocale(LC_ALL, "");
    ctx = g_option_context_new(_("- execute one DIAG 0x320 or 0x508"));
    g_option_context_set_summary(ctx,
        _("Numbers are decimal or 0x-hex. Prints rc=0xNNNN (lowercase hex) or\n"
          "exception=privileged|specification|addressing. Exit status 0 when\n"
          "the DIAG executed, 2 on usage or store errors."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        return siplDiagUsage(error->message);
    }
    if (argc > 1) {
        g_autofree char *msg = g_strdup_printf(_("unexpected argument "
                                                 "'%1$s'"), argv[1]);
        return siplDiagUsage(msg);
    }
    if (!diag_arg || !subcode_arg || !r1_arg) {
        return siplDiagUsage(_("--diag, --subcode and --r1 are required"));
    }
    if (g_str_equal(diag_arg, "320") || g_str_equal(diag_arg, "0x320")) {
        is_320 = true;
    } else if (g_str_equal(diag_arg, "508") ||
               g_str_equal(diag_arg, "0x508")) {
        is_320 = false;
    } else {
        return siplDiagUsage(_("--diag must be 320 or 508"));
    }
    g_array_set_clear_func(loads, siplDiagRangeClear);
    g_array_set_clear_func(dumps, siplDiagRangeClear);
    if (!siplDiagParseU64("--subcode", subcode_arg, &subcode, &error) ||
        !siplDiagParseU64("--r1", r1_arg, &r1, &error) ||
        (mem_size_arg &&
         !siplDiagParseU64("--mem-size", mem_size_arg, &mem_size, &error))) {
        return siplDiagUsage(error->message);
    }
    for (gsize i = 0; load_args && load_args[i]; i++) {
        siplDiagRange r = { 0 };
        if (!siplDiagParseRange("--load", load_args[i], false, &r, &error)) {
            return siplDiagUsage(error->message);
        }
        g_array_append_val(loads, r);
    }
    for (gsize i = 0; dump_args && dump_args[i]; i++) {
        siplDiagRange r = { 0 };
        if (!siplDiagParseRange("--dump", dump_args[i], true, &r, &error)) {
            return siplDiagUsage(error->message);
        }
        g_array_append_val(dumps, r);
    }

    store = cert_store_new_full((const char *const *)certs,
                                certs ? g_strv_length(certs) : 0, warnings,
                                &error);
    /* store warnings first, also before a fatal store error (spec/02 §2) */
    for (guint i = 0; i < warnings->len; i++) {
        fprintf(stderr, "sipl-diag: warning: %s\n",
                (const char *)warnings->pdata[i]);
    }
    if (!store) {
        fprintf(stderr, "sipl-diag: %s\n", error->message);
        return SIPL_DIAG_EXIT_USAGE;
    }

    mem = guestmem_new(mem_size, &error);
    if (!mem) {
        fprintf(stderr, "sipl-diag: %s\n", error->message);
        return SIPL_DIAG_EXIT_USAGE;
    }
    for (guint i = 0; i < dumps->len; i++) {
        siplDiagRange *r = &g_array_index(dumps, siplDiagRange, i);
        if (!guestmem_range_ok(mem, r->addr, r->len) || r->len > G_MAXSIZE) {
            fprintf(stderr, _("sipl-diag: --dump %1$s: range outside guest "
                              "memory\n"), r->arg);
            return SIPL_DIAG_EXIT_USAGE;
        }
    }
    if (!siplDiagLoadFiles(mem, loads, &error)) {
        fprintf(stderr, "sipl-diag: %s\n", error->message);
        return SIPL_DIAG_EXIT_USAGE;
    }

    g_log_set_handler(is_320 ? DIAG320_LOG_DOMAIN : DIAG508_LOG_DOMAIN,
                      G_LOG_LEVEL_MASK, siplDiagLog, NULL);
    if (is_320) {
        exc = diag320_handle(store, mem, &cpu, SIPL_DIAG_R1, r1, subcode,
                             &r1p1);
    } else {
        exc = diag508_handle(store, mem, &cpu, SIPL_DIAG_R1, r1, subcode,
                             &r1p1);
    }
    if (exc == DIAG_EXC_NONE) {
        printf("rc=0x%04" G_GINT64_MODIFIER "x\n", r1p1);
    } else {
        printf("exception=%s\n", diag_exception_name(exc));
    }
    fflush(stdout);

    if (!siplDiagWriteDumps(mem, dumps, &error)) {
        fprintf(stderr, "sipl-diag: %s\n",
                error ? error->message : _("cannot read guest memory"));
        return SIPL_DIAG_EXIT_USAGE;
    }
    return 0;
}
