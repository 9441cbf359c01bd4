/*
 * test-mkimage.c: module-signature trailers, SCLABs and the bootmap that
 * src/modsig.c and src/mkimage.c write, checked byte by byte against
 * spec/03 §2, §4 and spec/04 §1, §2.4 (expected bytes are spelled out
 * here, not taken from the implementation's structs).
 */
#include <glib.h>
#include <string.h>

#include "bootutil.h"
#include "certgen.h"
#include "mkimage.h"
#include "modsig.h"

#define EXEC_PSW_FOR_TEST 0x000800008000A000ULL

static uint64_t
be(const guint8 *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* A trailer from openssl cms (boot_sign) parses back to its parts. */
static void
test_modsig_openssl(void)
{
    g_autofree char *dir = certgen_tmpdir_new();
    CertGenSpec spec = { .key_type = CERTGEN_RSA2048 };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    g_autofree char *c = g_build_filename(dir, "c.pem", NULL);
    g_autofree char *k = g_build_filename(dir, "k.pem", NULL);
    g_autofree char *in = g_build_filename(dir, "in", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    g_autofree char *p7s = g_build_filename(dir, "out.p7s", NULL);
    g_autofree char *data = NULL;
    g_autofree char *der = NULL;
    gsize len, der_len;
    siplModSig ms = { 0 };
    g_autoptr(GError) error = NULL;

    certgen_write_pem(cert, c);
    certgen_write_key_pem(cert, k);
    boot_write_random(in, 5000, 9);
    boot_sign(in, c, k, out);
    g_assert_true(g_file_get_contents(out, &data, &len, NULL));
    g_assert_true(g_file_get_contents(p7s, &der, &der_len, NULL));
    g_assert_true(siplModSigPresent((guint8 *)data, len));
    g_assert_true(siplModSigParse((guint8 *)data, len, &ms, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(ms.payloadLen, ==, 5000);
    g_assert_cmpmem(ms.sig, ms.sigLen, der, der_len);
    certgen_tmpdir_remove(dir);
}

static void
test_modsig_bad(void)
{
    /* payload "abcd", 4-byte "signature", info, marker (spec/04 §1.1) */
    guint8 f[4 + 4 + 40] = "abcdSIGN";
    siplModSig ms = { .payloadLen = 77 };
    g_autoptr(GError) error = NULL;

    memcpy(f + 20, "~Module signature appended~\n", 28);
    f[8 + 2] = 2;
    f[8 + 11] = 4;
    g_assert_true(siplModSigParse(f, sizeof(f), &ms, &error));
    g_assert_cmpuint(ms.payloadLen, ==, 4);
    g_assert_cmpuint(ms.sigLen, ==, 4);

    ms.payloadLen = 77;
    f[8 + 11] = 9;              /* sig_len 9 > 8 bytes in front */
    g_assert_false(siplModSigParse(f, sizeof(f), &ms, &error));
    g_assert_error(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_LENGTH);
    g_assert_cmpuint(ms.payloadLen, ==, 77);    /* untouched */
    g_clear_error(&error);

    f[8 + 11] = 0;
    g_assert_false(siplModSigParse(f, sizeof(f), &ms, &error));
    g_assert_error(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_LENGTH);
    g_clear_error(&error);

    f[8 + 11] = 4;
    f[8 + 2] = 1;
    g_assert_false(siplModSigParse(f, sizeof(f), &ms, &error));
    g_assert_error(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_TYPE);
    g_assert_cmpstr(error->message, ==, "Unsupported signature type 01");
    g_clear_error(&error);

    f[sizeof(f) - 1] = 0;       /* marker without its newline */
    g_assert_false(siplModSigPresent(f, sizeof(f)));
    g_assert_false(siplModSigParse(f, sizeof(f), &ms, &error));
    g_assert_error(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_NONE);
    g_assert_false(siplModSigPresent(f, 39));
}

/* spec/03 §4.1, §4.2: padding, then the SCLAB with its locator last */
static void
test_sclab_append(void)
{
    const struct {
        const char *spec;
        guint bs;
        gsize in, out;
        guint8 format;
        guint16 flags, len;
        guint64 psw, addr;
    } cases[] = {
        { "global", 512, 100, 512, 0, 0xC000, 32, EXEC_PSW_FOR_TEST, 0xA000 },
        { "none", 4096, 4064, 4096, 0, 0, 32, 0, 0 },
        { "none", 512, 481, 1024, 0, 0, 32, 0, 0 },
        { "ola,nuc,sc", 512, 0, 512, 0, 0x7000, 32, 0, 0xA000 },
        { "ola,addr=0x1234,format=1,psw=5", 512, 1, 512, 1, 0x4000, 32, 5,
          0x1234 },
        { "flags=0x0800,len=16", 512, 1, 512, 0, 0x0800, 16, 0, 0 },
        { "len=64", 512, 1, 512, 0, 0, 64, 0, 0 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) p = g_byte_array_new();
        siplSclab s;
        g_autoptr(GError) error = NULL;
        const guint8 *end, *sc;
        guint size = MAX(cases[i].len, 32);

        g_byte_array_set_size(p, cases[i].in);
        if (p->len) {
            memset(p->data, 0x5A, p->len);
        }
        g_assert_true(siplSclabParse(cases[i].spec, &s, &error));
        g_assert_true(siplSclabAppend(p, &s, 0xA000, cases[i].bs, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(p->len, ==, cases[i].out);
        end = p->data + p->len;
        sc = end - size;
        g_assert_cmpmem(end - 4, 4, "zIPL", 4);
        g_assert_cmpuint(be(end - 6, 2), ==, cases[i].len);
        g_assert_cmpuint(be(end - 8, 2), ==, 0);
        g_assert_cmpuint(sc[0], ==, cases[i].format);
        g_assert_cmphex(be(sc + 2, 2), ==, cases[i].flags);
        g_assert_cmphex(be(sc + 8, 8), ==, cases[i].psw);
        g_assert_cmphex(be(sc + 16, 8), ==, cases[i].addr);
        /* the payload is kept, the gap is zero */
        for (gsize j = 0; j < cases[i].in; j++) {
            g_assert_cmpuint(p->data[j], ==, 0x5A);
        }
        for (const guint8 *z = p->data + cases[i].in; z < sc; z++) {
            g_assert_cmpuint(*z, ==, 0);
        }
    }
}

/* Walk the image as spec/03 §2 describes and check spec/04 §2.4's table. */
static void
test_bootmap_layout(void)
{
    for (guint bs = 512; bs <= 4096; bs *= 8) {
        g_autoptr(GBytes) s3 = g_bytes_new_take(g_malloc0(bs * 2), bs * 2);
        g_autoptr(GBytes) k = g_bytes_new_take(g_malloc0(100000), 100000);
        g_autoptr(GBytes) rd = g_bytes_new_take(g_malloc0(3000), 3000);
        siplImageDef def = { .blockSize = bs, .stage3 = s3, .kernel = k,
                             .initrd = rd, .parmline = "quiet" };
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) img = siplImageBuild(&def, &error);
        gsize len;
        const guint8 *d;
        const guint8 *ct;
        guint64 parm = (0x10000 + 100000 + 4095) / 4096 * 4096;
        guint64 initrd = (parm + 6 + 0xFFFF) / 0x10000 * 0x10000;
        const guint64 want[][2] = {
            { 2, 0x2000 }, { 2, 0xF000 }, { 2, 0xA000 }, { 2, 0x9000 },
            { 2, 0x10000 }, { 2, parm }, { 2, initrd },
            { 1, 0x000800008000A000ULL },
        };

        g_assert_no_error(error);
        d = g_bytes_get_data(img, &len);
        g_assert_cmpuint(len % bs, ==, 0);
        g_assert_cmpmem(d, 4, "zIPL", 4);
        g_assert_cmpuint(be(d + 4, 4), ==, 1);
        g_assert_cmpuint(be(d + 0x18, 2), ==, bs);
        ct = d + be(d + 0x10, 8) * bs;              /* program table */
        g_assert_cmpmem(ct, 4, "zIPL", 4);
        ct = d + be(ct + 0x10, 8) * bs;             /* entry 0 */
        g_assert_cmpmem(ct, 4, "zIPL", 4);
        g_assert_cmpuint(ct[4], ==, 0);             /* IPL */
        for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
            const guint8 *e = ct + 32 + 32 * i;

            g_assert_cmpuint(e[0x17], ==, want[i][0]);
            g_assert_cmphex(be(e + 0x18, 8), ==, want[i][1]);
            if (want[i][0] == 2) {
                /* one segment table: one pointer, then zero */
                const guint8 *st = d + be(e, 8) * bs;
                guint64 total = be(st + 8, 2) * (be(st + 10, 2) + 1);

                g_assert_cmpuint(be(st + 8, 2), ==, bs);
                g_assert_cmpuint(be(st + 16, 8), ==, 0);
                g_assert_cmpuint(be(st + bs - 16, 8), ==, 0);
                if (want[i][1] == 0x10000) {
                    g_assert_cmpuint(total, ==, (100000 + bs - 1) / bs * bs);
                }
                if (want[i][1] == 0x9000) {
                    /* stage3 parameters (s390-tools zipl/boot/stage3.h) */
                    const guint8 *pp = d + be(st, 8) * bs;

                    g_assert_cmphex(be(pp, 8), ==, parm);
                    g_assert_cmphex(be(pp + 8, 8), ==, initrd);
                    g_assert_cmpuint(be(pp + 16, 8), ==, 3000);
                    g_assert_cmphex(be(pp + 24, 8), ==,
                                    0x0008000080010000ULL);
                    g_assert_cmphex(be(pp + 40, 8), ==,
                                    0x0001000000000000ULL);
                    g_assert_cmpuint(be(pp + 48, 8), ==, 100000);
                    g_assert_cmphex(be(pp + 56, 8), ==, 0x10000);
                }
            }
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mkimage/modsig/openssl", test_modsig_openssl);
    g_test_add_func("/mkimage/modsig/bad", test_modsig_bad);
    g_test_add_func("/mkimage/sclab/append", test_sclab_append);
    g_test_add_func("/mkimage/bootmap/layout", test_bootmap_layout);
    return g_test_run();
}
