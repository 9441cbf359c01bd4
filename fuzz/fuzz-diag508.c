/*
 * fuzz-diag508.c: libFuzzer target for the DIAGNOSE 0x508 handler
 * (spec/02 §6, 07 D3, D7, D12, D13)
 *
 * Guest memory (64 KiB) starts each run with a fixed payload at 0x4000
 * (12 KiB) and its real detached PKCS#7 signature at 0x8000, made once at
 * start-up with GnuTLS by an RSA-2048 certificate that is index 1 of a
 * three-entry store (P-256, signer, signer again).
 *
 * Input layout:
 *   [0]      mode: bits 0-1 subcode (0x8000, 0, raw bytes [5..6], 0x8000),
 *            bit 2 problem state, bit 3 no sipl facility, bit 4 point the
 *            SVB's sig_len/sig_addr at the real signature, bit 5 point
 *            comp_len/comp_addr at the real payload, bit 6 PV, bit 7 odd R1
 *   [1..4]   R1 contents, big-endian: with the top bit set, a value near
 *            2^64, else taken modulo memory size + 256
 *   [5..68]  the SVB bytes written at R1 (as much as fits)
 *   [69..]   XORed onto the real signature (so all-zero keeps it valid)
 *
 * Checks: an exception leaves R1+1 and memory untouched; any RC but
 * 0x0001 leaves memory untouched; 0x0001 changes at most the 64 SVB bytes
 * and reports a store index whose DER length is in cert_len.
 */
#include "certgen.h"
#include "qemu/certstore.h"
#include "qemu/diag508.h"

#include <gnutls/pkcs7.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MEM_SIZE (64 * 1024)
#define FUZZ_COMP_ADDR 0x4000
#define FUZZ_COMP_LEN 0x3000
#define FUZZ_SIG_ADDR 0x8000
#define FUZZ_SENTINEL 0x5a5a5a5a5a5a5a5aULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static CertStore *fuzz_store;
static uint8_t fuzz_payload[FUZZ_COMP_LEN];
static uint8_t *fuzz_sig;
static size_t fuzz_sig_len;

static void
fuzz_log_quiet(const gchar *domain G_GNUC_UNUSED,
               GLogLevelFlags level G_GNUC_UNUSED,
               const gchar *message G_GNUC_UNUSED,
               gpointer data G_GNUC_UNUSED)
{
}

static void
fuzz_check(int ret, const char *what)
{
    if (ret < 0) {
        g_printerr("fuzz-diag508: %s: %s\n", what, gnutls_strerror(ret));
        abort();
    }
}

/* A detached signature over the payload, as sign-file makes it. */
static void
fuzz_sign(const CertGenCert *c)
{
    gnutls_pkcs7_t p7;
    gnutls_privkey_t key;
    gnutls_datum_t content = { fuzz_payload, sizeof(fuzz_payload) };
    gnutls_datum_t out = { NULL, 0 };

    fuzz_check(gnutls_privkey_init(&key), "privkey_init");
    fuzz_check(gnutls_privkey_import_x509(key, c->key, 0), "privkey_import");
    fuzz_check(gnutls_pkcs7_init(&p7), "pkcs7_init");
    fuzz_check(gnutls_pkcs7_sign(p7, c->crt, key, &content, NULL, NULL,
                                 GNUTLS_DIG_SHA256, 0), "pkcs7_sign");
    fuzz_check(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out),
               "pkcs7_export");
    if (out.size > DIAG_508_MAX_SIG_LEN) {
        abort();
    }
    fuzz_sig = g_memdup2(out.data, out.size);
    fuzz_sig_len = out.size;
    gnutls_free(out.data);
    gnutls_pkcs7_deinit(p7);
    gnutls_privkey_deinit(key);
}

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    CertGenSpec ss = { .key_type = CERTGEN_RSA2048, .cn = "signer" };
    CertGenSpec os = { .key_type = CERTGEN_P256, .cn = "other" };
    g_autoptr(CertGenCert) signer = certgen_new(&ss);
    g_autoptr(CertGenCert) other = certgen_new(&os);
    g_autofree char *dir = certgen_tmpdir_new();
    g_autofree char *sp = g_build_filename(dir, "s.pem", NULL);
    g_autofree char *op = g_build_filename(dir, "o.pem", NULL);
    const char *paths[] = { op, sp, sp };
    g_autoptr(GError) error = NULL;

    for (size_t i = 0; i < sizeof(fuzz_payload); i++) {
        fuzz_payload[i] = (uint8_t)(i * 131 + (i >> 8));
    }
    fuzz_sign(signer);
    certgen_write_pem(signer, sp);
    certgen_write_pem(other, op);
    fuzz_store = cert_store_new(paths, G_N_ELEMENTS(paths), &error);
    if (!fuzz_store) {
        g_printerr("fuzz-diag508: %s\n", error->message);
        abort();
    }
    certgen_tmpdir_remove(dir);
    g_log_set_handler("sipl-diag508", G_LOG_LEVEL_MASK, fuzz_log_quiet, NULL);
    return 0;
}

static uint64_t
fuzz_be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void
fuzz_put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GuestMem) mem = guestmem_new(FUZZ_MEM_SIZE, NULL);
    g_autofree uint8_t *before = g_malloc(FUZZ_MEM_SIZE);
    g_autofree uint8_t *after = g_malloc(FUZZ_MEM_SIZE);
    uint8_t sig[DIAG_508_MAX_SIG_LEN];
    uint8_t svb[64] = { 0 };
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t addr, subcode = 0x8000, r1p1 = FUZZ_SENTINEL;
    uint32_t raw;
    uint8_t mode;
    DiagException exc;

    if (size < 5 || !mem) {
        return 0;
    }
    mode = data[0];
    raw = (uint32_t)fuzz_be(data + 1, 4);
    addr = (raw & 0x80000000u) ? UINT64_MAX - (raw & 0xffff)
                               : raw % (FUZZ_MEM_SIZE + 256);
    memcpy(svb, data + 5, MIN(size - 5, sizeof(svb)));
    if ((mode & 3) == 1) {
        subcode = 0;
    } else if ((mode & 3) == 2) {
        subcode = fuzz_be(svb, 2);
    }
    cpu.problem_state = mode & 0x04;
    cpu.fac_sipl = !(mode & 0x08);
    cpu.pv = mode & 0x40;
    if (mode & 0x10) {
        fuzz_put64(svb + 48, fuzz_sig_len);
        fuzz_put64(svb + 56, FUZZ_SIG_ADDR);
    }
    if (mode & 0x20) {
        fuzz_put64(svb + 32, FUZZ_COMP_LEN);
        fuzz_put64(svb + 40, FUZZ_COMP_ADDR);
    }

    memcpy(sig, fuzz_sig, fuzz_sig_len);
    for (size_t i = 69; i < size && i - 69 < fuzz_sig_len; i++) {
        sig[i - 69] ^= data[i];
    }
    if (!guestmem_write(mem, FUZZ_COMP_ADDR, fuzz_payload, FUZZ_COMP_LEN) ||
        !guestmem_write(mem, FUZZ_SIG_ADDR, sig, fuzz_sig_len)) {
        abort();
    }
    if (addr < FUZZ_MEM_SIZE &&
        !guestmem_write(mem, addr, svb,
                        MIN(sizeof(svb), (size_t)(FUZZ_MEM_SIZE - addr)))) {
        abort();
    }
    if (!guestmem_read(mem, 0, before, FUZZ_MEM_SIZE)) {
        abort();
    }

    exc = diag508_handle(fuzz_store, mem, &cpu, (mode & 0x80) ? 1 : 0, addr,
                         subcode, &r1p1);

    if (!guestmem_read(mem, 0, after, FUZZ_MEM_SIZE)) {
        abort();
    }
    if (exc != DIAG_EXC_NONE) {
        if (r1p1 != FUZZ_SENTINEL || memcmp(before, after, FUZZ_MEM_SIZE)) {
            abort();
        }
        return 0;
    }
    if (subcode == 0x8000 && r1p1 == 0x0001) {
        guint index;

        if (addr > FUZZ_MEM_SIZE - 64) {
            abort();
        }
        index = after[addr + 16];
        if (index >= cert_store_count(fuzz_store) ||
            fuzz_be(after + addr + 24, 8) !=
                cert_store_get(fuzz_store, index)->der_size ||
            memcmp(before, after, addr) ||
            memcmp(before + addr + 64, after + addr + 64,
                   FUZZ_MEM_SIZE - addr - 64)) {
            abort();
        }
    } else if (memcmp(before, after, FUZZ_MEM_SIZE)) {
        abort();
    }
    return 0;
}
