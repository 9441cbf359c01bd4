/*
 * bench-diag508.c: DIAG 0x508 against upstream's per-certificate loop
 * (07 D10), plus store loading and DIAG 0x320 "store all"
 *
 * Prints one key=value line per case:
 *   case=diag508 certs=N payload_mib=M ours_ms=.. loop_ms=.. sha256_ms=..
 *        ours_vs_sha256=.. loop_vs_ours=.. peak_rss_mib=..
 *   case=store_load certs=64 ms=..
 *   case=diag320_store_all certs=64 ms=..
 *
 * ours: the real DIAG path, diag508_handle() with an SVB in guest memory.
 * loop: upstream's way, kept here: per certificate, the signature DER is
 *       converted to PEM and re-imported, the certificate re-imported from
 *       its PEM, and gnutls_pkcs7_verify_direct() run over the whole
 *       payload. Not run (loop_ms=skipped) when its estimate, certs x
 *       LOOP_COST SHA-256 passes, exceeds LOOP_BUDGET_MS.
 * sha256: one bare SHA-256 pass over the same bytes (GnuTLS).
 * peak_rss_mib: VmHWM, the whole process's peak resident set, over the
 *       timed runs (ours, and the SHA-256 passes between them, which read
 *       the payload in place and allocate nothing): the peak is reset to
 *       the current RSS through /proc/self/clear_refs ("5", Linux >= 4.0)
 *       after the warm-up and read back after the last run. It includes
 *       everything resident:
 *       the guest memory pages touched (GUEST_MIB is sparse; the bench
 *       wrote the 256 MiB payload region and a few pages for the blocks,
 *       so about 257 MiB whatever the case's payload), the program's and
 *       libraries' pages, the heap (64 certificates, the store) and the
 *       stacks. A host copy of the payload would add payload_mib to it.
 *       If the reset fails, a warning says the figure is the lifetime peak.
 * Times are the minimum of 101 runs (1 MiB) or 3 runs (larger payloads);
 * "ours" and "sha256" alternate run by run, so that a burst of other load
 * on the machine hits both sides of the ratio, not one.
 * The signer is the last certificate of the store; all keys are RSA-2048,
 * the signature is detached PKCS#7 without signed attributes, SHA-256
 * (what sign-file writes).
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <stdio.h>
#include <string.h>

#include "bios/wire/diag320.h"
#include "bios/wire/diag508.h"
#include "certgen.h"
#include "qemu/certstore.h"
#include "qemu/diag320.h"
#include "qemu/diag508.h"
#include "qemu/guestmem.h"
#include "sigverify-corpus.h"

#define MIB (1024ULL * 1024ULL)
#define GUEST_MIB 260
#define SVB_ADDR 0x2000
#define SIG_ADDR 0x3000
#define VCB_ADDR 0x10000
#define VCB_LEN (512 * 1024)
#define COMP_ADDR (1 * MIB)
#define N_CERTS 64
#define LOOP_BUDGET_MS 15000.0
#define LOOP_COST 2.5

static double
now_ms(void)
{
    return (double)g_get_monotonic_time() / 1000.0;
}

static void
bench_die(const char *what, const char *why)
{
    g_printerr("bench-diag508: %s: %s\n", what, why);
    exit(1);
}

/* Reset the peak RSS (Linux >= 4.0), and read it back, in MiB. */
static void
rss_peak_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    bool ok = f && fputs("5", f) >= 0;

    if (f && fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        g_printerr("bench-diag508: cannot reset the peak RSS; peak_rss_mib "
                   "is the lifetime peak of the process\n");
    }
}

static double
rss_peak_mib(void)
{
    g_autofree char *status = NULL;
    const char *p;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL) ||
        !(p = strstr(status, "VmHWM:"))) {
        return -1;
    }
    return g_ascii_strtod(p + 6, NULL) / 1024.0;
}

static CertStore *
store_new(char **paths, guint n)
{
    g_autoptr(GError) error = NULL;
    CertStore *store = cert_store_new((const char *const *)paths, n, &error);

    if (!store) {
        bench_die("cert_store_new", error->message);
    }
    return store;
}

/* One DIAG 0x508 subcode 0x8000 call; returns its time, checks RC/index. */
static double
run_ours(const CertStore *store, GuestMem *mem, uint64_t len, gsize sig_len,
         guint want_index)
{
    Diag508SigVerifBlock svb;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t rc = 0;
    double t0, t;

    memset(&svb, 0, sizeof(svb));
    be32_put(&svb.length, SVB_LEN);
    be64_put(&svb.comp_len, len);
    be64_put(&svb.comp_addr, COMP_ADDR);
    be64_put(&svb.sig_len, sig_len);
    be64_put(&svb.sig_addr, SIG_ADDR);
    guestmem_write(mem, SVB_ADDR, &svb, sizeof(svb));

    t0 = now_ms();
    if (diag508_handle(store, mem, &cpu, 2, SVB_ADDR, DIAG_508_SUBC_SIG_VERIF,
                       &rc) != DIAG_EXC_NONE) {
        bench_die("diag508_handle", "exception");
    }
    t = now_ms() - t0;
    guestmem_read(mem, SVB_ADDR, &svb, sizeof(svb));
    if (rc != DIAG_508_RC_OK || svb.cert_store_index != want_index) {
        g_printerr("rc=0x%04x index=%u\n", (unsigned)rc,
                   svb.cert_store_index);
        bench_die("diag508_handle", "did not verify at the expected index");
    }
    return t;
}

/* Upstream's loop (hw/s390x diag.c + crypto/x509-utils.c), see above. */
static double
run_loop(char **pems, guint n, GBytes *sig, const guint8 *payload,
         uint64_t len, guint want_index)
{
    gnutls_datum_t der = { (unsigned char *)g_bytes_get_data(sig, NULL),
                           (unsigned int)g_bytes_get_size(sig) };
    gnutls_datum_t data = { (unsigned char *)payload, (unsigned int)len };
    double t0 = now_ms();
    int found = -1;
    guint i;

    for (i = 0; i < n && found < 0; i++) {
        gnutls_datum_t pem = { NULL, 0 };
        gnutls_datum_t crt_pem = { (unsigned char *)pems[i],
                                   (unsigned int)strlen(pems[i]) };
        gnutls_pkcs7_t p7 = NULL;
        gnutls_x509_crt_t crt = NULL;

        if (gnutls_pem_base64_encode2("PKCS7", &der, &pem) < 0 ||
            gnutls_pkcs7_init(&p7) < 0 || gnutls_x509_crt_init(&crt) < 0) {
            bench_die("loop", "GnuTLS init");
        }
        if (gnutls_pkcs7_import(p7, &pem, GNUTLS_X509_FMT_PEM) == 0 &&
            gnutls_x509_crt_import(crt, &crt_pem, GNUTLS_X509_FMT_PEM) == 0 &&
            gnutls_pkcs7_verify_direct(p7, crt, 0, &data, 0) == 0) {
            found = (int)i;
        }
        gnutls_x509_crt_deinit(crt);
        gnutls_pkcs7_deinit(p7);
        gnutls_free(pem.data);
    }
    if (found != (int)want_index) {
        bench_die("loop", "did not verify at the expected index");
    }
    return now_ms() - t0;
}

static double
run_sha256(const guint8 *payload, uint64_t len)
{
    guint8 out[32];
    double t0 = now_ms();

    gnutls_hash_fast(GNUTLS_DIG_SHA256, payload, len, out);
    return now_ms() - t0;
}

static void
bench_store_load(const char *dir)
{
    const char *paths[1] = { dir };
    double best = G_MAXDOUBLE;
    int i;

    for (i = 0; i < 5; i++) {
        g_autoptr(GError) error = NULL;
        double t0 = now_ms();
        g_autoptr(CertStore) s = cert_store_new(paths, 1, &error);
        double t = now_ms() - t0;

        if (!s || cert_store_count(s) != N_CERTS) {
            bench_die("store_load", error ? error->message : "count");
        }
        best = MIN(best, t);
    }
    printf("case=store_load certs=%d ms=%.3f\n", N_CERTS, best);
    fflush(stdout);
}

static void
bench_diag320(const CertStore *store, GuestMem *mem)
{
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    double best = G_MAXDOUBLE;
    guint8 hdr[VCB_HEADER_LEN];
    int i;

    for (i = 0; i < 200; i++) {
        uint64_t rc = 0;
        double t0, t;

        /* VCB header: in_len @0, first @8, last @10 (spec/02 §5.6) */
        memset(hdr, 0, sizeof(hdr));
        hdr[1] = (VCB_LEN >> 16) & 0xff;
        hdr[2] = (VCB_LEN >> 8) & 0xff;
        hdr[3] = VCB_LEN & 0xff;
        hdr[9] = 1;
        hdr[11] = N_CERTS;
        guestmem_write(mem, VCB_ADDR, hdr, sizeof(hdr));

        t0 = now_ms();
        if (diag320_handle(store, mem, &cpu, 2, VCB_ADDR,
                           DIAG_320_SUBC_STORE_VC, &rc) != DIAG_EXC_NONE) {
            bench_die("diag320_handle", "exception");
        }
        t = now_ms() - t0;
        guestmem_read(mem, VCB_ADDR, hdr, sizeof(hdr));
        /* stored_ct @40 */
        if (rc != DIAG_320_RC_OK || hdr[40] != 0 || hdr[41] != N_CERTS) {
            bench_die("diag320_handle", "did not store all certificates");
        }
        best = MIN(best, t);
    }
    printf("case=diag320_store_all certs=%d ms=%.3f\n", N_CERTS, best);
    fflush(stdout);
}

int
main(void)
{
    static const guint store_sizes[] = { 1, 8, 64 };
    static const guint payload_mib[] = { 1, 64, 256 };
    g_autofree char *tmp = certgen_tmpdir_new();
    g_autofree char *dir = g_build_filename(tmp, "store", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GuestMem) mem = guestmem_new(GUEST_MIB * MIB, &error);
    CertGenCert *certs[N_CERTS];
    char *paths[N_CERTS];
    char *pems[N_CERTS];
    guint8 *payload;
    guint64 x = 0x9e3779b97f4a7c15ULL;
    guint i, s, p;

    if (!mem) {
        bench_die("guestmem_new", error->message);
    }
    g_mkdir_with_parents(dir, 0700);
    for (i = 0; i < N_CERTS; i++) {
        CertGenSpec spec = { .key_type = CERTGEN_RSA2048 };

        certs[i] = certgen_new(&spec);
        paths[i] = g_strdup_printf("%s/%02u-cert.pem", dir, i);
        certgen_write_pem(certs[i], paths[i]);
    }

    bench_store_load(dir);

    /* The payload lives in guest memory only; the bench, as the host,
     * fills it through the host view and lends it to the loop and SHA. */
    payload = guestmem_host_range(mem, COMP_ADDR, 256 * MIB);
    for (i = 0; i < 256 * MIB / 8; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(payload + 8 * (gsize)i, &x, 8);
    }

    for (s = 0; s < G_N_ELEMENTS(store_sizes); s++) {
        guint n = store_sizes[s];
        char *spaths[N_CERTS];
        g_autoptr(CertStore) store = NULL;

        /* Fillers first, the signer (certs[63]) last. */
        for (i = 0; i + 1 < n; i++) {
            spaths[i] = paths[i];
            pems[i] = certs[i]->pem;
        }
        spaths[n - 1] = paths[N_CERTS - 1];
        pems[n - 1] = certs[N_CERTS - 1]->pem;
        store = store_new(spaths, n);
        if (n == N_CERTS) {
            bench_diag320(store, mem);
        }

        for (p = 0; p < G_N_ELEMENTS(payload_mib); p++) {
            uint64_t len = payload_mib[p] * MIB;
            CorpusSignOpts o = { .md = "sha256" };
            g_autoptr(GBytes) sig = corpus_sign_gnutls(certs[N_CERTS - 1], &o,
                                                       payload, len);
            gsize sig_len = g_bytes_get_size(sig);
            guint reps = payload_mib[p] == 1 ? 101 : 3, r;
            double ours, sha, loop = -1, rss;

            guestmem_write(mem, SIG_ADDR, g_bytes_get_data(sig, NULL),
                           sig_len);
            run_ours(store, mem, len, sig_len, n - 1);      /* warm up */
            rss_peak_reset();
            ours = sha = G_MAXDOUBLE;
            for (r = 0; r < reps; r++) {
                ours = MIN(ours, run_ours(store, mem, len, sig_len, n - 1));
                sha = MIN(sha, run_sha256(payload, len));
            }
            rss = rss_peak_mib();
            /* One upstream pass costs about 2.3 SHA-256 passes here
             * (GnuTLS copies the content, then hashes it). */
            if (LOOP_COST * sha * n <= LOOP_BUDGET_MS) {
                loop = run_loop(pems, n, sig, payload, len, n - 1);
                if (loop < 1000) {
                    loop = MIN(loop, run_loop(pems, n, sig, payload, len,
                                              n - 1));
                }
            }

            printf("case=diag508 certs=%u payload_mib=%u ours_ms=%.3f ",
                   n, payload_mib[p], ours);
            if (loop >= 0) {
                printf("loop_ms=%.3f ", loop);
            } else {
                printf("loop_ms=skipped ");
            }
            printf("sha256_ms=%.3f ours_vs_sha256=%.3f ", sha, ours / sha);
            if (loop >= 0) {
                printf("loop_vs_ours=%.1f ", loop / ours);
            } else {
                printf("loop_vs_ours=skipped ");
            }
            printf("peak_rss_mib=%.1f\n", rss);
            fflush(stdout);
        }
    }

    for (i = 0; i < N_CERTS; i++) {
        certgen_free(certs[i]);
        g_free(paths[i]);
    }
    certgen_tmpdir_remove(tmp);
    return 0;
}
