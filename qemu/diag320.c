/*
 * diag320.c: DIAGNOSE 0x320, the certificate store (spec/02 §5)
 *
 * Host log messages (spec/02 §5.7) go to g_warning() in log domain
 * "sipl-diag320"; front ends route them with g_log_set_handler().
 *
 * Guest memory is logical for this DIAG (07 K5); sipl's machine runs with
 * DAT off, so the checked guest-memory accessors are the translation, and
 * every pre-check uses the same accessors as the access (07 D16).
 */
/* = DIAG320_LOG_DOMAIN (diag320.h); must be set before glib.h is included */
#define G_LOG_DOMAIN "sipl-diag320"

#include "diag320.h"

#include <string.h>

#include "../bios/wire/diag320.h"

#define DIAG320_ISM (DIAG_320_ISM_QUERY_SUBCODES | DIAG_320_ISM_QUERY_VCSI | \
                     DIAG_320_ISM_STORE_VC)

/* Subcode 0: one ISB word, K1 (never the other 7 words). */
static DiagException
diag320_query_ism(GuestMem *mem, uint64_t addr, uint64_t *r1p1)
{
    sipl_be32 ism;

    be32_put(&ism, DIAG320_ISM);
    if (!guestmem_write(mem, addr, &ism, sizeof(ism))) {
        return DIAG_EXC_ADDRESSING;
    }
    *r1p1 = DIAG_320_RC_OK;
    return DIAG_EXC_NONE;
}

/* Subcode 1: the VCSSB (spec/02 §5.5). */
static DiagException
diag320_query_vcsi(const CertStore *store, GuestMem *mem, uint64_t addr,
                   uint64_t *r1p1)
{
    VCStorageSizeBlock in, out;
    guint count = cert_store_count(store);

    if (addr & 7) {
        return DIAG_EXC_SPECIFICATION;
    }
    if (!guestmem_read(mem, addr, &in, sizeof(in))) {
        return DIAG_EXC_ADDRESSING;
    }
    if (be32_get(in.length) != VCSSB_LEN_VALID) {
        *r1p1 = DIAG_320_RC_INVAL_VCSSB_LEN;
        return DIAG_EXC_NONE;
    }
    if (count == 0) {
        /* K2: only the length word, the BIOS tests exactly this. */
        sipl_be32 len;

        be32_put(&len, VCSSB_NO_VC);
        if (!guestmem_write(mem, addr, &len, sizeof(len))) {
            return DIAG_EXC_ADDRESSING;
        }
        *r1p1 = DIAG_320_RC_OK;
        return DIAG_EXC_NONE;
    }

    /* Reserved bytes zero, not echoed (07 D3). The sums are bounded by
     * 64 entries of at most 8192 bytes, far below 2^32. */
    memset(&out, 0, sizeof(out));
    out.length = in.length;
    out.version = 0;
    be16_put(&out.total_vc_ct, (uint16_t)count);
    be16_put(&out.max_vc_ct, MAX_CERTIFICATES);
    be32_put(&out.max_single_vcb_len,
             (uint32_t)(VCB_HEADER_LEN + VCE_HEADER_LEN +
                        cert_store_largest_data_size(store)));
    be32_put(&out.total_vcb_len,
             (uint32_t)(VCB_HEADER_LEN + (size_t)count * VCE_HEADER_LEN +
                        cert_store_total_bytes(store)));
    if (!guestmem_write(mem, addr, &out, sizeof(out))) {
        return DIAG_EXC_ADDRESSING;
    }
    *r1p1 = DIAG_320_RC_OK;
    return DIAG_EXC_NONE;
}

/* Step 2 of spec/02 §5.7; false (and one log line) when the entry must be
 * invalid. Expiration is tested first, as upstream does. */
static bool
diag320_vce_time_ok(const CertStore *store, const CertStoreEntry *e)
{
    time_t now = cert_store_now(store);

    /* The store marks a time GnuTLS could not give as (time_t)-1, or only
     * clears times_ok; either way expiration is reported first. */
    if (e->expiration == (time_t)-1 ||
        (!e->times_ok && e->activation != (time_t)-1)) {
        g_warning("Failed to get certificate expiration time");
        return false;
    }
    if (e->activation == (time_t)-1) {
        g_warning("Failed to get certificate activation time");
        return false;
    }
    if (now > e->expiration) {
        g_warning("The certificate has expired");
        return false;
    }
    if (now < e->activation) {
        g_warning("The certificate is not yet active");
        return false;
    }
    return true;
}

/* Steps 2-4 of spec/02 §5.7: false (after one log line) when the entry
 * must be invalid. */
static bool
diag320_vce_usable(const CertStore *store, const CertStoreEntry *e,
                   size_t len)
{
    if (!diag320_vce_time_ok(store, e)) {
        return false;
    }
    if (!e->key_type_ok) {
        /* 07 D6: invalid entry, never an abort */
        g_warning("Failed to get certificate key type"); /* (sipl) */
        return false;
    }
    if (!e->key_id_ok) {
        g_warning("Failed to get certificate key ID"); /* (sipl) */
        return false;
    }
    /* The store bounds DER at 8000 bytes; check anyway, so a store bug can
     * never push a write past the 8192-byte buffer. */
    if (e->der_size == 0 || len > MAX_VCENTRY_SIZE) {
        g_warning("Unable to write certificate: exceeds buffer bounds");
        return false;
    }
    return true;
}

/**
 * diag320_build_vce:
 * @store: the certificate store
 * @index: 0-origin store index
 * @buf: out: MAX_VCENTRY_SIZE bytes, zeroed and filled here
 *
 * Builds the VCE of store entry @index following spec/02 §5.7.
 *
 * Returns: the entry's length: 192 + round_up(DER, 4) for a valid entry,
 * 72 for an invalid one (flags 0, key_type 0, 07 D26).
 */
static uint32_t
diag320_build_vce(const CertStore *store, guint index, uint8_t *buf)
{
    const CertStoreEntry *e = cert_store_get(store, index);
    VCEntryHeader h;
    size_t padded = ((size_t)e->der_size + 3) & ~(size_t)3;
    size_t len = VCE_CERT_OFFSET + padded;

    memset(&h, 0, sizeof(h));
    be32_put(&h.len, VCE_INVALID_LEN);
    be16_put(&h.cert_idx, (uint16_t)(index + 1));   /* 1-origin, K4 */
    memcpy(h.name, e->name, sizeof(h.name));
    memset(buf, 0, MAX_VCENTRY_SIZE);

    if (!diag320_vce_usable(store, e, len)) {
        /* Only len, flags, key_type, cert_idx and name reach the guest. */
        memcpy(buf, &h, VCE_INVALID_LEN);
        return VCE_INVALID_LEN;
    }

    h.flags = DIAG_320_VCE_FLAGS_VALID;
    h.key_type = e->key_type;
    h.format = DIAG_320_VCE_FORMAT_X509_DER;
    be16_put(&h.keyid_len, CERT_KEY_ID_LEN);
    h.hash_type = DIAG_320_VCE_HASHTYPE_SHA2_256;
    be16_put(&h.hash_len, CERT_HASH_LEN);
    be32_put(&h.cert_len, (uint32_t)e->der_size);
    be16_put(&h.hash_offset, VCE_HASH_OFFSET);
    be16_put(&h.cert_offset, VCE_CERT_OFFSET);
    be32_put(&h.len, (uint32_t)len);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + VCE_KEYID_OFFSET, e->key_id, CERT_KEY_ID_LEN);
    memcpy(buf + VCE_HASH_OFFSET, e->fingerprint, CERT_HASH_LEN);
    memcpy(buf + VCE_CERT_OFFSET, e->der, e->der_size);
    return (uint32_t)len;
}

/* Subcode 2: the VCB (spec/02 §5.6, 07 D1, D2, D3, D16, K3). */
static DiagException
diag320_store_vc(const CertStore *store, GuestMem *mem, uint64_t addr,
                 uint64_t *r1p1)
{
    VCBlockHeader in, out;
    guint count = cert_store_count(store);
    uint32_t in_len;
    uint16_t first, last, stored = 0, remain = 0;
    g_autoptr(GByteArray) entries = NULL;

    if (addr & (VCB_PAGE - 1)) {
        return DIAG_EXC_SPECIFICATION;
    }
    if (!guestmem_read(mem, addr, &in, sizeof(in))) {
        return DIAG_EXC_ADDRESSING;
    }
    in_len = be32_get(in.in_len);
    first = be16_get(in.first_vc_index);
    last = be16_get(in.last_vc_index);

    /* 07 D1: 0 passes "multiple of 4096" upstream and wraps below. */
    if (in_len % VCB_PAGE != 0 || in_len < VCB_PAGE) {
        *r1p1 = DIAG_320_RC_INVAL_VCB_LEN;
        return DIAG_EXC_NONE;
    }
    if (first > last) {
        *r1p1 = DIAG_320_RC_BAD_RANGE;
        return DIAG_EXC_NONE;
    }

    entries = g_byte_array_new();
    /* K3: first = last = 0, or a range beyond the store, is header only. */
    if (last != 0) {
        guint start = first == 0 ? 0 : first - 1u;
        guint end = last - 1u;

        if (start < count && end < count) {
            uint64_t remaining = in_len - VCB_HEADER_LEN;
            g_autofree uint8_t *vce = g_malloc(MAX_VCENTRY_SIZE);

            for (guint i = start; i <= end; i++) {
                /* Built (and logged) before the space check, as upstream. */
                uint32_t vlen = diag320_build_vce(store, i, vce);

                if (remaining < vlen) {
                    remain = (uint16_t)(last - i);
                    break;
                }
                g_byte_array_append(entries, vce, vlen);
                remaining -= vlen;
                stored++;
            }
        }
    }

    /* 07 D16: the whole range to be written is checked first. */
    if (!guestmem_range_ok(mem, addr,
                           VCB_HEADER_LEN + (uint64_t)entries->len)) {
        return DIAG_EXC_ADDRESSING;
    }

    /* 07 D2, D3: counters from zero, reserved bytes zero, inputs echoed. */
    memset(&out, 0, sizeof(out));
    out.in_len = in.in_len;
    out.first_vc_index = in.first_vc_index;
    out.last_vc_index = in.last_vc_index;
    be32_put(&out.out_len, VCB_HEADER_LEN + entries->len);
    be16_put(&out.stored_ct, stored);
    be16_put(&out.remain_ct, remain);

    if ((entries->len > 0 &&
         !guestmem_write(mem, addr + VCB_HEADER_LEN, entries->data,
                         entries->len)) ||
        !guestmem_write(mem, addr, &out, sizeof(out))) {
        g_assert_not_reached();   /* range checked above */
    }
    *r1p1 = DIAG_320_RC_OK;
    return DIAG_EXC_NONE;
}

/**
 * diag320_handle:
 * @store: the machine's certificate store
 * @mem: guest memory
 * @cpu: the calling vCPU
 * @r1: number of register R1 (must be even)
 * @addr: contents of R1
 * @subcode: contents of R3
 * @r1p1: out: new contents of R1+1, written only when no exception
 *
 * Checks in the order of spec/02 §5.2, then runs subcode 0, 1 or 2.
 *
 * Returns: DIAG_EXC_NONE with *@r1p1 set to a DIAG_320_RC_* code;
 * DIAG_EXC_PRIVILEGED in problem state; DIAG_EXC_SPECIFICATION without the
 * cstore facility (always for PV), for subcode bits outside 0xFF, an odd
 * @r1, or a misaligned block; DIAG_EXC_ADDRESSING when the block is not in
 * guest memory — then nothing was written.
 */
DiagException
diag320_handle(const CertStore *store, GuestMem *mem, const DiagCpu *cpu,
               unsigned r1, uint64_t addr, uint64_t subcode, uint64_t *r1p1)
{
    if (cpu->problem_state) {
        return DIAG_EXC_PRIVILEGED;
    }
    if (!cpu->fac_cstore || cpu->pv || (subcode & ~(uint64_t)0xff) ||
        (r1 & 1)) {
        return DIAG_EXC_SPECIFICATION;
    }
    switch (subcode) {
    case DIAG_320_SUBC_QUERY_ISM:
        return diag320_query_ism(mem, addr, r1p1);
    case DIAG_320_SUBC_QUERY_VCSI:
        return diag320_query_vcsi(store, mem, addr, r1p1);
    case DIAG_320_SUBC_STORE_VC:
        return diag320_store_vc(store, mem, addr, r1p1);
    default:
        *r1p1 = DIAG_320_RC_NOT_SUPPORTED;
        return DIAG_EXC_NONE;
    }
}
