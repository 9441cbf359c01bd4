/*
 * cert_source.h: certificates from files, directories and PKCS#11 tokens
 *
 * Every loader returns a GPtrArray of siplSecureBootCertDef (state active,
 * provenance filled in, names made valid and unique within the load) or
 * NULL with one error; it never returns a partial list.  Names are at most
 * 61 bytes (SIPL_SECUREBOOT_CERT_NAME_MAX); a clash is numbered "-2", "-3",
 * ..., the stem cut to make room, and after 64 tries named
 * "cert-<fingerprint>.pem".
 */
#ifndef SIPL_CERT_SOURCE_H
#define SIPL_CERT_SOURCE_H

#include <glib.h>

#include "pkcs11.h"
#include "secureboot_conf.h"

#define SIPL_CERT_SOURCE_ERROR (siplCertSourceErrorQuark())
GQuark siplCertSourceErrorQuark(void);

typedef enum {
    SIPL_CERT_SOURCE_ERROR_READ,     /* missing or unreadable file/directory */
    SIPL_CERT_SOURCE_ERROR_NOT_CERT, /* a file that holds no X.509 certificate */
    SIPL_CERT_SOURCE_ERROR_EMPTY,    /* no certificate found at all */
} siplCertSourceError;

/**
 * siplCertSourceLoadFile:
 * @path: a PEM file (every certificate of a bundle, in file order) or a
 *   DER file (one certificate)
 * @error: return location for an error
 *
 * Names come from the file name ("ca.crt" -> "ca.pem"; bundles get
 * "-1", "-2", ...); source is the absolute path.  Files over 16 MiB are
 * refused before they are read.
 *
 * Returns: the certificates, or NULL with SIPL_CERT_SOURCE_ERROR_READ,
 * _NOT_CERT, or a SIPL_SECUREBOOT_ERROR from building a certificate.
 */
GPtrArray *siplCertSourceLoadFile(const char *path, GError **error);

/**
 * siplCertSourceLoadDirectory:
 * @path: a directory
 * @error: return location for an error
 *
 * Loads every regular file not starting with '.' (subdirectories are not
 * entered), sorted by byte order of the file name so the result does not
 * depend on the file system's order.  A file that is not a certificate is
 * an error naming it, not silently skipped: the user asked for all of them.
 *
 * Returns: the certificates, or NULL with SIPL_CERT_SOURCE_ERROR_READ,
 * _NOT_CERT, _EMPTY, or a SIPL_SECUREBOOT_ERROR.
 */
GPtrArray *siplCertSourceLoadDirectory(const char *path, GError **error);

/**
 * siplCertSourceLoadPkcs11:
 * @p11: an open PKCS#11 handle
 * @uri: a `pkcs11:` URI naming one token, optionally narrowed to objects
 * @error: return location for an error
 *
 * Reads the certificates without login.  Names come from CKA_LABEL (or
 * the fingerprint); source is each object's URI without PIN attributes.
 *
 * Returns: the certificates, or NULL with a SIPL_PKCS11_ERROR,
 * SIPL_CERT_SOURCE_ERROR_EMPTY (no certificate matches) or
 * SIPL_CERT_SOURCE_ERROR_NOT_CERT.
 */
GPtrArray *siplCertSourceLoadPkcs11(siplPkcs11 *p11, const char *uri,
                                    GError **error);

/**
 * siplCertSourceLoad:
 * @spec: a `pkcs11:` URI (any case of the scheme), a file or a directory
 * @p11: (nullable): the PKCS#11 handle for URIs
 * @error: return location for an error
 *
 * Dispatches on @spec.
 *
 * Returns: as the loader used; a URI without @p11 fails with
 * SIPL_PKCS11_ERROR_MODULE.
 */
GPtrArray *siplCertSourceLoad(const char *spec, siplPkcs11 *p11,
                              GError **error);

#endif /* SIPL_CERT_SOURCE_H */
