/*
 * modsig.h: Linux module-signature trailer, spec/04 §1.1
 *
 *   [ payload ][ PKCS#7 DER, sig_len bytes ][ info, 12 bytes ][ marker, 28 ]
 *
 * Upstream: Linux include/linux/module_signature.h (struct
 * module_signature, MODULE_SIG_STRING); zipl's copy of the same 40 bytes is
 * struct file_signature and SIGNATURE_MAGIC (zipl/include/bootmap.h). The
 * guest never reads it: zipl --secure and sipl-mkimage turn it into a
 * SIGNATURE component (spec/04 §2.3). It is here because it is a format on
 * disk, and formats on disk get one header each (STYLE.md §1).
 */
#ifndef SIPL_WIRE_MODSIG_H
#define SIPL_WIRE_MODSIG_H

#include "be.h"

/* Info block in front of the marker, 12 bytes (spec/04 §1.1) */
typedef struct module_signature {
    uint8_t algo;                   /* 0: 0 */
    uint8_t hash;                   /* 1: 0 */
    uint8_t id_type;                /* 2: PKEY_ID_PKCS7 */
    uint8_t signer_len;             /* 3: 0 */
    uint8_t key_id_len;             /* 4: 0 */
    uint8_t pad[3];                 /* 5: 0 */
    sipl_be32 sig_len;              /* 8: DER length, big-endian always */
} module_signature;

#define PKEY_ID_PKCS7           2

_Static_assert(sizeof(module_signature) == 1 + 1 + 1 + 1 + 1 + 3 + 4,
               "spec/04 §1.1");
SIPL_WIRE_AT(module_signature, id_type, 2);
SIPL_WIRE_AT(module_signature, sig_len, 8);

/* The 27 characters and a newline, no NUL, that end a signed file */
#define MODULE_SIG_STRING       "~Module signature appended~\n"
#define MODULE_SIG_STRING_LEN   (sizeof(MODULE_SIG_STRING) - 1)

/* What zipl strips: info block + marker, after sig_len bytes of DER */
#define MODULE_SIG_TRAILER_LEN  (sizeof(module_signature) + MODULE_SIG_STRING_LEN)

_Static_assert(MODULE_SIG_STRING_LEN == 28, "spec/04 §1.1");
_Static_assert(MODULE_SIG_TRAILER_LEN == 40, "spec/04 §1.1");

#endif /* SIPL_WIRE_MODSIG_H */
