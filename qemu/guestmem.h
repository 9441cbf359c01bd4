/*
 * guestmem.h: simulated guest memory for the hypervisor half
 *
 * A flat, zero-initialised, big-endian-by-content byte space [0, size).
 * Backing is an anonymous MAP_NORESERVE mapping, so untouched pages cost
 * nothing and a 16 GiB address space is cheap.
 *
 * Address kinds: sipl's machine runs the guest with prefix 0 and DAT off, so
 * absolute, real and logical addresses coincide here. DIAG 0x320 is
 * architecturally logical and DIAG 0x508 absolute (07 K5); both go through
 * the same checked accessors, which is what 07 D16 asks for.
 *
 * Nothing outside qemu/ ever gets a host pointer into guest memory; inside
 * qemu/, guestmem_foreach_chunk() lends read-only views for hashing in place.
 */
#ifndef SIPL_QEMU_GUESTMEM_H
#define SIPL_QEMU_GUESTMEM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define GUESTMEM_ERROR (guestmem_error_quark())
GQuark guestmem_error_quark(void);

typedef enum {
    GUESTMEM_ERROR_SIZE,        /* zero, or larger than the host can map */
    GUESTMEM_ERROR_MAP,         /* mmap failed */
} GuestMemErrorCode;

typedef struct GuestMem GuestMem;

GuestMem *guestmem_new(uint64_t size, GError **error);
void guestmem_free(GuestMem *mem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GuestMem, guestmem_free)

uint64_t guestmem_size(const GuestMem *mem);
bool guestmem_range_ok(const GuestMem *mem, uint64_t addr, uint64_t len);
bool guestmem_read(const GuestMem *mem, uint64_t addr, void *buf, uint64_t len);
bool guestmem_write(GuestMem *mem, uint64_t addr, const void *buf, uint64_t len);

typedef bool (*GuestMemChunkFunc)(const uint8_t *chunk, size_t len,
                                  void *opaque);
bool guestmem_foreach_chunk(const GuestMem *mem, uint64_t addr, uint64_t len,
                            GuestMemChunkFunc func, void *opaque);

/*
 * For the host machine (qemu/machine*.c) only: the host view of a checked
 * range, so disk blocks can be read straight into guest memory.
 */
uint8_t *guestmem_host_range(GuestMem *mem, uint64_t addr, uint64_t len);

#endif /* SIPL_QEMU_GUESTMEM_H */
