/*
 * pkcs11.h: certificates on PKCS#11 tokens (p11-kit, GnuTLS)
 *
 * The only module of sipl that includes p11-kit's unstable iterator API
 * (spec/06 §3).  Modules are loaded by path or taken from p11-kit's
 * configuration; tokens are chosen by `token=` label or `serial=`, never by
 * slot id (spec/06 §1.1); reading certificates needs no login.
 */
#ifndef SIPL_PKCS11_H
#define SIPL_PKCS11_H

#include <glib.h>
#include <stdbool.h>

#define SIPL_PKCS11_ERROR (siplPkcs11ErrorQuark())
GQuark siplPkcs11ErrorQuark(void);

typedef enum {
    SIPL_PKCS11_ERROR_URI,          /* malformed URI or refused by policy */
    SIPL_PKCS11_ERROR_MODULE,       /* module missing or failing to initialise */
    SIPL_PKCS11_ERROR_NO_TOKEN,     /* no initialised token matches */
    SIPL_PKCS11_ERROR_MANY_TOKENS,  /* more than one token matches */
    SIPL_PKCS11_ERROR_NO_OBJECT,    /* the URI matches no certificate */
    SIPL_PKCS11_ERROR_AMBIGUOUS,    /* the URI matches several certificates */
    SIPL_PKCS11_ERROR_EXISTS,       /* the certificate is already on the token */
    SIPL_PKCS11_ERROR_PIN,          /* no PIN, or a wrong PIN (tried once) */
    SIPL_PKCS11_ERROR_PIN_LOCKED,   /* PIN locked, expired, or at its final try */
    SIPL_PKCS11_ERROR_CERT,         /* not an X.509 certificate */
    SIPL_PKCS11_ERROR_FAILED,       /* any other PKCS#11 or GnuTLS failure */
} siplPkcs11Error;

/* Flags for siplPkcs11UriParse() (spec/06 §4.2). */
typedef enum {
    SIPL_PKCS11_URI_OBJECT = 1 << 0,        /* require type= and object=/id= */
    SIPL_PKCS11_URI_ALLOW_PIN_VALUE = 1 << 1, /* insecure/test switch */
} siplPkcs11UriFlags;

typedef struct _siplPkcs11 siplPkcs11;

/* One certificate object found on a token. */
typedef struct {
    char *uri;      /* object URI: token, id, object, type=cert; no PIN */
    char *label;    /* CKA_LABEL ("" when absent) */
    GBytes *id;     /* CKA_ID (empty when absent) */
    GBytes *der;    /* CKA_VALUE */
} siplPkcs11Cert;

void siplPkcs11CertFree(siplPkcs11Cert *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(siplPkcs11Cert, siplPkcs11CertFree)

/**
 * siplPkcs11Open:
 * @module_path: a PKCS#11 module to load by path, or NULL for the modules
 *   in p11-kit's configuration
 * @error: return location for an error
 *
 * Loads and initialises the module(s).  Paths come from trusted
 * configuration or the command line; `module-path=` in a URI is ignored
 * (loading an arbitrary .so is code execution, spec/06 §4.2).
 *
 * Returns: a new handle, or NULL with SIPL_PKCS11_ERROR_MODULE.
 */
siplPkcs11 *siplPkcs11Open(const char *module_path, GError **error);

/**
 * siplPkcs11Free:
 * @p11: a handle or NULL
 *
 * Finalises and releases the modules.
 */
void siplPkcs11Free(siplPkcs11 *p11);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(siplPkcs11, siplPkcs11Free)

/**
 * siplPkcs11UriStrip:
 * @uri: a `pkcs11:` URI
 * @error: return location for an error
 *
 * The form sipl stores and logs: @uri re-formatted by p11-kit without
 * `pin-value`, `pin-source`, `module-name` and `module-path` (spec/06 §8.3).
 *
 * Returns: the new URI, or NULL with SIPL_PKCS11_ERROR_URI.
 */
char *siplPkcs11UriStrip(const char *uri, GError **error);

/**
 * siplPkcs11UriCheck:
 * @uri: a `pkcs11:` URI from the user
 * @flags: siplPkcs11UriFlags
 * @error: return location for an error
 *
 * Applies sipl's URI policy (spec/06 §4.2): parses with p11-kit; refuses
 * unrecognised attributes, URIs without `token=` or `serial=`, `pin-value`
 * (unless allowed) and, with SIPL_PKCS11_URI_OBJECT, URIs without `type=`
 * plus `object=` or `id=`.  Like every function here, its messages show
 * URIs without PIN or module attributes (siplPkcs11UriRedact(), spec/06
 * §5.2, §8.3); the refusal of `pin-value` shows no URI at all.
 *
 * Returns: true if acceptable, false with SIPL_PKCS11_ERROR_URI.
 */
bool siplPkcs11UriCheck(const char *uri, unsigned int flags, GError **error);

/**
 * siplPkcs11ListCerts:
 * @p11: a handle
 * @uri: URI naming exactly one token; object attributes narrow the list
 * @error: return location for an error
 *
 * Reads every X.509 certificate object matching @uri, without login,
 * through p11-kit's iterator (spec/06 §3), in token order.
 *
 * Returns: a GPtrArray of siplPkcs11Cert (possibly empty) or NULL with
 * SIPL_PKCS11_ERROR_URI, _NO_TOKEN, _MANY_TOKENS or _FAILED.
 */
GPtrArray *siplPkcs11ListCerts(siplPkcs11 *p11, const char *uri,
                               GError **error);

/**
 * siplPkcs11InitGnutls:
 * @module_path: the module GnuTLS should use, or NULL for p11-kit's
 *   configuration (GnuTLS's auto mode)
 * @error: return location for an error
 *
 * GnuTLS's manual PKCS#11 mode is silently ignored once anything in the
 * process auto-initialised it (spec/06 §7.5): tools call this first thing
 * in main().  Idempotent and thread-safe; siplPkcs11ImportCert() calls it
 * with its handle's module.  The first call fixes manual or auto mode and
 * registers sipl's p11-kit PIN callback (siplPinRegisterP11Kit()).
 *
 * Returns: true, or false with SIPL_PKCS11_ERROR_MODULE.
 */
bool siplPkcs11InitGnutls(const char *module_path, GError **error);

/**
 * siplPkcs11ImportCert:
 * @p11: a handle
 * @token_uri: URI naming exactly one token
 * @der: the certificate (DER)
 * @label: CKA_LABEL for the new object
 * @id: CKA_ID (give a certificate its key's id, spec/06 §2), or NULL to
 *   let GnuTLS derive one
 * @pin: the user PIN (from siplPinGet()), tried once and never retried
 * @error: return location for an error
 *
 * Writes @der to the token with GnuTLS's PKCS#11 layer, which fills
 * subject, issuer, serial, CKA_TOKEN and CKA_PRIVATE=false (spec/06 §3).
 * sipl's PKCS#11 access is serialised with flock (spec/06 §7.2); after a
 * failed write, objects left without label and id holding @der are removed
 * (spec/06 §7.4).
 *
 * Returns: the new object's URI (PIN-free), or NULL with
 * SIPL_PKCS11_ERROR_URI, _NO_TOKEN, _MANY_TOKENS, _EXISTS, _CERT, _PIN,
 * _PIN_LOCKED or _FAILED; on error the token is unchanged.
 */
char *siplPkcs11ImportCert(siplPkcs11 *p11, const char *token_uri,
                           GBytes *der, const char *label, GBytes *id,
                           const char *pin, GError **error);

/**
 * siplPkcs11DeleteCert:
 * @p11: a handle
 * @uri: URI of exactly one certificate object (type=cert plus object= or id=)
 * @pin: user PIN, or NULL to delete from an R/W session without login
 *   (enough for public objects on SoftHSM; real HSMs may need the PIN)
 * @error: return location for an error
 *
 * Counts the matches first and destroys the one handle only if there is
 * exactly one (spec/06 §7.1): never gnutls_pkcs11_delete_url().
 *
 * Returns: true if deleted; false with SIPL_PKCS11_ERROR_URI, _NO_TOKEN,
 * _MANY_TOKENS, _NO_OBJECT, _AMBIGUOUS, _PIN, _PIN_LOCKED or _FAILED, in
 * which case nothing was deleted.
 */
bool siplPkcs11DeleteCert(siplPkcs11 *p11, const char *uri, const char *pin,
                          GError **error);

#endif /* SIPL_PKCS11_H */
