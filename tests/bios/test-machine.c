/*
 * test-machine.c: test double of the machine and hypervisor (test-machine.h)
 *
 * Byte offsets are written out from spec/02 (VCSSB §5.5, VCB §5.6, VCE
 * §5.7, SVB §6.3, IPLB §8.1, QIPL §9), not taken from bios/wire structs.
 */
#include "test-machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipl.h"

TestMachine tm;
static uint8_t tm_mem_buf[TM_MEM_SIZE];
static uint8_t tm_disk_buf[TM_DISK_SIZE];

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
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}
static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

uint16_t tm_get16(uint64_t a) { return get16(tm.mem + a); }
uint32_t tm_get32(uint64_t a) { return get32(tm.mem + a); }
uint64_t tm_get64(uint64_t a) { return get64(tm.mem + a); }

static bool range_ok(uint64_t a, uint64_t len)
{
    return a <= TM_MEM_SIZE && len <= TM_MEM_SIZE - a;
}

static uint32_t fnv1a(const uint8_t *d, size_t n)
{
    uint32_t h = 0x811c9dc5u;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ d[i]) * 0x01000193u;
    }
    return h;
}

void tm_make_sig(uint8_t out[12], unsigned idx, const uint8_t *data,
                 size_t len)
{
    memcpy(out, "TSIG", 4);
    out[4] = (uint8_t)idx;
    out[5] = out[6] = out[7] = 0;
    put32(out + 8, fnv1a(data, len));
}

static void cert_der(unsigned i, uint8_t *out)
{
    for (uint32_t k = 0; k < tm.certs[i].der_len; k++) {
        out[k] = (uint8_t)(0x30 + i + k * 7);
    }
}

/* ---- DIAG 0x320, spec/02 §5 ---- */

static uint32_t vce_len(unsigned i)
{
    return tm.certs[i].invalid ? 72 : 192 + ((tm.certs[i].der_len + 3) & ~3u);
}

static int diag320(uint64_t sub, uint64_t addr, uint64_t *rc)
{
    if (!tm.fac_cstore) {
        return SIPL_PGM_SPECIFICATION;
    }
    if (sub == 0) {
        if (!range_ok(addr, 4)) {
            return SIPL_PGM_ADDRESSING;
        }
        put32(tm.mem + addr, tm.ism);           /* K1: one word */
        *rc = 1;
        return 0;
    }
    if (sub == 1) {
        uint8_t *b = tm.mem + addr;
        uint32_t maxder = 0;

        if (addr & 7) {
            return SIPL_PGM_SPECIFICATION;
        }
        if (!range_ok(addr, 128)) {
            return SIPL_PGM_ADDRESSING;
        }
        if (tm.vcssb_rc) {
            *rc = tm.vcssb_rc;
            return 0;
        }
        if (get32(b) != 128) {
            *rc = 0x0202;
            return 0;
        }
        if (tm.cert_ct == 0) {
            put32(b, 4);                        /* K2 */
            *rc = 1;
            return 0;
        }
        memset(b + 4, 0, 124);
        put16(b + 32, (uint16_t)tm.cert_ct);
        put16(b + 34, 64);
        for (unsigned i = 0; i < tm.cert_ct; i++) {
            if (tm.certs[i].der_len > maxder) {
                maxder = tm.certs[i].der_len;
            }
        }
        put32(b + 80, tm.vcssb_max_vcb_override >= 0 ?
                      (uint32_t)tm.vcssb_max_vcb_override :
                      256 + ((maxder + 3) & ~3u));
        *rc = 1;
        return 0;
    }
    if (sub == 2) {
        uint8_t *h = tm.mem + addr;
        uint32_t in_len, out_len = 64;
        uint16_t first, last;

        if (addr & 0xfff) {
            return SIPL_PGM_SPECIFICATION;
        }
        if (!range_ok(addr, 64)) {
            return SIPL_PGM_ADDRESSING;
        }
        in_len = get32(h);
        tm.last_in_len = in_len;
        if (!range_ok(addr, in_len)) {
            return SIPL_PGM_ADDRESSING;
        }
        if (tm.vcb_rc) {
            *rc = tm.vcb_rc;
            return 0;
        }
        if (in_len % 4096 || in_len < 4096) {
            *rc = 0x0204;
            return 0;
        }
        first = get16(h + 8);
        last = get16(h + 10);
        if (first > last) {
            *rc = 0x0302;
            return 0;
        }
        put16(h + 40, 0);
        put16(h + 42, 0);
        if (!tm.vcb_header_only && last >= 1 && last <= tm.cert_ct) {
            unsigned start = first ? first - 1u : 0;

            for (unsigned i = start; i < last; i++) {
                uint8_t *v = h + out_len;

                tm.fetch_count[i + 1]++;
                if (vce_len(i) > in_len - out_len) {
                    put16(h + 42, (uint16_t)(last - i));
                    break;
                }
                memset(v, 0, vce_len(i));
                put32(v, vce_len(i));
                v[4] = tm.certs[i].invalid ? 0 : 0x80;
                put16(v + 6, (uint16_t)(i + 1));
                memset(v + 8, 0x40, 64);
                if (!tm.certs[i].invalid) {
                    v[72] = 1;
                    put16(v + 74, 32);
                    v[77] = 1;
                    put16(v + 78, 32);
                    put32(v + 84, tm.certs[i].der_len);
                    put16(v + 96, 160);
                    put16(v + 98, 192);
                    cert_der(i, v + 192);
                }
                out_len += vce_len(i);
                put16(h + 40, (uint16_t)(get16(h + 40) + 1));
            }
        }
        if (tm.vcb_remain_ct) {
            put16(h + 42, tm.vcb_remain_ct);
        }
        put32(h + 32, out_len);
        *rc = 1;
        return 0;
    }
    *rc = 0x0102;
    return 0;
}

/* ---- DIAG 0x508, spec/02 §6 ---- */

static int diag508(uint64_t sub, uint64_t addr, uint64_t *rc)
{
    uint8_t *s = tm.mem + addr;
    uint64_t clen, caddr, slen, saddr;
    const uint8_t *sig;
    unsigned idx;

    if (sub == 0) {
        *rc = tm.diag508_mask;
        return 0;
    }
    if (sub != 0x8000) {
        return SIPL_PGM_SPECIFICATION;
    }
    if (!range_ok(addr, 64)) {
        return SIPL_PGM_ADDRESSING;
    }
    tm.verify_calls++;
    if (tm.cert_ct == 0) {
        *rc = 0x0102;
        return 0;
    }
    if (get32(s) != 64) {
        *rc = 0x0502;
        return 0;
    }
    clen = get64(s + 32);
    caddr = get64(s + 40);
    slen = get64(s + 48);
    saddr = get64(s + 56);
    if (!clen || !caddr || clen > 0x10000000 || !range_ok(caddr, clen)) {
        *rc = 0x0202;
        return 0;
    }
    if (!slen || !saddr || slen > 4096 || !range_ok(saddr, slen) || slen < 12) {
        *rc = 0x0302;
        return 0;
    }
    if (tm.verify_rc) {
        *rc = tm.verify_rc;
        return 0;
    }
    sig = tm.mem + saddr;
    idx = sig[4];
    if (memcmp(sig, "TSIG", 4) != 0) {
        *rc = 0x0302;
        return 0;
    }
    if (idx >= tm.cert_ct || get32(sig + 8) != fnv1a(tm.mem + caddr, clen)) {
        *rc = 0x0402;
        return 0;
    }
    s[16] = (uint8_t)idx;
    put64(s + 24, tm.certs[idx].der_len);
    *rc = 1;
    return 0;
}

/* ---- the platform ---- */

static int p_diag(void *o, uint32_t fc, uint64_t sub, uint64_t addr,
                  uint64_t *rc)
{
    (void)o;
    if (fc == SIPL_DIAG_320) {
        return diag320(sub, addr, rc);
    }
    if (fc == SIPL_DIAG_508) {
        return diag508(sub, addr, rc);
    }
    if (fc == SIPL_DIAG_308 && sub == 6) {
        if (!tm.have_iplb) {
            *rc = 0x0102;
            return 0;
        }
        memcpy(tm.mem + addr, tm.iplb, get32(tm.iplb));
        *rc = 1;
        return 0;
    }
    if (fc == SIPL_DIAG_308 && sub == 5) {
        tm.set_iplb_addr = addr;
        *rc = tm.set_iplb_fails ? 0x0402 : 1;
        return 0;
    }
    return SIPL_PGM_SPECIFICATION;
}

static int p_sclp(void *o, SiplSclpInfo *info)
{
    (void)o;
    *info = tm.sclp;
    return 0;
}

static int p_dev_open(void *o, const uint8_t *iplb, SiplDevice *dev)
{
    int n = iplb ? get16(iplb + 110) : 0;

    (void)o;
    if (n >= TM_MAX_DEVS || !tm.disk[n]) {
        return SIPL_ENODEV;
    }
    tm.cur_dev = n;
    *dev = tm.dev[n];
    return 0;
}

static int p_read(void *o, uint64_t blockno, uint32_t count, uint64_t gaddr)
{
    uint32_t bs = tm.dev[tm.cur_dev].block_size;
    uint64_t off = blockno * bs, len = (uint64_t)count * bs;

    (void)o;
    if (blockno > tm.disk_len[tm.cur_dev] / bs ||
        len > tm.disk_len[tm.cur_dev] - off) {
        return SIPL_EIO;
    }
    if (!range_ok(gaddr, len)) {
        return SIPL_EFAULT;
    }
    memcpy(tm.mem + gaddr, tm.disk[tm.cur_dev] + off, len);
    return 0;
}

static void p_console(void *o, const char *line)
{
    (void)o;
    if (tm.nlines < TM_MAX_LINES) {
        snprintf(tm.lines[tm.nlines++], sizeof(tm.lines[0]), "%s", line);
    }
}

static void p_dot(void *o)
{
    (void)o;
    tm.dots++;
}

static void p_halt(void *o, const char *reason)
{
    (void)o;
    (void)reason;
    tm.halted = true;
}

static int p_mem_read(void *o, uint64_t a, void *buf, uint64_t len)
{
    (void)o;
    if (!range_ok(a, len)) {
        return SIPL_EFAULT;
    }
    memcpy(buf, tm.mem + a, len);
    return 0;
}

static int p_mem_write(void *o, uint64_t a, const void *buf, uint64_t len)
{
    (void)o;
    if (!range_ok(a, len)) {
        return SIPL_EFAULT;
    }
    memcpy(tm.mem + a, buf, len);
    return 0;
}

static uint64_t p_to_guest(void *o, const void *buf, uint32_t len,
                           uint32_t align)
{
    unsigned i;

    (void)o;
    (void)align;                /* every image is page aligned */
    for (i = 0; i < tm.nmap; i++) {
        if (tm.map[i].host == buf) {
            break;
        }
    }
    if (i == tm.nmap) {
        if (i == 32 || len == 0) {
            return 0;
        }
        tm.map[i].host = buf;
        tm.map[i].gaddr = tm.map_next;
        tm.map[i].len = len;
        tm.map_next += (len + 4095) & ~4095u;
        tm.nmap++;
    }
    if (len > tm.map[i].len) {
        return 0;
    }
    memcpy(tm.mem + tm.map[i].gaddr, buf, len);
    return tm.map[i].gaddr;
}

static void p_from_guest(void *o, void *buf, uint32_t len, uint64_t gaddr)
{
    (void)o;
    memcpy(buf, tm.mem + gaddr, len);
}

static void p_jump(void *o, uint64_t psw)
{
    (void)o;
    tm.jumped = true;
    tm.psw = psw;
}

static const SiplPlatform tm_plat = {
    .opaque = &tm,
    .diag = p_diag,
    .sclp_info = p_sclp,
    .dev_open = p_dev_open,
    .read_blocks = p_read,
    .console = p_console,
    .console_dot = p_dot,
    .halt = p_halt,
    .mem_read = p_mem_read,
    .mem_write = p_mem_write,
    .buf_to_guest = p_to_guest,
    .buf_from_guest = p_from_guest,
    .jump = p_jump,
};

const SiplPlatform *tm_platform(void)
{
    return &tm_plat;
}

void tm_reset(uint32_t block_size, uint8_t hdr_flags, unsigned cert_ct)
{
    memset(&tm, 0, sizeof(tm));
    memset(tm_mem_buf, 0, sizeof(tm_mem_buf));
    memset(tm_disk_buf, 0, sizeof(tm_disk_buf));
    tm.mem = tm_mem_buf;
    tm.disk[0] = tm_disk_buf;
    tm.disk_len[0] = TM_DISK_SIZE;
    tm.dev[0].type = SIPL_DEV_VIRTIO_BLK;
    tm.dev[0].block_size = block_size;
    tm.sclp.els = true;
    tm.sclp.fac134 = 0x04;
    tm.sclp.fac_ipl = 0x4000 | 0x1000;
    tm.fac_cstore = true;
    tm.ism = 0xe0000000u;
    tm.diag508_mask = 0x8000;
    tm.cert_ct = cert_ct;
    for (unsigned i = 0; i < TM_MAX_CERTS; i++) {
        tm.certs[i].der_len = 700 + 16 * i;
    }
    tm.vcssb_max_vcb_override = -1;
    tm.map_next = TM_BIOS_AREA;

    /* IPLB (spec/02 §8.1): len, flags, CCW body, devno 0 */
    tm.have_iplb = true;
    put32(tm.iplb, 4096);
    tm.iplb[4] = hdr_flags;
    put32(tm.iplb + 8, 4096 - 8);
    tm.iplb[12] = 0x02;
    /* QIPL at 0xCC (spec/02 §9): ipl_data at +20 */
    put64(tm.mem + 0xcc + 20, TM_IPL_DATA);
}

int tm_run(void)
{
    return sipl_ipl(&tm_plat);
}

bool tm_has_line(const char *line)
{
    return tm_count_line(line) > 0;
}

unsigned tm_count_line(const char *line)
{
    unsigned n = 0;

    for (unsigned i = 0; i < tm.nlines; i++) {
        n += strcmp(tm.lines[i], line) == 0;
    }
    return n;
}

const char *tm_last_line(void)
{
    return tm.nlines ? tm.lines[tm.nlines - 1] : "";
}

void tm_dump_lines(void)
{
    for (unsigned i = 0; i < tm.nlines; i++) {
        printf("#   console: %s\n", tm.lines[i]);
    }
}
