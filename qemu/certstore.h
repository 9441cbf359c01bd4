/*
 * certstore.h: the hypervisor's certificate store (spec/02 §2, §3)
 *
 * Built once from an ordered list of host paths with QEMU's rules and error
 * texts; every certificate is parsed once and everything a DIAG needs is
 * computed at load (07 D11). Directory entries are taken in byte-wise
 * sorted order (07 D4).
 */
#ifndef SIPL_QEMU_CERTSTORE_H
#define SIPL_QEMU_CERTSTORE_H

#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../bios/wire/limits.h"

#define CERT_STORE_ERROR (cert_store_error_quark())
GQuark cert_store_error_quark(void);

typedef enum {
    CERT_STORE_ERROR_PATH,      /* empty path, stat, extension, file type */
    CERT_STORE_ERROR_LIMIT,     /* more than 64 certificates, data too big */
    CERT_STORE_ERROR_LOAD,      /* unreadable or not a PEM certificate */
} CertStoreErrorCode;

/* Serial and key identifier bytes kept per entry; longer ones do not
 * match a SignerInfo, which only costs the in-order scan (07 D10 (a)). */
#define CERT_STORE_ID_MAX_LEN 128

typedef struct CertStoreEntry {
    char *path;                     /* as collected (path as given + name) */
    uint8_t name[CERT_NAME_MAX_LEN]; /* EBCDIC, blank padded basename */
    uint8_t *der;
    size_t der_size;
    size_t data_size;               /* 64 + round_up(der_size, 4) */
    uint8_t key_id[CERT_KEY_ID_LEN];        /* GnuTLS SHA-256 key id */
    uint8_t fingerprint[CERT_HASH_LEN];     /* SHA-256 over the DER */
    bool key_id_ok;                 /* false: VCE invalid */
    bool key_type_ok;               /* false: algorithm/curve unknown (07 D6) */
    uint8_t key_type;               /* DIAG_320_VCE_KEYTYPE_* */
    bool times_ok;                  /* false: GnuTLS could not give a time */
    time_t activation;
    time_t expiration;
    gnutls_x509_crt_t crt;          /* parsed once, for verification */
    gnutls_pubkey_t pubkey;

    /*
     * What DIAG 0x508 would otherwise re-read from the certificate on
     * every call (07 D10, D11). Identifiers and KeyUsage are read with
     * the GnuTLS calls its verification makes, so verdicts are the same.
     */
    int key_family;                 /* gnutls_pk_algorithm_t, RSA-PSS
                                     * folded into RSA; 0: no pubkey */
    unsigned int key_bits;
    bool key_params_ok;             /* false: no raw parameters known */
    uint8_t key_params[CERT_HASH_LEN]; /* SHA-256 over family and raw key
                                     * parameters, never the SPKI bytes */
    bool serial_ok;
    uint8_t serial[CERT_STORE_ID_MAX_LEN];
    size_t serial_len;
    uint8_t *issuer_dn;             /* raw issuer DN DER; NULL: none */
    size_t issuer_dn_len;
    bool skid_ok;                   /* subject key identifier present */
    uint8_t skid[CERT_STORE_ID_MAX_LEN];
    size_t skid_len;
    bool usage_ok;                  /* no KeyUsage, or digitalSignature */
} CertStoreEntry;

typedef struct CertStore CertStore;

/* Seconds since the epoch; injectable so tests can move the clock. */
typedef time_t (*CertStoreClock)(void);

/**
 * cert_store_new:
 * @paths: ordered host paths (files or directories), as boot-certs.N.path
 * @n_paths: number of paths; 0 gives an empty store
 * @error: return location for a GError in CERT_STORE_ERROR; its message is
 *         QEMU's exact text (spec/02 §2) or sipl's where 07 D28 says so
 *
 * Warnings (skipped directory entries, empty directories, extra
 * certificates in a bundle) are collected, see cert_store_warnings().
 *
 * Returns: the store, or NULL with @error set and nothing kept.
 */
CertStore *cert_store_new(const char *const *paths, size_t n_paths,
                          GError **error);
CertStore *cert_store_new_full(const char *const *paths, size_t n_paths,
                               GPtrArray *warnings, GError **error);
void cert_store_free(CertStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CertStore, cert_store_free)

guint cert_store_count(const CertStore *store);
const CertStoreEntry *cert_store_get(const CertStore *store, guint index);
/* Largest and summed data sizes (spec/02 §3.2) */
size_t cert_store_largest_data_size(const CertStore *store);
size_t cert_store_total_bytes(const CertStore *store);
/* Warning lines in the order they arose (NULL-terminated, owned) */
const char *const *cert_store_warnings(const CertStore *store);

/* The clock for validity checks; defaults to time(NULL). */
void cert_store_set_clock(CertStore *store, CertStoreClock clock);
time_t cert_store_now(const CertStore *store);

#endif /* SIPL_QEMU_CERTSTORE_H */
