/*
 * limits.h: numeric limits of the secure-IPL stack (spec/01 §5)
 *
 * DIAG_508_MAX_COMP_LEN and DIAG_508_MAX_SIG_LEN are commented upstream as
 * "not architecturally defined" and may change: they live here only.
 */
#ifndef SIPL_WIRE_LIMITS_H
#define SIPL_WIRE_LIMITS_H

#define MAX_CERTIFICATES        64
#define CERT_NAME_MAX_LEN       64
#define CERT_KEY_ID_LEN         32
#define CERT_HASH_LEN           32
#define MAX_VCENTRY_SIZE        8192
#define VCE_HEADER_LEN          128
#define CERT_BUF_MAX_LEN        (MAX_VCENTRY_SIZE - VCE_HEADER_LEN)   /* 8064 */
#define CERT_DER_MAX_LEN        (CERT_BUF_MAX_LEN - CERT_KEY_ID_LEN - CERT_HASH_LEN) /* 8000 */
#define VCE_INVALID_LEN         72
#define VCSSB_LEN_VALID         128
#define VCSSB_NO_VC             4
#define VCB_HEADER_LEN          64
#define VCB_PAGE                4096

#define DIAG_508_MAX_COMP_LEN   0x10000000ULL   /* 256 MiB */
#define DIAG_508_MAX_SIG_LEN    4096
#define SVB_LEN                 64

#define S390_IPLB_HEADER_LEN    8
#define S390_IPLB_MAX_LEN       4096
#define S390_IPLB_MIN_CCW_LEN   200
#define S390_IPLB_MIN_QEMU_SCSI_LEN 200
#define S390_IPLB_MIN_FCP_LEN   384
#define S390_IPLB_MIN_PCI_LEN   376
#define S390_IPLB_MIN_PV_LEN    148

#define MAX_BOOT_DEVS           8
#define CERT_BUF_SIZE           ((MAX_BOOT_DEVS - 1) * 4096)          /* 28672 */

#define QIPL_ADDRESS            0xcc
#define LOWCORE_IPLB_PTR        0x14

_Static_assert(CERT_BUF_MAX_LEN == 8064, "spec/01 §5");
_Static_assert(CERT_DER_MAX_LEN == 8000, "spec/01 §5");
_Static_assert(CERT_BUF_SIZE == 28672, "spec/01 §5");

#endif /* SIPL_WIRE_LIMITS_H */
