/*
 * test-bootmap.c: the zipl SCSI-scheme walk (spec/03 §2): MBR, program
 * table and loadparm, component table, segment tables with continuation
 * and 0xAA filler, block-rounded lengths, and every malformed-table error.
 * Disk images are written byte by byte by bootmap-writer.c.
 */
#include "test-bios.h"

#include "bootmap-writer.h"
#include "report-parser.h"
#include "test-machine.h"

#define AUDIT   0x20

static uint8_t pay[2 << 20];

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* The first segment-table block of component entry 0 of table @t. */
static uint64_t segtab_of(uint64_t t, uint32_t bs)
{
    return get64(tm.disk[0] + t * bs + 0x20);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

/* One LOAD of @len payload bytes at 0x10000 plus EXEC, normal mode. */
static uint64_t simple(uint32_t bs, size_t len, uint32_t ptr_blocks)
{
    ImgComp c[2] = {
        { .type = IMG_LOAD, .value = 0x10000, .data = pay, .len = len,
          .ptr_blocks = ptr_blocks },
        { .type = IMG_EXEC, .value = 0x0008000080010000ull },
    };
    uint64_t table;

    tm_reset(bs, 0, 0);
    img_fill(pay, len, 5);
    img_begin(tm.disk[0], tm.disk_len[0], bs);
    table = img_table(c, 2);
    img_finish(table, 0);
    return table;
}

#define ASSERT_FAILS_WITH(line) do { \
        TEST_ASSERT_EQ(tm_run(), -1); \
        if (!tm_has_line(line)) tm_dump_lines(); \
        TEST_ASSERT(tm_has_line(line)); \
        TEST_ASSERT(tm_has_line("Failed to IPL from this SCSI device!")); \
        TEST_ASSERT_STR(tm_last_line(), \
                        "ERROR: No suitable device for IPL. Halting..."); \
    } while (0)

static void test_load_and_exec(void)
{
    simple(512, 3000, 0);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT(tm.jumped);
    TEST_ASSERT_EQ(tm.psw, 0x0008000080010000ull);
    TEST_ASSERT_MEM(tm.mem + 0x10000, pay, 3000);
    TEST_ASSERT_EQ(tm.dots, 1);
}

static void test_continuation_512(void)
{
    /* 40 one-block pointers: table 1 holds 31, chain in slot 31, which the
     * BIOS recognises by the 0xAA filler after it (spec/03 §2.5) */
    simple(512, 40 * 512, 1);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_MEM(tm.mem + 0x10000, pay, 40 * 512);
    TEST_ASSERT_EQ(tm.dots, 40);
}

static void test_continuation_4096_slot255(void)
{
    /* 300 pointers: slot 255 is the chain pointer, never loaded */
    simple(4096, 300 * 4096, 1);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_MEM(tm.mem + 0x10000, pay, 300 * 4096);
    TEST_ASSERT_EQ(tm.dots, 300);
}

static void test_block_rounded_length(void)
{
    ParsedReport r;

    simple(512, 1000, 0);
    tm.iplb[4] = AUDIT;
    tm.cert_ct = 1;
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT_EQ(r.comp[0].len, 1024);    /* 2 blocks, not 1000 */
}

static void test_mbr_version_warning(void)
{
    simple(512, 512, 0);
    tm.disk[0][7] = 2;
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_STR(tm.lines[0], "WARNING: Unknown MBR layout version, "
                                 "assuming version 1");
}

static void test_block0_unreadable(void)
{
    simple(512, 512, 0);
    tm.disk_len[0] = 0;
    ASSERT_FAILS_WITH("Cannot read block 0");
}

static void test_no_program_table(void)
{
    simple(512, 512, 0);
    memset(tm.disk[0] + 0x10, 0, 8);
    ASSERT_FAILS_WITH("No Program Table");
}

static void test_program_table_errors(void)
{
    simple(512, 512, 0);
    put64(tm.disk[0] + 0x10, 0x100000);     /* past the disk */
    ASSERT_FAILS_WITH("Error reading Program Table");
    simple(512, 512, 0);
    tm.disk[0][512] = 'x';
    ASSERT_FAILS_WITH("No zIPL magic in Program Table");
    simple(4096, 512, 0);
    memset(tm.disk[0] + 4096 + 0x10, 0, 4096 - 0x10);
    ASSERT_FAILS_WITH("Empty Program Table");
}

static void test_program_table_slot31_filler(void)
{
    /* 512-byte blocks: slot 31 lies past the block and keeps the 0xAA
     * filler, so the table is never empty (spec/03 §2.3) */
    simple(512, 512, 0);
    memset(tm.disk[0] + 512 + 0x10, 0, 512 - 0x10);
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT(tm_has_line("The requested boot entry (0) is invalid"));
    TEST_ASSERT_STR(tm_last_line(), "ERROR: Invalid loadparm");
}

static void set_loadparm(const char *digits)
{
    tm.iplb[13] = 0x80;                     /* LP_VALID */
    memset(tm.iplb + 16, 0x40, 8);          /* EBCDIC blanks */
    for (unsigned i = 0; digits[i]; i++) {
        tm.iplb[16 + i] = (uint8_t)(0xf0 + digits[i] - '0');
    }
}

static void test_loadparm_selects_entry(void)
{
    ImgComp other[2] = {
        { .type = IMG_LOAD, .value = 0x20000, .data = pay, .len = 512 },
        { .type = IMG_EXEC, .value = 0x0008000080020000ull },
    };
    uint64_t t0 = simple(512, 512, 0), t2;

    t2 = img_table(other, 2);
    put64(tm.disk[0] + 512 + 0x10 + 2 * 16, t2);
    tm.disk[0][512 + 0x10 + 2 * 16 + 9] = 0x02;
    set_loadparm("2");
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm.psw, 0x0008000080020000ull);
    TEST_ASSERT(t0 != t2);
}

static void test_loadparm_errors(void)
{
    simple(512, 512, 0);
    set_loadparm("33");
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT_STR(tm_last_line(), "ERROR: loadparm value greater than max "
                                    "number of boot entries allowed");
    simple(512, 512, 0);
    set_loadparm("5");
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT(tm_has_line("The requested boot entry (5) is invalid"));
    TEST_ASSERT_STR(tm_last_line(), "ERROR: Invalid loadparm");
    simple(4096, 512, 0);
    set_loadparm("32");                     /* one past the table */
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT_STR(tm_last_line(), "ERROR: loadparm value greater than max "
                                    "number of boot entries allowed");
}

static void test_component_header_errors(void)
{
    uint64_t t = simple(512, 512, 0);

    put64(tm.disk[0] + 512 + 0x10, 0x100000);
    ASSERT_FAILS_WITH("Cannot read header");
    t = simple(512, 512, 0);
    tm.disk[0][t * 512] = 'Z';
    ASSERT_FAILS_WITH("No zIPL magic in header");
    t = simple(512, 512, 0);
    tm.disk[0][t * 512 + 4] = 0x01;         /* dump */
    ASSERT_FAILS_WITH("Bad header type");
}

static void test_segment_errors(void)
{
    ImgComp c[2] = {
        { .type = IMG_LOAD, .value = 0x10000, .data = pay, .len = 1024,
          .bad_size = 4096 },
        { .type = IMG_EXEC, .value = 0x0008000080010000ull },
    };
    uint64_t t;

    tm_reset(512, 0, 0);
    img_begin(tm.disk[0], tm.disk_len[0], 512);
    img_finish(img_table(c, 2), 0);
    ASSERT_FAILS_WITH("zIPL load segment failed");

    t = simple(512, 1024, 0);               /* segment table past the disk */
    put64(tm.disk[0] + t * 512 + 0x20, 0xabcdef);
    ASSERT_FAILS_WITH("zIPL failed to read BPRS at 0x0000000000abcdef");

    t = simple(512, 1024, 0);               /* data pointer past the disk */
    put64(tm.disk[0] + segtab_of(t, 512) * 512, 0x7ffff0);
    ASSERT_FAILS_WITH("zIPL load segment failed");
}

static void test_segment_loop_ends(void)
{
    /* a table whose only slot chains to itself, filler behind it */
    uint64_t t = simple(512, 512, 0), seg = segtab_of(t, 512);
    uint8_t *b = tm.disk[0] + seg * 512;

    memset(b, 0xaa, 512);
    put64(b, seg);
    b[8] = 0x02;
    b[9] = 0x00;
    b[10] = b[11] = 0;
    ASSERT_FAILS_WITH("zIPL segment table chain too long");
}

static void test_missing_exec_normal(void)
{
    ImgComp c[2] = {
        { .type = IMG_LOAD, .value = 0x10000, .data = pay, .len = 512 },
        { .type = 0x07 },
    };

    tm_reset(512, 0, 0);
    img_begin(tm.disk[0], tm.disk_len[0], 512);
    img_finish(img_table(c, 2), 0);
    ASSERT_FAILS_WITH("No EXEC entry");
    tm_reset(512, 0, 0);
    img_begin(tm.disk[0], tm.disk_len[0], 512);
    img_finish(img_table(c, 1), 0);         /* the rest reads as type 0 */
    ASSERT_FAILS_WITH("No EXEC entry");
}

static void test_entry_limit_127(void)
{
    static ImgComp c[128];

    /* 126 LOADs + EXEC = 127 entries fill the 4096-byte block */
    for (unsigned i = 0; i < 127; i++) {
        c[i] = (ImgComp){ .type = IMG_LOAD, .value = 0x10000 + i * 4096,
                          .data = pay, .len = 4096 };
    }
    c[126] = (ImgComp){ .type = IMG_EXEC, .value = 0x0008000080010000ull };
    tm_reset(4096, 0, 0);
    img_begin(tm.disk[0], tm.disk_len[0], 4096);
    img_finish(img_table(c, 127), 0);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm.dots, 126);

    /* 127 LOADs: the 128th entry would end past the block */
    c[126] = (ImgComp){ .type = IMG_LOAD, .value = 0x10000 + 126 * 4096,
                        .data = pay, .len = 4096 };
    tm_reset(4096, 0, 0);
    img_begin(tm.disk[0], tm.disk_len[0], 4096);
    img_finish(img_table(c, 127), 0);
    ASSERT_FAILS_WITH("Wrong entry value");
}

static void test_signature_skipped_normal(void)
{
    ImgComp c[3] = {
        { .type = IMG_SIG, .data = pay, .len = 12, .sig_format = 9 },
        { .type = IMG_LOAD, .value = 0x10000, .data = pay, .len = 512 },
        { .type = IMG_EXEC, .value = 0x0008000080010000ull },
    };

    tm_reset(512, 0, 1);
    img_begin(tm.disk[0], tm.disk_len[0], 512);
    img_finish(img_table(c, 3), 0);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm.nlines, 0);
    TEST_ASSERT_EQ(tm.dots, 1);             /* the signature is not loaded */
}

int main(void)
{
    TEST_RUN(test_load_and_exec);
    TEST_RUN(test_continuation_512);
    TEST_RUN(test_continuation_4096_slot255);
    TEST_RUN(test_block_rounded_length);
    TEST_RUN(test_mbr_version_warning);
    TEST_RUN(test_block0_unreadable);
    TEST_RUN(test_no_program_table);
    TEST_RUN(test_program_table_errors);
    TEST_RUN(test_program_table_slot31_filler);
    TEST_RUN(test_loadparm_selects_entry);
    TEST_RUN(test_loadparm_errors);
    TEST_RUN(test_component_header_errors);
    TEST_RUN(test_segment_errors);
    TEST_RUN(test_segment_loop_ends);
    TEST_RUN(test_missing_exec_normal);
    TEST_RUN(test_entry_limit_127);
    TEST_RUN(test_signature_skipped_normal);
    return test_done();
}
