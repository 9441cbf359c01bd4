/*
 * test-wire.c: the big-endian field wrappers put bytes in guest order on
 * every host (runs natively and big-endian under qemu-s390x).
 */
#include "test-bios.h"

#include "wire/be.h"
#include "wire/diag320.h"
#include "wire/diag508.h"
#include "wire/iplb.h"
#include "wire/modsig.h"

static void
test_be_roundtrip(void)
{
    sipl_be16 a;
    sipl_be32 b;
    sipl_be64 c;
    static const uint8_t want16[2] = { 0x12, 0x34 };
    static const uint8_t want32[4] = { 0xe0, 0x00, 0x00, 0x01 };
    static const uint8_t want64[8] = { 0x00, 0x08, 0x00, 0x00,
                                       0x80, 0x01, 0x00, 0x00 };

    be16_put(&a, 0x1234);
    be32_put(&b, 0xe0000001u);
    be64_put(&c, 0x0008000080010000ull);
    TEST_ASSERT_MEM(a.b, want16, 2);
    TEST_ASSERT_MEM(b.b, want32, 4);
    TEST_ASSERT_MEM(c.b, want64, 8);
    TEST_ASSERT_EQ(be16_get(a), 0x1234);
    TEST_ASSERT_EQ(be32_get(b), 0xe0000001u);
    TEST_ASSERT_EQ(be64_get(c), 0x0008000080010000ull);
}

static void
test_svb_field_bytes(void)
{
    Diag508SigVerifBlock svb;
    const uint8_t *raw = (const uint8_t *)&svb;

    __builtin_memset(&svb, 0, sizeof(svb));
    be32_put(&svb.length, 64);
    be64_put(&svb.comp_addr, 0x10000);
    /* spec/02 §6.3: length at 0, comp_addr at 40 */
    TEST_ASSERT_EQ(raw[3], 64);
    TEST_ASSERT_EQ(raw[40 + 5], 0x01);
    TEST_ASSERT_EQ(raw[40 + 7], 0x00);
}

int
main(void)
{
    TEST_RUN(test_be_roundtrip);
    TEST_RUN(test_svb_field_bytes);
    return test_done();
}
