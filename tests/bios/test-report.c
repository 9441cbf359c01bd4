/*
 * test-report.c: the IIRB (spec/03 §8) as Linux reads it (spec/04 §4):
 * placement after the IPLB, lengths, block order (07 D22), entries,
 * certificate copies, the capacity and length panics.
 */
#include "test-bios.h"

#include "iirb.h"
#include "report-parser.h"
#include "std-image.h"
#include "test-machine.h"

#define SECURE  0x60
#define AUDIT   0x20

static StdImage img;

static void boot(uint8_t mode)
{
    tm_reset(512, mode, 2);
    std_image(&img, 512);
    std_write(&img);
}

static void test_secure_report_bytes(void)
{
    ParsedReport r;
    uint64_t s;

    boot(SECURE);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    /* lowcore 0x14 = the IPLB the BIOS set back with DIAG 308 subcode 5 */
    TEST_ASSERT_EQ(r.iplb, tm.set_iplb_addr);
    TEST_ASSERT_EQ(r.iplb % 4096, 0);
    TEST_ASSERT_EQ(tm.mem[r.iplb + 4], SECURE);     /* flags kept */
    /* IIRB right after the 4096-byte IPLB */
    TEST_ASSERT_EQ(r.start, r.iplb + 4096);
    s = r.start;
    /* header: len = 16 + (16 + 6 * 32) + (16 + 2 * 16), flags 0 */
    TEST_ASSERT_EQ(tm_get32(s), 16 + 208 + 48);
    TEST_ASSERT_EQ(tm.mem[s + 4], 0);
    TEST_ASSERT_EQ(tm.mem[s + 7], 0);
    /* upstream order when certificates exist: components first */
    TEST_ASSERT(r.comps_first);
    TEST_ASSERT_EQ(tm_get32(s + 16), 208);
    TEST_ASSERT_EQ(tm.mem[s + 16 + 4], 2);
    TEST_ASSERT_EQ(tm_get16(s + 16 + 8), 0);        /* IIEI */
    TEST_ASSERT_EQ(tm_get32(s + 16 + 208), 48);
    TEST_ASSERT_EQ(tm.mem[s + 16 + 208 + 4], 1);
    /* components in table order, block-rounded lengths */
    TEST_ASSERT_EQ(r.ncomp, 6);
    TEST_ASSERT_EQ(r.comp[0].addr, 0x2000);
    TEST_ASSERT_EQ(r.comp[0].len, 0x4000);
    TEST_ASSERT_EQ(r.comp[0].flags, 0);
    TEST_ASSERT_EQ(r.comp[2].addr, 0xa000);
    TEST_ASSERT_EQ(r.comp[2].flags, 0xc0);
    TEST_ASSERT_EQ(r.comp[2].cert_index, 0);
    TEST_ASSERT_EQ(r.comp[4].addr, 0x10000);
    TEST_ASSERT_EQ(r.comp[4].len, 0x4000);
    TEST_ASSERT_EQ(r.comp[4].flags, 0xc0);
    TEST_ASSERT_EQ(r.comp[4].cert_index, 1);
    /* the PSW pseudo entry (07 K13) */
    TEST_ASSERT_EQ(r.comp[5].addr, STAGE3_PSW);
    TEST_ASSERT_EQ(r.comp[5].len, 0);
    TEST_ASSERT_EQ(r.comp[5].flags, 0);
    TEST_ASSERT_EQ(r.comp[5].cei, 0);
    /* certificates: addresses in the stable area, the store's lengths */
    TEST_ASSERT_EQ(r.cert[0].addr, TM_IPL_DATA);
    TEST_ASSERT_EQ(r.cert[0].len, 700);
    TEST_ASSERT_EQ(r.cert[1].addr, TM_IPL_DATA + 700);
    TEST_ASSERT_EQ(r.cert[1].len, 716);
    TEST_ASSERT_EQ(tm.mem[TM_IPL_DATA], 0x30);
    TEST_ASSERT_EQ(tm.mem[TM_IPL_DATA + 700], 0x31);
}

static void test_empty_cert_block_first(void)
{
    ParsedReport r;
    uint64_t s;

    /* audit, nothing verifies: 07 D22 puts the empty block first so that
     * Linux's walk (block + 16 < end) still visits it */
    boot(AUDIT);
    tm.verify_rc = 0x0402;
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT(!r.comps_first);
    TEST_ASSERT_EQ(r.ncert, 0);
    s = r.start;
    TEST_ASSERT_EQ(tm_get32(s + 16), 16);
    TEST_ASSERT_EQ(tm.mem[s + 16 + 4], 1);
    TEST_ASSERT_EQ(tm.mem[s + 32 + 4], 2);
    TEST_ASSERT_EQ(tm_get32(s), 16 + 16 + 16 + 6 * 32);
    TEST_ASSERT_EQ(r.ncomp, 6);
    TEST_ASSERT_EQ(r.comp[2].flags, 0x80);
}

static void test_upstream_order_would_be_ignored(void)
{
    /* the parser really implements Linux's strict test: the same bytes in
     * upstream's order (components, then the bare certificate header
     * ending the report) are not accepted */
    ParsedReport r;
    uint64_t s;
    uint8_t comps[16 + 6 * 32];

    boot(AUDIT);
    tm.verify_rc = 0x0402;
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    s = r.start;
    memcpy(comps, tm.mem + s + 32, sizeof(comps));
    memcpy(tm.mem + s + 16, comps, sizeof(comps));
    memset(tm.mem + s + 16 + sizeof(comps), 0, 16);
    tm.mem[s + 16 + sizeof(comps) + 3] = 16;
    tm.mem[s + 16 + sizeof(comps) + 4] = 1;
    TEST_ASSERT(!report_parse(tm.mem, TM_MEM_SIZE, &r));
}

static void test_component_list_capacity(void)
{
    IirbLists l;
    IplDeviceComponentEntry e;

    tm_reset(512, 0, 0);
    iirb_init(&l);
    memset(&e, 0, sizeof(e));
    for (unsigned i = 0; i < 127; i++) {
        TEST_ASSERT_EQ(iirb_add_comp(tm_platform(), &l, &e), 0);
    }
    TEST_ASSERT(!tm.halted);
    TEST_ASSERT_EQ(iirb_add_comp(tm_platform(), &l, &e), -1);
    TEST_ASSERT_EQ(tm.nlines, 2);
    TEST_ASSERT_STR(tm.lines[0], "Warning: only 127 component entries are "
                                 "supported");
    TEST_ASSERT_STR(tm.lines[1], "ERROR: The device component list has "
                                 "reached its maximum capacity");
}

static void test_build_bounds(void)
{
    static IirbLists l;
    uint8_t out[5136];
    uint32_t len = 0;
    IplDeviceComponentEntry e;

    tm_reset(512, 0, 0);
    iirb_init(&l);
    memset(&e, 0, sizeof(e));
    for (unsigned i = 0; i < 127; i++) {
        iirb_add_comp(tm_platform(), &l, &e);
    }
    for (unsigned i = 0; i < 64; i++) {
        iirb_add_cert(&l, i, 1);
    }
    /* the largest report fits exactly: 16 + 4080 + 1040 */
    TEST_ASSERT_EQ(iirb_build(tm_platform(), &l, 4096, out, &len), 0);
    TEST_ASSERT_EQ(len, 5136);
    TEST_ASSERT_EQ(iirb_build(tm_platform(), &l, 4100, out, &len), -1);
    TEST_ASSERT_STR(tm_last_line(), "ERROR: IPL parameter block length field "
                                    "value is not multiple of 8 bytes");
}

static void test_normal_mode_no_report(void)
{
    boot(0);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm_get32(tm.set_iplb_addr + 4096), 0);
}

int main(void)
{
    TEST_RUN(test_secure_report_bytes);
    TEST_RUN(test_empty_cert_block_first);
    TEST_RUN(test_upstream_order_would_be_ignored);
    TEST_RUN(test_component_list_capacity);
    TEST_RUN(test_build_bounds);
    TEST_RUN(test_normal_mode_no_report);
    return test_done();
}
