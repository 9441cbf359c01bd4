/*
 * modsig.h: Linux module-signature trailers (spec/04 §1)
 *
 *   [ payload ][ PKCS#7 DER, sig_len bytes ][ info, 12 bytes ][ marker, 28 ]
 *
 * What sign-file appends and zipl --secure strips (spec/04 §1.2, §2.3).
 * Parsing follows zipl's extraction: the marker, then id_type 2 (PKCS#7),
 * then a sig_len that fits in front of the info block.
 */
#ifndef SIPL_MODSIG_H
#define SIPL_MODSIG_H

#include <glib.h>
#include <stdbool.h>

#include "../bios/wire/modsig.h"

/* The layout is bios/wire/modsig.h's; these names are its src/ spelling. */
#define SIPL_MODSIG_MARKER MODULE_SIG_STRING
#define SIPL_MODSIG_MARKER_LEN MODULE_SIG_STRING_LEN
#define SIPL_MODSIG_INFO_LEN (sizeof(module_signature))
#define SIPL_MODSIG_TRAILER_LEN MODULE_SIG_TRAILER_LEN
#define SIPL_MODSIG_ID_PKCS7 PKEY_ID_PKCS7

#define SIPL_MODSIG_ERROR (siplModSigErrorQuark())
GQuark siplModSigErrorQuark(void);

typedef enum {
    SIPL_MODSIG_ERROR_NONE,     /* no marker: the file is not signed */
    SIPL_MODSIG_ERROR_TYPE,     /* id_type is not PKCS#7 */
    SIPL_MODSIG_ERROR_LENGTH,   /* sig_len 0 or larger than the file */
} siplModSigErrorCode;

/* A parsed trailer; pointers point into the parsed buffer. */
typedef struct {
    gsize payloadLen;           /* bytes before the signature */
    const guint8 *sig;          /* DER PKCS#7 SignedData */
    gsize sigLen;
} siplModSig;

bool siplModSigPresent(const guint8 *data, gsize len);
bool siplModSigParse(const guint8 *data, gsize len, siplModSig *sig,
                     GError **error);

#endif /* SIPL_MODSIG_H */
