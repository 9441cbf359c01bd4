/*
 * fuzz-diag320.c: libFuzzer target for the DIAGNOSE 0x320 handler
 * (spec/02 §5, 07 D1-D3, D16)
 *
 * Input layout:
 *   [0]     mode: bits 0-2 subcode (0, 1, 2, raw byte [5], 2, 2, 2, 2),
 *           bit 3 problem state, bit 4 no cstore, bit 5 PV, bit 6 odd R1,
 *           bit 7 clock moved past every expiration (invalid VCEs)
 *   [1..4]  R1 contents, big-endian: with the top bit set, a value near
 *           2^64 (wrap-around), else taken modulo memory size + 8 KiB
 *   [5..]   bytes copied to guest memory at R1 (as much as fits)
 *
 * The store is built once from run-time GnuTLS certificates (RSA-2048,
 * P-521, P-256 and duplicates, 10 entries, so the VCB overflows a page).
 * Guest memory is 64 KiB. The harness checks the handler's contract: an
 * exception leaves R1+1 untouched and, for subcode 2, memory unchanged
 * (07 D16); a VCB never reports more than in_len bytes. ASan proves no
 * host access outside guest memory.
 */
#include "certgen.h"
#include "qemu/certstore.h"
#include "qemu/diag320.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_MEM_SIZE (64 * 1024)
#define FUZZ_SENTINEL 0x5a5a5a5a5a5a5a5aULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static CertStore *fuzz_store;
static time_t fuzz_future;

static time_t
fuzz_clock_future(void)
{
    return fuzz_future;
}

static time_t
fuzz_clock_now(void)
{
    return time(NULL);
}

static void
fuzz_log_quiet(const gchar *domain G_GNUC_UNUSED,
               GLogLevelFlags level G_GNUC_UNUSED,
               const gchar *message G_GNUC_UNUSED,
               gpointer data G_GNUC_UNUSED)
{
}

int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    const CertGenKeyType types[] = { CERTGEN_RSA2048, CERTGEN_P521,
                                     CERTGEN_P256 };
    const char *order[] = { "a.pem", "b.pem", "c.pem", "a.pem", "b.pem",
                            "a.pem", "c.pem", "a.pem", "b.pem", "a.pem" };
    g_autofree char *dir = certgen_tmpdir_new();
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS(types); i++) {
        CertGenSpec spec = { .key_type = types[i] };
        g_autoptr(CertGenCert) c = certgen_new(&spec);
        char name[] = { (char)('a' + i), '.', 'p', 'e', 'm', '\0' };
        g_autofree char *p = g_build_filename(dir, name, NULL);

        certgen_write_pem(c, p);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(order); i++) {
        g_ptr_array_add(paths, g_build_filename(dir, order[i], NULL));
    }
    fuzz_store = cert_store_new((const char *const *)paths->pdata,
                                paths->len, &error);
    if (!fuzz_store) {
        g_printerr("fuzz-diag320: %s\n", error->message);
        abort();
    }
    certgen_tmpdir_remove(dir);
    fuzz_future = time(NULL) + 20 * 365 * 86400;
    g_log_set_handler("sipl-diag320", G_LOG_LEVEL_MASK, fuzz_log_quiet, NULL);
    return 0;
}

static uint32_t
fuzz_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t subcodes[8] = { 0, 1, 2, 0, 2, 2, 2, 2 };
    g_autoptr(GuestMem) mem = guestmem_new(FUZZ_MEM_SIZE, NULL);
    g_autofree uint8_t *before = g_malloc(FUZZ_MEM_SIZE);
    g_autofree uint8_t *after = g_malloc(FUZZ_MEM_SIZE);
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t addr, subcode, r1p1 = FUZZ_SENTINEL;
    uint32_t raw;
    uint8_t mode;
    DiagException exc;

    if (size < 5 || !mem) {
        return 0;
    }
    mode = data[0];
    raw = fuzz_be32(data + 1);
    addr = (raw & 0x80000000u) ? UINT64_MAX - (raw & 0xffff)
                               : raw % (FUZZ_MEM_SIZE + 8192);
    subcode = subcodes[mode & 7];
    if ((mode & 7) == 3) {
        subcode = size > 5 ? data[5] : 3;
    }
    cpu.problem_state = mode & 0x08;
    cpu.fac_cstore = !(mode & 0x10);
    cpu.pv = mode & 0x20;

    if (addr < FUZZ_MEM_SIZE) {
        size_t n = MIN(size - 5, (size_t)(FUZZ_MEM_SIZE - addr));
        if (!guestmem_write(mem, addr, data + 5, n)) {
            abort();
        }
    }
    if (!guestmem_read(mem, 0, before, FUZZ_MEM_SIZE)) {
        abort();
    }

    cert_store_set_clock(fuzz_store, (mode & 0x80) ? fuzz_clock_future
                                                   : fuzz_clock_now);
    exc = diag320_handle(fuzz_store, mem, &cpu, (mode & 0x40) ? 3 : 2, addr,
                         subcode, &r1p1);

    if (!guestmem_read(mem, 0, after, FUZZ_MEM_SIZE)) {
        abort();
    }
    if (exc != DIAG_EXC_NONE) {
        /* R1+1 untouched; no partial write in any subcode (07 D16) */
        if (r1p1 != FUZZ_SENTINEL || memcmp(before, after, FUZZ_MEM_SIZE)) {
            abort();
        }
        return 0;
    }
    if (subcode == 2 && r1p1 == 0x0001) {
        uint32_t in_len = fuzz_be32(after + addr);
        uint32_t out_len = fuzz_be32(after + addr + 32);

        if (out_len < 64 || out_len > in_len ||
            out_len > FUZZ_MEM_SIZE - addr ||
            memcmp(before + addr + out_len, after + addr + out_len,
                   FUZZ_MEM_SIZE - addr - out_len)) {
            abort();
        }
    } else if (r1p1 != 0x0001 && memcmp(before, after, FUZZ_MEM_SIZE)) {
        /* an error code means nothing was written */
        abort();
    }
    return 0;
}
