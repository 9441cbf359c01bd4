/*
 * guestmem.c: simulated guest memory (see guestmem.h)
 */
#include "guestmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

struct GuestMem {
    uint8_t *base;
    uint64_t size;
};

/* Chunk size for hashing in place: large enough to amortise the call,
 * small enough to stay in L2 while the digest runs. */
#define GUESTMEM_CHUNK (256 * 1024)

G_DEFINE_QUARK(sipl-guestmem-error-quark, guestmem_error)

/**
 * guestmem_new:
 * @size: bytes of address space, > 0
 * @error: return location for a GError
 *
 * Returns: zeroed guest memory, or NULL with @error set.
 */
GuestMem *
guestmem_new(uint64_t size, GError **error)
{
    g_autofree GuestMem *mem = g_new0(GuestMem, 1);
    void *base;

    if (size == 0 || size > SIZE_MAX) {
        g_set_error(error, GUESTMEM_ERROR, GUESTMEM_ERROR_SIZE,
                    "Invalid guest memory size %" G_GUINT64_FORMAT, size);
        return NULL;
    }
    base = mmap(NULL, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        int err = errno;
        g_set_error(error, GUESTMEM_ERROR, GUESTMEM_ERROR_MAP,
                    "Cannot map %" G_GUINT64_FORMAT " bytes of guest memory: %s",
                    size, g_strerror(err));
        return NULL;
    }
    mem->base = base;
    mem->size = size;
    return g_steal_pointer(&mem);
}

void
guestmem_free(GuestMem *mem)
{
    if (!mem) {
        return;
    }
    munmap(mem->base, mem->size);
    g_free(mem);
}

uint64_t
guestmem_size(const GuestMem *mem)
{
    return mem->size;
}

/**
 * guestmem_range_ok:
 *
 * Returns: true when [@addr, @addr + @len) lies inside guest memory without
 * 64-bit wrap-around. An empty range is fine anywhere up to the end.
 */
bool
guestmem_range_ok(const GuestMem *mem, uint64_t addr, uint64_t len)
{
    return addr <= mem->size && len <= mem->size - addr;
}

bool
guestmem_read(const GuestMem *mem, uint64_t addr, void *buf, uint64_t len)
{
    if (!guestmem_range_ok(mem, addr, len)) {
        return false;
    }
    if (len > 0) { /* @buf may be NULL for an empty read */
        memcpy(buf, mem->base + addr, len);
    }
    return true;
}

bool
guestmem_write(GuestMem *mem, uint64_t addr, const void *buf, uint64_t len)
{
    if (!guestmem_range_ok(mem, addr, len)) {
        return false;
    }
    if (len > 0) { /* @buf may be NULL for an empty write */
        memcpy(mem->base + addr, buf, len);
    }
    return true;
}

/**
 * guestmem_foreach_chunk:
 * @func: called with read-only views of consecutive pieces of the range;
 *        returning false stops the walk
 *
 * Returns: false when the range is outside guest memory (nothing is
 * visited) or @func stopped the walk; true otherwise.
 */
bool
guestmem_foreach_chunk(const GuestMem *mem, uint64_t addr, uint64_t len,
                       GuestMemChunkFunc func, void *opaque)
{
    if (!guestmem_range_ok(mem, addr, len)) {
        return false;
    }
    while (len > 0) {
        size_t n = len < GUESTMEM_CHUNK ? (size_t)len : GUESTMEM_CHUNK;
        if (!func(mem->base + addr, n, opaque)) {
            return false;
        }
        addr += n;
        len -= n;
    }
    return true;
}

uint8_t *
guestmem_host_range(GuestMem *mem, uint64_t addr, uint64_t len)
{
    if (!guestmem_range_ok(mem, addr, len)) {
        return NULL;
    }
    return mem->base + addr;
}
