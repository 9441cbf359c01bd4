/*
 * sipl-boot: IPL a disk image through both halves
 *
 *   sipl-boot [--cert PATH]... [--secure-boot] [--loadparm N]
 *             [--block-size 512|4096] [--no-facility cstore|sipl|sclaf]...
 *             [--report FILE] [--json] DISK
 *
 * Builds the machine (qemu/machine.h) as QEMU would for
 * `-machine s390-ccw-virtio,secure-boot=..,boot-certs.N.path=..` with DISK
 * as its virtio-blk-ccw boot disk, runs the guest-half flow and prints the
 * guest console lines as they happen (a run of progress dots is one line).
 *
 * Exit status: 0 the guest would be started (the EXEC PSW is reached); 1
 * the guest halts (the last console line is the reason); 2 usage, store or
 * configuration errors (store errors with QEMU's texts, spec/02 §2).
 * --report FILE writes the raw IIRB; --json prints one JSON object last.
 */
#include <glib.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>

#include "qemu/machine-report.h"
#include "qemu/machine.h"
#include "src/sipl_i18n.h"

#define SIPL_BOOT_EXIT_STARTED 0
#define SIPL_BOOT_EXIT_HALTED 1
#define SIPL_BOOT_EXIT_USAGE 2

static void
siplBootLog(const gchar *domain G_GNUC_UNUSED,
            GLogLevelFlags level G_GNUC_UNUSED, const gchar *message,
            gpointer data G_GNUC_UNUSED)
{
    fprintf(stderr, _("sipl-boot: warning: %1$s\n"), message);
}

static void
siplBootConsole(const char *line, void *opaque G_GNUC_UNUSED)
{
    printf("%s\n", line);
    fflush(stdout);
}

static int
siplBootUsage(const char *msg)
{
    fprintf(stderr, _("sipl-boot: %1$s (see --help)\n"), msg);
    return SIPL_BOOT_EXIT_USAGE;
}

static void
siplBootJsonReport(JsonBuilder *b, const MachineReport *r)
{
    json_builder_set_member_name(b, "components");
    json_builder_begin_array(b);
    for (guint i = 0; r && i < r->components->len; i++) {
        const MachineReportComponent *c =
            &g_array_index(r->components, MachineReportComponent, i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "addr");
        json_builder_add_int_value(b, (gint64)c->addr);
        json_builder_set_member_name(b, "len");
        json_builder_add_int_value(b, (gint64)c->len);
        json_builder_set_member_name(b, "flags");
        json_builder_add_int_value(b, c->flags);
        json_builder_set_member_name(b, "cert_index");
        json_builder_add_int_value(b, c->cert_index);
        json_builder_set_member_name(b, "cei");
        json_builder_add_int_value(b, c->cei);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_set_member_name(b, "iiei");
    if (r && r->has_components) {
        json_builder_add_int_value(b, r->iiei);
    } else {
        json_builder_add_null_value(b);
    }

    json_builder_set_member_name(b, "certificates");
    json_builder_begin_array(b);
    for (guint i = 0; r && i < r->certs->len; i++) {
        const MachineReportCert *c =
            &g_array_index(r->certs, MachineReportCert, i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "index");
        json_builder_add_int_value(b, i);
        json_builder_set_member_name(b, "sha256");
        json_builder_add_string_value(b, c->fingerprint);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void
siplBootJson(const Machine *m, MachineOutcome outcome, const MachineReport *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;
    const char *reason = machine_halt_reason(m);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "mode");
    json_builder_add_string_value(b, iplb_mode_name(machine_mode(m)));
    json_builder_set_member_name(b, "outcome");
    json_builder_add_string_value(b, outcome == MACHINE_STARTED ? "started"
                                                                : "halted");
    json_builder_set_member_name(b, "halt_reason");
    if (reason) {
        json_builder_add_string_value(b, reason);
    } else {
        json_builder_add_null_value(b);
    }
    json_builder_set_member_name(b, "psw");
    json_builder_add_int_value(b, (gint64)machine_start_psw(m));
    json_builder_set_member_name(b, "report");
    json_builder_add_boolean_value(b, r != NULL);
    siplBootJsonReport(b, r);
    json_builder_end_object(b);

    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    printf("%s\n", text);
}

static bool
siplBootFacilities(char **names, MachineConfig *cfg, GError **error)
{
    for (char **n = names; n && *n; n++) {
        if (g_str_equal(*n, "cstore")) {
            cfg->no_cstore = true;
        } else if (g_str_equal(*n, "sipl")) {
            cfg->no_sipl = true;
        } else if (g_str_equal(*n, "sclaf")) {
            cfg->no_sclaf = true;
        } else {
            g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG,
                        _("--no-facility takes cstore, sipl or sclaf, not "
                          "'%1$s'"), *n);
            return false;
        }
    }
    return true;
}

int
main(int argc, char **argv)
{
    g_auto(GStrv) certs = NULL;
    g_auto(GStrv) nofac = NULL;
    g_autofree char *loadparm = NULL;
    g_autofree char *report_path = NULL;
    gboolean secure = FALSE;
    gboolean json = FALSE;
    gint block_size = 512;
    GOptionEntry entries[] = {
        { "cert", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &certs,
          N_("boot-certs path: a .pem file or a directory (repeatable)"),
          N_("PATH") },
        { "secure-boot", 0, 0, G_OPTION_ARG_NONE, &secure,
          N_("secure-boot=on (secure mode; without it, certificates give "
             "audit mode)"), NULL },
        { "loadparm", 0, 0, G_OPTION_ARG_STRING, &loadparm,
          N_("boot entry (program-table index) to IPL"), N_("N") },
        { "block-size", 0, 0, G_OPTION_ARG_INT, &block_size,
          N_("logical block size of DISK: 512 (default) or 4096"),
          N_("N") },
        { "no-facility", 0, 0, G_OPTION_ARG_STRING_ARRAY, &nofac,
          N_("switch a CPU facility off: cstore, sipl or sclaf "
             "(repeatable)"), N_("NAME") },
        { "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path,
          N_("write the raw IPL information report block (IIRB) to FILE"),
          N_("FILE") },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json,
          N_("print one JSON object with the outcome and the report "
             "last"), NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(_("DISK"));
    g_autoptr(GError) error = NULL;
    g_autoptr(Machine) m = NULL;
    g_autoptr(GBytes) iirb = NULL;
    g_autoptr(MachineReport) report = NULL;
    MachineConfig cfg = { 0 };
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    MachineOutcome outcome;

    setlocale(LC_ALL, "");
    g_option_context_set_summary(ctx,
        _("IPL DISK (a raw SCSI-scheme image) on a simulated s390-ccw-virtio "
          "machine:\nthe guest-half BIOS flow against the hypervisor half.\n"
          "DISK must not change while sipl-boot runs: check a copy or a "
          "snapshot of a running guest's disk.\n"
          "Exit status: 0 started, 1 halted, 2 usage or store error."));
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        return siplBootUsage(error->message);
    }
    if (argc != 2) {
        return siplBootUsage(_("exactly one DISK is required"));
    }
    g_log_set_default_handler(siplBootLog, NULL);

    cfg.disk = argv[1];
    cfg.block_size = (guint)block_size;
    cfg.cert_paths = (const char *const *)certs;
    cfg.n_cert_paths = certs ? g_strv_length(certs) : 0;
    cfg.secure_boot = secure;
    cfg.loadparm = loadparm;
    if (block_size != 512 && block_size != 4096) {
        return siplBootUsage(_("--block-size must be 512 or 4096"));
    }
    if (!siplBootFacilities(nofac, &cfg, &error)) {
        return siplBootUsage(error->message);
    }
    cfg.cert_warnings = warnings;
    m = machine_new(&cfg, &error);
    /* store warnings first, also before a fatal store error (spec/02 §2) */
    for (guint i = 0; i < warnings->len; i++) {
        fprintf(stderr, _("sipl-boot: warning: %1$s\n"),
                (const char *)warnings->pdata[i]);
    }
    if (!m) {
        fprintf(stderr, _("sipl-boot: %1$s\n"), error->message);
        return SIPL_BOOT_EXIT_USAGE;
    }

    machine_set_console(m, siplBootConsole, NULL);
    outcome = machine_run(m);

    iirb = machine_iirb(m);
    if (iirb) {
        report = machine_report_parse(iirb, machine_mem(m), &error);
        if (!report) {
            fprintf(stderr, _("sipl-boot: warning: %1$s\n"),
                    error->message);
            g_clear_error(&error);
        }
    }
    if (report_path) {
        if (!iirb) {
            fprintf(stderr, "%s", _("sipl-boot: warning: no IPL report to "
                                    "write: the guest did not start in "
                                    "audit or secure mode\n"));
        } else if (!g_file_set_contents(report_path,
                                        g_bytes_get_data(iirb, NULL),
                                        (gssize)g_bytes_get_size(iirb),
                                        &error)) {
            fprintf(stderr, _("sipl-boot: %1$s\n"), error->message);
            return SIPL_BOOT_EXIT_USAGE;
        }
    }
    if (json) {
        siplBootJson(m, outcome, report);
    }
    return outcome == MACHINE_STARTED ? SIPL_BOOT_EXIT_STARTED
                                      : SIPL_BOOT_EXIT_HALTED;
}
