/*
 * fuzz-sclab.c: libFuzzer target for the per-component SCLAB checks
 * (spec/03 §4, §5.1) over arbitrary component tails.
 *
 * Input: byte 0 = mode (bit 0: secure, else audit) and whether a global
 * SCLAB was already seen (bit 1); byte 1 = where the component starts
 * (0: at guest address 0, so a long SCLAB length points below it); the
 * rest is the component. The checks read the component only through the
 * platform's mem_read, which ASan-checks against a 64 KiB guest memory.
 */
#include <stdint.h>
#include <string.h>

#include "sclab.h"

#define MEM_SIZE    0x10000u

static uint8_t mem[MEM_SIZE];

static int f_mem_read(void *o, uint64_t a, void *buf, uint64_t len)
{
    (void)o;
    if (a > MEM_SIZE || len > MEM_SIZE - a) {
        return SIPL_EFAULT;
    }
    memcpy(buf, mem + a, len);
    return 0;
}

static void f_console(void *o, const char *line)
{
    (void)o;
    (void)line;
}

static void f_halt(void *o, const char *reason)
{
    (void)o;
    (void)reason;
}

static const SiplPlatform plat = {
    .console = f_console, .halt = f_halt, .mem_read = f_mem_read,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SiplBootMode mode;
    SclabGlobal g = { 0 };
    uint64_t addr;
    uint32_t cei = 0;
    uint16_t iiei = 0;
    size_t len;

    if (size < 2) {
        return 0;
    }
    mode = data[0] & 1 ? SIPL_BOOT_SECURE : SIPL_BOOT_AUDIT;
    g.have_global = data[0] & 2;
    addr = data[1] ? 0x8000 : 0;
    len = size - 2;
    if (len > MEM_SIZE - addr) {
        len = MEM_SIZE - addr;
    }
    memset(mem, 0, sizeof(mem));
    memcpy(mem + addr, data + 2, len);
    sclab_check(&plat, mode, addr, len, &cei, &iiei, &g);
    /* INVALID_SCLAB and a recognizable SCLAB exclude each other */
    if (!!(cei & 0x80000000u) == g.any_valid && len >= 8) {
        __builtin_trap();
    }
    return 0;
}
