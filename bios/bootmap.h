/*
 * bootmap.h: the zipl SCSI-scheme bootmap walk, spec/03 §2
 */
#ifndef SIPL_BIOS_BOOTMAP_H
#define SIPL_BIOS_BOOTMAP_H

#include <stdint.h>

#include "mode.h"
#include "platform.h"
#include "wire/bootmap.h"

struct SecureState;

/* sipl's bound on segment-table blocks per component: a looping chain must
 * end (upstream would read forever). 65536 tables of 255 pointers cover
 * far more than guest memory. */
#define BOOTMAP_MAX_SEGTABS     65536
/* zipl never writes a segment-table block that only chains on; a few in a
 * row are tolerated, more mean a loop that loads nothing (sipl). */
#define BOOTMAP_MAX_IDLE_SEGTABS    8

/**
 * bootmap_read_block:
 * @p: platform
 * @blockno: disk block
 * @buf: host buffer of at least MAX_SECTOR_SIZE bytes
 * @block_size: the device's block size (<= MAX_SECTOR_SIZE)
 *
 * Reads one block into a host buffer (through its guest image).
 * Returns: 0, or SIPL_EIO (nothing printed).
 */
int bootmap_read_block(const SiplPlatform *p, uint64_t blockno, uint8_t *buf,
                       uint32_t block_size);

/**
 * bootmap_load_segments:
 * @p: platform
 * @block_size: the device's block size
 * @first: the entry's data pointer (first segment-table block)
 * @gaddr: load address
 * @limit: most bytes that may be loaded
 * @len: out: block-rounded length loaded (spec/03 §2.5)
 *
 * Returns: 0; SIPL_ENOSPC when the next pointer would pass @limit (nothing
 * printed, nothing loaded past it); SIPL_EIO or SIPL_EINVAL after one line.
 */
int bootmap_load_segments(const SiplPlatform *p, uint32_t block_size,
                          const ScsiBlockPtr *first, uint64_t gaddr,
                          uint64_t limit, uint64_t *len);

/**
 * bootmap_ipl_scsi:
 * @p: platform
 * @mode: boot mode
 * @dev: the open device
 * @loadparm: program-table entry requested (0 = default)
 * @st: secure/audit state (initialised by the caller), NULL in normal mode
 * @exec_psw: out: the EXEC entry's PSW
 *
 * MBR, program table, component table, loading; in secure/audit mode also
 * the checks through the PSW pseudo entry.
 * Returns: 0; SIPL_ENOENT (no "zIPL" MBR: another scheme); SIPL_EINVAL,
 * SIPL_EIO, SIPL_EPERM (abandon the device); SIPL_EHALT.
 */
int bootmap_ipl_scsi(const SiplPlatform *p, SiplBootMode mode,
                     const SiplDevice *dev, unsigned loadparm,
                     struct SecureState *st, uint64_t *exec_psw);

#endif /* SIPL_BIOS_BOOTMAP_H */
