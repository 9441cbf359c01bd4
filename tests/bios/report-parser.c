/*
 * report-parser.c: Linux's view of the IPL report (report-parser.h)
 */
#include "report-parser.h"

#include <string.h>

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}
static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

bool report_parse(const uint8_t *mem, uint64_t mem_len, ParsedReport *r)
{
    bool have_comps = false, have_certs = false;
    uint64_t block;

    memset(r, 0, sizeof(*r));
    /* lowcore 0x14: ipl_parmblock_ptr (spec/04 §4.1) */
    r->iplb = get32(mem + 0x14);
    if ((uint64_t)r->iplb + 4096 > mem_len) {
        return false;
    }
    /* IPLSR (0x20) in the IPLB header flags, byte 4 */
    if (!(mem[r->iplb + 4] & 0x20)) {
        return false;
    }
    r->start = ((uint64_t)r->iplb + get32(mem + r->iplb) + 7) & ~7ull;
    if (r->start + 16 > mem_len) {
        return false;
    }
    r->end = r->start + get32(mem + r->start);
    if (r->end > mem_len) {
        return false;
    }
    /* the loop test of spec/04 §4.2: strict < on the header */
    for (block = r->start + 16;
         block + 16 < r->end && block + get32(mem + block) <= r->end;) {
        uint32_t blen = get32(mem + block);
        uint8_t type = mem[block + 4];

        if (blen < 16) {
            break;      /* Linux would spin; a test must not */
        }
        if (type == 2) {
            if (!have_certs) {
                r->comps_first = true;
            }
            have_comps = true;
            r->iiei = get16(mem + block + 8);
            for (uint64_t e = block + 16;
                 e + 32 <= block + blen && r->ncomp < 200; e += 32) {
                ParsedComp *c = &r->comp[r->ncomp++];

                c->addr = get64(mem + e);
                c->len = get64(mem + e + 8);
                c->flags = mem[e + 16];
                c->cert_index = get16(mem + e + 22);
                c->cei = get32(mem + e + 24);
            }
        } else if (type == 1) {
            have_certs = true;
            for (uint64_t e = block + 16;
                 e + 16 <= block + blen && r->ncert < 80; e += 16) {
                r->cert[r->ncert].addr = get64(mem + e);
                r->cert[r->ncert].len = get64(mem + e + 8);
                r->ncert++;
            }
        }
        block += blen;
    }
    r->accepted = have_comps && have_certs;
    return r->accepted;
}
