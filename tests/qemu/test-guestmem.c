/*
 * test-guestmem.c: bounds of the guest-memory interface
 */
#include "qemu/guestmem.h"

#include <string.h>

#define MEM_SIZE (1ULL << 20)

static bool
count_chunks(const uint8_t *chunk, size_t len, void *opaque)
{
    guint64 *total = opaque;
    g_assert_nonnull(chunk);
    *total += len;
    return true;
}

static void
test_guestmem_bounds(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GuestMem) mem = guestmem_new(MEM_SIZE, &error);
    uint8_t buf[16] = { 1, 2, 3 };
    uint8_t back[16];

    g_assert_no_error(error);
    g_assert_cmpuint(guestmem_size(mem), ==, MEM_SIZE);
    g_assert_true(guestmem_range_ok(mem, 0, MEM_SIZE));
    g_assert_true(guestmem_range_ok(mem, MEM_SIZE, 0));
    g_assert_false(guestmem_range_ok(mem, MEM_SIZE, 1));
    g_assert_false(guestmem_range_ok(mem, 1, MEM_SIZE));
    g_assert_false(guestmem_range_ok(mem, UINT64_MAX, 2));
    g_assert_false(guestmem_range_ok(mem, 8, UINT64_MAX - 4));

    g_assert_true(guestmem_write(mem, MEM_SIZE - 16, buf, 16));
    g_assert_true(guestmem_read(mem, MEM_SIZE - 16, back, 16));
    g_assert_cmpmem(buf, 16, back, 16);
    g_assert_false(guestmem_write(mem, MEM_SIZE - 15, buf, 16));
    g_assert_false(guestmem_read(mem, MEM_SIZE - 15, back, 16));
    g_assert_null(guestmem_host_range(mem, MEM_SIZE - 15, 16));
}

static void
test_guestmem_zeroed(void)
{
    g_autoptr(GuestMem) mem = guestmem_new(MEM_SIZE, NULL);
    uint8_t back[64], zero[64] = { 0 };

    g_assert_true(guestmem_read(mem, 4096, back, sizeof(back)));
    g_assert_cmpmem(back, sizeof(back), zero, sizeof(zero));
}

static void
test_guestmem_chunks(void)
{
    g_autoptr(GuestMem) mem = guestmem_new(MEM_SIZE, NULL);
    guint64 total = 0;

    g_assert_true(guestmem_foreach_chunk(mem, 100, MEM_SIZE - 100,
                                         count_chunks, &total));
    g_assert_cmpuint(total, ==, MEM_SIZE - 100);
    total = 0;
    g_assert_false(guestmem_foreach_chunk(mem, 100, MEM_SIZE,
                                          count_chunks, &total));
    g_assert_cmpuint(total, ==, 0);
}

static void
test_guestmem_sparse_large(void)
{
    /* 16 GiB of address space must be cheap: only touched pages count. */
    g_autoptr(GError) error = NULL;
    g_autoptr(GuestMem) mem = guestmem_new(16ULL << 30, &error);
    uint8_t v = 0x5a, back = 0;

    g_assert_no_error(error);
    g_assert_true(guestmem_write(mem, (16ULL << 30) - 1, &v, 1));
    g_assert_true(guestmem_read(mem, (16ULL << 30) - 1, &back, 1));
    g_assert_cmpuint(back, ==, 0x5a);
}

static void
test_guestmem_bad_size(void)
{
    g_autoptr(GError) error = NULL;
    g_assert_null(guestmem_new(0, &error));
    g_assert_error(error, GUESTMEM_ERROR, GUESTMEM_ERROR_SIZE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guestmem/bounds", test_guestmem_bounds);
    g_test_add_func("/guestmem/zeroed", test_guestmem_zeroed);
    g_test_add_func("/guestmem/chunks", test_guestmem_chunks);
    g_test_add_func("/guestmem/sparse-large", test_guestmem_sparse_large);
    g_test_add_func("/guestmem/bad-size", test_guestmem_bad_size);
    return g_test_run();
}
