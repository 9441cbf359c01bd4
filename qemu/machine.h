/*
 * machine.h: a host machine that plays QEMU for the guest half
 *
 * One s390-ccw-virtio guest with one virtio-blk-ccw boot disk (a raw image
 * with 512- or 4096-byte logical blocks), a certificate store built from
 * `boot-certs` paths with QEMU's rules, and `secure-boot`. The machine
 *   - refuses what sipl refuses at machine creation (07 D8, D9, D29),
 *   - builds the IPLB as QEMU does (CCW, `len` 200, or 4096 with the
 *     SIPL/IPLIR flags when flagged, spec/02 §8.2) and the QIPL at real
 *     0xCC whose `ipl_data` points at the 28672-byte area below the BIOS
 *     (spec/02 §9),
 *   - reports the SCLP facility bits of the qemu CPU model (cstore, sipl,
 *     sclaf; each can be switched off, spec/02 §4),
 *   - routes DIAG 0x308 (subcode 5 set with 07 D15 masking, subcode 6
 *     store), 0x320 and 0x508 to the hypervisor-half handlers, and
 *   - runs the guest-half flow (bios/sipl.h) natively through a host
 *     implementation of bios/platform.h over sparse guest memory.
 */
#ifndef SIPL_QEMU_MACHINE_H
#define SIPL_QEMU_MACHINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "certstore.h"
#include "guestmem.h"
#include "iplb.h"

#define MACHINE_ERROR (machine_error_quark())
GQuark machine_error_quark(void);

typedef enum {
    MACHINE_ERROR_CONFIG,       /* bad block size, loadparm, memory size */
    MACHINE_ERROR_DISK,         /* the disk image cannot be opened */
} MachineErrorCode;

/* Address space of the machine: sparse, so only touched pages cost. */
#define MACHINE_MEM_SIZE_DEFAULT (16ULL << 30)

typedef struct MachineConfig {
    const char *disk;                   /* raw image path */
    guint block_size;                   /* 512 or 4096 */
    const char *const *cert_paths;      /* boot-certs.N.path, in order */
    gsize n_cert_paths;
    bool secure_boot;                   /* secure-boot=on */
    const char *loadparm;               /* NULL: blanks (entry 0) */
    bool no_cstore;                     /* switch facilities off */
    bool no_sipl;
    bool no_sclaf;
    uint64_t mem_size;                  /* 0: MACHINE_MEM_SIZE_DEFAULT */
    bool direct_kernel;                 /* -kernel boot (refused, 07 D8) */
    GPtrArray *cert_warnings;           /* optional out: store warnings,
                                         * also when machine_new fails */
} MachineConfig;

typedef enum {
    MACHINE_STARTED,    /* the EXEC PSW was reached */
    MACHINE_HALTED,     /* disabled wait: the flow panicked */
} MachineOutcome;

/* Called for every console line (without newline), as it is printed. */
typedef void (*MachineConsoleFunc)(const char *line, void *opaque);

typedef struct Machine Machine;

Machine *machine_new(const MachineConfig *cfg, GError **error);
void machine_free(Machine *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Machine, machine_free)

void machine_set_console(Machine *m, MachineConsoleFunc func, void *opaque);
MachineOutcome machine_run(Machine *m);

const CertStore *machine_cert_store(const Machine *m);
IplbMode machine_mode(const Machine *m);
const char *machine_halt_reason(const Machine *m);
uint64_t machine_start_psw(const Machine *m);
GuestMem *machine_mem(Machine *m);
int machine_diag(Machine *m, uint32_t fc, uint64_t subcode, uint64_t addr,
                 uint64_t *rc);
GBytes *machine_iirb(const Machine *m);

#endif /* SIPL_QEMU_MACHINE_H */
