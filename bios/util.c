/*
 * util.c: freestanding helpers of the guest half (util.h)
 */
#include "util.h"

void bios_memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--) {
        *d++ = *s++;
    }
}

void bios_memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--) {
        *d++ = (uint8_t)c;
    }
}

int bios_memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

size_t bios_strlen(const char *s)
{
    size_t n = 0;

    while (s[n]) {
        n++;
    }
    return n;
}

/* Appends @s to @line at *@pos, never past BIOS_LINE_MAX - 1. */
static void line_append(char *line, size_t *pos, const char *s)
{
    while (s && *s && *pos < BIOS_LINE_MAX - 1) {
        line[(*pos)++] = *s++;
    }
    line[*pos] = '\0';
}

void bios_print(const SiplPlatform *p, const char *prefix, const char *msg)
{
    char line[BIOS_LINE_MAX];
    size_t pos = 0;

    line[0] = '\0';
    line_append(line, &pos, prefix);
    line_append(line, &pos, msg);
    p->console(p->opaque, line);
}

void bios_print_num(const SiplPlatform *p, const char *before, uint64_t num,
                    int hex, const char *after)
{
    char digits[24];
    char line[BIOS_LINE_MAX];
    size_t pos = 0, n = sizeof(digits) - 1;
    unsigned base = hex ? 16 : 10;
    size_t min_digits = hex == BIOS_HEX64 ? 16 : 1;

    digits[n] = '\0';
    do {
        digits[--n] = "0123456789abcdef"[num % base];
        num /= base;
    } while ((num || sizeof(digits) - 1 - n < min_digits) && n > 0);
    line[0] = '\0';
    line_append(line, &pos, before);
    line_append(line, &pos, &digits[n]);
    line_append(line, &pos, after);
    p->console(p->opaque, line);
}

int bios_panic(const SiplPlatform *p, const char *msg)
{
    bios_print(p, "ERROR: ", msg);
    p->halt(p->opaque, msg);
    return SIPL_EHALT;
}
