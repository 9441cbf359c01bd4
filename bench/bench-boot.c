/*
 * bench-boot.c: a secure IPL of a signed 64 MiB kernel image, against one
 * SHA-256 pass over the same bytes
 *
 * Prints one line:
 *   case=boot payload_mib=M boot_ms=.. sha256_ms=.. boot_vs_sha256=..
 * boot_ms is the whole IPL as sipl-boot runs it (store, disk reads into
 * guest memory, SCLAB checks, DIAG 0x508 on both signed components, IIRB);
 * sha256_ms one GnuTLS SHA-256 pass over the kernel payload. Both are the
 * best of a few runs in this process, so the ratio is measured on one
 * machine at one time. Target: boot_vs_sha256 <= 1.5.
 *
 *   bench-boot [MIB]     (default 64)
 */
#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certgen.h"
#include "mkimage.h"
#include "qemu/machine.h"

#define BENCH_RUNS 3

/* payload + DER PKCS#7 (detached, no certificates) + trailer (spec/04 §1) */
static GBytes *
bench_sign(const CertGenCert *cert, GByteArray *payload)
{
    gnutls_pkcs7_t p7;
    gnutls_privkey_t key;
    gnutls_datum_t data = { payload->data, payload->len };
    gnutls_datum_t der = { NULL, 0 };
    GByteArray *out = g_byte_array_sized_new(payload->len + 4096);
    guint8 info[12] = { 0, 0, 2, 0, 0, 0, 0, 0 };

    if (gnutls_pkcs7_init(&p7) < 0 || gnutls_privkey_init(&key) < 0 ||
        gnutls_privkey_import_x509(key, cert->key, 0) < 0 ||
        gnutls_pkcs7_sign(p7, cert->crt, key, &data, NULL, NULL,
                          GNUTLS_DIG_SHA256, 0) < 0 ||
        gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &der) < 0) {
        g_error("signing failed");
    }
    info[8] = (guint8)(der.size >> 24);
    info[9] = (guint8)(der.size >> 16);
    info[10] = (guint8)(der.size >> 8);
    info[11] = (guint8)der.size;
    g_byte_array_append(out, payload->data, payload->len);
    g_byte_array_append(out, der.data, der.size);
    g_byte_array_append(out, info, sizeof(info));
    g_byte_array_append(out, (const guint8 *)"~Module signature appended~\n",
                        28);
    gnutls_free(der.data);
    gnutls_privkey_deinit(key);
    gnutls_pkcs7_deinit(p7);
    return g_byte_array_free_to_bytes(out);
}

/* A payload of @len random bytes with an SCLAB appended, then signed. */
static GBytes *
bench_component(const CertGenCert *cert, gsize len, const char *sclab_spec,
                guint64 addr, GByteArray **payload_out)
{
    GByteArray *p = g_byte_array_sized_new(len + 4096);
    siplSclab sclab;
    g_autoptr(GError) error = NULL;
    GBytes *signed_file;

    g_byte_array_set_size(p, len);
    if (gnutls_rnd(GNUTLS_RND_NONCE, p->data, len) < 0) {
        g_error("gnutls_rnd failed");
    }
    if (!siplSclabParse(sclab_spec, &sclab, &error) ||
        !siplSclabAppend(p, &sclab, addr, 512, &error)) {
        g_error("%s", error->message);
    }
    signed_file = bench_sign(cert, p);
    if (payload_out) {
        *payload_out = p;
    } else {
        g_byte_array_unref(p);
    }
    return signed_file;
}

static double
bench_boot_once(const char *disk, const char *cert_path)
{
    const char *paths[] = { cert_path, NULL };
    MachineConfig cfg = {
        .disk = disk, .block_size = 512, .cert_paths = paths,
        .n_cert_paths = 1, .secure_boot = true,
    };
    g_autoptr(GError) error = NULL;
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(Machine) m = machine_new(&cfg, &error);

    if (!m) {
        g_error("%s", error->message);
    }
    if (machine_run(m) != MACHINE_STARTED) {
        g_error("boot halted: %s", machine_halt_reason(m));
    }
    return (g_get_monotonic_time() - t0) / 1000.0;
}

int
main(int argc, char **argv)
{
    guint mib = argc > 1 ? (guint)atoi(argv[1]) : 64;
    CertGenSpec spec = { .key_type = CERTGEN_RSA3072, .cn = "bench" };
    g_autoptr(CertGenCert) cert = certgen_new(&spec);
    g_autofree char *dir = certgen_tmpdir_new();
    g_autofree char *cert_path = g_build_filename(dir, "signer.pem", NULL);
    g_autofree char *disk = g_build_filename(dir, "disk.img", NULL);
    g_autoptr(GByteArray) kpayload = NULL;
    g_autoptr(GBytes) stage3 = NULL;
    g_autoptr(GBytes) kernel = NULL;
    g_autoptr(GError) error = NULL;
    siplImageDef def = { .blockSize = 512 };
    double boot_ms = G_MAXDOUBLE, sha_ms = G_MAXDOUBLE;
    guint8 digest[32];

    if (mib == 0 || mib > 1024) {
        fprintf(stderr, "usage: bench-boot [MIB 1..1024]\n");
        return 2;
    }
    certgen_write_pem(cert, cert_path);
    stage3 = bench_component(cert, 8000, "global", SIPL_IMAGE_STAGE3_ADDR,
                             NULL);
    kernel = bench_component(cert, (gsize)mib << 20, "ola",
                             SIPL_IMAGE_KERNEL_ADDR, &kpayload);
    def.stage3 = stage3;
    def.kernel = kernel;
    def.parmline = "root=/dev/vda";
    if (!siplImageWrite(&def, disk, &error)) {
        g_error("%s", error->message);
    }
    g_clear_pointer(&kernel, g_bytes_unref);

    for (int i = 0; i < BENCH_RUNS; i++) {
        boot_ms = MIN(boot_ms, bench_boot_once(disk, cert_path));
    }
    for (int i = 0; i < BENCH_RUNS; i++) {
        gint64 t0 = g_get_monotonic_time();

        gnutls_hash_fast(GNUTLS_DIG_SHA256, kpayload->data, (size_t)mib << 20,
                         digest);
        sha_ms = MIN(sha_ms, (g_get_monotonic_time() - t0) / 1000.0);
    }
    printf("case=boot payload_mib=%u boot_ms=%.1f sha256_ms=%.1f "
           "boot_vs_sha256=%.2f\n", mib, boot_ms, sha_ms, boot_ms / sha_ms);
    certgen_tmpdir_remove(dir);
    return 0;
}
