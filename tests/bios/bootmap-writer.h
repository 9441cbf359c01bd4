/*
 * bootmap-writer.h: writes zipl SCSI-scheme bootmaps into a test disk,
 * byte by byte from spec/03 §2 (offsets written out, no bios/ structs),
 * plus SCLAB and test-signature helpers (spec/03 §4).
 */
#ifndef SIPL_TEST_BOOTMAP_WRITER_H
#define SIPL_TEST_BOOTMAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

#define IMG_EXEC    0x01
#define IMG_LOAD    0x02
#define IMG_SIG     0x03

#define STAGE3_PSW  0x000800008000a000ull

typedef struct ImgComp {
    uint8_t type;           /* IMG_* or anything else */
    uint64_t value;         /* LOAD: address; EXEC: PSW */
    const uint8_t *data;    /* LOAD / SIGNATURE payload */
    size_t len;             /* rounded up to whole blocks on disk */
    uint8_t sig_format;     /* SIGNATURE: 0 means 1 (DER) */
    uint32_t sig_len;       /* SIGNATURE: 0 means len */
    uint32_t ptr_blocks;    /* blocks per block pointer; 0 = one pointer */
    uint64_t bad_size;      /* != 0: write this as every pointer's size */
} ImgComp;

/**
 * img_begin: start a disk image of @disk_len bytes with @bs-byte blocks.
 */
void img_begin(uint8_t *disk, size_t disk_len, uint32_t bs);

/**
 * img_table: write the components' data, segment tables and one
 * component-table block. Returns the table's block number.
 */
uint64_t img_table(const ImgComp *c, unsigned n);

/**
 * img_finish: write the program table (entry @slot -> @table, other
 * slots 0) and the MBR. Returns the program table's block.
 */
uint64_t img_finish(uint64_t table, unsigned slot);

/** img_alloc: reserve @n blocks; returns the first. */
uint64_t img_alloc(uint32_t n);

/** img_block: the bytes of block @b. */
uint8_t *img_block(uint64_t b);

/**
 * img_sclab: write a 32-byte format-@format SCLAB with its locator into the
 * last 32 bytes of @buf[0..@len).
 */
void img_sclab(uint8_t *buf, size_t len, uint8_t format, uint16_t flags,
               uint64_t load_psw, uint64_t load_addr);

/** img_fill: deterministic payload bytes. */
void img_fill(uint8_t *buf, size_t len, unsigned seed);

#endif /* SIPL_TEST_BOOTMAP_WRITER_H */
