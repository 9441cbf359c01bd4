/*
 * bootutil.c: helpers of the boot tests (see bootutil.h)
 */
#include "bootutil.h"

#include <string.h>
#include <sys/wait.h>

void
boot_run_clear(BootRun *r)
{
    g_clear_pointer(&r->out, g_free);
    g_clear_pointer(&r->err, g_free);
}

void
boot_run(BootRun *r, const char *const *argv)
{
    g_autoptr(GError) error = NULL;
    int wait = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                      NULL, &r->out, &r->err, &wait, &error)) {
        g_error("cannot run %s: %s", argv[0], error->message);
    }
    r->status = WIFEXITED(wait) ? WEXITSTATUS(wait) : -1;
}

const char *
boot_tool(const char *var)
{
    const char *path = g_getenv(var);

    if (!path) {
        g_error("%s is not set (run through meson test)", var);
    }
    return path;
}

void
boot_write_random(const char *path, gsize len, guint32 seed)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
    g_autofree guint8 *buf = g_malloc(len ? len : 1);
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < len; i++) {
        buf[i] = (guint8)g_rand_int_range(rand, 0, 256);
    }
    if (!g_file_set_contents(path, (const char *)buf, (gssize)len, &error)) {
        g_error("%s", error->message);
    }
}

void
boot_sign(const char *in, const char *cert, const char *key, const char *out)
{
    g_autofree char *p7s = g_strconcat(out, ".p7s", NULL);
    const char *argv[] = {
        "openssl", "cms", "-sign", "-binary", "-noattr", "-nocerts",
        "-outform", "DER", "-md", "sha256", "-signer", cert, "-inkey", key,
        "-in", in, "-out", p7s, NULL
    };
    g_auto(BootRun) r = { 0 };
    g_autofree char *payload = NULL;
    g_autofree char *sig = NULL;
    gsize plen, slen;
    g_autoptr(GByteArray) file = g_byte_array_new();
    guint8 info[12] = { 0, 0, 2, 0, 0, 0, 0, 0 };  /* id_type 2 = PKCS#7 */
    g_autoptr(GError) error = NULL;

    boot_run(&r, argv);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_true(g_file_get_contents(in, &payload, &plen, NULL));
    g_assert_true(g_file_get_contents(p7s, &sig, &slen, NULL));
    /* sig_len, big-endian, at info offset 8 (spec/04 §1.1) */
    info[8] = (guint8)(slen >> 24);
    info[9] = (guint8)(slen >> 16);
    info[10] = (guint8)(slen >> 8);
    info[11] = (guint8)slen;
    g_byte_array_append(file, (guint8 *)payload, plen);
    g_byte_array_append(file, (guint8 *)sig, slen);
    g_byte_array_append(file, info, sizeof(info));
    g_byte_array_append(file, (const guint8 *)"~Module signature appended~\n",
                        28);
    if (!g_file_set_contents(out, (const char *)file->data, file->len,
                             &error)) {
        g_error("%s", error->message);
    }
}

static uint64_t
be(const guint8 *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

bool
boot_iirb_parse(const guint8 *data, gsize len, GArray *comps, GArray *certs,
                uint16_t *iiei)
{
    gsize end;
    bool have_comps = false, have_certs = false;

    if (len < 16) {
        return false;
    }
    end = be(data, 4);
    g_assert_cmpuint(end, <=, len);
    for (gsize off = 16; off + 16 < end && off + be(data + off, 4) <= end;) {
        const guint8 *blk = data + off;
        gsize blen = be(blk, 4);

        g_assert_cmpuint(blen, >=, 16);
        if (blk[4] == 2) {
            have_comps = true;
            *iiei = (uint16_t)be(blk + 8, 2);
            for (gsize e = 16; e + 32 <= blen; e += 32) {
                BootComp c = {
                    .addr = be(blk + e, 8),
                    .len = be(blk + e + 8, 8),
                    .flags = blk[e + 16],
                    .cert_index = (uint16_t)be(blk + e + 22, 2),
                    .cei = (uint32_t)be(blk + e + 24, 4),
                };
                g_array_append_val(comps, c);
            }
        } else if (blk[4] == 1) {
            have_certs = true;
            for (gsize e = 16; e + 16 <= blen; e += 16) {
                BootCert c = { be(blk + e, 8), be(blk + e + 8, 8) };
                g_array_append_val(certs, c);
            }
        }
        off += blen;
    }
    return have_comps && have_certs;
}

char **
boot_lines(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint n = g_strv_length(lines);

    if (n > 0 && lines[n - 1][0] == '\0') {
        g_free(lines[n - 1]);
        lines[n - 1] = NULL;
    }
    return g_steal_pointer(&lines);
}
