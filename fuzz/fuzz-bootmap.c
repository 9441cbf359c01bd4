/*
 * fuzz-bootmap.c: libFuzzer target for the guest half's bootmap walk
 * (spec/03 §2, §6) over arbitrary disk bytes.
 *
 * Input: byte 0 picks the block size (bit 0: 4096, else 512) and the mode
 * (bits 1-2: 0 normal, 1 audit, 2+ secure); the rest is the disk. The whole
 * flow runs, from the IPLB to the jump, against a small in-process platform:
 * 192 KiB of guest memory, one certificate, DIAG 0x508 verifying a
 * component whose first byte is odd. Nothing may be read or written outside
 * the disk, the guest memory or the flow's own buffers (ASan checks).
 */
#include <stdint.h>
#include <string.h>

#include "sipl.h"

#define MEM_SIZE    (192u * 1024)
#define BIOS_AREA   0x20000u

static uint8_t mem[MEM_SIZE];
static const uint8_t *disk;
static size_t disk_len;
static uint32_t bsize;
static struct { const void *host; uint64_t gaddr; uint32_t len; } map[32];
static unsigned nmap;
static uint64_t map_next;
static unsigned console_lines;
static uint8_t iplb_flags;

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = (uint8_t)v;
}

static bool range_ok(uint64_t a, uint64_t len)
{
    return a <= MEM_SIZE && len <= MEM_SIZE - a;
}

static int f_diag(void *o, uint32_t fc, uint64_t sub, uint64_t addr,
                  uint64_t *rc)
{
    (void)o;
    if (fc == SIPL_DIAG_308) {
        if (!range_ok(addr, 4096)) {
            return SIPL_PGM_ADDRESSING;
        }
        if (sub == 6) {                 /* store: a CCW IPLB, len 4096 */
            memset(mem + addr, 0, 4096);
            put32(mem + addr, 4096);
            mem[addr + 4] = iplb_flags;
            mem[addr + 12] = 0x02;
        }
        *rc = 1;
        return 0;
    }
    if (fc == SIPL_DIAG_508) {
        if (sub == 0) {
            *rc = 0x8000;
            return 0;
        }
        if (!range_ok(addr, 64)) {
            return SIPL_PGM_ADDRESSING;
        }
        uint8_t *s = mem + addr;
        uint64_t caddr = 0;
        for (int i = 0; i < 8; i++) {
            caddr = caddr << 8 | s[40 + i];
        }
        if (!range_ok(caddr, 1) || !(mem[caddr] & 1)) {
            *rc = 0x0402;
            return 0;
        }
        s[16] = 0;
        memset(s + 24, 0, 8);
        s[31] = 200;        /* cert_len */
        *rc = 1;
        return 0;
    }
    if (fc == SIPL_DIAG_320) {
        uint8_t *b = mem + addr;

        if (!range_ok(addr, sub == 2 ? 4096 : 128)) {
            return SIPL_PGM_ADDRESSING;
        }
        if (sub == 0) {
            put32(b, 0xe0000000u);
        } else if (sub == 1) {
            memset(b + 4, 0, 124);
            b[33] = 1;                  /* total_vc_ct */
            put32(b + 80, 456);
        } else if (sub == 2) {
            memset(b + 32, 0, 32);
            put32(b + 32, 64 + 392);    /* out_len */
            memset(b + 64, 0, 392);
            put32(b + 64, 392);
            b[68] = 0x80;
            put32(b + 64 + 84, 200);
            b[64 + 99] = 192;
        }
        *rc = 1;
        return 0;
    }
    return SIPL_PGM_SPECIFICATION;
}

static int f_sclp(void *o, SiplSclpInfo *info)
{
    (void)o;
    info->els = true;
    info->fac134 = 0x04;
    info->fac_ipl = 0x5000;
    return 0;
}

static int f_dev_open(void *o, const uint8_t *iplb, SiplDevice *dev)
{
    (void)o;
    (void)iplb;
    dev->type = SIPL_DEV_VIRTIO_BLK;
    dev->block_size = bsize;
    dev->eckd_layout = false;
    return 0;
}

static int f_read(void *o, uint64_t blockno, uint32_t count, uint64_t gaddr)
{
    uint64_t off, len = (uint64_t)count * bsize;

    (void)o;
    if (blockno > disk_len / bsize) {
        return SIPL_EIO;
    }
    off = blockno * bsize;
    if (!range_ok(gaddr, len)) {
        return SIPL_EFAULT;
    }
    /* a read that starts inside the input sees zeros past its end */
    if (off >= disk_len) {
        return SIPL_EIO;
    }
    memset(mem + gaddr, 0, len);
    memcpy(mem + gaddr, disk + off,
           disk_len - off < len ? disk_len - off : len);
    return 0;
}

static void f_console(void *o, const char *line)
{
    (void)o;
    console_lines += line[0] != 0;
}

static void f_halt(void *o, const char *reason)
{
    (void)o;
    (void)reason;
}

static int f_mem_read(void *o, uint64_t a, void *buf, uint64_t len)
{
    (void)o;
    if (!range_ok(a, len)) {
        return SIPL_EFAULT;
    }
    memcpy(buf, mem + a, len);
    return 0;
}

static int f_mem_write(void *o, uint64_t a, const void *buf, uint64_t len)
{
    (void)o;
    if (!range_ok(a, len)) {
        return SIPL_EFAULT;
    }
    memcpy(mem + a, buf, len);
    return 0;
}

static uint64_t f_to_guest(void *o, const void *buf, uint32_t len,
                           uint32_t align)
{
    unsigned i;

    (void)o;
    (void)align;
    for (i = 0; i < nmap && map[i].host != buf; i++) {
    }
    if (i == nmap) {
        if (i == 32 || len == 0 ||
            !range_ok(map_next, (len + 4095) & ~4095u)) {
            return 0;
        }
        map[i].host = buf;
        map[i].gaddr = map_next;
        map[i].len = len;
        map_next += (len + 4095) & ~4095u;
        nmap++;
    }
    if (len > map[i].len) {
        return 0;
    }
    memcpy(mem + map[i].gaddr, buf, len);
    return map[i].gaddr;
}

static void f_from_guest(void *o, void *buf, uint32_t len, uint64_t gaddr)
{
    (void)o;
    memcpy(buf, mem + gaddr, len);
}

static void f_jump(void *o, uint64_t psw)
{
    (void)o;
    (void)psw;
}

static const SiplPlatform plat = {
    .diag = f_diag, .sclp_info = f_sclp, .dev_open = f_dev_open,
    .read_blocks = f_read, .console = f_console, .halt = f_halt,
    .mem_read = f_mem_read, .mem_write = f_mem_write,
    .buf_to_guest = f_to_guest, .buf_from_guest = f_from_guest,
    .jump = f_jump,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t flags[4] = { 0x00, 0x20, 0x60, 0x60 };

    if (size < 2) {
        return 0;
    }
    bsize = data[0] & 1 ? 4096 : 512;
    iplb_flags = flags[(data[0] >> 1) & 3];
    memset(mem, 0, sizeof(mem));
    nmap = 0;
    map_next = BIOS_AREA;
    console_lines = 0;
    disk = data + 1;
    disk_len = size - 1;
    put32(mem + 0xcc + 20 + 4, 0x10000);    /* QIPL ipl_data (spec/02 §9) */
    sipl_ipl(&plat);
    return 0;
}
