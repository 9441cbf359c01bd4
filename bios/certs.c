/*
 * certs.c: DIAG 0x320 from the guest side (certs.h)
 */
#include "certs.h"

#include "util.h"
#include "wire/diag320.h"

/* Header plus one maximal VCE is 8256 bytes; the page-aligned type makes the
 * object three pages, as upstream's (spec/03 §9, 07 D20). */
#define CERTS_VCB_SIZE  (3 * VCB_PAGE)

static uint8_t certs_vcb[CERTS_VCB_SIZE] __attribute__((aligned(VCB_PAGE)));
static VCStorageSizeBlock certs_vcssb __attribute__((aligned(8)));

_Static_assert(VCB_HEADER_LEN + MAX_VCENTRY_SIZE <= CERTS_VCB_SIZE,
               "one maximal VCE fits (spec/01 §5)");

int certs_query_store(const SiplPlatform *p, CertsStoreInfo *info)
{
    uint64_t gaddr, rc = 0;
    uint32_t len;
    uint16_t total;

    bios_memset(&certs_vcssb, 0, sizeof(certs_vcssb));
    be32_put(&certs_vcssb.length, VCSSB_LEN_VALID);
    gaddr = p->buf_to_guest(p->opaque, &certs_vcssb, sizeof(certs_vcssb), 8);
    if (!gaddr ||
        p->diag(p->opaque, SIPL_DIAG_320, DIAG_320_SUBC_QUERY_VCSI, gaddr,
                &rc) != SIPL_PGM_NONE || rc != DIAG_320_RC_OK) {
        return bios_panic(p, "Failed to query certificate storage information!");
    }
    p->buf_from_guest(p->opaque, &certs_vcssb, sizeof(certs_vcssb), gaddr);
    len = be32_get(certs_vcssb.length);
    if (len == VCSSB_NO_VC) {
        return bios_panic(p, "Need at least one certificate for secure boot!");
    }
    total = be16_get(certs_vcssb.total_vc_ct);
    /* 07 D19: the index map is static, 64 + 1 slots */
    if (len != VCSSB_LEN_VALID || total > MAX_CERTIFICATES) {
        return bios_panic(p, "Failed to query certificate storage information!");
    }
    if (total == 0) {
        return bios_panic(p, "Need at least one certificate for secure boot!");
    }
    info->total_vc_ct = total;
    info->max_single_vcb_len = be32_get(certs_vcssb.max_single_vcb_len);
    return 0;
}

int certs_fetch(const SiplPlatform *p, const CertsStoreInfo *info,
                uint16_t index, uint8_t *dst, uint32_t room,
                uint32_t *der_len)
{
    VCBlockHeader *vcb = (VCBlockHeader *)certs_vcb;
    VCEntryHeader *vce = (VCEntryHeader *)(certs_vcb + VCB_HEADER_LEN);
    uint64_t in_len, gaddr, rc = 0;
    uint32_t out_len, vce_len, cert_len, cert_off;

    /* 07 D20: round up the hypervisor's size, but never past our buffer */
    in_len = ((uint64_t)info->max_single_vcb_len + VCB_PAGE - 1) &
             ~(uint64_t)(VCB_PAGE - 1);
    if (in_len > CERTS_VCB_SIZE || in_len == 0) {
        in_len = CERTS_VCB_SIZE;
    }
    bios_memset(certs_vcb, 0, sizeof(certs_vcb));
    be32_put(&vcb->in_len, (uint32_t)in_len);
    be16_put(&vcb->first_vc_index, index);
    be16_put(&vcb->last_vc_index, index);
    gaddr = p->buf_to_guest(p->opaque, certs_vcb, sizeof(certs_vcb), VCB_PAGE);
    if (!gaddr ||
        p->diag(p->opaque, SIPL_DIAG_320, DIAG_320_SUBC_STORE_VC, gaddr,
                &rc) != SIPL_PGM_NONE || rc != DIAG_320_RC_OK) {
        return SIPL_EPERM;
    }
    p->buf_from_guest(p->opaque, certs_vcb, sizeof(certs_vcb), gaddr);

    out_len = be32_get(vcb->out_len);
    if (out_len == VCB_HEADER_LEN) {
        bios_print(p, NULL, "No certificate entry");
        return SIPL_EPERM;
    }
    if (be16_get(vcb->remain_ct) != 0) {
        return bios_panic(p, "Not enough memory to store requested certificate");
    }
    if (!(vce->flags & DIAG_320_VCE_FLAGS_VALID)) {
        bios_print(p, NULL, "Invalid certificate");
        return SIPL_EPERM;
    }
    /* Every length the hypervisor gave must stay inside out_len and the
     * buffer before a byte is copied (sipl). */
    vce_len = be32_get(vce->len);
    cert_len = be32_get(vce->cert_len);
    cert_off = be16_get(vce->cert_offset);
    if (out_len > in_len || out_len < VCB_HEADER_LEN + VCE_HEADER_LEN ||
        vce_len > out_len - VCB_HEADER_LEN || cert_off > vce_len ||
        cert_len > vce_len - cert_off) {
        bios_print(p, NULL, "Invalid certificate");
        return SIPL_EPERM;
    }
    if (cert_len > room) {
        return SIPL_ENOSPC;
    }
    bios_memcpy(dst, (uint8_t *)vce + cert_off, cert_len);
    *der_len = cert_len;
    return 0;
}
