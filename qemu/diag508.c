/*
 * diag508.c: DIAGNOSE 0x508, signature verification (spec/02 §6)
 *
 * Host log messages (spec/02 §6.3) go to g_warning() in log domain
 * "sipl-diag508"; front ends route them with g_log_set_handler().
 *
 * Addresses are absolute (07 K5). Every guest length is bounded and every
 * range checked for 64-bit wrap before use (07 D12); the component is never
 * copied: sig_verify() hashes it in place.
 */
/* = DIAG508_LOG_DOMAIN (diag508.h); must be set before glib.h is included */
#define G_LOG_DOMAIN "sipl-diag508"

#include "diag508.h"

#include <string.h>

#include "../bios/wire/diag508.h"
#include "sigverify.h"

/* Subcode 0x8000 (spec/02 §6.3 with 07 D3, D12, D13). */
static DiagException
diag508_sig_verif(const CertStore *store, GuestMem *mem, uint64_t addr,
                  uint64_t *r1p1)
{
    Diag508SigVerifBlock svb, out;
    uint64_t comp_len, comp_addr, sig_len, sig_addr;
    uint8_t sig[DIAG_508_MAX_SIG_LEN];
    guint index = 0;

    if (!guestmem_range_ok(mem, addr, sizeof(svb))) {
        return DIAG_EXC_ADDRESSING;
    }
    if (cert_store_count(store) == 0) {
        *r1p1 = DIAG_508_RC_NO_CERTS;
        return DIAG_EXC_NONE;
    }
    if (!guestmem_read(mem, addr, &svb, sizeof(svb))) {
        return DIAG_EXC_ADDRESSING;
    }
    if (be32_get(svb.length) != SVB_LEN) {
        *r1p1 = DIAG_508_RC_INVAL_LEN;
        return DIAG_EXC_NONE;
    }
    comp_len = be64_get(svb.comp_len);
    comp_addr = be64_get(svb.comp_addr);
    sig_len = be64_get(svb.sig_len);
    sig_addr = be64_get(svb.sig_addr);

    if (comp_len == 0 || comp_addr == 0) {
        *r1p1 = DIAG_508_RC_INVAL_COMP_DATA;
        return DIAG_EXC_NONE;
    }
    if (comp_len > DIAG_508_MAX_COMP_LEN) {
        g_warning("DIAG 0x508: component length %llu exceeds current "
                  "maximum %u", (unsigned long long)comp_len,
                  (unsigned)DIAG_508_MAX_COMP_LEN);
        *r1p1 = DIAG_508_RC_INVAL_COMP_DATA;
        return DIAG_EXC_NONE;
    }
    if (sig_len == 0 || sig_addr == 0) {
        *r1p1 = DIAG_508_RC_INVAL_PKCS7_SIG;
        return DIAG_EXC_NONE;
    }
    if (sig_len > DIAG_508_MAX_SIG_LEN) {
        g_warning("DIAG 0x508: signature length %llu exceeds current "
                  "maximum %u", (unsigned long long)sig_len,
                  (unsigned)DIAG_508_MAX_SIG_LEN);
        *r1p1 = DIAG_508_RC_INVAL_PKCS7_SIG;
        return DIAG_EXC_NONE;
    }
    /* 07 D12: ranges in backed memory without wrap, before any use. */
    if (!guestmem_range_ok(mem, comp_addr, comp_len)) {
        *r1p1 = DIAG_508_RC_INVAL_COMP_DATA;
        return DIAG_EXC_NONE;
    }
    if (!guestmem_read(mem, sig_addr, sig, sig_len)) {
        *r1p1 = DIAG_508_RC_INVAL_PKCS7_SIG;
        return DIAG_EXC_NONE;
    }

    switch (sig_verify(store, sig, (size_t)sig_len, mem, comp_addr, comp_len,
                       &index)) {
    case SIG_VERIFY_OK:
        break;
    case SIG_VERIFY_BAD_FORMAT:     /* 07 D13 */
        *r1p1 = DIAG_508_RC_INVAL_PKCS7_SIG;
        return DIAG_EXC_NONE;
    case SIG_VERIFY_BAD_RANGE:
        *r1p1 = DIAG_508_RC_INVAL_COMP_DATA;
        return DIAG_EXC_NONE;
    case SIG_VERIFY_FAILED:
    default:
        *r1p1 = DIAG_508_RC_FAIL_VERIF;
        return DIAG_EXC_NONE;
    }

    /* Inputs echoed, reserved bytes zero (07 D3), index 0-origin (K4). */
    memset(&out, 0, sizeof(out));
    out.length = svb.length;
    out.version = svb.version;
    out.cert_store_index = (uint8_t)index;
    be64_put(&out.cert_len, cert_store_get(store, index)->der_size);
    out.comp_len = svb.comp_len;
    out.comp_addr = svb.comp_addr;
    out.sig_len = svb.sig_len;
    out.sig_addr = svb.sig_addr;
    if (!guestmem_write(mem, addr, &out, sizeof(out))) {
        return DIAG_EXC_ADDRESSING;     /* checked at step 1 */
    }
    *r1p1 = DIAG_508_RC_OK;
    return DIAG_EXC_NONE;
}

/**
 * diag508_handle:
 * @store: the machine's certificate store
 * @mem: guest memory
 * @cpu: the calling vCPU
 * @r1: number of register R1 (must be even)
 * @addr: contents of R1, the SVB address (absolute)
 * @subcode: contents of R3
 * @r1p1: out: new contents of R1+1, written only when no exception
 *
 * Checks in the order of spec/02 §6.1, with sipl's facility gate (07 D7).
 *
 * Returns: DIAG_EXC_NONE with *@r1p1 set to the installed-subcode mask
 * 0x8000 (subcode 0) or a DIAG_508_RC_* code (subcode 0x8000);
 * DIAG_EXC_PRIVILEGED in problem state; DIAG_EXC_SPECIFICATION without the
 * sipl facility (always for PV), for subcode bits outside 0xFFFF, an odd
 * @r1, or a subcode other than 0 and 0x8000 (K18); DIAG_EXC_ADDRESSING
 * when the 64-byte SVB is not in guest memory.
 */
DiagException
diag508_handle(const CertStore *store, GuestMem *mem, const DiagCpu *cpu,
               unsigned r1, uint64_t addr, uint64_t subcode, uint64_t *r1p1)
{
    if (cpu->problem_state) {
        return DIAG_EXC_PRIVILEGED;
    }
    if (!cpu->fac_sipl || cpu->pv || (subcode & ~(uint64_t)0xffff) ||
        (r1 & 1)) {
        return DIAG_EXC_SPECIFICATION;
    }
    switch (subcode) {
    case DIAG_508_SUBC_QUERY_SUBC:
        *r1p1 = DIAG_508_SUBC_SIG_VERIF;
        return DIAG_EXC_NONE;
    case DIAG_508_SUBC_SIG_VERIF:
        return diag508_sig_verif(store, mem, addr, r1p1);
    default:
        return DIAG_EXC_SPECIFICATION;
    }
}
