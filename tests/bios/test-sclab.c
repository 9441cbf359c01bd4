/*
 * test-sclab.c: every SCLAB check (spec/03 §5.1) and every global check
 * (§5.3) in audit and secure mode: the console message, the CEI/IIEI bit
 * (values written from the §5.4 tables), and whether the IPL goes on.
 */
#include "test-bios.h"

#include "report-parser.h"
#include "sclab.h"
#include "std-image.h"
#include "test-machine.h"

#define SECURE  0x60
#define AUDIT   0x20
#define COMP    0x10000u

typedef struct SclabCase {
    const char *name;
    uint64_t len;               /* component length (0 = 512) */
    uint8_t format;
    uint16_t flags;
    uint64_t psw, addr;
    int locator;                /* 1 bad magic, 2 len 31 */
    bool had_global;
    uint32_t cei;
    uint16_t iiei;
    const char *msg;
} SclabCase;

static const SclabCase cases[] = {
    { "short", 4, 0, 0, 0, 0, 0, false, 0x80000000u, 0,
      "Signed component too short to contain SCLAB locator" },
    { "magic", 0, 0, 0, 0, 0, 1, false, 0x80000000u, 0,
      "Magic does not match. SCLAB does not exist" },
    { "length", 0, 0, 0, 0, 0, 2, false, 0xc0000000u, 0,
      "Invalid SCLAB length" },
    { "format", 0, 1, 0, 0, 0, 0, false, 0x20000000u, 0,
      "Format-0 SCLAB is not being used" },
    { "psw-not-zero", 0, 0, 0, 1, 0, 0, false, 0x00200000u, 0,
      "Load PSW is not zero when Override PSW bit is zero" },
    { "more-global", 0, 0, 0xc000, 0, COMP, 0, true, 0, 0x1000,
      "More than one global SCLAB" },
    { "ola-not-one", 0, 0, 0x8000, 0, 0, 0, false, 0x01000000u, 0,
      "OLA flag is not set to one in the global SCLAB" },
    { "addr-not-zero", 0, 0, 0, 0, COMP, 0, false, 0x00400000u, 0,
      "Load Address is not zero when OLA flag is zero" },
    { "addr-unmatched", 0, 0, 0x4000, 0, 0x20000, 0, false, 0x10000000u, 0,
      "Load Address does not match with component load address" },
    { "nuc", 0, 0, 0x2000, 0, 0, 0, false, 0x02000000u, 0,
      "NUC bit is set, but not in the global SCLAB" },
    { "sc", 0, 0, 0x1000, 0, 0, 0, false, 0x00800000u, 0,
      "SC bit is set, but not in the global SCLAB" },
};

static int run_case(const SclabCase *c, SiplBootMode mode, uint32_t *cei,
                    uint16_t *iiei, SclabGlobal *g)
{
    uint64_t len = c->len ? c->len : 512;
    uint8_t *end;

    tm_reset(512, 0, 1);
    end = tm.mem + COMP + 512;
    img_sclab(tm.mem + COMP, 512, c->format, c->flags, c->psw, c->addr);
    if (c->locator == 1) {
        end[-1] = 'M';
    } else if (c->locator == 2) {
        end[-5] = 31;
    }
    memset(g, 0, sizeof(*g));
    g->have_global = c->had_global;
    g->load_psw = 0x1234;
    *cei = 0;
    *iiei = 0;
    return sclab_check(tm_platform(), mode, COMP, len, cei, iiei, g);
}

static void test_each_check_audit(void)
{
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[200];
        uint32_t cei;
        uint16_t iiei;
        SclabGlobal g;

        printf("# case %s\n", cases[i].name);
        TEST_ASSERT_EQ(run_case(&cases[i], SIPL_BOOT_AUDIT, &cei, &iiei, &g), 0);
        snprintf(want, sizeof(want), "AUDIT MODE WARNING: %s", cases[i].msg);
        TEST_ASSERT_EQ(tm.nlines, 1);
        TEST_ASSERT_STR(tm.lines[0], want);
        TEST_ASSERT_EQ(cei, cases[i].cei);
        TEST_ASSERT_EQ(iiei, cases[i].iiei);
        TEST_ASSERT(!tm.halted);
        /* recognizable exactly when INVALID_SCLAB stayed clear */
        TEST_ASSERT_EQ(g.any_valid, !(cei & 0x80000000u));
    }
}

static void test_each_check_secure(void)
{
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[200];
        uint32_t cei;
        uint16_t iiei;
        SclabGlobal g;

        printf("# case %s\n", cases[i].name);
        TEST_ASSERT_EQ(run_case(&cases[i], SIPL_BOOT_SECURE, &cei, &iiei, &g),
                       -1);
        snprintf(want, sizeof(want), "ERROR: %s", cases[i].msg);
        TEST_ASSERT_STR(tm_last_line(), want);
        TEST_ASSERT(tm.halted);
        /* the bit is recorded before the handler stops the IPL */
        TEST_ASSERT_EQ(cei, cases[i].cei);
        TEST_ASSERT_EQ(iiei, cases[i].iiei);
    }
}

static void test_global_replaced_and_valid(void)
{
    SclabGlobal g;
    uint32_t cei;
    uint16_t iiei;

    TEST_ASSERT_EQ(run_case(&cases[5], SIPL_BOOT_AUDIT, &cei, &iiei, &g), 0);
    TEST_ASSERT(g.have_global);
    TEST_ASSERT_EQ(g.load_psw, 0);          /* the newer one (07 K14) */
    TEST_ASSERT_EQ(g.flags, 0xc000);

    /* a valid non-global SCLAB: no finding */
    tm_reset(512, 0, 1);
    img_sclab(tm.mem + COMP, 512, 0, 0x4000, 0, COMP);
    memset(&g, 0, sizeof(g));
    cei = 0;
    TEST_ASSERT_EQ(sclab_check(tm_platform(), SIPL_BOOT_SECURE, COMP, 512,
                               &cei, &iiei, &g), 0);
    TEST_ASSERT_EQ(cei, 0);
    TEST_ASSERT_EQ(tm.nlines, 0);
    TEST_ASSERT(g.any_valid && !g.have_global);
}

static void test_several_findings_in_order(void)
{
    SclabGlobal g;
    uint32_t cei = 0;
    uint16_t iiei = 0;

    tm_reset(512, 0, 1);
    img_sclab(tm.mem + COMP, 512, 2, 0x2000 | 0x1000, 5, 7);
    memset(&g, 0, sizeof(g));
    TEST_ASSERT_EQ(sclab_check(tm_platform(), SIPL_BOOT_AUDIT, COMP, 512,
                               &cei, &iiei, &g), 0);
    TEST_ASSERT_EQ(cei, 0x20000000u | 0x00200000u | 0x00400000u |
                        0x02000000u | 0x00800000u);
    TEST_ASSERT_EQ(tm.nlines, 5);
    TEST_ASSERT_STR(tm.lines[0], "AUDIT MODE WARNING: Format-0 SCLAB is not "
                                 "being used");
    TEST_ASSERT_STR(tm.lines[4], "AUDIT MODE WARNING: SC bit is set, but not "
                                 "in the global SCLAB");
}

static void test_sclab_before_component(void)
{
    /* upstream bounds len only from below: an SCLAB starting before the
     * component is read from there (spec/03 §4.1) */
    SclabGlobal g;
    uint32_t cei = 0;
    uint16_t iiei = 0;
    uint8_t *loc = tm.mem + COMP + 512 - 8;

    tm_reset(512, 0, 1);
    memset(&g, 0, sizeof(g));
    memcpy(loc + 4, "zIPL", 4);
    loc[2] = 0x04;                          /* len 0x400 > 512 */
    loc[3] = 0x00;
    TEST_ASSERT_EQ(sclab_check(tm_platform(), SIPL_BOOT_SECURE, COMP, 512,
                               &cei, &iiei, &g), 0);
    TEST_ASSERT(g.any_valid);
    /* and one past address 0 cannot be read at all */
    tm_reset(512, 0, 1);
    memcpy(tm.mem + 0x100 - 4, "zIPL", 4);
    tm.mem[0x100 - 6] = 0x10;               /* len 0x1000 > end 0x100 */
    TEST_ASSERT_EQ(sclab_check(tm_platform(), SIPL_BOOT_AUDIT, 0, 0x100,
                               &cei, &iiei, &g), 0);
    TEST_ASSERT_EQ(cei, 0xc0000000u);
}

/* ---- global checks through the whole flow ---- */

static StdImage img;

typedef enum { G_NOSIGNED, G_NOSCLAB, G_NOGLOBAL, G_PSW, G_PSWMATCH,
               G_NUC, G_SC } GlobalCase;

static void build_global(GlobalCase gc, uint8_t mode)
{
    tm_reset(512, mode, 2);
    std_image(&img, 512);
    switch (gc) {
    case G_NOSIGNED:
        img.c[img.idx_sig3].type = 0x02;    /* turned into plain LOADs */
        img.c[img.idx_sig3].value = 0x100000;
        img.c[img.idx_sigk].type = 0x02;
        img.c[img.idx_sigk].value = 0x110000;
        break;
    case G_NOSCLAB:
        memset(img.stage3 + sizeof(img.stage3) - 8, 0, 8);
        memset(img.kernel + sizeof(img.kernel) - 8, 0, 8);
        break;
    case G_NOGLOBAL:
        img_sclab(img.stage3, sizeof(img.stage3), 0, 0, 0, 0);
        break;
    case G_PSW:
        img_sclab(img.stage3, sizeof(img.stage3), 0, 0xc000,
                  0x0008000080009000ull, 0xa000);
        img.c[img.idx_exec].value = 0x0008000080009000ull;
        break;
    case G_PSWMATCH:
        img_sclab(img.stage3, sizeof(img.stage3), 0, 0xc000,
                  0x000800008000a010ull, 0xa000);
        break;
    case G_NUC:
        img_sclab(img.stage3, sizeof(img.stage3), 0, 0xe000, STAGE3_PSW,
                  0xa000);
        break;
    case G_SC:
        img_sclab(img.stage3, sizeof(img.stage3), 0, 0xd000, STAGE3_PSW,
                  0xa000);
        break;
    }
    std_resign(&img, 0, 1);
    std_write(&img);
}

static const struct {
    GlobalCase gc;
    const char *msg;
    uint16_t iiei;
    uint32_t psw_cei;
} globals[] = {
    { G_NOSIGNED, "Secure boot is on, but components are not signed",
      0x8000 | 0x4000 | 0x2000, 0 },
    { G_NOSCLAB, "No recognizable SCLAB", 0x4000 | 0x2000, 0 },
    { G_NOGLOBAL, "Global SCLAB does not exist", 0x2000, 0 },
    { G_PSW, "Invalid PSW", 0, 0x04000000u },
    { G_PSWMATCH, "Load PSW does not match with PSW in component", 0,
      0x08000000u },
    { G_NUC, "Unsigned components are not allowed", 0x0800, 0 },
    { G_SC, "Only one signed component is allowed", 0x0400, 0 },
};

static void test_global_checks_audit(void)
{
    for (unsigned i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
        char want[200];
        ParsedReport r;
        ParsedComp *last;

        printf("# global case %u\n", i);
        build_global(globals[i].gc, AUDIT);
        TEST_ASSERT_EQ(tm_run(), 0);
        TEST_ASSERT(tm.jumped);
        snprintf(want, sizeof(want), "AUDIT MODE WARNING: %s", globals[i].msg);
        if (!tm_has_line(want)) {
            tm_dump_lines();
        }
        TEST_ASSERT(tm_has_line(want));
        TEST_ASSERT(report_parse(tm.mem, TM_MEM_SIZE, &r));
        TEST_ASSERT_EQ(r.iiei, globals[i].iiei);
        /* K19: the PSW pseudo entry ends the list in every case */
        last = &r.comp[r.ncomp - 1];
        TEST_ASSERT_EQ(last->addr, img.c[img.idx_exec].value);
        TEST_ASSERT_EQ(last->len, 0);
        TEST_ASSERT_EQ(last->flags, 0);
        TEST_ASSERT_EQ(last->cei, globals[i].psw_cei);
    }
}

static void test_global_checks_secure(void)
{
    for (unsigned i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
        char want[200];

        printf("# global case %u\n", i);
        build_global(globals[i].gc, SECURE);
        TEST_ASSERT_EQ(tm_run(), -1);
        snprintf(want, sizeof(want), "ERROR: %s", globals[i].msg);
        if (globals[i].gc == G_NOSCLAB) {
            /* secure mode stops at the first finding, per component */
            snprintf(want, sizeof(want), "ERROR: Magic does not match. "
                     "SCLAB does not exist");
        }
        TEST_ASSERT_STR(tm_last_line(), want);
        TEST_ASSERT(!tm.jumped);
    }
}

static void test_psw_range_boundary(void)
{
    /* the PSW must lie in [addr, addr + len - 2] (spec/01 §5): stage3 is
     * 0xa000 + 0x2000, so 0xbffe passes and 0xbfff does not */
    static const struct { uint64_t psw; bool ok; } c[] = {
        { 0x000800008000bffeull, true },
        { 0x000800008000bfffull, false },
        { 0x000800008000a000ull, true },
        { 0x0008000080009fffull, false },
    };

    for (unsigned i = 0; i < 4; i++) {
        tm_reset(512, AUDIT, 2);
        std_image(&img, 512);
        img_sclab(img.stage3, sizeof(img.stage3), 0, 0xc000, c[i].psw, 0xa000);
        img.c[img.idx_exec].value = c[i].psw;
        std_resign(&img, 0, 1);
        std_write(&img);
        TEST_ASSERT_EQ(tm_run(), 0);
        TEST_ASSERT_EQ(tm_has_line("AUDIT MODE WARNING: Invalid PSW"), !c[i].ok);
    }
}

int main(void)
{
    TEST_RUN(test_each_check_audit);
    TEST_RUN(test_each_check_secure);
    TEST_RUN(test_global_replaced_and_valid);
    TEST_RUN(test_several_findings_in_order);
    TEST_RUN(test_sclab_before_component);
    TEST_RUN(test_global_checks_audit);
    TEST_RUN(test_global_checks_secure);
    TEST_RUN(test_psw_range_boundary);
    return test_done();
}
