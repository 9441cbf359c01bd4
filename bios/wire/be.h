/*
 * be.h: big-endian wire fields
 *
 * Every multi-byte field the guest sees is big-endian (spec/README.md).
 * Fields are byte arrays wrapped in a struct, so reading or writing one
 * without be*_get()/be*_put() does not compile on any host (STYLE.md §3).
 * Freestanding: only compiler-provided headers.
 */
#ifndef SIPL_WIRE_BE_H
#define SIPL_WIRE_BE_H

#include <stdint.h>

typedef struct { uint8_t b[2]; } sipl_be16;
typedef struct { uint8_t b[4]; } sipl_be32;
typedef struct { uint8_t b[8]; } sipl_be64;

_Static_assert(sizeof(sipl_be16) == 2 && _Alignof(sipl_be16) == 1, "be16");
_Static_assert(sizeof(sipl_be32) == 4 && _Alignof(sipl_be32) == 1, "be32");
_Static_assert(sizeof(sipl_be64) == 8 && _Alignof(sipl_be64) == 1, "be64");

static inline uint16_t be16_get(sipl_be16 v)
{
    return (uint16_t)((v.b[0] << 8) | v.b[1]);
}

static inline uint32_t be32_get(sipl_be32 v)
{
    return ((uint32_t)v.b[0] << 24) | ((uint32_t)v.b[1] << 16) |
           ((uint32_t)v.b[2] << 8) | v.b[3];
}

static inline uint64_t be64_get(sipl_be64 v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++) {
        r = (r << 8) | v.b[i];
    }
    return r;
}

static inline void be16_put(sipl_be16 *p, uint16_t v)
{
    p->b[0] = (uint8_t)(v >> 8);
    p->b[1] = (uint8_t)v;
}

static inline void be32_put(sipl_be32 *p, uint32_t v)
{
    p->b[0] = (uint8_t)(v >> 24);
    p->b[1] = (uint8_t)(v >> 16);
    p->b[2] = (uint8_t)(v >> 8);
    p->b[3] = (uint8_t)v;
}

static inline void be64_put(sipl_be64 *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p->b[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* Offset checks next to each struct: SIPL_WIRE_AT(type, field, offset). */
#define SIPL_WIRE_AT(type, field, off) \
    _Static_assert(__builtin_offsetof(type, field) == (off), \
                   #type "." #field " must be at offset " #off)

#endif /* SIPL_WIRE_BE_H */
