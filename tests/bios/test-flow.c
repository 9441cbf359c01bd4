/*
 * test-flow.c: whole-flow runs of the guest half: the mode matrix
 * (spec/01 §3.2), facility refusals (spec/03 §6.2, 07 D17), the store-size
 * query (§6.3, 07 D19), device restrictions (§6.4, 07 D30, D31), the IPLB
 * chain and the finish (§6.6).
 */
#include "test-bios.h"

#include "report-parser.h"
#include "std-image.h"
#include "test-machine.h"

#define SECURE  0x60
#define AUDIT   0x20

static StdImage img;

static void boot_std(uint32_t bs, uint8_t flags, unsigned certs)
{
    tm_reset(bs, flags, certs);
    std_image(&img, bs);
    std_write(&img);
}

/* The run ended in a panic whose console line is "ERROR: <msg>". */
#define ASSERT_HALT(msg) do { \
        int rc_ = tm_run(); \
        if (!tm.halted) tm_dump_lines(); \
        TEST_ASSERT_EQ(rc_, -1); \
        TEST_ASSERT(tm.halted); \
        TEST_ASSERT(!tm.jumped); \
        TEST_ASSERT_STR(tm_last_line(), "ERROR: " msg); \
    } while (0)

#define ASSERT_BOOTS() do { \
        int rc_ = tm_run(); \
        if (!tm.jumped) tm_dump_lines(); \
        TEST_ASSERT_EQ(rc_, 0); \
        TEST_ASSERT(tm.jumped); \
        TEST_ASSERT(!tm.halted); \
    } while (0)

static void test_secure_boots(void)
{
    ParsedReport r;

    boot_std(512, SECURE, 2);
    ASSERT_BOOTS();
    TEST_ASSERT_EQ(tm.psw, STAGE3_PSW);
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 2);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT_EQ(r.ncomp, 6);     /* 5 LOAD + PSW pseudo entry */
    TEST_ASSERT_EQ(r.ncert, 2);
    /* the kernel really is in guest memory at 0x10000 */
    TEST_ASSERT_MEM(tm.mem + 0x10000, img.kernel, sizeof(img.kernel));
    /* one "." per block pointer: five LOADs, two signatures */
    TEST_ASSERT_EQ(tm.dots, 7);
}

static void test_secure_4k_blocks(void)
{
    boot_std(4096, SECURE, 2);
    ASSERT_BOOTS();
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 2);
}

static void test_mode_normal_skips_everything(void)
{
    ParsedReport r;

    boot_std(512, 0x00, 0);
    img.kernel[100] ^= 1;           /* a bad signature does not matter */
    std_write(&img);
    tm.sclp.fac_ipl = 0;            /* nor do missing facilities */
    tm.fac_cstore = false;
    ASSERT_BOOTS();
    TEST_ASSERT_EQ(tm.verify_calls, 0);
    TEST_ASSERT_EQ(tm.nlines, 0);
    TEST_ASSERT(!report_parse(tm.mem, TM_MEM_SIZE, &r));
    /* the IPLB address is still published (spec/03 §6.6) */
    TEST_ASSERT_EQ(tm_get32(0x14), tm.set_iplb_addr);
    TEST_ASSERT_EQ(tm_get32(tm.set_iplb_addr), 4096);
}

static void test_mode_sipl_alone_is_normal(void)
{
    boot_std(512, 0x40, 2);
    tm.sclp.fac_ipl = 0;
    ASSERT_BOOTS();
    TEST_ASSERT_EQ(tm.verify_calls, 0);
}

static void test_mode_audit_tampered_boots(void)
{
    ParsedReport r;

    boot_std(512, AUDIT | 0x80, 2);  /* other header bits do not count */
    img.kernel[100] ^= 1;
    std_write(&img);
    ASSERT_BOOTS();
    TEST_ASSERT(tm_has_line("AUDIT MODE WARNING: Could not verify component"));
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 1);
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT_EQ(r.comp[4].addr, 0x10000);
    TEST_ASSERT_EQ(r.comp[4].flags, 0x80);      /* signed, not verified */
    TEST_ASSERT_EQ(r.ncert, 1);
}

static void test_mode_secure_tampered_halts(void)
{
    boot_std(512, SECURE, 2);
    img.kernel[100] ^= 1;
    std_write(&img);
    ASSERT_HALT("Could not verify component");
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 1);
}

/* Each missing facility in both modes (spec/03 §6.2). */
static void facility_case(uint8_t mode, int which, const char *msg)
{
    boot_std(512, mode, 2);
    switch (which) {
    case 0: tm.sclp.fac_ipl &= ~0x4000; break;
    case 1: tm.diag508_mask = 0; break;
    case 2: tm.sclp.fac134 = 0; break;
    case 3: tm.fac_cstore = false; break;          /* exception */
    case 4: tm.ism = 0xc0000000u; break;           /* no subcode 2, D17 */
    case 5: tm.ism = 0xa0000000u; break;           /* no subcode 1, D17 */
    case 6: tm.sclp.fac_ipl &= ~0x1000; break;
    case 7: tm.sclp.els = false; break;
    }
    tm_run();
    TEST_ASSERT(tm.halted);
    TEST_ASSERT_EQ(tm.nlines, 2);
    TEST_ASSERT_STR(tm.lines[0], msg);
    TEST_ASSERT_STR(tm.lines[1], "ERROR: Unable to boot in secure/audit mode");
}

static void test_facilities(void)
{
    static const char *const msgs[] = {
        "Secure IPL Facility is not supported by the hypervisor!",
        "Secure IPL extensions are not supported by the hypervisor!",
        "Certificate Store Facility is not supported by the hypervisor!",
        "Certificate Store Facility is not supported by the hypervisor!",
        "Certificate Store Facility is not supported by the hypervisor!",
        "Certificate Store Facility is not supported by the hypervisor!",
        ("Secure IPL Code Loading Attributes Facility is not supported by "
         "the hypervisor!"),
        "Secure IPL Facility is not supported by the hypervisor!",
    };

    for (int m = 0; m < 2; m++) {
        for (int i = 0; i < 8; i++) {
            facility_case(m ? SECURE : AUDIT, i, msgs[i]);
            if (test_current_failed) {
                printf("# mode %d facility case %d\n", m, i);
                return;
            }
        }
    }
}

static void test_vcssb_failures(void)
{
    boot_std(512, SECURE, 2);
    tm.vcssb_rc = 0x0202;
    ASSERT_HALT("Failed to query certificate storage information!");
    boot_std(512, AUDIT, 0);
    ASSERT_HALT("Need at least one certificate for secure boot!");
    boot_std(512, SECURE, 65);      /* 07 D19: more than 64 */
    ASSERT_HALT("Failed to query certificate storage information!");
    boot_std(512, SECURE, 64);
    ASSERT_BOOTS();
}

static void test_device_restrictions(void)
{
    static const struct { SiplDevType t; const char *msg; } c[] = {
        { SIPL_DEV_DASD, "Passthrough (vfio) CCW device does not support "
                         "secure boot!" },
        { SIPL_DEV_SCSI_CDROM, "Secure boot from ISO image is not supported!" },
        { SIPL_DEV_VIRTIO_NET, "Virtio net boot device does not support "
                               "secure boot!" },
    };

    for (unsigned i = 0; i < 3; i++) {
        boot_std(512, i & 1 ? SECURE : AUDIT, 2);
        tm.dev[0].type = c[i].t;
        tm_run();
        TEST_ASSERT(tm.halted);
        TEST_ASSERT(strncmp(tm_last_line(), "ERROR: ", 7) == 0);
        TEST_ASSERT_STR(tm_last_line() + 7, c[i].msg);
        TEST_ASSERT_EQ(tm.verify_calls, 0);
    }
}

static void test_normal_mode_other_devices(void)
{
    /* no restriction in normal mode, but sipl boots only the SCSI scheme */
    boot_std(512, 0x00, 0);
    tm.dev[0].type = SIPL_DEV_DASD;
    ASSERT_HALT("No suitable device for IPL. Halting...");
    TEST_ASSERT(tm_has_line("Device type not supported by this BIOS"));
    tm_reset(2048, 0x00, 0);
    ASSERT_HALT("No suitable device for IPL. Halting...");
    TEST_ASSERT(tm_has_line("zIPL load failed!"));
}

static void test_iso_and_eckd_refused(void)
{
    /* 07 D30: El Torito probe on a virtio-blk disk */
    tm_reset(512, AUDIT, 2);
    memcpy(tm.disk[0] + 0x8001, "CD001", 5);
    ASSERT_HALT("Secure boot from ISO image is not supported!");
    tm_reset(2048, SECURE, 2);
    ASSERT_HALT("Secure boot from ISO image is not supported!");
    tm_reset(512, SECURE, 2);
    tm.dev[0].eckd_layout = true;
    ASSERT_HALT("Secure boot with the ECKD scheme is not supported!");
    /* nothing recognisable: next IPLB, none left */
    tm_reset(512, SECURE, 2);
    ASSERT_HALT("No suitable device for IPL. Halting...");
    TEST_ASSERT(tm_has_line("zIPL load failed!"));
}

static void test_chain_next_device(void)
{
    static uint8_t disk1[1 << 20];
    ParsedReport r;
    uint8_t *next;

    boot_std(512, SECURE, 2);
    /* device 1 gets the good image, device 0 a broken MBR */
    tm.disk[1] = disk1;
    tm.disk_len[1] = sizeof(disk1);
    tm.dev[1] = tm.dev[0];
    tm.dev[1].block_size = 4096;        /* another block size than device 0 */
    img_begin(disk1, sizeof(disk1), 4096);
    img_finish(img_table(img.c, img.n), 0);
    memset(tm.disk[0] + 0x10, 0, 16);   /* program-table pointer 0 */
    /* QIPL chain_len 1 (@18) and the chained IPLB at ipl_data (spec/02 §9) */
    tm.mem[0xcc + 19] = 1;
    next = tm.mem + TM_IPL_DATA;
    memcpy(next, tm.iplb, 4096);
    next[12] = 0xff;                    /* QEMU-SCSI */
    next[110] = 0;
    next[111] = 1;                      /* devno 1 */
    ASSERT_BOOTS();
    TEST_ASSERT(tm_has_line("No Program Table"));
    TEST_ASSERT(tm_has_line("Failed to IPL from this SCSI device!"));
    TEST_ASSERT_EQ(tm_count_line("Verified component"), 2);
    /* QEMU-SCSI: devno := qipl.index = 1 (spec/03 §6.6 step 4) */
    TEST_ASSERT_EQ(tm_get16(tm.set_iplb_addr + 110), 1);
    /* certificates at ipl_data - index * 4096 = the original area */
    TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
    TEST_ASSERT_EQ(r.cert[0].addr, TM_IPL_DATA);
}

static void test_no_iplb_boots_normal(void)
{
    boot_std(512, SECURE, 2);
    tm.have_iplb = false;
    tm.sclp.fac_ipl = 0;
    ASSERT_BOOTS();
    TEST_ASSERT_EQ(tm.verify_calls, 0);
}

static void test_finish_failures(void)
{
    boot_std(512, SECURE, 2);
    tm.set_iplb_fails = true;
    ASSERT_HALT("Failed to set IPLB");
    boot_std(512, AUDIT, 2);
    tm.iplb[3] = 0xfc;                  /* len 4092 */
    ASSERT_HALT("IPL parameter block length field value is not multiple "
                "of 8 bytes");
}

int main(void)
{
    TEST_RUN(test_secure_boots);
    TEST_RUN(test_secure_4k_blocks);
    TEST_RUN(test_mode_normal_skips_everything);
    TEST_RUN(test_mode_sipl_alone_is_normal);
    TEST_RUN(test_mode_audit_tampered_boots);
    TEST_RUN(test_mode_secure_tampered_halts);
    TEST_RUN(test_facilities);
    TEST_RUN(test_vcssb_failures);
    TEST_RUN(test_device_restrictions);
    TEST_RUN(test_normal_mode_other_devices);
    TEST_RUN(test_iso_and_eckd_refused);
    TEST_RUN(test_chain_next_device);
    TEST_RUN(test_no_iplb_boots_normal);
    TEST_RUN(test_finish_failures);
    return test_done();
}
