/*
 * diag-expect.h: one DIAGNOSE call and its outcome, shared by the DIAG
 * 0x320 and 0x508 tests (the handlers share one contract, spec/02 §5.2),
 * and big-endian stores for building guest blocks (also test-sipl-diag)
 */
#ifndef SIPL_TEST_DIAG_EXPECT_H
#define SIPL_TEST_DIAG_EXPECT_H

#include <glib.h>

#include "qemu/diag.h"

/* R1+1 before every call: a call that raises an exception must keep it. */
#define SENTINEL 0xdeadbeefcafef00dULL

typedef DiagException (*DiagHandler)(const CertStore *store, GuestMem *mem,
                                     const DiagCpu *cpu, unsigned r1,
                                     uint64_t addr, uint64_t subcode,
                                     uint64_t *r1p1);

/* @handle, called with R1+1 = SENTINEL, must raise @exc and leave @want
 * in R1+1. */
static inline void
diag_expect(DiagHandler handle, const CertStore *store, GuestMem *mem,
            const DiagCpu *cpu, unsigned r1, uint64_t addr, uint64_t subcode,
            DiagException exc, uint64_t want)
{
    uint64_t r1p1 = SENTINEL;

    g_assert_cmpint(handle(store, mem, cpu, r1, addr, subcode, &r1p1), ==,
                    exc);
    g_assert_cmphex(r1p1, ==, want);
}

/* For a Fix @f with store and mem, and DIAG_HANDLER defined by the test:
 * an exception (R1+1 untouched), or none and R1+1 = @rc. */
#define expect_exc(f, cpu, r1, addr, subcode, exc) \
    diag_expect(DIAG_HANDLER, (f)->store, (f)->mem, cpu, r1, addr, subcode, \
                exc, SENTINEL)
#define expect_rc(f, cpu, r1, addr, subcode, rc) \
    diag_expect(DIAG_HANDLER, (f)->store, (f)->mem, cpu, r1, addr, subcode, \
                DIAG_EXC_NONE, rc)

/* @v big-endian (the guest's byte order) in the @n bytes at @p. */
static inline void
put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0; v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

#endif /* SIPL_TEST_DIAG_EXPECT_H */
