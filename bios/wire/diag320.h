/*
 * diag320.h: DIAGNOSE 0x320 (certificate store) wire formats, spec/02 §5
 */
#ifndef SIPL_WIRE_DIAG320_H
#define SIPL_WIRE_DIAG320_H

#include "be.h"
#include "limits.h"

#define DIAG_320_SUBC_QUERY_ISM     0
#define DIAG_320_SUBC_QUERY_VCSI    1
#define DIAG_320_SUBC_STORE_VC      2

#define DIAG_320_RC_OK              0x0001
#define DIAG_320_RC_NOT_SUPPORTED   0x0102
#define DIAG_320_RC_INVAL_VCSSB_LEN 0x0202
#define DIAG_320_RC_INVAL_VCB_LEN   0x0204
#define DIAG_320_RC_BAD_RANGE       0x0302

/* Installed-subcodes mask (ISB word 0) */
#define DIAG_320_ISM_QUERY_SUBCODES 0x80000000u
#define DIAG_320_ISM_QUERY_VCSI     0x40000000u
#define DIAG_320_ISM_STORE_VC       0x20000000u

/* Installed-subcodes block: up to 8 words; QEMU writes word 0 only (07 K1) */
typedef struct Diag320InstalledSubcodes {
    sipl_be32 ism[8];               /* 0: word 0 = DIAG_320_ISM_* mask */
} Diag320InstalledSubcodes;

_Static_assert(sizeof(Diag320InstalledSubcodes) == 32, "spec/02 §5.4");

#define DIAG_320_VCE_FLAGS_VALID                0x80
#define DIAG_320_VCE_KEYTYPE_SELF_DESCRIBING    0
#define DIAG_320_VCE_KEYTYPE_ECDSA_P521         1
#define DIAG_320_VCE_FORMAT_X509_DER            1
#define DIAG_320_VCE_HASHTYPE_SHA2_256          1

/* Verification-certificate storage size block, 128 bytes (spec/02 §5.5) */
typedef struct VCStorageSizeBlock {
    sipl_be32 length;               /* 0: in 128; out 128, or 4 = empty */
    uint8_t reserved0[3];           /* 4 */
    uint8_t version;                /* 7: out 0 */
    uint8_t reserved1[24];          /* 8 */
    sipl_be16 total_vc_ct;          /* 32 */
    sipl_be16 max_vc_ct;            /* 34: 64 */
    uint8_t reserved2[44];          /* 36 */
    sipl_be32 max_single_vcb_len;   /* 80 */
    sipl_be32 total_vcb_len;        /* 84 */
    uint8_t reserved3[40];          /* 88 */
} VCStorageSizeBlock;

_Static_assert(sizeof(VCStorageSizeBlock) == VCSSB_LEN_VALID, "spec/02 §5.5");
SIPL_WIRE_AT(VCStorageSizeBlock, version, 7);
SIPL_WIRE_AT(VCStorageSizeBlock, total_vc_ct, 32);
SIPL_WIRE_AT(VCStorageSizeBlock, max_vc_ct, 34);
SIPL_WIRE_AT(VCStorageSizeBlock, max_single_vcb_len, 80);
SIPL_WIRE_AT(VCStorageSizeBlock, total_vcb_len, 84);

/* Verification-certificate block header, 64 bytes (spec/02 §5.6) */
typedef struct VCBlockHeader {
    sipl_be32 in_len;               /* 0: multiple of 4096 */
    uint8_t reserved0[4];           /* 4 */
    sipl_be16 first_vc_index;       /* 8: 1-origin, 0 treated as 1 */
    sipl_be16 last_vc_index;        /* 10: 1-origin */
    uint8_t reserved1[20];          /* 12 */
    sipl_be32 out_len;              /* 32: header included */
    uint8_t reserved2[4];           /* 36 */
    sipl_be16 stored_ct;            /* 40 */
    sipl_be16 remain_ct;            /* 42 */
    uint8_t reserved3[20];          /* 44 */
} VCBlockHeader;

_Static_assert(sizeof(VCBlockHeader) == VCB_HEADER_LEN, "spec/02 §5.6");
SIPL_WIRE_AT(VCBlockHeader, first_vc_index, 8);
SIPL_WIRE_AT(VCBlockHeader, last_vc_index, 10);
SIPL_WIRE_AT(VCBlockHeader, out_len, 32);
SIPL_WIRE_AT(VCBlockHeader, stored_ct, 40);
SIPL_WIRE_AT(VCBlockHeader, remain_ct, 42);

/*
 * Verification-certificate entry header, 128 bytes (spec/02 §5.7).
 * The key id follows at 128, the fingerprint at 160 (hash_offset) and the
 * DER certificate at 192 (cert_offset), padded to a word.
 */
typedef struct VCEntryHeader {
    sipl_be32 len;                  /* 0: 192 + round_up(DER, 4); invalid 72 */
    uint8_t flags;                  /* 4: 0x80 valid */
    uint8_t key_type;               /* 5: 1 = ECDSA P-521, else 0 */
    sipl_be16 cert_idx;             /* 6: store index + 1 */
    uint8_t name[CERT_NAME_MAX_LEN]; /* 8: EBCDIC, blank padded */
    uint8_t format;                 /* 72: 1 = X.509 DER */
    uint8_t reserved0;              /* 73 */
    sipl_be16 keyid_len;            /* 74: 32 */
    uint8_t reserved1;              /* 76 */
    uint8_t hash_type;              /* 77: 1 = SHA2-256 */
    sipl_be16 hash_len;             /* 78: 32 */
    uint8_t reserved2[4];           /* 80 */
    sipl_be32 cert_len;             /* 84: DER length, unpadded */
    uint8_t reserved3[8];           /* 88 */
    sipl_be16 hash_offset;          /* 96: 160 */
    sipl_be16 cert_offset;          /* 98: 192 */
    uint8_t reserved4[28];          /* 100 */
} VCEntryHeader;

#define VCE_KEYID_OFFSET    128
#define VCE_HASH_OFFSET     160
#define VCE_CERT_OFFSET     192

_Static_assert(sizeof(VCEntryHeader) == VCE_HEADER_LEN, "spec/02 §5.7");
SIPL_WIRE_AT(VCEntryHeader, flags, 4);
SIPL_WIRE_AT(VCEntryHeader, key_type, 5);
SIPL_WIRE_AT(VCEntryHeader, cert_idx, 6);
SIPL_WIRE_AT(VCEntryHeader, name, 8);
SIPL_WIRE_AT(VCEntryHeader, format, 72);
SIPL_WIRE_AT(VCEntryHeader, keyid_len, 74);
SIPL_WIRE_AT(VCEntryHeader, hash_type, 77);
SIPL_WIRE_AT(VCEntryHeader, hash_len, 78);
SIPL_WIRE_AT(VCEntryHeader, cert_len, 84);
SIPL_WIRE_AT(VCEntryHeader, hash_offset, 96);
SIPL_WIRE_AT(VCEntryHeader, cert_offset, 98);
_Static_assert(VCE_INVALID_LEN == __builtin_offsetof(VCEntryHeader, format),
               "an invalid VCE ends after the name (spec/02 §5.7)");

#endif /* SIPL_WIRE_DIAG320_H */
