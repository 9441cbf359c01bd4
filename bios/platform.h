/*
 * platform.h: what the guest-half flow needs from the machine it runs on
 *
 * The secure-IPL flow (sipl.h) is plain freestanding C. Everything that is
 * an instruction on s390x or a device access goes through one SiplPlatform
 * table, so the same flow runs
 *   - on s390x, where bios/s390x/ implements the table with DIAGNOSE,
 *     SERVICE CALL, the SCLP console and a disabled wait, and
 *   - on a host, where the machine (qemu/machine*) implements it over
 *     simulated guest memory and the real DIAG 0x320/0x508 handlers.
 *
 * Address spaces. The flow never dereferences a guest address. Guest memory
 * is reached only through mem_read()/mem_write(); disk blocks go straight
 * to a guest address (read_blocks()). The flow's own static buffers (IPLB +
 * IIRB pair, VCSSB, VCB, SVB, signature buffer, ...) are host objects; before
 * a DIAG or the OS may see one, the flow asks buf_to_guest() for its guest
 * address (s390x: the buffer's own address; host: a copy in a guest area
 * the machine reserves) and after the DIAG copies the guest view back with
 * buf_from_guest() (s390x: nothing to do).
 *
 * Stopping. Where spec/03 says IPL stops, the flow prints "ERROR: <text>"
 * through console() and calls halt(). On s390x halt() never returns. On a
 * host it returns; the flow then returns SIPL_EHALT at once, every caller
 * passing it up unchanged, so sipl_ipl() returns SIPL_EHALT and nothing
 * after the panic runs. The same holds for jump(): on s390x it never
 * returns; on a host it records the PSW and sipl_ipl() returns 0.
 */
#ifndef SIPL_BIOS_PLATFORM_H
#define SIPL_BIOS_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* DIAGNOSE function codes the flow issues. */
#define SIPL_DIAG_308   0x308       /* IPL functions (subcode 5 set, 6 store) */
#define SIPL_DIAG_320   0x320       /* certificate store, spec/02 §5 */
#define SIPL_DIAG_508   0x508       /* signature verification, spec/02 §6 */

#define DIAG308_SUBC_SET_IPLB       5
#define DIAG308_SUBC_STORE_IPLB     6
#define DIAG308_RC_OK               0x0001
#define DIAG308_RC_NO_CONF          0x0102  /* no IPLB stored */

/* Program-interruption codes a DIAG may end with instead of an rc. */
#define SIPL_PGM_NONE               0x00
#define SIPL_PGM_PRIVILEGED         0x02
#define SIPL_PGM_ADDRESSING         0x05
#define SIPL_PGM_SPECIFICATION      0x06

/* SCLP Read SCP Info facility bytes (spec/02 §4, spec/01 §4.2). */
typedef struct SiplSclpInfo {
    bool els;               /* ELS present: bytes 134.. were filled */
    uint8_t fac134;         /* byte 134; 0x04 = cstore */
    uint16_t fac_ipl;       /* bytes 136-137; 0x4000 sipl, 0x1000 sclaf */
} SiplSclpInfo;

#define SCLP_FAC134_CERT_STORE      0x04
#define SCLP_FAC_IPL_SIPL           0x4000
#define SCLP_FAC_IPL_SCLAF          0x1000

/* Boot device kinds that matter to secure IPL (spec/03 §6.4). */
typedef enum {
    SIPL_DEV_VIRTIO_BLK,    /* virtio-blk-ccw disk */
    SIPL_DEV_VIRTIO_SCSI,   /* scsi-hd on virtio-scsi-ccw, not a CD-ROM */
    SIPL_DEV_SCSI_CDROM,    /* virtio-scsi device, INQUIRY says CD-ROM */
    SIPL_DEV_VIRTIO_NET,    /* virtio-net-ccw */
    SIPL_DEV_DASD,          /* control unit 0x3990/0x2107 (vfio-ccw) */
} SiplDevType;

typedef struct SiplDevice {
    SiplDevType type;
    uint32_t block_size;    /* logical block size: 512, 1024, 2048, 4096 */
    bool eckd_layout;       /* the disk carries a recognised ECKD layout */
} SiplDevice;

typedef struct SiplPlatform {
    void *opaque;           /* passed as first argument to every call */

    /**
     * diag:
     * @fc: SIPL_DIAG_308, SIPL_DIAG_320 or SIPL_DIAG_508
     * @subcode: contents of R3 (DIAG 0x320/0x508) or R2 (0x308)
     * @addr: parameter-block guest address (R1), from buf_to_guest()
     * @rc: out: contents of R1+1 after the instruction
     *
     * Returns: SIPL_PGM_NONE with *rc set, or the program-interruption
     * code the instruction ended with (*rc untouched).
     */
    int (*diag)(void *opaque, uint32_t fc, uint64_t subcode, uint64_t addr,
                uint64_t *rc);

    /**
     * sclp_info:
     * @info: out: the facility bytes of Read SCP Info
     *
     * Returns: 0, or SIPL_EIO when the SCLP call failed.
     */
    int (*sclp_info)(void *opaque, SiplSclpInfo *info);

    /**
     * dev_open:
     * @iplb: the IPLB naming the device (host copy, >= 8 bytes, big-endian
     *        fields), or NULL when no IPLB exists and the default device
     *        must be probed
     * @dev: out: what the device is
     *
     * Selects the device that read_blocks() reads from.
     * Returns: 0, or SIPL_ENODEV (the platform printed why).
     */
    int (*dev_open)(void *opaque, const uint8_t *iplb, SiplDevice *dev);

    /**
     * read_blocks:
     * @blockno: first logical block of the open device
     * @count: number of blocks (>= 1)
     * @gaddr: guest address receiving count * block_size bytes
     *
     * Returns: 0, or SIPL_EIO (past the end of the disk, device error) or
     * SIPL_EFAULT (target outside guest memory); nothing is printed.
     */
    int (*read_blocks)(void *opaque, uint64_t blockno, uint32_t count,
                       uint64_t gaddr);

    /**
     * console:
     * @line: one console line without its newline, NUL-terminated
     */
    void (*console)(void *opaque, const char *line);

    /**
     * console_dot:
     * Progress output: one "." with no newline (one per loaded block
     * pointer, spec/03 §2.5). May be NULL.
     */
    void (*console_dot)(void *opaque);

    /**
     * halt:
     * @reason: the panic text as printed after "ERROR: "
     *
     * Disabled wait. s390x: never returns. Host: returns; the flow then
     * returns SIPL_EHALT without doing anything else.
     */
    void (*halt)(void *opaque, const char *reason);

    /**
     * mem_read / mem_write:
     * @gaddr: absolute guest address
     * @buf: host buffer
     * @len: bytes
     *
     * Returns: 0, or SIPL_EFAULT when [gaddr, gaddr + len) is not guest
     * memory (nothing is copied then).
     */
    int (*mem_read)(void *opaque, uint64_t gaddr, void *buf, uint64_t len);
    int (*mem_write)(void *opaque, uint64_t gaddr, const void *buf,
                     uint64_t len);

    /**
     * buf_to_guest:
     * @buf: one of the flow's static buffers
     * @len: bytes of it the hypervisor or the OS may see
     * @align: alignment the guest address needs (power of two <= 4096)
     *
     * Copies @len bytes of @buf to its guest image (host) and returns the
     * image's guest address; the same @buf always gets the same address,
     * which stays reserved for the guest's lifetime (the IPLB + IIRB pair is
     * read by the OS after the jump); the first call for a buffer gives its
     * full length, a later call may give less (0: address only, no copy).
     * s390x: returns the buffer's own address.
     * Returns: the guest address, or 0 when there is no room.
     */
    uint64_t (*buf_to_guest)(void *opaque, const void *buf, uint32_t len,
                             uint32_t align);

    /**
     * buf_from_guest:
     * @buf: the buffer given to buf_to_guest()
     * @len: bytes to copy back from its guest image
     * @gaddr: what buf_to_guest() returned
     *
     * Copies what a DIAG wrote at @gaddr back into @buf. s390x: no-op.
     */
    void (*buf_from_guest)(void *opaque, void *buf, uint32_t len,
                           uint64_t gaddr);

    /**
     * jump:
     * @psw: the 8-byte short PSW of the EXEC entry
     *
     * Starts the loaded program. s390x: never returns. Host: records the
     * PSW and returns; sipl_ipl() then returns 0.
     */
    void (*jump)(void *opaque, uint64_t psw);
} SiplPlatform;

#endif /* SIPL_BIOS_PLATFORM_H */
