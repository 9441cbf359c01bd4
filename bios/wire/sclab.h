/*
 * sclab.h: Secure Code Loading Attributes Block, spec/03 §4
 */
#ifndef SIPL_WIRE_SCLAB_H
#define SIPL_WIRE_SCLAB_H

#include "be.h"

/* Origin locator: the last 8 bytes of a signed component (spec/03 §4.1) */
typedef struct SclabOriginLocator {
    uint8_t reserved[2];            /* 0 */
    sipl_be16 len;                  /* 2: SCLAB starts at end - len */
    sipl_be32 magic;                /* 4: "zIPL" as one word */
} SclabOriginLocator;

_Static_assert(sizeof(SclabOriginLocator) == 8, "spec/03 §4.1");
SIPL_WIRE_AT(SclabOriginLocator, len, 2);
SIPL_WIRE_AT(SclabOriginLocator, magic, 4);

/* Format-0 SCLAB; the fields the BIOS reads end at 0x18 (spec/03 §4.2) */
typedef struct SecureCodeLoadingAttributesBlock {
    uint8_t format;                 /* 0x00: 0 */
    uint8_t reserved1;              /* 0x01 */
    sipl_be16 flags;                /* 0x02: S390_SCLAB_FLAG_* */
    uint8_t reserved2[4];           /* 0x04 */
    sipl_be64 load_psw;             /* 0x08 */
    sipl_be64 load_addr;            /* 0x10 */
    uint8_t reserved3[8];           /* 0x18: locator normally lies here */
} SecureCodeLoadingAttributesBlock;

#define S390_SCLAB_MIN_LEN          32
#define S390_SCLAB_FORMAT_0         0

#define S390_SCLAB_FLAG_OPSW        0x8000  /* override PSW: global SCLAB */
#define S390_SCLAB_FLAG_OLA         0x4000  /* override load address */
#define S390_SCLAB_FLAG_NUC         0x2000  /* no unsigned components */
#define S390_SCLAB_FLAG_SC          0x1000  /* single component */

_Static_assert(sizeof(SecureCodeLoadingAttributesBlock) == S390_SCLAB_MIN_LEN,
               "spec/03 §4.2");
SIPL_WIRE_AT(SecureCodeLoadingAttributesBlock, flags, 0x02);
SIPL_WIRE_AT(SecureCodeLoadingAttributesBlock, load_psw, 0x08);
SIPL_WIRE_AT(SecureCodeLoadingAttributesBlock, load_addr, 0x10);

#endif /* SIPL_WIRE_SCLAB_H */
