/*
 * diag508.h: DIAGNOSE 0x508 handler (spec/02 §6, 07 D3, D7, D10, D12, D13)
 */
#ifndef SIPL_QEMU_DIAG508_H
#define SIPL_QEMU_DIAG508_H

#include "diag.h"

/*
 * Host log messages of the handler (spec/02 §5.7, §6.3) are g_warning()s in
 * this GLib log domain; front ends route them with g_log_set_handler().
 */
#define DIAG508_LOG_DOMAIN "sipl-diag508"

/**
 * diag508_handle:
 * Same contract as diag320_handle(); subcode 0 puts the installed-subcode
 * mask (0x8000) in *r1p1, subcode 0x8000 a DIAG_508_RC_* code.
 */
DiagException diag508_handle(const CertStore *store, GuestMem *mem,
                             const DiagCpu *cpu, unsigned r1, uint64_t addr,
                             uint64_t subcode, uint64_t *r1p1);

#endif /* SIPL_QEMU_DIAG508_H */
