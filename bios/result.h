/*
 * result.h: result codes of the guest half (STYLE.md §6)
 *
 * Every bios/ function returns 0 (or a length) on success and one of these
 * negative codes on failure, after printing one console line where the
 * problem was found.
 */
#ifndef SIPL_BIOS_RESULT_H
#define SIPL_BIOS_RESULT_H

/*
 * The flow called SiplPlatform.halt (a panic: "ERROR: <text>" was printed).
 * On s390x halt never returns; on a host it does, and every caller passes
 * this code straight up so the flow ends at once (platform.h).
 */
#define SIPL_EHALT      (-1)
#define SIPL_ENOENT     (-2)    /* not the SCSI scheme (no "zIPL" MBR) */
#define SIPL_EINVAL     (-3)    /* malformed bootmap: abandon this device */
#define SIPL_EIO        (-4)    /* block read failed */
#define SIPL_EFAULT     (-5)    /* guest memory access outside RAM */
#define SIPL_ENOSPC     (-6)    /* a static buffer is too small */
#define SIPL_ENODEV     (-7)    /* no device for this IPLB */
#define SIPL_EPERM      (-8)    /* certificate could not be fetched */

#endif /* SIPL_BIOS_RESULT_H */
