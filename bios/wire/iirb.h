/*
 * iirb.h: IPL Information Report Block, spec/03 §8 (Linux: IPL report,
 * arch/s390/include/uapi/asm/ipl.h)
 */
#ifndef SIPL_WIRE_IIRB_H
#define SIPL_WIRE_IIRB_H

#include "be.h"
#include "limits.h"

/* Report header, 16 bytes (spec/03 §8.2) */
typedef struct IplInfoReportBlockHeader {
    sipl_be32 len;                  /* 0: header + both blocks */
    uint8_t flags;                  /* 4: 0 */
    uint8_t reserved1[2];           /* 5 */
    uint8_t version;                /* 7: 0 (reserved upstream) */
    uint8_t reserved2[8];           /* 8 */
} IplInfoReportBlockHeader;

_Static_assert(sizeof(IplInfoReportBlockHeader) == 16, "spec/03 §8.2");
SIPL_WIRE_AT(IplInfoReportBlockHeader, flags, 4);
SIPL_WIRE_AT(IplInfoReportBlockHeader, version, 7);

/* Block header, 16 bytes */
typedef struct IplInfoBlockHeader {
    sipl_be32 len;                  /* 0: 16 + entries */
    uint8_t type;                   /* 4: IPL_INFO_BLOCK_TYPE_* */
    uint8_t reserved1[3];           /* 5 */
    sipl_be16 iiei;                 /* 8: component block only */
    uint8_t reserved2[6];           /* 10 */
} IplInfoBlockHeader;

#define IPL_INFO_BLOCK_TYPE_CERTIFICATES    1
#define IPL_INFO_BLOCK_TYPE_COMPONENTS      2

_Static_assert(sizeof(IplInfoBlockHeader) == 16, "spec/03 §8.2");
SIPL_WIRE_AT(IplInfoBlockHeader, type, 4);
SIPL_WIRE_AT(IplInfoBlockHeader, iiei, 8);

/* Component entry, 32 bytes */
typedef struct IplDeviceComponentEntry {
    sipl_be64 addr;                 /* 0: load address, or EXEC PSW */
    sipl_be64 len;                  /* 8: block-rounded; 0 for the PSW */
    uint8_t flags;                  /* 16: S390_IPL_DEV_COMP_FLAG_* */
    uint8_t reserved1[5];           /* 17 */
    sipl_be16 cert_index;           /* 22: into this report's cert list */
    sipl_be32 cei;                  /* 24: S390_CEI_* */
    uint8_t reserved2[4];           /* 28 */
} IplDeviceComponentEntry;

#define S390_IPL_DEV_COMP_FLAG_SC   0x80    /* signed */
#define S390_IPL_DEV_COMP_FLAG_CSV  0x40    /* signature verified */

_Static_assert(sizeof(IplDeviceComponentEntry) == 32, "spec/03 §8.2");
SIPL_WIRE_AT(IplDeviceComponentEntry, len, 8);
SIPL_WIRE_AT(IplDeviceComponentEntry, flags, 16);
SIPL_WIRE_AT(IplDeviceComponentEntry, cert_index, 22);
SIPL_WIRE_AT(IplDeviceComponentEntry, cei, 24);

/* Certificate entry, 16 bytes */
typedef struct IplSignatureCertificateEntry {
    sipl_be64 addr;                 /* 0: absolute address of the DER copy */
    sipl_be64 len;                  /* 8 */
} IplSignatureCertificateEntry;

_Static_assert(sizeof(IplSignatureCertificateEntry) == 16, "spec/03 §8.2");

/* Capacities (spec/03 §8.2, spec/01 §5) */
#define MAX_COMP_ENTRIES    127
#define MAX_CERT_ENTRIES    MAX_CERTIFICATES

typedef struct IplDeviceComponentList {
    IplInfoBlockHeader ipl_info_header;
    IplDeviceComponentEntry device_entries[MAX_COMP_ENTRIES];
} IplDeviceComponentList;

typedef struct IplSignatureCertificateList {
    IplInfoBlockHeader ipl_info_header;
    IplSignatureCertificateEntry cert_entries[MAX_CERT_ENTRIES];
} IplSignatureCertificateList;

#define IIRB_MAX_LEN    5136

_Static_assert(sizeof(IplDeviceComponentList) == 4080, "spec/03 §8.2");
_Static_assert(sizeof(IplSignatureCertificateList) == 1040, "spec/03 §8.2");
_Static_assert(sizeof(IplInfoReportBlockHeader) +
               sizeof(IplDeviceComponentList) +
               sizeof(IplSignatureCertificateList) == IIRB_MAX_LEN,
               "16 + 4080 + 1040 (spec/03 §8.2)");

/* IIEI, u16 in the component-block header (spec/03 §5.4) */
#define S390_IIEI_NO_SIGNED_COMP        0x8000
#define S390_IIEI_NO_SCLAB              0x4000
#define S390_IIEI_NO_GLOBAL_SCLAB       0x2000
#define S390_IIEI_MORE_GLOBAL_SCLAB     0x1000
#define S390_IIEI_FOUND_UNSIGNED_COMP   0x0800
#define S390_IIEI_MORE_SIGNED_COMP      0x0400

/* CEI, u32 per component entry (spec/03 §5.4) */
#define S390_CEI_INVALID_SCLAB              0x80000000u
#define S390_CEI_INVALID_SCLAB_LEN          0x40000000u
#define S390_CEI_INVALID_SCLAB_FORMAT       0x20000000u
#define S390_CEI_UNMATCHED_SCLAB_LOAD_ADDR  0x10000000u
#define S390_CEI_UNMATCHED_SCLAB_LOAD_PSW   0x08000000u
#define S390_CEI_INVALID_LOAD_PSW           0x04000000u
#define S390_CEI_NUC_NOT_IN_GLOBAL_SCLAB    0x02000000u
#define S390_CEI_SCLAB_OLA_NOT_ONE          0x01000000u
#define S390_CEI_SC_NOT_IN_GLOBAL_SCLAB     0x00800000u
#define S390_CEI_SCLAB_LOAD_ADDR_NOT_ZERO   0x00400000u
#define S390_CEI_SCLAB_LOAD_PSW_NOT_ZERO    0x00200000u
#define S390_CEI_INVALID_UNSIGNED_ADDR      0x00100000u

#define S390_UNSIGNED_MIN_ADDR      0x2000

#endif /* SIPL_WIRE_IIRB_H */
