/*
 * sipl.h: entry point of the guest half
 *
 * sipl_ipl() runs spec/03 §6 from "IPLB stored" to "jump": DIAG 308
 * subcode 6 into the flow's page-aligned IPLB + IIRB pair, the QIPL read
 * from real 0xCC, the mode from the IPLB header flags (spec/01 §3.2), in
 * secure and audit mode the facility checks and the store-size query
 * (spec/03 §6.2, §6.3), then the device loop over the IPLB chain, the SCSI
 * bootmap walk with its checks, the IIRB at IPLB + 4096, lowcore 0x14, the
 * IPLB handed back with DIAG 308 subcode 5, and the jump to the EXEC PSW.
 *
 * The machine prepares guest memory as QEMU would (QIPL at 0xCC, chained
 * IPLBs at qipl.ipl_data) and answers the platform calls; see platform.h.
 */
#ifndef SIPL_BIOS_SIPL_H
#define SIPL_BIOS_SIPL_H

#include "mode.h"
#include "platform.h"

/**
 * sipl_ipl:
 * @p: the platform (every member set; console_dot may be NULL)
 *
 * Returns: 0 once p->jump() has returned (host platforms only);
 * SIPL_EHALT once p->halt() has returned (host platforms only; the reason
 * was the last console line). On s390x it does not return.
 */
int sipl_ipl(const SiplPlatform *p);

#endif /* SIPL_BIOS_SIPL_H */
