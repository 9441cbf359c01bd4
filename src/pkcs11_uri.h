/*
 * pkcs11_uri.h: `pkcs11:` URIs safe to show (spec/06 §5.2, §8.3)
 *
 * No p11-kit here: pin.c, cert_source.c and secureboot_cert.c need it too,
 * and it must work on URIs p11-kit refuses to parse.
 */
#ifndef SIPL_PKCS11_URI_H
#define SIPL_PKCS11_URI_H

#include <glib.h>
#include <stdbool.h>

/**
 * siplPkcs11UriRedact:
 * @uri: (nullable): a `pkcs11:` URI from the user, well-formed or not
 *
 * The text of @uri without its query (RFC 7512 puts only `pin-value`,
 * `pin-source`, `module-name` and `module-path` there) and without those
 * four in the path, where p11-kit accepts them too, whatever the case of
 * the name.  White space p11-kit ignores (" \n\r\v") is dropped first,
 * as p11-kit does, so " pin-value" goes too.  The rest stays as the user
 * wrote it, so a message about a bad attribute still shows that attribute.
 * Use it wherever a URI reaches an error message, a log or a prompt: PINs
 * are never logged (spec/06 §5.2, §8.3) and module paths are not the
 * user's business in a message about a token.
 *
 * Returns: the redacted URI ("" for NULL); never NULL.
 */
char *siplPkcs11UriRedact(const char *uri);

/**
 * siplPkcs11UriIs:
 * @spec: a certificate source from the user
 *
 * Whether p11-kit takes @spec as a `pkcs11:` URI: the scheme in any case,
 * with white space p11-kit ignores anywhere (" pkcs11:..." is one).
 *
 * Returns: true for a PKCS#11 URI.
 */
bool siplPkcs11UriIs(const char *spec);

#endif /* SIPL_PKCS11_URI_H */
