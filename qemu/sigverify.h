/*
 * sigverify.h: detached PKCS#7 verification against the store (spec/02 §7.4)
 *
 * Same verdict and same index as upstream's loop of
 * gnutls_pkcs7_verify_direct(sig, cert_i, 0, content, 0) over the store in
 * order, but the content is hashed once, in place in guest memory, and one
 * public-key operation is made per candidate (07 D10).
 */
#ifndef SIPL_QEMU_SIGVERIFY_H
#define SIPL_QEMU_SIGVERIFY_H

#include <stdint.h>

#include "certstore.h"
#include "guestmem.h"

typedef enum {
    SIG_VERIFY_OK = 0,          /* *index set: lowest passing store index */
    SIG_VERIFY_BAD_FORMAT,      /* not DER PKCS#7 SignedData with a
                                 * SignerInfo (07 D13 -> RC 0x0302) */
    SIG_VERIFY_FAILED,          /* no certificate verifies (RC 0x0402) */
    SIG_VERIFY_BAD_RANGE,       /* content not in guest memory (RC 0x0202) */
} SigVerifyStatus;

/**
 * sig_verify:
 * @store: certificate store (validity checked against its clock)
 * @sig: DER signature bytes (host copy, at most 4096 bytes)
 * @sig_len: its length
 * @mem: guest memory holding the content
 * @comp_addr: content address
 * @comp_len: content length
 * @index: out: 0-origin store index of the certificate that verified
 *
 * Checks in this order: the content range (SIG_VERIFY_BAD_RANGE, 07 D12),
 * the signature's form (SIG_VERIFY_BAD_FORMAT when GnuTLS cannot import it
 * as PKCS#7 SignedData or it has no SignerInfo, or @sig_len is 0 or above
 * 4096, 07 D13), then the store. An unusable SignerInfo 0 (unknown
 * algorithm, no identifier) is SIG_VERIFY_FAILED, as upstream fails every
 * certificate on it. Guest memory is only read, in place; the one
 * exception is pure EdDSA without signed attributes, which needs the
 * content as one host buffer.
 *
 * Returns: a SigVerifyStatus; *index is written only for SIG_VERIFY_OK.
 */
SigVerifyStatus sig_verify(const CertStore *store,
                           const uint8_t *sig, size_t sig_len,
                           const GuestMem *mem,
                           uint64_t comp_addr, uint64_t comp_len,
                           guint *index);

#endif /* SIPL_QEMU_SIGVERIFY_H */
