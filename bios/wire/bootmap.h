/*
 * bootmap.h: the zipl SCSI-scheme bootmap as the BIOS reads it, spec/03 §2
 *
 * Upstream: pc-bios/s390-ccw/bootmap.h (ScsiBlockPtr, ScsiMbr,
 * ComponentHeader, ComponentEntry); zipl's linear_blockptr.
 */
#ifndef SIPL_WIRE_BOOTMAP_H
#define SIPL_WIRE_BOOTMAP_H

#include "be.h"

/* "zIPL" in ASCII: MBR, program table, component header, SCLAB locator */
#define ZIPL_MAGIC              "zIPL"
#define ZIPL_MAGIC_WORD         0x7a49504cu

#define ZIPL_MBR_VERSION        1
#define MAX_BOOT_ENTRIES        32      /* program-table slots scanned */
#define MAX_SECTOR_SIZE         4096    /* largest disk block */
#define FREE_SPACE_FILLER       0xaa    /* scratch pre-fill, spec/03 §2.2 */
#define SEGTAB_BUF_SIZE         (4 * MAX_SECTOR_SIZE)   /* 16 KiB */
#define SEGTAB_MAX_SLOTS        (MAX_SECTOR_SIZE / 16)  /* 256 */

/* Block pointer, 16 bytes (spec/03 §2.1) */
typedef struct ScsiBlockPtr {
    sipl_be64 blockno;              /* 0: 0 = none / end */
    sipl_be16 size;                 /* 8: disk block size */
    sipl_be16 blockct;              /* 10: additional blocks (count - 1) */
    uint8_t reserved[4];            /* 12 */
} ScsiBlockPtr;

_Static_assert(sizeof(ScsiBlockPtr) == 16, "spec/03 §2.1");
SIPL_WIRE_AT(ScsiBlockPtr, size, 8);
SIPL_WIRE_AT(ScsiBlockPtr, blockct, 10);

/* Master boot record, disk block 0; only the first 32 bytes are read */
typedef struct ScsiMbr {
    uint8_t magic[4];               /* 0x00: "zIPL" */
    sipl_be32 version_id;           /* 0x04: 1 */
    uint8_t reserved[8];            /* 0x08 */
    ScsiBlockPtr pt;                /* 0x10: program table */
} ScsiMbr;

_Static_assert(sizeof(ScsiMbr) == 32, "spec/03 §2.2");
SIPL_WIRE_AT(ScsiMbr, version_id, 0x04);
SIPL_WIRE_AT(ScsiMbr, pt, 0x10);

/* Program table: "zIPL", 12 reserved bytes, block pointers from 0x10 */
#define PROGRAM_TABLE_ENTRY_OFF 0x10

/* Component-table header, 32 bytes (spec/03 §2.4) */
typedef struct ComponentHeader {
    uint8_t magic[4];               /* 0: "zIPL" */
    uint8_t type;                   /* 4: ZIPL_COMP_HEADER_* */
    uint8_t reserved[27];           /* 5 */
} ComponentHeader;

#define ZIPL_COMP_HEADER_IPL    0x00
#define ZIPL_COMP_HEADER_DUMP   0x01

_Static_assert(sizeof(ComponentHeader) == 32, "spec/03 §2.4");
SIPL_WIRE_AT(ComponentHeader, type, 4);

/* Signature information inside a SIGNATURE entry's compdat */
typedef struct ComponentSigInfo {
    uint8_t format;                 /* 0x18: 1 = DER PKCS#7 */
    uint8_t reserved[3];            /* 0x19 */
    sipl_be32 sig_len;              /* 0x1c: DER length */
} ComponentSigInfo;

#define PKCS7_FORMAT            1

/* Component entry, 32 bytes (spec/03 §2.4) */
typedef struct ComponentEntry {
    ScsiBlockPtr data;              /* 0x00: first segment-table block */
    uint8_t pad[7];                 /* 0x10 */
    uint8_t component_type;         /* 0x17: ZIPL_COMP_ENTRY_* */
    union {
        sipl_be64 load_addr;        /* 0x18: LOAD */
        sipl_be64 load_psw;         /* 0x18: EXEC, 8-byte short PSW */
        ComponentSigInfo sig_info;  /* 0x18: SIGNATURE */
    } compdat;
} ComponentEntry;

#define ZIPL_COMP_ENTRY_EXEC        0x01
#define ZIPL_COMP_ENTRY_LOAD        0x02
#define ZIPL_COMP_ENTRY_SIGNATURE   0x03

_Static_assert(sizeof(ComponentEntry) == 32, "spec/03 §2.4");
SIPL_WIRE_AT(ComponentEntry, pad, 0x10);
SIPL_WIRE_AT(ComponentEntry, component_type, 0x17);
SIPL_WIRE_AT(ComponentEntry, compdat, 0x18);
_Static_assert(__builtin_offsetof(ComponentEntry, compdat) +
               __builtin_offsetof(ComponentSigInfo, sig_len) == 0x1c,
               "sig_len at 0x1c (spec/03 §2.4)");

/* Header + at most 127 entries (EXEC included) in one 4096-byte block */
#define ZIPL_MAX_TABLE_ENTRIES \
    ((MAX_SECTOR_SIZE - sizeof(ComponentHeader)) / sizeof(ComponentEntry))
_Static_assert(ZIPL_MAX_TABLE_ENTRIES == 127, "spec/03 §2.4");

/* zipl's EXEC PSW for IPL sections: PSW_LOAD | 0xA000 (spec/03 §2.4) */
#define ZIPL_STAGE3_PSW         0x000800008000a000ull
#define PSW_MASK_SHORT_ADDR     0x7fffffffull

#endif /* SIPL_WIRE_BOOTMAP_H */
