/*
 * pkcs11_private.h: what pkcs11.c shares with pkcs11_write.c
 *
 * The only header of sipl that turns on p11-kit's unstable iterator API
 * (spec/06 §3: wrap it in one module).
 */
#ifndef SIPL_PKCS11_PRIVATE_H
#define SIPL_PKCS11_PRIVATE_H

#define P11_KIT_FUTURE_UNSTABLE_API 1

#include <p11-kit/iter.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "pkcs11.h"

struct _siplPkcs11 {
    char *path;                 /* NULL: p11-kit's configured modules */
    CK_FUNCTION_LIST **modules; /* NULL-terminated */
};

/* The one token a URI names. */
typedef struct {
    CK_FUNCTION_LIST *module;
    CK_SLOT_ID slot;
    CK_TOKEN_INFO info;
} siplPkcs11Token;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(P11KitUri, p11_kit_uri_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(P11KitIter, p11_kit_iter_free)

/* "message (0xN)" for a CK_RV; the caller frees. */
char *siplPkcs11RvString(CK_RV rv);

/* Parse @uri and apply sipl's policy (spec/06 §4.2); NULL with an error. */
P11KitUri *siplPkcs11UriParse(const char *uri, unsigned int flags,
                              GError **error);

/* Format @uri as @type without PIN or module attributes; NULL on failure. */
char *siplPkcs11UriFormat(P11KitUri *uri, P11KitUriType type);

/* Whether the URI's type= is cert (or, with @if_unset, absent). */
bool siplPkcs11UriIsCert(P11KitUri *uri, bool if_unset);

/* The one initialised token @uri names; false with NO_TOKEN/MANY_TOKENS.
 * @uristr is for messages: already siplPkcs11UriRedact()ed. */
bool siplPkcs11FindToken(siplPkcs11 *p11, P11KitUri *uri, const char *uristr,
                         siplPkcs11Token *out, GError **error);

/* CKA_LABEL, CKA_ID and CKA_VALUE of the iterator's object (empty when
 * absent); the result of p11_kit_iter_load_attributes(). */
CK_RV siplPkcs11LoadObject(P11KitIter *iter, GBytes **label, GBytes **id,
                           GBytes **value);

/* The object URI sipl stores for a certificate on the token @info. */
char *siplPkcs11ObjectUri(const CK_TOKEN_INFO *info, GBytes *id,
                          const char *label);

/* An iterator over the X.509 certificate objects matching @uri. */
P11KitIter *siplPkcs11CertIter(P11KitUri *uri, P11KitIterBehavior behavior);

/* siplPkcs11ListCerts() on a token already found, without locking (for
 * callers that hold the token's lock); @uri is for messages, redacted. */
GPtrArray *siplPkcs11ListOnToken(const siplPkcs11Token *tok, P11KitUri *parsed,
                                 const char *uri, GError **error);

/* flock(@op) on sipl's PKCS#11 lock file (spec/06 §7.2, see pkcs11.c);
 * the fd to close, or -1 with SIPL_PKCS11_ERROR_FAILED. */
int siplPkcs11Lock(int op, GError **error);

#endif /* SIPL_PKCS11_PRIVATE_H */
