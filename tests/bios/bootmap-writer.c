/*
 * bootmap-writer.c: zipl SCSI-scheme bootmap writer for tests
 */
#include "bootmap-writer.h"

#include <assert.h>
#include <string.h>

static uint8_t *img_disk;
static size_t img_len;
static uint32_t img_bs;
static uint64_t img_next;

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, (uint16_t)v);
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v >> 32);
    put32(p + 4, (uint32_t)v);
}

void img_begin(uint8_t *disk, size_t disk_len, uint32_t bs)
{
    img_disk = disk;
    img_len = disk_len;
    img_bs = bs;
    img_next = 2;           /* 0 MBR, 1 program table */
    memset(disk, 0, disk_len);
}

uint64_t img_alloc(uint32_t n)
{
    uint64_t b = img_next;

    img_next += n;
    assert(img_next * img_bs <= img_len);
    return b;
}

uint8_t *img_block(uint64_t b)
{
    return img_disk + b * img_bs;
}

/* spec/03 §2.1: blockno @0, size @8, blockct @10 */
static void put_ptr(uint8_t *p, uint64_t blockno, uint16_t size,
                    uint16_t blockct)
{
    memset(p, 0, 16);
    put64(p, blockno);
    put16(p + 8, size);
    put16(p + 10, blockct);
}

/* Data blocks plus segment tables (spec/03 §2.5); returns the first
 * table block. zipl puts the chain pointer (or 0) in the last slot. */
static uint64_t write_segments(const ImgComp *c)
{
    uint32_t blocks = (uint32_t)((c->len + img_bs - 1) / img_bs);
    uint32_t per = c->ptr_blocks ? c->ptr_blocks : (blocks ? blocks : 1);
    uint32_t nptr = (blocks + per - 1) / per;
    uint32_t slots = img_bs / 16, data_slots = slots - 1;
    uint32_t ntab = nptr ? (nptr + data_slots - 1) / data_slots : 1;
    uint64_t data = img_alloc(blocks), tab = img_alloc(ntab);
    uint16_t size = (uint16_t)(c->bad_size ? c->bad_size : img_bs);

    memcpy(img_block(data), c->data, c->len);
    for (uint32_t t = 0, k = 0; t < ntab; t++) {
        uint8_t *tb = img_block(tab + t);

        for (uint32_t s = 0; s < data_slots && k < nptr; s++, k++) {
            uint32_t first = k * per;
            uint32_t n = blocks - first < per ? blocks - first : per;

            put_ptr(tb + s * 16, data + first, size, (uint16_t)(n - 1));
        }
        if (t + 1 < ntab) {
            put_ptr(tb + (slots - 1) * 16, tab + t + 1, (uint16_t)img_bs, 0);
        }
    }
    return tab;
}

uint64_t img_table(const ImgComp *c, unsigned n)
{
    uint64_t table = img_alloc(4096 / img_bs ? 4096 / img_bs : 1);
    uint8_t *tb = img_block(table);

    /* header: "zIPL", type 0 (spec/03 §2.4) */
    memcpy(tb, "zIPL", 4);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = tb + 0x20 + 32 * i;

        assert(0x20 + 32 * (i + 1) <= 4096);
        e[0x17] = c[i].type;
        if (c[i].type == IMG_LOAD || c[i].type == IMG_SIG) {
            put_ptr(e, write_segments(&c[i]), (uint16_t)img_bs, 0);
        }
        if (c[i].type == IMG_SIG) {
            e[0x18] = c[i].sig_format ? c[i].sig_format : 1;
            put32(e + 0x1c, c[i].sig_len ? c[i].sig_len : (uint32_t)c[i].len);
        } else {
            put64(e + 0x18, c[i].value);
        }
    }
    return table;
}

uint64_t img_finish(uint64_t table, unsigned slot)
{
    uint8_t *mbr = img_block(0), *pt = img_block(1);

    /* MBR (spec/03 §2.2): magic, version 1, program table at 0x10 */
    memcpy(mbr, "zIPL", 4);
    put32(mbr + 4, 1);
    put_ptr(mbr + 0x10, 1, (uint16_t)img_bs, 0);
    /* program table (spec/03 §2.3): magic, pointers from 0x10 */
    memset(pt, 0, img_bs);
    memcpy(pt, "zIPL", 4);
    put_ptr(pt + 0x10 + 16 * slot, table, (uint16_t)img_bs, 0);
    return 1;
}

void img_sclab(uint8_t *buf, size_t len, uint8_t format, uint16_t flags,
               uint64_t load_psw, uint64_t load_addr)
{
    uint8_t *s = buf + len - 32;

    memset(s, 0, 32);
    s[0] = format;                  /* spec/03 §4.2 */
    put16(s + 2, flags);
    put64(s + 8, load_psw);
    put64(s + 16, load_addr);
    put16(s + 24 + 2, 32);          /* locator (§4.1): len, "zIPL" */
    memcpy(s + 24 + 4, "zIPL", 4);
}

void img_fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed * 31 + i * 13 + (i >> 9));
    }
}
