/*
 * test-diag320-vcb.c: DIAGNOSE 0x320 subcode 2, VCB and VCEs, against
 * golden blocks (spec/02 §5.6, §5.7, 07 D1, D2, D3, D16, D26, K3, K4, K8)
 */
#include "diag320-fixture.h"

#include <string.h>

/* ---- subcode 2 (§5.6, §5.7) ---- */

static void
test_vcb_all(void)
{
    Fix f;
    g_autoptr(GByteArray) v = g_byte_array_new();

    fix_init(&f, three);
    append_vce(v, cert_rsa, "a.pem", 1, 0, true);
    append_vce(v, cert_p521, "b.pem", 2, 1, true);   /* P-521 key type */
    append_vce(v, cert_p256, "c.pem", 3, 0, true);
    check_vcb(&f, 0x10000, 3 * 4096, 1, 3, v, 3, 0);
    fix_clear(&f);
}

static void
test_vcb_first_zero(void)
{
    Fix f;
    g_autoptr(GByteArray) v = g_byte_array_new();
    g_autoptr(GByteArray) w = g_byte_array_new();

    fix_init(&f, three);
    /* first 0 is treated as 1; cert_idx stays 1-origin (K4) */
    append_vce(v, cert_rsa, "a.pem", 1, 0, true);
    append_vce(v, cert_p521, "b.pem", 2, 1, true);
    check_vcb(&f, 0x10000, 3 * 4096, 0, 2, v, 2, 0);
    /* a single middle entry */
    append_vce(w, cert_p521, "b.pem", 2, 1, true);
    check_vcb(&f, 0x20000, 4096, 2, 2, w, 1, 0);
    fix_clear(&f);
}

static void
test_vcb_header_only(void)
{
    Fix f;
    g_autoptr(GByteArray) none = g_byte_array_new();

    fix_init(&f, three);
    check_vcb(&f, 0x10000, 4096, 0, 0, none, 0, 0);     /* K3 */
    check_vcb(&f, 0x10000, 4096, 1, 4, none, 0, 0);     /* end beyond */
    check_vcb(&f, 0x10000, 4096, 4, 4, none, 0, 0);     /* start beyond */
    check_vcb(&f, 0x10000, 4096, 0xffff, 0xffff, none, 0, 0);
    fix_clear(&f);
}

static void
test_vcb_empty_store(void)
{
    Fix f;
    g_autoptr(GByteArray) none = g_byte_array_new();

    fix_init(&f, NULL);
    check_vcb(&f, 0x10000, 4096, 1, 1, none, 0, 0);
    check_vcb(&f, 0x10000, 4096, 0, 64, none, 0, 0);
    fix_clear(&f);
}

static void
test_vcb_bad_len(void)
{
    Fix f;

    fix_init(&f, three);
    check_vcb_rc(&f, 4095, 1, 3, 0x0204);
    check_vcb_rc(&f, 4097, 1, 3, 0x0204);
    check_vcb_rc(&f, 64, 1, 3, 0x0204);
    check_vcb_rc(&f, 0xfffff000 + 1, 1, 3, 0x0204);
    fix_clear(&f);
}

static void
test_d1_in_len_zero(void)
{
    Fix f;

    fix_init(&f, three);
    check_vcb_rc(&f, 0, 1, 3, 0x0204);
    check_vcb_rc(&f, 0, 0, 0, 0x0204);
    fix_clear(&f);
}

static void
test_vcb_bad_range(void)
{
    Fix f;

    fix_init(&f, three);
    check_vcb_rc(&f, 4096, 3, 2, 0x0302);
    check_vcb_rc(&f, 4096, 1, 0, 0x0302);
    /* the length is checked before the range */
    check_vcb_rc(&f, 100, 3, 2, 0x0204);
    fix_clear(&f);
}

static void
test_vcb_faults(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t in[64];

    fix_init(&f, three);
    make_vcb_in(in, 4096, 1, 3);
    poke(&f, 0x10800, in, sizeof(in));
    snapshot(&f);
    expect_exc(&f, &cpu, 2, 0x10800, 2, DIAG_EXC_SPECIFICATION);
    expect_exc(&f, &cpu, 2, MEM_SIZE, 2, DIAG_EXC_ADDRESSING);
    expect_exc(&f, &cpu, 2, 0xfffffffffffff000ULL, 2, DIAG_EXC_ADDRESSING);
    fix_clear_unchanged(&f);
}

/* Ten copies of a.pem (no de-duplication, K8): not all fit in 4096. */
static const char *const ten[] = { "a.pem", "a.pem", "a.pem", "a.pem",
                                   "a.pem", "a.pem", "a.pem", "a.pem",
                                   "a.pem", "a.pem", NULL };

static void
test_vcb_overflow_remain_ct(void)
{
    Fix f;
    g_autoptr(GByteArray) v = g_byte_array_new();
    gsize fit = (4096 - 64) / vce_len(cert_rsa);

    g_assert_cmpuint(fit, >=, 1);
    g_assert_cmpuint(fit, <, 9);
    fix_init(&f, ten);
    for (gsize i = 0; i < fit; i++) {
        append_vce(v, cert_rsa, "a.pem", (uint16_t)(2 + i), 0, true);
    }
    /* entries 2..10 requested; the first that does not fit has 0-origin
     * index 1 + fit, so remain_ct = 10 - (1 + fit) */
    check_vcb(&f, 0x10000, 4096, 2, 10, v, (uint16_t)fit,
              (uint16_t)(10 - (1 + fit)));
    fix_clear(&f);
}

static void
test_vcb_full_store(void)
{
    Fix f;
    const char *names[65];
    g_autoptr(GByteArray) v = g_byte_array_new();
    uint32_t in_len;

    /* 64 entries (the maximum), alternating two certificates */
    for (int i = 0; i < 64; i++) {
        names[i] = (i & 1) ? "b.pem" : "a.pem";
    }
    names[64] = NULL;
    fix_init(&f, names);
    for (uint16_t i = 0; i < 64; i++) {
        append_vce(v, (i & 1) ? cert_p521 : cert_rsa, names[i],
                   (uint16_t)(i + 1), (i & 1) ? 1 : 0, true);
    }
    in_len = (uint32_t)((64 + v->len + 4095) / 4096 * 4096);
    check_vcb(&f, 0x20000, in_len, 1, 64, v, 64, 0);
    fix_clear(&f);
}

static void
test_d2_counters_zeroed(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t r1p1;
    uint8_t in[64], want[64];

    fix_init(&f, three);
    /* header-only path */
    make_vcb_in(in, 4096, 0, 0);
    put16(in + 40, 0x1234);
    put16(in + 42, 0x5678);
    poke(&f, 0x10000, in, sizeof(in));
    g_assert_cmpint(run(&f, &cpu, 2, 0x10000, 2, &r1p1), ==, DIAG_EXC_NONE);
    want_header(want, 4096, 0, 0, 64, 0, 0);
    assert_mem(&f, 0x10000, want, sizeof(want));

    /* entries stored, no overflow: remain_ct written as 0 */
    make_vcb_in(in, 4096, 3, 3);
    put16(in + 40, 0x0102);
    put16(in + 42, 0x0304);
    poke(&f, 0x10000, in, sizeof(in));
    g_assert_cmpint(run(&f, &cpu, 2, 0x10000, 2, &r1p1), ==, DIAG_EXC_NONE);
    want_header(want, 4096, 3, 3, 64 + vce_len(cert_p256), 1, 0);
    assert_mem(&f, 0x10000, want, sizeof(want));
    fix_clear(&f);
}

static void
test_d16_no_partial_write(void)
{
    Fix f;
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint8_t in[64];
    uint64_t addr = MEM_SIZE - 4096;

    fix_init(&f, ten);
    /* in_len claims 3 pages, memory ends after one: the entries would be
     * written past the end. Nothing at all may be written. */
    make_vcb_in(in, 3 * 4096, 1, 10);
    poke(&f, addr, in, sizeof(in));
    snapshot(&f);
    expect_exc(&f, &cpu, 2, addr, 2, DIAG_EXC_ADDRESSING);
    assert_unchanged(&f);

    /* what fits in the last page is served normally */
    make_vcb_in(in, 3 * 4096, 1, 1);
    poke(&f, addr, in, sizeof(in));
    expect_rc(&f, &cpu, 2, addr, 2, 0x0001);
    fix_clear(&f);
}

/* ---- invalid VCEs (§5.7 step 2, 07 D26) ---- */

static void
test_vce_expired(void)
{
    Fix f;
    const char *const names[] = { "a.pem", "old.pem", "c.pem", NULL };
    g_autoptr(GByteArray) v = g_byte_array_new();

    fix_init(&f, names);
    append_vce(v, cert_rsa, "a.pem", 1, 0, true);
    append_vce(v, cert_expired, "old.pem", 2, 0, false);
    append_vce(v, cert_p256, "c.pem", 3, 0, true);
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "The certificate has expired");
    check_vcb(&f, 0x10000, 4096, 1, 3, v, 3, 0);
    g_test_assert_expected_messages();
    fix_clear(&f);
}

static void
test_vce_not_yet_valid(void)
{
    Fix f;
    const char *const names[] = { "new.pem", NULL };
    g_autoptr(GByteArray) v = g_byte_array_new();

    fix_init(&f, names);
    append_vce(v, cert_future, "new.pem", 1, 0, false);
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "The certificate is not yet active");
    check_vcb(&f, 0x10000, 4096, 1, 1, v, 1, 0);
    g_test_assert_expected_messages();
    fix_clear(&f);
}

static void
test_d26_invalid_key_type_zero(void)
{
    Fix f;
    const char *const names[] = { "b.pem", NULL };
    g_autoptr(GByteArray) valid = g_byte_array_new();
    g_autoptr(GByteArray) invalid = g_byte_array_new();

    fix_init(&f, names);
    append_vce(valid, cert_p521, "b.pem", 1, 1, true);
    check_vcb(&f, 0x10000, 4096, 1, 1, valid, 1, 0);

    /* the same P-521 certificate, clock moved past its expiration: the
     * invalid entry carries key_type 0, not 1 */
    fake_now = time(NULL) + 400 * 86400;
    cert_store_set_clock(f.store, fake_clock);
    append_vce(invalid, cert_p521, "b.pem", 1, 1, false);
    g_assert_cmphex(invalid->data[5], ==, 0);
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "The certificate has expired");
    check_vcb(&f, 0x10000, 4096, 1, 1, invalid, 1, 0);
    g_test_assert_expected_messages();

    /* and before its activation */
    fake_now = time(NULL) - 3 * 86400;
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "The certificate is not yet active");
    check_vcb(&f, 0x10000, 4096, 1, 1, invalid, 1, 0);
    g_test_assert_expected_messages();
    fix_clear(&f);
}

static void
test_vce_invalid_takes_space(void)
{
    Fix f;
    g_autoptr(GByteArray) v = g_byte_array_new();
    const char *const names[] = { "old.pem", "old.pem", NULL };

    fix_init(&f, names);
    append_vce(v, cert_expired, "old.pem", 1, 0, false);
    append_vce(v, cert_expired, "old.pem", 2, 0, false);
    g_assert_cmpuint(v->len, ==, 144);
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "The certificate has expired");
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_WARNING,
                          "The certificate has expired");
    check_vcb(&f, 0x10000, 4096, 1, 2, v, 2, 0);
    g_test_assert_expected_messages();
    fix_clear(&f);
}

int
main(int argc, char **argv)
{
    diag320_test_init(&argc, &argv);
    g_test_add_func("/diag320/vcb-all", test_vcb_all);
    g_test_add_func("/diag320/vcb-first-zero", test_vcb_first_zero);
    g_test_add_func("/diag320/vcb-header-only", test_vcb_header_only);
    g_test_add_func("/diag320/vcb-empty-store", test_vcb_empty_store);
    g_test_add_func("/diag320/vcb-bad-len", test_vcb_bad_len);
    g_test_add_func("/diag320/d1-in-len-zero", test_d1_in_len_zero);
    g_test_add_func("/diag320/vcb-bad-range", test_vcb_bad_range);
    g_test_add_func("/diag320/vcb-faults", test_vcb_faults);
    g_test_add_func("/diag320/vcb-overflow-remain-ct",
                    test_vcb_overflow_remain_ct);
    g_test_add_func("/diag320/vcb-full-store", test_vcb_full_store);
    g_test_add_func("/diag320/d2-counters-zeroed", test_d2_counters_zeroed);
    g_test_add_func("/diag320/d16-no-partial-write", test_d16_no_partial_write);
    g_test_add_func("/diag320/vce-expired", test_vce_expired);
    g_test_add_func("/diag320/vce-not-yet-valid", test_vce_not_yet_valid);
    g_test_add_func("/diag320/d26-invalid-key-type-zero",
                    test_d26_invalid_key_type_zero);
    g_test_add_func("/diag320/vce-invalid-takes-space",
                    test_vce_invalid_takes_space);
    return diag320_test_run();
}
