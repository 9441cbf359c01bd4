/*
 * secure.h: the secure/audit half of the flow: facility checks, signature
 * components, per-component and global checks, certificates (spec/03 §3,
 * §5, §6.2, §6.5, §6.6)
 */
#ifndef SIPL_BIOS_SECURE_H
#define SIPL_BIOS_SECURE_H

#include <stdbool.h>
#include <stdint.h>

#include "certs.h"
#include "iirb.h"
#include "mode.h"
#include "platform.h"
#include "sclab.h"
#include "wire/bootmap.h"

/* Certificates kept for the report (spec/03 §1, §10) */
#define SECURE_CERT_BUF_SIZE    CERT_BUF_SIZE
_Static_assert(3 * CERT_BUF_MAX_LEN <= SECURE_CERT_BUF_SIZE,
               "Not enough memory to store certificates (spec/03 §6.5)");

/* State of one device's secure/audit IPL; the mode travels with it. */
typedef struct SecureState {
    SiplBootMode mode;
    CertsStoreInfo store;
    IirbLists *lists;
    SclabGlobal sclab;
    uint16_t iiei;
    uint32_t signed_ct;
    uint32_t unsigned_ct;
    int16_t cert_map[MAX_CERTIFICATES + 1];  /* store index -> list index */
    uint32_t cert_off[MAX_CERT_ENTRIES];    /* position in the buffer */
    uint32_t cert_used;
    bool sig_pending;
    uint32_t sig_len;
} SecureState;

/**
 * secure_check_facilities:
 * @p: platform
 *
 * spec/03 §6.2 in order (07 D17: both DIAG 0x320 subcode bits).
 * Returns: 0, or SIPL_EHALT after the failing test's message and panic
 * "Unable to boot in secure/audit mode".
 */
int secure_check_facilities(const SiplPlatform *p);

/**
 * secure_device_init:
 * @st: state to reset for a new device
 * @mode: SIPL_BOOT_AUDIT or SIPL_BOOT_SECURE
 * @store: from certs_query_store()
 * @lists: the component/certificate lists to fill (reset here)
 */
void secure_device_init(SecureState *st, SiplBootMode mode,
                        const CertsStoreInfo *store, IirbLists *lists);

/**
 * secure_signature:
 * @p: platform
 * @st: state
 * @e: the SIGNATURE entry
 * @block_size: disk block size
 *
 * spec/03 §3.2, 07 D21: loads the DER blob into the signature buffer.
 * Returns: 0; SIPL_EINVAL (second pending signature, not DER, empty or
 * over 4096 bytes, bad segment table) or SIPL_EIO; SIPL_EHALT.
 */
int secure_signature(const SiplPlatform *p, SecureState *st,
                     const ComponentEntry *e, uint32_t block_size);

/**
 * secure_component:
 * @p: platform
 * @st: state
 * @addr: load address of the LOAD entry just loaded
 * @len: its block-rounded length
 *
 * spec/03 §6.5 step 2: overlap, unsigned address rule or SCLAB checks,
 * DIAG 0x508, certificate, list entry; clears the pending signature.
 * Returns: 0; SIPL_EPERM after "Could not get certificate"; SIPL_EHALT.
 */
int secure_component(const SiplPlatform *p, SecureState *st, uint64_t addr,
                     uint64_t len);

/**
 * secure_finish_table:
 * @p: platform
 * @st: state
 * @exec_psw: the EXEC entry's PSW
 *
 * 07 D24, then the checks of spec/03 §5.3 and the PSW pseudo entry (K19).
 * Returns: 0; SIPL_EINVAL ("Signature entry without component");
 * SIPL_EHALT.
 */
int secure_finish_table(const SiplPlatform *p, SecureState *st,
                        uint64_t exec_psw);

/**
 * secure_store_certs:
 * @p: platform
 * @st: state
 * @base: stable area, qipl.ipl_data - qipl.index * 4096 (spec/03 §6.6)
 *
 * Copies the certificates to guest memory at @base and rewrites each
 * certificate entry's addr.
 * Returns: 0, or SIPL_EHALT when the area is not guest memory.
 */
int secure_store_certs(const SiplPlatform *p, SecureState *st, uint64_t base);

#endif /* SIPL_BIOS_SECURE_H */
