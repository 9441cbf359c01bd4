/*
 * diag.h: what the DIAG 0x320 / 0x508 handlers see of the CPU, and what they
 * return.
 *
 * Architecture faults (program exceptions) are kept apart from response
 * codes: a handler either returns DIAG_EXC_NONE and has set *r1p1 (the
 * guest's R1+1), or returns an exception and has left *r1p1 untouched
 * (spec/02 §5.2).
 */
#ifndef SIPL_QEMU_DIAG_H
#define SIPL_QEMU_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "certstore.h"
#include "guestmem.h"

typedef enum {
    DIAG_EXC_NONE = 0,
    DIAG_EXC_PRIVILEGED,        /* privileged-operation exception */
    DIAG_EXC_SPECIFICATION,     /* specification exception */
    DIAG_EXC_ADDRESSING,        /* addressing exception */
} DiagException;

/* The calling vCPU as far as the handlers care. */
typedef struct DiagCpu {
    bool problem_state;         /* PSW problem-state bit */
    bool pv;                    /* protected-virtualization guest */
    bool fac_cstore;            /* CPU model has cstore (CERT_STORE) */
    bool fac_sipl;              /* CPU model has sipl */
} DiagCpu;

/* What the machine's default CPU model (qemu/max) gives a non-PV guest. */
#define DIAG_CPU_DEFAULT \
    ((DiagCpu){ .problem_state = false, .pv = false, \
                .fac_cstore = true, .fac_sipl = true })

const char *diag_exception_name(DiagException exc);

#endif /* SIPL_QEMU_DIAG_H */
