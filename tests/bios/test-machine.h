/*
 * test-machine.h: a test double of the machine and hypervisor for the
 * plain-C bios/ tests.
 *
 * The real DIAG 0x320/0x508 handlers need GnuTLS and cannot run in the
 * s390x cross build, so this answers the DIAGs as spec/02 §5, §6 describe,
 * over a simulated guest memory array and an in-memory disk. Signatures are
 * test tokens, not PKCS#7: "TSIG", the signing certificate's 0-origin store
 * index, three zero bytes, then FNV-1a/32 (big-endian) of the signed bytes.
 * The full-stack run through the real handlers is qemu/'s machine.
 */
#ifndef SIPL_TEST_MACHINE_H
#define SIPL_TEST_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#define TM_MEM_SIZE     (8u << 20)
#define TM_DISK_SIZE    (4u << 20)
#define TM_BIOS_AREA    0x700000u       /* where flow buffers are mirrored */
#define TM_IPL_DATA     (TM_BIOS_AREA - 28672u)
#define TM_MAX_LINES    512
#define TM_MAX_CERTS    70
#define TM_MAX_DEVS     8

typedef struct TmCert {
    uint32_t der_len;
    bool invalid;               /* VCE flags 0 */
} TmCert;

typedef struct TestMachine {
    uint8_t *mem;               /* TM_MEM_SIZE bytes of guest memory */

    /* devices, selected by the IPLB devno (u16 at 110) */
    uint8_t *disk[TM_MAX_DEVS];
    uint32_t disk_len[TM_MAX_DEVS];
    SiplDevice dev[TM_MAX_DEVS];
    int cur_dev;

    /* the stored IPLB (primary) and the chain at TM_IPL_DATA */
    uint8_t iplb[4096];
    bool have_iplb;

    /* facilities */
    SiplSclpInfo sclp;
    bool fac_cstore;            /* DIAG 0x320 installed */
    uint32_t ism;               /* DIAG 0x320 subcode 0 word */
    uint64_t diag508_mask;      /* DIAG 0x508 subcode 0 */

    /* certificate store */
    unsigned cert_ct;
    TmCert certs[TM_MAX_CERTS];
    int32_t vcssb_max_vcb_override;     /* >= 0: report this instead */
    uint64_t vcssb_rc;          /* 0 = normal */
    uint64_t vcb_rc;            /* 0 = normal */
    bool vcb_header_only;
    uint16_t vcb_remain_ct;
    uint32_t last_in_len;
    unsigned fetch_count[TM_MAX_CERTS + 1];    /* per 1-origin index */
    uint64_t verify_rc;         /* 0 = really verify */
    unsigned verify_calls;
    bool set_iplb_fails;

    /* outcome */
    char lines[TM_MAX_LINES][200];
    unsigned nlines;
    unsigned dots;
    bool halted;
    bool jumped;
    uint64_t psw;
    uint64_t set_iplb_addr;

    /* host buffer -> guest image map */
    struct { const void *host; uint64_t gaddr; uint32_t len; } map[32];
    unsigned nmap;
    uint64_t map_next;
} TestMachine;

extern TestMachine tm;

/* Fresh machine: all facilities, one virtio-blk disk of @block_size on
 * device 0, IPLB for @mode flags (0, 0x20 audit, 0x60 secure) with len
 * 4096, @cert_ct certificates of 700 + 16 * i DER bytes. */
void tm_reset(uint32_t block_size, uint8_t hdr_flags, unsigned cert_ct);

/* Runs sipl_ipl(); returns its result. */
int tm_run(void);

/* Console helpers */
bool tm_has_line(const char *line);
unsigned tm_count_line(const char *line);
const char *tm_last_line(void);
void tm_dump_lines(void);

/* Guest memory helpers (big-endian) */
uint32_t tm_get32(uint64_t addr);
uint64_t tm_get64(uint64_t addr);
uint16_t tm_get16(uint64_t addr);

/* Test signature over @len bytes of @data signed by 0-origin cert @idx */
void tm_make_sig(uint8_t out[12], unsigned idx, const uint8_t *data,
                 size_t len);

/* The platform, for tests that call bios functions directly */
const SiplPlatform *tm_platform(void);

#endif /* SIPL_TEST_MACHINE_H */
