/*
 * s390x/s390x.h: SiplPlatform on real s390x (DAT off, prefix 0)
 *
 * DIAG, SCLP (Read SCP Info, ASCII console), disabled wait and the jump are
 * implemented here with the real instructions. Disk access needs a virtio
 * driver the firmware brings: it passes its dev_open/read_blocks in.
 */
#ifndef SIPL_BIOS_S390X_H
#define SIPL_BIOS_S390X_H

#include "platform.h"

/**
 * s390x_platform_init:
 * @p: out: the platform table
 * @dev_open: the firmware's device selection (platform.h contract)
 * @read_blocks: the firmware's block reader (platform.h contract)
 * @opaque: passed to both
 */
void s390x_platform_init(SiplPlatform *p,
                         int (*dev_open)(void *, const uint8_t *, SiplDevice *),
                         int (*read_blocks)(void *, uint64_t, uint32_t,
                                            uint64_t),
                         void *opaque);

#endif /* SIPL_BIOS_S390X_H */
