/*
 * certs.h: DIAG 0x320 from the guest side: store size (spec/03 §6.3) and
 * single-certificate fetch (spec/03 §9, 07 D19, D20)
 */
#ifndef SIPL_BIOS_CERTS_H
#define SIPL_BIOS_CERTS_H

#include <stdint.h>

#include "platform.h"

/* What DIAG 0x320 subcode 1 said about the store. */
typedef struct CertsStoreInfo {
    uint16_t total_vc_ct;           /* 1..64 */
    uint32_t max_single_vcb_len;
} CertsStoreInfo;

/**
 * certs_query_store:
 * @p: platform
 * @info: out: store size
 *
 * DIAG 0x320 subcode 1 with length 128.
 * Returns: 0, or SIPL_EHALT after panic "Failed to query certificate
 * storage information!" (RC not 0x0001, an exception, or more than 64
 * certificates, 07 D19) or "Need at least one certificate for secure
 * boot!" (length 4).
 */
int certs_query_store(const SiplPlatform *p, CertsStoreInfo *info);

/**
 * certs_fetch:
 * @p: platform
 * @info: store size from certs_query_store()
 * @index: 1-origin store index
 * @dst: receives the DER bytes
 * @room: bytes available at @dst
 * @der_len: out: DER length copied
 *
 * DIAG 0x320 subcode 2 for one certificate, through a static page-aligned
 * 12288-byte VCB (in_len bounded by it, 07 D20).
 * Returns: 0; SIPL_EPERM after printing "No certificate entry" or "Invalid
 * certificate" or nothing (RC not 0x0001; the caller prints "Could not get
 * certificate"); SIPL_ENOSPC when the certificate does not fit @room
 * (nothing printed; 07 D18); SIPL_EHALT after panic "Not enough memory to
 * store requested certificate" (remain_ct != 0).
 */
int certs_fetch(const SiplPlatform *p, const CertsStoreInfo *info,
                uint16_t index, uint8_t *dst, uint32_t room,
                uint32_t *der_len);

#endif /* SIPL_BIOS_CERTS_H */
