/*
 * iplb.h: IPL parameter block header and QEMU IPL parameters, spec/02 §8, §9
 */
#ifndef SIPL_WIRE_IPLB_H
#define SIPL_WIRE_IPLB_H

#include "be.h"
#include "limits.h"

/* IPLB header + common block-0 fields, 24 bytes (spec/02 §8.1) */
typedef struct IplbHeader {
    sipl_be32 len;                  /* 0 */
    uint8_t hdr_flags;              /* 4: DIAG308_IPIB_FLAGS_* */
    uint8_t reserved0[2];           /* 5 */
    uint8_t version;                /* 7 */
    sipl_be32 blk0_len;             /* 8 */
    uint8_t pbt;                    /* 12: S390_IPL_TYPE_* */
    uint8_t flags;                  /* 13: DIAG308_FLAGS_LP_VALID */
    uint8_t reserved1[2];           /* 14 */
    uint8_t loadparm[8];            /* 16: EBCDIC */
} IplbHeader;

#define DIAG308_IPIB_FLAGS_SIPL     0x40
#define DIAG308_IPIB_FLAGS_IPLIR    0x20
#define DIAG308_FLAGS_LP_VALID      0x80

#define S390_IPL_TYPE_FCP           0x00
#define S390_IPL_TYPE_CCW           0x02
#define S390_IPL_TYPE_PCI           0x04
#define S390_IPL_TYPE_PV            0x05
#define S390_IPL_TYPE_QEMU_SCSI     0xff

_Static_assert(sizeof(IplbHeader) == 24, "spec/02 §8.1");
SIPL_WIRE_AT(IplbHeader, hdr_flags, 4);
SIPL_WIRE_AT(IplbHeader, version, 7);
SIPL_WIRE_AT(IplbHeader, blk0_len, 8);
SIPL_WIRE_AT(IplbHeader, pbt, 12);
SIPL_WIRE_AT(IplbHeader, flags, 13);
SIPL_WIRE_AT(IplbHeader, loadparm, 16);

/* Offsets of the device fields common to the CCW and QEMU-SCSI bodies */
#define IPLB_OFF_SSID   109
#define IPLB_OFF_DEVNO  110

/* QEMU IPL parameters at real 0xCC, 28 bytes (spec/02 §9) */
typedef struct QemuIplParameters {
    uint8_t qipl_flags;             /* 0: BM_OPTS_* */
    uint8_t index;                  /* 1: chain index, BIOS-maintained */
    uint8_t reserved0[2];           /* 2 */
    uint8_t reserved1[8];           /* 4 */
    sipl_be32 boot_menu_timeout;    /* 12 */
    uint8_t reserved2[2];           /* 16 */
    sipl_be16 chain_len;            /* 18 */
    sipl_be64 ipl_data;             /* 20: IPLB-chain / certificate area */
} QemuIplParameters;

#define BM_OPTS_CMD     0x80
#define BM_OPTS_ZIPL    0x40

_Static_assert(sizeof(QemuIplParameters) == 28, "spec/02 §9");
SIPL_WIRE_AT(QemuIplParameters, index, 1);
SIPL_WIRE_AT(QemuIplParameters, boot_menu_timeout, 12);
SIPL_WIRE_AT(QemuIplParameters, chain_len, 18);
SIPL_WIRE_AT(QemuIplParameters, ipl_data, 20);

#endif /* SIPL_WIRE_IPLB_H */
