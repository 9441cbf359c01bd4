/*
 * iirb.h: the component and certificate lists and the IIRB built from
 * them, spec/03 §8
 */
#ifndef SIPL_BIOS_IIRB_H
#define SIPL_BIOS_IIRB_H

#include <stdint.h>

#include "platform.h"
#include "wire/iirb.h"

/* Both lists in wire format, with their entry counts. */
typedef struct IirbLists {
    IplDeviceComponentList comps;
    IplSignatureCertificateList certs;
    uint32_t comp_ct;
    uint32_t cert_ct;
} IirbLists;

/**
 * iirb_init:
 * @l: lists to reset to two empty blocks (type 2 components, type 1
 *     certificates; spec/03 §6.5)
 */
void iirb_init(IirbLists *l);

/**
 * iirb_add_comp:
 * @p: platform
 * @l: lists
 * @e: the entry to append (copied)
 *
 * Returns: 0, or SIPL_EHALT when the list already holds 127 entries
 * (prints "Warning: only 127 component entries are supported", then
 * panics, spec/03 §10).
 */
int iirb_add_comp(const SiplPlatform *p, IirbLists *l,
                  const IplDeviceComponentEntry *e);

/**
 * iirb_add_cert:
 * @l: lists (the caller keeps cert_ct <= 64, spec/03 §6.5)
 * @addr: address of the DER copy
 * @len: its length (the SVB's cert_len)
 *
 * Returns: the new entry's 0-origin index.
 */
uint16_t iirb_add_cert(IirbLists *l, uint64_t addr, uint64_t len);

/**
 * iirb_build:
 * @p: platform
 * @l: lists
 * @iplb_len: the IPLB's len field
 * @out: IIRB_MAX_LEN bytes, receives the report
 * @out_len: out: bytes written
 *
 * spec/03 §8.3; an empty certificate block goes first (07 D22).
 * Returns: 0, or SIPL_EHALT (len not a multiple of 8, report too big).
 */
int iirb_build(const SiplPlatform *p, const IirbLists *l, uint32_t iplb_len,
               uint8_t *out, uint32_t *out_len);

#endif /* SIPL_BIOS_IIRB_H */
