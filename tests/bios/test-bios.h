/*
 * test-bios.h: a minimal TAP harness for the plain-C bios/ tests.
 *
 * bios/ tests cannot use GLib (they also run cross-built under qemu-s390x
 * with only libc), so this prints TAP itself. Assertions print both sides.
 */
#ifndef SIPL_TEST_BIOS_H
#define SIPL_TEST_BIOS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_count;
static int test_failed_count;
static int test_current_failed;

#define TEST_FAIL_AT(...) do { \
        printf("# %s:%d: ", __FILE__, __LINE__); \
        printf(__VA_ARGS__); \
        printf("\n"); \
        test_current_failed = 1; \
    } while (0)

#define TEST_ASSERT(cond) do { \
        if (!(cond)) { TEST_FAIL_AT("assertion failed: %s", #cond); return; } \
    } while (0)

#define TEST_ASSERT_EQ(a, b) do { \
        unsigned long long a_ = (unsigned long long)(a); \
        unsigned long long b_ = (unsigned long long)(b); \
        if (a_ != b_) { \
            TEST_FAIL_AT("%s == %s: 0x%llx != 0x%llx", #a, #b, a_, b_); \
            return; \
        } \
    } while (0)

#define TEST_ASSERT_STR(a, b) do { \
        const char *a_ = (a), *b_ = (b); \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) { \
            TEST_FAIL_AT("%s == %s: \"%s\" != \"%s\"", #a, #b, \
                         a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
            return; \
        } \
    } while (0)

#define TEST_ASSERT_MEM(a, b, n) do { \
        if (memcmp((a), (b), (n)) != 0) { \
            TEST_FAIL_AT("%s and %s differ in %zu bytes", #a, #b, (size_t)(n)); \
            return; \
        } \
    } while (0)

#define TEST_RUN(fn) do { \
        test_current_failed = 0; \
        fn(); \
        test_count++; \
        if (test_current_failed) test_failed_count++; \
        printf("%s %d - %s\n", test_current_failed ? "not ok" : "ok", \
               test_count, #fn); \
    } while (0)

static inline int
test_done(void)
{
    printf("1..%d\n", test_count);
    return test_failed_count ? 1 : 0;
}

#endif /* SIPL_TEST_BIOS_H */
