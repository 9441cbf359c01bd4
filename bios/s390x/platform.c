/*
 * s390x/platform.c: SiplPlatform with the real instructions (platform.h)
 *
 * Runs with DAT off and prefix 0, so absolute = real = the C pointer value:
 * buf_to_guest() is the identity and buf_from_guest() has nothing to do.
 * Program checks are not caught: a DIAG that raises one never returns here
 * (the firmware's program-new PSW decides), so diag() reports SIPL_PGM_NONE.
 */
#include "s390x/s390x.h"

#include "util.h"

#define SCLP_CMD_READ_SCP_INFO      0x00020001u
#define SCLP_CMD_WRITE_EVENT_DATA   0x00760005u
#define SCLP_EVENT_ASCII_CONSOLE    0x1a
#define SCLP_RC_NONE                0x0000
#define SCCB_SIZE                   4096

static uint8_t s390x_sccb[SCCB_SIZE] __attribute__((aligned(4096)));

/* DIAGNOSE R1,R3,code: R1 even = address, R1+1 = rc out, R3 = subcode. */
#define DIAG_ASM(code, addr, subcode, rc) \
    do { \
        register uint64_t r2 asm("2") = (addr); \
        register uint64_t r3 asm("3") = 0; \
        register uint64_t r4 asm("4") = (subcode); \
        asm volatile("diag %[r2],%[r4]," #code \
                     : [r2] "+d" (r2), "+d" (r3) \
                     : [r4] "d" (r4) \
                     : "memory", "cc"); \
        (rc) = r3; \
    } while (0)

static int s390x_diag(void *opaque, uint32_t fc, uint64_t subcode,
                      uint64_t addr, uint64_t *rc)
{
    uint64_t r = 0;

    (void)opaque;
    switch (fc) {
    case SIPL_DIAG_308:
        DIAG_ASM(0x308, addr, subcode, r);
        break;
    case SIPL_DIAG_320:
        DIAG_ASM(0x320, addr, subcode, r);
        break;
    case SIPL_DIAG_508:
        DIAG_ASM(0x508, addr, subcode, r);
        break;
    default:
        return SIPL_PGM_SPECIFICATION;
    }
    *rc = r;
    return SIPL_PGM_NONE;
}

/*
 * SERVICE CALL. QEMU completes the command before servc returns and only
 * then raises the service signal, so the response code is polled instead
 * of waiting for the external interrupt.
 */
static int sclp_call(uint32_t cmd)
{
    volatile uint8_t *resp = &s390x_sccb[6];
    int cc;

    asm volatile("   .insn rre,0xb2200000,%[cmd],%[sccb]\n"
                 "   ipm %[cc]\n"
                 "   srl %[cc],28\n"
                 : [cc] "=&d" (cc)
                 : [cmd] "d" ((uint64_t)cmd),
                   [sccb] "a" ((uint64_t)(uintptr_t)s390x_sccb)
                 : "cc", "memory");
    if (cc != 0) {
        return SIPL_EIO;
    }
    while (resp[0] == 0 && resp[1] == 0) {
        /* response code not yet stored */
    }
    return resp[0] == 0x00 && resp[1] == 0x20 ? 0 : SIPL_EIO;
}

static void sccb_header(uint16_t len)
{
    bios_memset(s390x_sccb, 0, SCCB_SIZE);
    s390x_sccb[0] = (uint8_t)(len >> 8);
    s390x_sccb[1] = (uint8_t)len;
}

/* STFLE bit 140 (ELS): doubleword 2, bit 12 */
static bool has_els(void)
{
    uint64_t fac[3] = { 0, 0, 0 };
    register uint64_t r0 asm("0") = 2;     /* doublewords - 1 */

    asm volatile(".insn s,0xb2b00000,%[fac]"
                 : [fac] "=Q" (fac), "+d" (r0) : : "cc", "memory");
    return fac[2] & (0x8000000000000000ull >> 12);
}

static int s390x_sclp_info(void *opaque, SiplSclpInfo *info)
{
    (void)opaque;
    sccb_header(SCCB_SIZE);
    if (sclp_call(SCLP_CMD_READ_SCP_INFO) != 0) {
        return SIPL_EIO;
    }
    info->els = has_els();
    info->fac134 = s390x_sccb[134];
    info->fac_ipl = (uint16_t)((s390x_sccb[136] << 8) | s390x_sccb[137]);
    return 0;
}

static void s390x_write(const char *s, size_t n)
{
    /* SCCB header 8, event buffer header 6, then the text */
    size_t max = SCCB_SIZE - 8 - 6;
    uint16_t ebh;

    if (n > max) {
        n = max;
    }
    ebh = (uint16_t)(6 + n);
    sccb_header((uint16_t)(8 + ebh));
    s390x_sccb[8] = (uint8_t)(ebh >> 8);
    s390x_sccb[9] = (uint8_t)ebh;
    s390x_sccb[10] = SCLP_EVENT_ASCII_CONSOLE;
    bios_memcpy(&s390x_sccb[14], s, n);
    sclp_call(SCLP_CMD_WRITE_EVENT_DATA);
}

static void s390x_console(void *opaque, const char *line)
{
    char buf[BIOS_LINE_MAX + 1];
    size_t n = bios_strlen(line);

    (void)opaque;
    if (n > BIOS_LINE_MAX - 1) {
        n = BIOS_LINE_MAX - 1;
    }
    bios_memcpy(buf, line, n);
    buf[n] = '\n';
    s390x_write(buf, n + 1);
}

static void s390x_console_dot(void *opaque)
{
    (void)opaque;
    s390x_write(".", 1);
}

static void __attribute__((noreturn)) s390x_halt(void *opaque,
                                                  const char *reason)
{
    /* disabled wait: wait bit, EA and BA, no interrupts */
    static const uint64_t wait_psw[2] __attribute__((aligned(8))) = {
        0x0002000180000000ull, 0
    };

    (void)opaque;
    (void)reason;
    for (;;) {
        asm volatile("lpswe %0" : : "Q" (wait_psw) : "memory");
    }
}

static int s390x_mem_read(void *opaque, uint64_t gaddr, void *buf,
                          uint64_t len)
{
    (void)opaque;
    bios_memcpy(buf, (const void *)(uintptr_t)gaddr, len);
    return 0;
}

static int s390x_mem_write(void *opaque, uint64_t gaddr, const void *buf,
                           uint64_t len)
{
    (void)opaque;
    bios_memcpy((void *)(uintptr_t)gaddr, buf, len);
    return 0;
}

static uint64_t s390x_buf_to_guest(void *opaque, const void *buf,
                                   uint32_t len, uint32_t align)
{
    (void)opaque;
    (void)len;
    (void)align;
    return (uint64_t)(uintptr_t)buf;    /* the buffer is guest memory */
}

static void s390x_buf_from_guest(void *opaque, void *buf, uint32_t len,
                                 uint64_t gaddr)
{
    (void)opaque;
    (void)buf;
    (void)len;
    (void)gaddr;
}

static void __attribute__((noreturn)) s390x_jump(void *opaque, uint64_t psw)
{
    /* zipl's EXEC PSW is an 8-byte short PSW: LPSW takes it as it is */
    static uint64_t ipl_psw __attribute__((aligned(8)));

    (void)opaque;
    ipl_psw = psw;
    for (;;) {
        asm volatile("lpsw %0" : : "Q" (ipl_psw) : "memory");
    }
}

void s390x_platform_init(SiplPlatform *p,
                         int (*dev_open)(void *, const uint8_t *, SiplDevice *),
                         int (*read_blocks)(void *, uint64_t, uint32_t,
                                            uint64_t),
                         void *opaque)
{
    bios_memset(p, 0, sizeof(*p));
    p->opaque = opaque;
    p->diag = s390x_diag;
    p->sclp_info = s390x_sclp_info;
    p->dev_open = dev_open;
    p->read_blocks = read_blocks;
    p->console = s390x_console;
    p->console_dot = s390x_console_dot;
    p->halt = s390x_halt;
    p->mem_read = s390x_mem_read;
    p->mem_write = s390x_mem_write;
    p->buf_to_guest = s390x_buf_to_guest;
    p->buf_from_guest = s390x_buf_from_guest;
    p->jump = s390x_jump;
}
