/*
 * secureboot_cert.h: internal to libsipl, for secureboot_conf.c
 *
 * The public certificate functions are declared in secureboot_conf.h.
 */
#ifndef SIPL_SECUREBOOT_CERT_H
#define SIPL_SECUREBOOT_CERT_H

#include "secureboot_conf.h"

/*
 * The longest certificate name: the store renders "NN-<name>"
 * (siplSecureBootCertFileName) and QEMU gives the guest that basename cut
 * to 64 bytes (spec/02 §3.1), so a name leaves room for the 3-byte prefix
 * and the guest always sees it whole, ".pem" included (issue 4: the file
 * name QEMU sees is at most 64 characters).  schemas/secureboot.rng says
 * the same ({0,56} after the first character, then ".pem").
 */
#define SIPL_SECUREBOOT_CERT_NAME_MAX (SIPL_SECUREBOOT_NAME_MAX - 3)
G_STATIC_ASSERT(SIPL_SECUREBOOT_CERT_NAME_MAX == 61);

/**
 * siplSecureBootCertDefNewFromPem:
 * @pem: the text of a <cert> element, white space stripped
 * @name: the certificate's name
 * @state: its state
 * @sourceType: where it came from
 * @source: the URI or path (NULL iff @sourceType is NONE)
 * @error: return location for a SIPL_SECUREBOOT_ERROR (CERT, SOURCE)
 *
 * Like siplSecureBootCertDefNew() for exactly one PEM CERTIFICATE block,
 * without the X.509 import: Parse leaves that to Validate, which imports
 * every certificate anyway (parsing each twice doubled the cost of reading
 * the metadata).
 *
 * Returns: the certificate, or NULL with @error set.
 */
siplSecureBootCertDef *
siplSecureBootCertDefNewFromPem(const char *pem, const char *name,
                                siplSecureBootCertState state,
                                siplSecureBootCertSource sourceType,
                                const char *source, GError **error);

#endif /* SIPL_SECUREBOOT_CERT_H */
