/*
 * certstore-priv.h: shared between certstore.c (collection, loading, the
 * store) and certstore-entry.c (per-certificate computation)
 */
#ifndef SIPL_QEMU_CERTSTORE_PRIV_H
#define SIPL_QEMU_CERTSTORE_PRIV_H

#include "certstore.h"

/* Append one warning line (the list stays NULL-terminated). */
void cert_store_warn(GPtrArray *warnings, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Fill @entry's derived fields from its parsed certificate: key id, key
 * type, key parameters, signer identifiers, validity. Failures leave the
 * matching *_ok flag false and add a warning; they never fail the load.
 */
void cert_store_entry_compute(CertStoreEntry *entry, GPtrArray *warnings);

#endif /* SIPL_QEMU_CERTSTORE_PRIV_H */
