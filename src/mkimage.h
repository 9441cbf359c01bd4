/*
 * mkimage.h: SCSI-scheme disk images as `zipl --secure` writes them
 *
 * The bootmap is zipl's (spec/03 §2, spec/04 §2.4): MBR in block 0, a
 * program table with entry 0, one component table in the order heap dummy
 * (0x2000), stack dummy (0xF000), [stage3 signature], stage3 (0xA000),
 * stage3 parameters (0x9000), [kernel signature], kernel (0x10000),
 * [parmline], [[initrd signature], initrd], EXEC 0x000800008000A000; every
 * LOAD and SIGNATURE component is described by segment tables whose last
 * slot chains to the next table (or is zero).
 *
 * Signatures come from the Linux module-signature trailers of the input
 * files (src/modsig.h), as zipl takes them. Unlike zipl, a signed payload
 * whose length is not a multiple of the block size is refused: the BIOS
 * verifies the block-rounded image and finds the SCLAB locator at its end
 * (spec/03 §2.5, 07 D25). SCLABs are appended before signing with
 * siplSclabAppend(), which pads the payload so the SCLAB ends on a block
 * boundary.
 */
#ifndef SIPL_MKIMAGE_H
#define SIPL_MKIMAGE_H

#include <glib.h>
#include <stdbool.h>

#include "../bios/wire/sclab.h"

#define SIPL_MKIMAGE_ERROR (siplMkImageErrorQuark())
GQuark siplMkImageErrorQuark(void);

typedef enum {
    SIPL_MKIMAGE_ERROR_INVALID,     /* bad option value or SCLAB spec */
    SIPL_MKIMAGE_ERROR_SIGNATURE,   /* malformed trailer, signature > 4096 */
    SIPL_MKIMAGE_ERROR_ALIGN,       /* signed payload not block aligned */
    SIPL_MKIMAGE_ERROR_LAYOUT,      /* component does not fit its place */
    SIPL_MKIMAGE_ERROR_IO,          /* writing the image failed */
} siplMkImageErrorCode;

/* Components in zipl's table order (signatures are not listed). */
typedef enum {
    SIPL_IMAGE_COMP_HEAP,
    SIPL_IMAGE_COMP_STACK,
    SIPL_IMAGE_COMP_STAGE3,
    SIPL_IMAGE_COMP_PARAMS,
    SIPL_IMAGE_COMP_KERNEL,
    SIPL_IMAGE_COMP_PARMLINE,
    SIPL_IMAGE_COMP_INITRD,

    SIPL_IMAGE_COMP_LAST
} siplImageComp;

const char *siplImageCompTypeToString(int type);
int siplImageCompTypeFromString(const char *str);

/* zipl's fixed addresses and PSWs (spec/04 §2.4, §3) */
#define SIPL_IMAGE_HEAP_ADDR     0x2000ULL
#define SIPL_IMAGE_HEAP_SIZE     0x4000ULL
#define SIPL_IMAGE_PARAMS_ADDR   0x9000ULL
#define SIPL_IMAGE_STAGE3_ADDR   0xA000ULL
#define SIPL_IMAGE_STACK_ADDR    0xF000ULL
#define SIPL_IMAGE_STACK_SIZE    0x1000ULL
#define SIPL_IMAGE_KERNEL_ADDR   0x10000ULL
#define SIPL_IMAGE_EXEC_PSW      0x000800008000A000ULL
#define SIPL_IMAGE_KERNEL_PSW    0x0008000080010000ULL

/* SCLAB flags (spec/03 §4.2), as bios/wire/sclab.h has them */
#define SIPL_SCLAB_OPSW S390_SCLAB_FLAG_OPSW
#define SIPL_SCLAB_OLA  S390_SCLAB_FLAG_OLA
#define SIPL_SCLAB_NUC  S390_SCLAB_FLAG_NUC
#define SIPL_SCLAB_SC   S390_SCLAB_FLAG_SC
#define SIPL_SCLAB_MIN_LEN S390_SCLAB_MIN_LEN

/* One SCLAB to append; see siplSclabParse() for the text form. */
typedef struct {
    guint8 format;
    guint16 flags;
    guint64 loadPsw;
    guint64 loadAddr;
    bool loadAddrSet;           /* false: OLA takes the component address */
    guint16 len;                /* locator `len`; bytes written >= 32 */
} siplSclab;

bool siplSclabParse(const char *spec, siplSclab *sclab, GError **error);
bool siplSclabAppend(GByteArray *payload, const siplSclab *sclab,
                     guint64 compAddr, guint blockSize, GError **error);

/* What goes on the disk. Files are as read, trailers included. */
typedef struct {
    guint blockSize;                    /* 512 or 4096 */
    GBytes *stage3;                     /* required */
    GBytes *kernel;                     /* required */
    GBytes *initrd;                     /* NULL: none */
    const char *parmline;               /* NULL: none */
    guint64 initrdAddr;                 /* 0: placed after the parmline */
    bool noSignatures;                  /* leave SIGNATURE entries out */
    guint maxPtrBlocks;                 /* blocks per segment pointer;
                                         * 0: 65536 (the u16 maximum).
                                         * Small values give the many
                                         * pointers and chained segment
                                         * tables of a fragmented file
                                         * system, as zipl writes them */
    const siplSclab *sclabs[SIPL_IMAGE_COMP_LAST]; /* NULL: none */
} siplImageDef;

GBytes *siplImageBuild(const siplImageDef *def, GError **error);
bool siplImageWrite(const siplImageDef *def, const char *path,
                    GError **error);

#endif /* SIPL_MKIMAGE_H */
