/*
 * pkcs11_uri.h: `pkcs11:` URIs safe to show (spec/06 §5.2, §8.3)
 *
 * No p11-kit here: pin.c, cert_source.c and secureboot_cert.c need it too,
 * and it must work on URIs p11-kit refuses to parse.
 */
#ifndef SIPL_PKCS11_URI_H
#define SIPL_PKCS11_URI_H

#include <glib.h>

/**
 * siplPkcs11UriRedact:
 * @uri: (nullable): a `pkcs11:` URI from the user, well-formed or not
 *
 * The text of @uri without its query (RFC 7512 puts only `pin-value`,
 * `pin-source`, `module-name` and `module-path` there) and without those
 * four in the path, where p11-kit accepts them too, whatever the case of
 * the name.  The rest stays as the user wrote it, so a message about a
 * bad attribute still shows that attribute.
 * Use it wherever a URI reaches an error message, a log or a prompt: PINs
 * are never logged (spec/06 §5.2, §8.3) and module paths are not the
 * user's business in a message about a token.
 *
 * Returns: the redacted URI ("" for NULL); never NULL.
 */
char *siplPkcs11UriRedact(const char *uri);

#endif /* SIPL_PKCS11_URI_H */
