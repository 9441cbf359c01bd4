/*
 * diag320.h: DIAGNOSE 0x320 handler (spec/02 §5, 07 D1-D3, D16, K1-K3)
 */
#ifndef SIPL_QEMU_DIAG320_H
#define SIPL_QEMU_DIAG320_H

#include "diag.h"

/*
 * Host log messages of the handler (spec/02 §5.7, §6.3) are g_warning()s in
 * this GLib log domain; front ends route them with g_log_set_handler().
 */
#define DIAG320_LOG_DOMAIN "sipl-diag320"

/**
 * diag320_handle:
 * @store: the machine's certificate store
 * @mem: guest memory
 * @cpu: the calling vCPU
 * @r1: number of register R1 (must be even; R1+1 receives the code)
 * @addr: contents of R1, the parameter-block address
 * @subcode: contents of R3
 * @r1p1: out: new contents of R1+1, written only when no exception
 *
 * Returns: DIAG_EXC_NONE, or the program exception to raise.
 */
DiagException diag320_handle(const CertStore *store, GuestMem *mem,
                             const DiagCpu *cpu, unsigned r1, uint64_t addr,
                             uint64_t subcode, uint64_t *r1p1);

#endif /* SIPL_QEMU_DIAG320_H */
