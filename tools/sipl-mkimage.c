/*
 * sipl-mkimage: build SCSI-scheme disk images as `zipl --secure` writes them
 *
 *   sipl-mkimage build --stage3 FILE --kernel FILE -o DISK [OPTION...]
 *   sipl-mkimage append-sclab [--sclab SPEC] [--component NAME] IN OUT
 *
 * The logic lives in src/mkimage.c; this is option handling only.
 */
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkimage.h"
#include "sipl_i18n.h"

#define SIPL_EXIT_OK 0
#define SIPL_EXIT_FAIL 1
#define SIPL_EXIT_USAGE 2

static const char *const sclabHelp = N_(
    "SCLAB SPEC (spec/03 §4.2): comma-separated words\n"
    "  global      OPSW|OLA, load PSW 0x000800008000A000, load address =\n"
    "              the component's (the one global SCLAB belongs to stage3)\n"
    "  opsw ola nuc sc   set that flag\n"
    "  flags=N     the raw 16-bit flags field\n"
    "  psw=N addr=N format=N   load PSW, load address, format byte\n"
    "  len=N       the locator's length field (default 32)\n"
    "  none        an all-zero non-global SCLAB (Linux's own trailer)\n"
    "With 'ola' and no 'addr=', the load address is the component's.\n"
    "Numbers are decimal or 0x-hex.\n");

static const char *const buildHelp = N_(
    "Writes a raw disk image whose bootmap is zipl's for a SCSI disk:\n"
    "heap dummy 0x2000, stack dummy 0xF000, [signature] stage3 0xA000,\n"
    "stage3 parameters 0x9000, [signature] kernel 0x10000, [parmline],\n"
    "[[signature] initrd], EXEC PSW 0x000800008000A000.\n"
    "A file that ends in a Linux module-signature trailer (sign-file) is\n"
    "stored as a SIGNATURE component followed by the payload without the\n"
    "trailer. A signed payload must be a multiple of the block size\n"
    "(prepare it with 'append-sclab' before signing).\n"
    "--sclab COMP:SPEC appends an SCLAB to an unsigned component; COMP is\n"
    "heap, stack, stage3, params, kernel, parmline or initrd.\n"
    "Exit status: 0 written, 1 input refused or I/O error, 2 usage error.\n");

static const char *const appendHelp = N_(
    "Appends zero padding and an SCLAB to IN and writes OUT, so that OUT is\n"
    "a multiple of the block size and ends in the SCLAB; sign OUT afterwards\n"
    "(sign-file, or openssl cms in a module-signature trailer).\n"
    "IN must not be signed yet.\n"
    "Exit status: 0 written, 1 input refused or I/O error, 2 usage error.\n");

static int
usage(GOptionContext *ctx, const char *msg)
{
    g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);

    fprintf(stderr, "sipl-mkimage: %s\n\n%s", msg, help);
    return SIPL_EXIT_USAGE;
}

static bool
parseAddr(const char *text, guint64 *out)
{
    char *end = NULL;

    if (!text || !*text) {
        return false;
    }
    *out = g_ascii_strtoull(text, &end, 0);
    return *end == '\0';
}

static GBytes *
readFile(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "sipl-mkimage: %s\n", err->message);
        return NULL;
    }
    return g_bytes_new_take(data, len);
}

static int
cmdBuild(int argc, char **argv)
{
    g_autofree char *stage3 = NULL;
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *initrdAddr = NULL;
    g_autofree char *parmline = NULL;
    g_autofree char *output = NULL;
    g_auto(GStrv) sclabs = NULL;
    gint blockSize = 512;
    gboolean noSigs = FALSE;
    gint maxPtr = 0;
    GOptionEntry entries[] = {
        { "stage3", 0, 0, G_OPTION_ARG_FILENAME, &stage3,
          N_("stage3 loader, loaded at 0xA000 (required)"), N_("FILE") },
        { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &kernel,
          N_("kernel image, loaded at 0x10000 (required)"), N_("FILE") },
        { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &initrd,
          N_("initial RAM disk"), N_("FILE") },
        { "initrd-addr", 0, 0, G_OPTION_ARG_STRING, &initrdAddr,
          N_("initrd load address (default: next 64 KiB after the "
             "parmline)"), N_("ADDR") },
        { "parmline", 0, 0, G_OPTION_ARG_STRING, &parmline,
          N_("kernel parameter line"), N_("TEXT") },
        { "block-size", 0, 0, G_OPTION_ARG_INT, &blockSize,
          N_("logical block size, 512 (default) or 4096"), N_("N") },
        { "no-signatures", 0, 0, G_OPTION_ARG_NONE, &noSigs,
          N_("leave SIGNATURE components out (trailers are still "
             "stripped)"), NULL },
        { "sclab", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sclabs,
          N_("append an SCLAB to an unsigned component (repeatable)"),
          N_("COMP:SPEC") },
        { "max-segment-blocks", 0, 0, G_OPTION_ARG_INT, &maxPtr,
          N_("at most N blocks per segment pointer (default 65536): many "
             "pointers and chained segment tables, as zipl writes for "
             "fragmented files"), N_("N") },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          N_("disk image to write (required)"), N_("DISK") },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new(_("- write a zipl SCSI-scheme disk image"));
    g_autofree char *desc = g_strconcat(_(buildHelp), "\n", _(sclabHelp),
                                        NULL);
    g_autoptr(GError) err = NULL;
    siplSclab parsed[SIPL_IMAGE_COMP_LAST];
    siplImageDef def = { 0 };
    g_autoptr(GBytes) s3 = NULL;
    g_autoptr(GBytes) k = NULL;
    g_autoptr(GBytes) rd = NULL;

    g_set_prgname("sipl-mkimage build");
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_description(ctx, desc);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        return usage(ctx, err->message);
    }
    if (argc != 1) {
        return usage(ctx, _("unexpected argument"));
    }
    if (!stage3 || !kernel || !output) {
        return usage(ctx, _("--stage3, --kernel and --output are required"));
    }
    def.blockSize = (guint)blockSize;
    def.parmline = parmline;
    def.noSignatures = noSigs;
    if (maxPtr < 0) {
        return usage(ctx, _("--max-segment-blocks must not be negative"));
    }
    def.maxPtrBlocks = (guint)maxPtr;
    if (initrdAddr && !parseAddr(initrdAddr, &def.initrdAddr)) {
        return usage(ctx, _("invalid --initrd-addr"));
    }
    for (char **s = sclabs; s && *s; s++) {
        const char *colon = strchr(*s, ':');
        g_autofree char *name = colon ? g_strndup(*s, colon - *s) : NULL;
        int comp = siplImageCompTypeFromString(name);

        if (comp < 0) {
            return usage(ctx, _("--sclab needs COMP:SPEC with a known "
                                "component"));
        }
        if (!siplSclabParse(colon + 1, &parsed[comp], &err)) {
            return usage(ctx, err->message);
        }
        def.sclabs[comp] = &parsed[comp];
    }
    if (!(s3 = readFile(stage3)) || !(k = readFile(kernel)) ||
        (initrd && !(rd = readFile(initrd)))) {
        return SIPL_EXIT_FAIL;
    }
    def.stage3 = s3;
    def.kernel = k;
    def.initrd = rd;
    if (!siplImageWrite(&def, output, &err)) {
        fprintf(stderr, "sipl-mkimage: %s\n", err->message);
        return SIPL_EXIT_FAIL;
    }
    return SIPL_EXIT_OK;
}

static int
cmdAppendSclab(int argc, char **argv)
{
    g_autofree char *spec = NULL;
    g_autofree char *component = NULL;
    gint blockSize = 512;
    GOptionEntry entries[] = {
        { "sclab", 0, 0, G_OPTION_ARG_STRING, &spec,
          N_("the SCLAB (default: none)"), N_("SPEC") },
        { "component", 0, 0, G_OPTION_ARG_STRING, &component,
          N_("component the payload becomes: its load address is used for "
             "'global' and 'ola' without 'addr=' (stage3 0xA000, kernel "
             "0x10000; default kernel)"), N_("NAME") },
        { "block-size", 0, 0, G_OPTION_ARG_INT, &blockSize,
          N_("pad to this block size, 512 (default) or 4096"), N_("N") },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new(_("IN OUT - append an SCLAB before signing"));
    g_autofree char *desc = g_strconcat(_(appendHelp), "\n", _(sclabHelp),
                                        NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(GBytes) in = NULL;
    g_autoptr(GByteArray) buf = NULL;
    siplSclab sclab;
    guint64 addr = SIPL_IMAGE_KERNEL_ADDR;

    g_set_prgname("sipl-mkimage append-sclab");
    g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
    g_option_context_set_description(ctx, desc);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        return usage(ctx, err->message);
    }
    if (argc != 3) {
        return usage(ctx, _("IN and OUT are required"));
    }
    if (blockSize != 512 && blockSize != 4096) {
        return usage(ctx, _("--block-size must be 512 or 4096"));
    }
    if (component) {
        if (g_str_equal(component, "stage3")) {
            addr = SIPL_IMAGE_STAGE3_ADDR;
        } else if (!g_str_equal(component, "kernel")) {
            return usage(ctx, _("--component must be stage3 or kernel; "
                                "give other addresses with addr="));
        }
    }
    if (!siplSclabParse(spec ? spec : "none", &sclab, &err)) {
        return usage(ctx, err->message);
    }
    if (!(in = readFile(argv[1]))) {
        return SIPL_EXIT_FAIL;
    }
    buf = g_bytes_unref_to_array(g_steal_pointer(&in));
    if (!siplSclabAppend(buf, &sclab, addr, (guint)blockSize, &err)) {
        fprintf(stderr, "sipl-mkimage: %s: %s\n", argv[1], err->message);
        return SIPL_EXIT_FAIL;
    }
    if (!g_file_set_contents_full(argv[2], (const char *)buf->data, buf->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT |
                                  G_FILE_SET_CONTENTS_DURABLE, 0644, &err)) {
        fprintf(stderr, "sipl-mkimage: %s\n", err->message);
        return SIPL_EXIT_FAIL;
    }
    return SIPL_EXIT_OK;
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;

    setlocale(LC_ALL, "");
    g_set_prgname("sipl-mkimage");
    if (argc >= 2 && g_str_equal(argv[1], "build")) {
        return cmdBuild(argc - 1, argv + 1);
    }
    if (argc >= 2 && g_str_equal(argv[1], "append-sclab")) {
        return cmdAppendSclab(argc - 1, argv + 1);
    }
    ctx = g_option_context_new(_("COMMAND [OPTION...]"));
    g_option_context_set_summary(ctx,
        _("Commands:\n"
          "  build          write a zipl SCSI-scheme disk image\n"
          "  append-sclab   append an SCLAB to a payload before signing\n"
          "\n"
          "'sipl-mkimage COMMAND --help' describes each command.\n"
          "Exit status: 0 written, 1 input refused or I/O error, 2 usage "
          "error."));
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        return usage(ctx, err->message);
    }
    return usage(ctx, argc < 2 ? _("missing command")
                               : _("unknown command"));
}
