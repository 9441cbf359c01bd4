/*
 * test-diag320.c: DIAGNOSE 0x320 common checks, subcode 0 and subcode 1
 * against golden blocks (spec/02 §5.2-§5.5, 07 D3, K1, K2)
 *
 * Subcode 2 and the VCEs are in test-diag320-vcb.c; the shared golden
 * builders in diag320-fixture.c.
 */
#include "diag320-fixture.h"

#include <string.h>

/* ---- common checks (spec/02 §5.2) ---- */

static void
test_privileged(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;

    fix_init(&f, three);
    snapshot(&f);
    cpu.problem_state = true;
    cpu.fac_cstore = false;     /* privilege is checked first */
    expect_exc(&f, &cpu, 2, 0x1000, 0, DIAG_EXC_PRIVILEGED);
    fix_clear_unchanged(&f);
}

static void
test_specification(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;

    fix_init(&f, three);
    snapshot(&f);
    cpu.fac_cstore = false;
    expect_exc(&f, &cpu, 2, 0x1000, 0, DIAG_EXC_SPECIFICATION);
    cpu = DIAG_CPU_DEFAULT;
    cpu.pv = true;              /* cstore hidden from PV guests (§4) */
    expect_exc(&f, &cpu, 2, 0x1000, 0, DIAG_EXC_SPECIFICATION);
    cpu = DIAG_CPU_DEFAULT;
    expect_exc(&f, &cpu, 3, 0x1000, 0, DIAG_EXC_SPECIFICATION);
    expect_exc(&f, &cpu, 2, 0x1000, 0x100, DIAG_EXC_SPECIFICATION);
    expect_exc(&f, &cpu, 2, 0x1000, 0x8000000000000001ULL,
               DIAG_EXC_SPECIFICATION);
    fix_clear_unchanged(&f);
}

static void
test_not_supported(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;

    fix_init(&f, three);
    snapshot(&f);
    for (uint64_t sc = 3; sc <= 0xff; sc++) {
        expect_rc(&f, &cpu, 4, 0x1000, sc, 0x0102);
    }
    fix_clear_unchanged(&f);
}

/* ---- subcode 0 (§5.4, K1) ---- */

static void
test_ism(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t r1p1;
    uint8_t isb[32], want[32];

    fix_init(&f, three);
    memset(isb, 0xaa, sizeof(isb));
    poke(&f, 0x2003, isb, sizeof(isb));     /* no alignment check */
    memcpy(want, isb, sizeof(want));
    put32(want, 0xe0000000);
    expect_rc(&f, &cpu, 0, 0x2003, 0, 0x0001);
    assert_mem(&f, 0x2003, want, sizeof(want));

    /* the last word of memory is fine, one byte further is not */
    g_assert_cmpint(run(&f, &cpu, 0, MEM_SIZE - 4, 0, &r1p1), ==,
                    DIAG_EXC_NONE);
    snapshot(&f);
    expect_exc(&f, &cpu, 0, MEM_SIZE - 3, 0, DIAG_EXC_ADDRESSING);
    expect_exc(&f, &cpu, 0, UINT64_MAX - 1, 0, DIAG_EXC_ADDRESSING);
    fix_clear_unchanged(&f);
}

/* ---- subcode 1 (§5.5) ---- */

static void
make_vcssb_in(uint8_t *b, uint32_t length, uint8_t garbage)
{
    memset(b, garbage, 128);
    put32(b, length);
}

static void
test_vcssb(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t in[128], want[128];
    gsize max_der = MAX(cert_rsa->der_len,
                        MAX(cert_p521->der_len, cert_p256->der_len));
    gsize total = 64 + vce_len(cert_rsa) + vce_len(cert_p521) +
                  vce_len(cert_p256);

    fix_init(&f, three);
    make_vcssb_in(in, 128, 0);
    poke(&f, 0x3000, in, sizeof(in));
    memset(want, 0, sizeof(want));
    put32(want + 0, 128);
    want[7] = 0;                                        /* version */
    put16(want + 32, 3);                                /* total_vc_ct */
    put16(want + 34, 64);                               /* max_vc_ct */
    put32(want + 80, 256 + ((max_der + 3) & ~(gsize)3)); /* max_single */
    put32(want + 84, (uint32_t)total);                  /* total_vcb_len */
    expect_rc(&f, &cpu, 2, 0x3000, 1, 0x0001);
    assert_mem(&f, 0x3000, want, sizeof(want));
    fix_clear(&f);
}

static void
test_d3_reserved_zeroed(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t r1p1;
    uint8_t in[128], got[128];
    uint8_t hdr[64], gh[64];

    fix_init(&f, three);
    /* VCSSB: garbage everywhere but length, cs_token at 0x10 included */
    make_vcssb_in(in, 128, 0xff);
    poke(&f, 0x3000, in, sizeof(in));
    g_assert_cmpint(run(&f, &cpu, 2, 0x3000, 1, &r1p1), ==, DIAG_EXC_NONE);
    g_assert_true(guestmem_read(f.mem, 0x3000, got, sizeof(got)));
    for (int i = 4; i < 128; i++) {
        if ((i >= 32 && i < 36) || (i >= 80 && i < 88)) {
            continue;
        }
        g_assert_cmphex(got[i], ==, 0);
    }

    /* VCB header: reserved bytes zero, inputs echoed */
    memset(hdr, 0xee, sizeof(hdr));
    put32(hdr + 0, 4096);
    put16(hdr + 8, 0);
    put16(hdr + 10, 0);
    poke(&f, 0x4000, hdr, sizeof(hdr));
    expect_rc(&f, &cpu, 2, 0x4000, 2, 0x0001);
    memset(hdr, 0, sizeof(hdr));
    put32(hdr + 0, 4096);
    put32(hdr + 32, 64);
    g_assert_true(guestmem_read(f.mem, 0x4000, gh, sizeof(gh)));
    g_assert_cmpmem(gh, sizeof(gh), hdr, sizeof(hdr));
    fix_clear(&f);
}

static void
test_vcssb_bad_len(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t in[128];
    const uint32_t lens[] = { 0, 4, 127, 129, 256, 0x80000080 };

    fix_init(&f, three);
    for (gsize i = 0; i < G_N_ELEMENTS(lens); i++) {
        make_vcssb_in(in, lens[i], 0x11);
        poke(&f, 0x3000, in, sizeof(in));
        snapshot(&f);
        expect_rc(&f, &cpu, 2, 0x3000, 1, 0x0202);
        assert_unchanged(&f);
    }
    fix_clear(&f);
}

static void
test_vcssb_faults(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t in[128];

    fix_init(&f, three);
    make_vcssb_in(in, 128, 0);
    poke(&f, 0x3004, in, sizeof(in));
    snapshot(&f);
    expect_exc(&f, &cpu, 2, 0x3004, 1, DIAG_EXC_SPECIFICATION);
    /* 8-aligned but the 128 bytes run past the end of memory */
    expect_exc(&f, &cpu, 2, MEM_SIZE - 120, 1, DIAG_EXC_ADDRESSING);
    expect_exc(&f, &cpu, 2, UINT64_MAX - 7, 1, DIAG_EXC_ADDRESSING);
    fix_clear_unchanged(&f);
}

static void
test_vcssb_empty_store(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t in[128], want[128];

    fix_init(&f, NULL);
    make_vcssb_in(in, 128, 0x77);
    poke(&f, 0x3000, in, sizeof(in));
    memcpy(want, in, sizeof(want));
    put32(want, 4);                 /* K2: only the first 4 bytes */
    expect_rc(&f, &cpu, 2, 0x3000, 1, 0x0001);
    assert_mem(&f, 0x3000, want, sizeof(want));
    fix_clear(&f);
}

int
main(int argc, char **argv)
{
    diag320_test_init(&argc, &argv);
    g_test_add_func("/diag320/privileged", test_privileged);
    g_test_add_func("/diag320/specification", test_specification);
    g_test_add_func("/diag320/not-supported", test_not_supported);
    g_test_add_func("/diag320/ism", test_ism);
    g_test_add_func("/diag320/vcssb", test_vcssb);
    g_test_add_func("/diag320/vcssb-bad-len", test_vcssb_bad_len);
    g_test_add_func("/diag320/vcssb-faults", test_vcssb_faults);
    g_test_add_func("/diag320/vcssb-empty-store", test_vcssb_empty_store);
    g_test_add_func("/diag320/d3-reserved-zeroed", test_d3_reserved_zeroed);
    return diag320_test_run();
}
