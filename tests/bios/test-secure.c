/*
 * test-secure.c: signature components (spec/03 §3, 07 D21, D24), table
 * errors that abandon the device in every mode (§7), the unsigned-address
 * and overlap rules (§5.2), DIAG 0x508 failures and certificates (§6.5,
 * §9, 07 D18, D20).
 */
#include "test-bios.h"

#include "report-parser.h"
#include "std-image.h"
#include "test-machine.h"

#define SECURE  0x60
#define AUDIT   0x20

static StdImage img;

static void std(uint8_t mode, unsigned certs)
{
    tm_reset(512, mode, certs);
    std_image(&img, 512);
}

/* Inserts @e before entry @at of the image's table. */
static void insert(unsigned at, ImgComp e)
{
    memmove(&img.c[at + 1], &img.c[at], (img.n - at) * sizeof(img.c[0]));
    img.c[at] = e;
    img.n++;
}

/* An error that abandons the device in both modes (spec/03 §7). */
static void assert_abandons(const char *line)
{
    TEST_ASSERT_EQ(tm_run(), -1);
    if (line) {
        if (!tm_has_line(line)) {
            tm_dump_lines();
        }
        TEST_ASSERT(tm_has_line(line));
    }
    TEST_ASSERT(tm_has_line("Failed to IPL from this SCSI device!"));
    TEST_ASSERT_STR(tm_last_line(),
                    "ERROR: No suitable device for IPL. Halting...");
}

static void test_two_signatures_in_a_row(void)
{
    for (int m = 0; m < 2; m++) {
        std(m ? SECURE : AUDIT, 2);
        insert((unsigned)img.idx_sig3, img.c[img.idx_sig3]);
        std_write(&img);
        assert_abandons(NULL);
        /* no message of its own: the failure line comes right after */
        TEST_ASSERT_STR(tm.lines[0], "Failed to IPL from this SCSI device!");
    }
}

static void test_non_der_signature(void)
{
    for (int m = 0; m < 2; m++) {
        std(m ? SECURE : AUDIT, 2);
        img.c[img.idx_sigk].sig_format = 2;
        std_write(&img);
        assert_abandons("Signature is not in DER format");
    }
}

static void test_unknown_component_type(void)
{
    for (int m = 0; m < 2; m++) {
        std(m ? SECURE : AUDIT, 2);
        insert(1, (ImgComp){ .type = 0x04 });
        std_write(&img);
        assert_abandons("Unknown component entry type");
    }
}

static void test_signature_before_exec(void)
{
    for (int m = 0; m < 2; m++) {             /* 07 D24 */
        std(m ? SECURE : AUDIT, 2);
        insert((unsigned)img.idx_exec, img.c[img.idx_sigk]);
        std_write(&img);
        assert_abandons("Signature entry without component");
    }
}

static void test_signature_length_bounds(void)
{
    static uint8_t big[5000];

    std(AUDIT, 2);                              /* 07 D21 */
    img.c[img.idx_sigk].sig_len = 5000;
    std_write(&img);
    assert_abandons("Signature exceeds 4096 bytes");

    std(SECURE, 2);
    img.c[img.idx_sigk].data = big;             /* 10 blocks > 4096 */
    img.c[img.idx_sigk].len = sizeof(big);
    img.c[img.idx_sigk].sig_len = 12;
    std_write(&img);
    assert_abandons("Signature exceeds 4096 bytes");

    std(SECURE, 2);
    img.c[img.idx_sigk].sig_len = 0;
    img.c[img.idx_sigk].len = 0;
    std_write(&img);
    assert_abandons("Empty signature");
}

static void test_unsigned_below_0x2000(void)
{
    static uint8_t low[512];
    ParsedReport r;

    std(AUDIT, 2);
    insert(0, (ImgComp){ .type = 0x02, .value = 0x1000, .data = low,
                         .len = sizeof(low) });
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT(tm_has_line("AUDIT MODE WARNING: Load address for unsigned "
                            "component is less than 0x2000"));
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT_EQ(r.comp[0].addr, 0x1000);
    TEST_ASSERT_EQ(r.comp[0].cei, 0x00100000u);
    TEST_ASSERT_EQ(r.comp[0].flags, 0);

    std(SECURE, 2);
    insert(0, (ImgComp){ .type = 0x02, .value = 0x1000, .data = low,
                         .len = sizeof(low) });
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT_STR(tm_last_line(), "ERROR: Load address for unsigned "
                                    "component is less than 0x2000");
}

static void test_overlap(void)
{
    static uint8_t over[0x6000];

    /* an unsigned LOAD over stage3: one line per signed entry it meets */
    std(AUDIT, 2);
    insert((unsigned)img.idx_exec,
           (ImgComp){ .type = 0x02, .value = 0xb000, .data = over,
                      .len = 0x3000 });
    std_write(&img);
    /* 0xb000 + 0x3000 = 0xe000: meets stage3 only */
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm_count_line("AUDIT MODE WARNING: Component addresses "
                                 "overlap"), 1);

    std(AUDIT, 2);
    insert((unsigned)img.idx_exec,
           (ImgComp){ .type = 0x02, .value = 0xb000, .data = over,
                      .len = 0x6000 });
    std_write(&img);
    /* 0xb000 + 0x6000 = 0x11000: meets stage3 and the kernel */
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm_count_line("AUDIT MODE WARNING: Component addresses "
                                 "overlap"), 2);

    std(AUDIT, 2);
    img.c[img.idx_kernel].value = 0xb000;       /* signed over signed */
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm_count_line("AUDIT MODE WARNING: Component addresses "
                                 "overlap"), 1);

    /* touching ends do not overlap: stage3 ends at 0xc000 */
    std(SECURE, 2);
    insert((unsigned)img.idx_exec,
           (ImgComp){ .type = 0x02, .value = 0xc000, .data = over,
                      .len = 0x1000 });
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), 0);

    std(SECURE, 2);
    insert((unsigned)img.idx_exec,
           (ImgComp){ .type = 0x02, .value = 0xbe00, .data = over,
                      .len = 0x1000 });
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT_STR(tm_last_line(), "ERROR: Component addresses overlap");
}

static void test_several_certificates(void)
{
    static uint8_t third[0x1000], sig[12];
    ParsedReport r;
    uint8_t der[2000];

    /* stage3 by cert 2, kernel by cert 0, a third component by cert 2 */
    std(SECURE, 4);
    img_fill(third, sizeof(third), 11);
    img_sclab(third, sizeof(third), 0, 0x4000, 0, 0x200000);
    tm_make_sig(sig, 2, third, sizeof(third));
    std_resign(&img, 2, 0);
    insert((unsigned)img.idx_exec,
           (ImgComp){ .type = 0x03, .data = sig, .len = sizeof(sig) });
    insert((unsigned)img.idx_exec + 1,
           (ImgComp){ .type = 0x02, .value = 0x200000, .data = third,
                      .len = sizeof(third) });
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), 0);
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 3);
    /* each certificate fetched once, by its 1-origin index */
    TEST_ASSERT_EQ(tm.fetch_count[3], 1);
    TEST_ASSERT_EQ(tm.fetch_count[1], 1);
    TEST_ASSERT_EQ(tm.fetch_count[2] + tm.fetch_count[4], 0);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT_EQ(r.ncert, 2);
    /* heap, stack, stage3, parm, kernel, third, PSW */
    TEST_ASSERT_EQ(r.comp[2].cert_index, 0);    /* stage3: cert 2 first */
    TEST_ASSERT_EQ(r.comp[4].cert_index, 1);    /* kernel: cert 0 */
    TEST_ASSERT_EQ(r.comp[5].cert_index, 0);    /* third: cert 2 again */
    TEST_ASSERT_EQ(r.comp[5].flags, 0xc0);
    TEST_ASSERT_EQ(r.comp[4].flags, 0xc0);
    /* lengths from the store (700 + 16 i), copies in the stable area */
    TEST_ASSERT_EQ(r.cert[0].len, 700 + 32);
    TEST_ASSERT_EQ(r.cert[1].len, 700);
    TEST_ASSERT_EQ(r.cert[0].addr, TM_IPL_DATA);
    TEST_ASSERT_EQ(r.cert[1].addr, TM_IPL_DATA + 732);
    for (unsigned k = 0; k < 732; k++) {
        der[k] = (uint8_t)(0x30 + 2 + k * 7);
    }
    TEST_ASSERT_MEM(tm.mem + TM_IPL_DATA, der, 732);
}

static void test_certificate_fetch_failures(void)
{
    for (int m = 0; m < 2; m++) {
        uint8_t mode = m ? SECURE : AUDIT;

        std(mode, 2);
        std_write(&img);
        tm.vcb_header_only = true;
        assert_abandons("No certificate entry");
        TEST_ASSERT(tm_has_line("Could not get certificate"));

        std(mode, 2);
        std_write(&img);
        tm.certs[0].invalid = true;
        assert_abandons("Invalid certificate");
        TEST_ASSERT(tm_has_line("Could not get certificate"));

        std(mode, 2);
        std_write(&img);
        tm.vcb_rc = 0x0204;
        assert_abandons("Could not get certificate");

        std(mode, 2);
        std_write(&img);
        tm.vcb_remain_ct = 1;
        TEST_ASSERT_EQ(tm_run(), -1);
        TEST_ASSERT_STR(tm_last_line(), "ERROR: Not enough memory to store "
                                        "requested certificate");
    }
}

static void test_certificate_buffer_bound(void)
{
    static uint8_t comp[4][0x1000], sig[4][12];

    /* 07 D18: four distinct 8000-byte certificates do not fit 28672 */
    std(AUDIT, 4);
    for (unsigned i = 0; i < 4; i++) {
        tm.certs[i].der_len = 8000;
    }
    img.n = 0;
    for (unsigned i = 0; i < 4; i++) {
        img_fill(comp[i], sizeof(comp[i]), i);
        img_sclab(comp[i], sizeof(comp[i]), 0, 0, 0, 0);
        tm_make_sig(sig[i], i, comp[i], sizeof(comp[i]));
        img.c[img.n++] = (ImgComp){ .type = 0x03, .data = sig[i], .len = 12 };
        img.c[img.n++] = (ImgComp){ .type = 0x02, .value = 0x100000 + i * 0x10000,
                                    .data = comp[i], .len = 0x1000 };
    }
    img.c[img.n++] = (ImgComp){ .type = 0x01, .value = 0x0008000080100000ull };
    std_write(&img);
    TEST_ASSERT_EQ(tm_run(), -1);
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 3);
    TEST_ASSERT_STR(tm_last_line(), "ERROR: Not enough memory to store "
                                    "certificates");
}

static void test_vcb_length_bounded(void)
{
    static const struct { int32_t reported; uint32_t in_len; } c[] = {
        { 20000, 12288 },       /* 07 D20: never past the buffer */
        { 8256, 12288 },        /* upstream QEMU's maximum */
        { 1000, 4096 },
    };

    for (unsigned i = 0; i < 3; i++) {
        std(SECURE, 2);
        std_write(&img);
        tm.vcssb_max_vcb_override = c[i].reported;
        TEST_ASSERT_EQ(tm_run(), 0);
        TEST_ASSERT_EQ(tm.last_in_len, c[i].in_len);
    }
}

static void test_verification_failure_codes(void)
{
    static const uint64_t rcs[] = { 0x0102, 0x0202, 0x0302, 0x0402, 0x0502 };

    for (unsigned i = 0; i < 5; i++) {
        std(AUDIT, 2);
        std_write(&img);
        tm.verify_rc = rcs[i];
        TEST_ASSERT_EQ(tm_run(), 0);
        TEST_ASSERT_EQ(tm_count_line("AUDIT MODE WARNING: Could not verify "
                                     "component"), 2);
        TEST_ASSERT_EQ(tm_count_line("Verified component"), 0);
        TEST_ASSERT_EQ(tm.fetch_count[1] + tm.fetch_count[2], 0);
    }
}

int main(void)
{
    TEST_RUN(test_two_signatures_in_a_row);
    TEST_RUN(test_non_der_signature);
    TEST_RUN(test_unknown_component_type);
    TEST_RUN(test_signature_before_exec);
    TEST_RUN(test_signature_length_bounds);
    TEST_RUN(test_unsigned_below_0x2000);
    TEST_RUN(test_overlap);
    TEST_RUN(test_several_certificates);
    TEST_RUN(test_certificate_fetch_failures);
    TEST_RUN(test_certificate_buffer_bound);
    TEST_RUN(test_vcb_length_bounded);
    TEST_RUN(test_verification_failure_codes);
    return test_done();
}
