/*
 * diag508.h: DIAGNOSE 0x508 (signature verification) wire format, spec/02 §6
 */
#ifndef SIPL_WIRE_DIAG508_H
#define SIPL_WIRE_DIAG508_H

#include "be.h"
#include "limits.h"

#define DIAG_508_SUBC_QUERY_SUBC    0x0000
#define DIAG_508_SUBC_SIG_VERIF     0x8000

#define DIAG_508_RC_OK              0x0001
#define DIAG_508_RC_NO_CERTS        0x0102
#define DIAG_508_RC_INVAL_COMP_DATA 0x0202
#define DIAG_508_RC_INVAL_PKCS7_SIG 0x0302
#define DIAG_508_RC_FAIL_VERIF      0x0402
#define DIAG_508_RC_INVAL_LEN       0x0502

/* Signature verification block, 64 bytes (spec/02 §6.3) */
typedef struct Diag508SigVerifBlock {
    sipl_be32 length;               /* 0: must be 64 */
    uint8_t reserved0[3];           /* 4 */
    uint8_t version;                /* 7: ignored */
    uint8_t reserved1[8];           /* 8 */
    uint8_t cert_store_index;       /* 16: out, 0-origin */
    uint8_t reserved2[7];           /* 17 */
    sipl_be64 cert_len;             /* 24: out, DER bytes */
    sipl_be64 comp_len;             /* 32 */
    sipl_be64 comp_addr;            /* 40 */
    sipl_be64 sig_len;              /* 48 */
    sipl_be64 sig_addr;             /* 56 */
} Diag508SigVerifBlock;

_Static_assert(sizeof(Diag508SigVerifBlock) == SVB_LEN, "spec/02 §6.3");
SIPL_WIRE_AT(Diag508SigVerifBlock, version, 7);
SIPL_WIRE_AT(Diag508SigVerifBlock, cert_store_index, 16);
SIPL_WIRE_AT(Diag508SigVerifBlock, cert_len, 24);
SIPL_WIRE_AT(Diag508SigVerifBlock, comp_len, 32);
SIPL_WIRE_AT(Diag508SigVerifBlock, comp_addr, 40);
SIPL_WIRE_AT(Diag508SigVerifBlock, sig_len, 48);
SIPL_WIRE_AT(Diag508SigVerifBlock, sig_addr, 56);

#endif /* SIPL_WIRE_DIAG508_H */
