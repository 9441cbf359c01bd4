/*
 * certgen.h: real X.509 certificates for tests, made with GnuTLS
 *
 * Tests create their keys and certificates at run time (real GnuTLS key
 * generation and signing), so no test depends on checked-in key material
 * and every property the spec cares about (validity window, key usage,
 * key type, identifiers) can be chosen per case.
 */
#ifndef SIPL_TEST_CERTGEN_H
#define SIPL_TEST_CERTGEN_H

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <time.h>

typedef enum {
    CERTGEN_RSA2048,
    CERTGEN_RSA3072,
    CERTGEN_RSA4096,
    CERTGEN_P256,
    CERTGEN_P384,
    CERTGEN_P521,
    CERTGEN_ED25519,
} CertGenKeyType;

typedef struct CertGenSpec {
    CertGenKeyType key_type;
    const char *cn;             /* NULL: "sipl test" */
    time_t not_before;          /* 0: now - 1 day */
    time_t not_after;           /* 0: now + 365 days */
    unsigned int key_usage;     /* GNUTLS_KEY_*; 0: DIGITAL_SIGNATURE|KEY_CERT_SIGN */
    bool no_key_usage;          /* omit the KeyUsage extension altogether */
    guint64 serial;             /* 0: a random serial */
    bool no_subject_key_id;     /* omit the SubjectKeyIdentifier extension */
    gnutls_x509_privkey_t reuse_key; /* non-NULL: certify this key instead */
} CertGenSpec;

typedef struct CertGenCert {
    gnutls_x509_privkey_t key;  /* owned */
    gnutls_x509_crt_t crt;      /* owned */
    char *pem;                  /* NUL-terminated PEM of the certificate */
    guint8 *der;
    gsize der_len;
    char *key_pem;              /* PKCS#8 PEM of the private key */
} CertGenCert;

/* Returns: a new self-signed certificate; aborts the test on failure. */
CertGenCert *certgen_new(const CertGenSpec *spec);
void certgen_free(CertGenCert *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CertGenCert, certgen_free)

/* Write the certificate PEM (or the key PEM) to @path; aborts on failure. */
void certgen_write_pem(const CertGenCert *cert, const char *path);
void certgen_write_key_pem(const CertGenCert *cert, const char *path);

/*
 * A fresh temporary directory for one test, removed with its contents by
 * certgen_tmpdir_remove(). Returns the path (owned by the caller).
 */
char *certgen_tmpdir_new(void);
void certgen_tmpdir_remove(const char *dir);

#endif /* SIPL_TEST_CERTGEN_H */
