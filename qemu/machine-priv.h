/*
 * machine-priv.h: the host machine's state, shared by machine.c
 * (construction, accessors) and machine-platform.c (bios/platform.h over
 * that state). Not for use outside qemu/machine*.c.
 */
#ifndef SIPL_QEMU_MACHINE_PRIV_H
#define SIPL_QEMU_MACHINE_PRIV_H

#include "../bios/platform.h"
#include "machine.h"

#define MACHINE_PAGE            4096ULL
/* QEMU loads the BIOS 2 MiB below min(RAM, 2 GiB), 64 KiB aligned
 * (hw/s390x/ipl.c); the flow's static buffers live there. */
#define MACHINE_BIOS_WINDOW     0x200000ULL

struct Machine {
    char *disk_path;
    int disk_fd;
    uint64_t disk_blocks;
    guint block_size;
    bool secure_boot;
    bool fac_cstore, fac_sipl, fac_sclaf;
    CertStore *store;
    GuestMem *mem;
    uint8_t iplb[S390_IPLB_MAX_LEN];    /* the hypervisor's IPLB */
    bool iplb_valid;
    uint64_t bios_start;
    uint64_t buf_next;                  /* bump allocator for buffers */
    GHashTable *bufs;                   /* host buffer -> guest address */
    MachineConsoleFunc console;
    void *console_opaque;
    GString *dots;                      /* progress dots of this line */
    bool halted;
    char *halt_reason;
    bool started;
    uint64_t psw;
};

/**
 * machine_platform_init:
 * @m: the machine
 * @p: out: every platform call set, opaque = @m
 */
void machine_platform_init(Machine *m, SiplPlatform *p);

/* See machine_diag() */
int machine_platform_diag(Machine *m, uint32_t fc, uint64_t subcode,
                          uint64_t addr, uint64_t *rc);

/* Emits pending progress dots as one console line. */
void machine_flush_dots(Machine *m);

#endif /* SIPL_QEMU_MACHINE_PRIV_H */
