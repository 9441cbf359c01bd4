/*
 * sigverify-corpus.h: signatures from real tools, and upstream's verdict
 *
 * Test helpers shared by test-sigverify and bench-diag508: detached PKCS#7
 * signatures made by `openssl cms -sign` (what sign-file writes) and by
 * GnuTLS gnutls_pkcs7_sign(), and the reference verdict computed the way
 * upstream QEMU does it (per certificate: DER -> PEM of the signature,
 * re-import, gnutls_pkcs7_verify_direct(sig, cert, 0, content, 0)).
 */
#ifndef SIPL_TEST_SIGVERIFY_CORPUS_H
#define SIPL_TEST_SIGVERIFY_CORPUS_H

#include <glib.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>

#include "certgen.h"

typedef struct CorpusSignOpts {
    const char *md;         /* "sha256", "sha384", "sha512", "sha1" */
    bool attrs;             /* signed attributes */
    bool keyid;             /* openssl only: sid = subjectKeyIdentifier */
    bool certs;             /* include the signer's certificate */
    bool pss;               /* openssl only: RSASSA-PSS padding */
} CorpusSignOpts;

/*
 * openssl cms -sign -binary [-nocerts] -outform DER -md MD [-noattr] [-keyid]
 * [-keyopt rsa_padding_mode:pss]
 * over @content with @signer's certificate and key. @workdir holds the
 * temporary files. Returns the DER signature; aborts the test on failure.
 */
GBytes *corpus_sign_openssl(const CertGenCert *signer, const CorpusSignOpts *o,
                            const char *workdir, const guint8 *content,
                            gsize len);

/*
 * gnutls_pkcs7_sign() of @content, detached, no certificates included;
 * with @o->attrs the signing time is included, which makes GnuTLS write
 * signed attributes (contentType, messageDigest, signingTime).
 */
GBytes *corpus_sign_gnutls(const CertGenCert *signer, const CorpusSignOpts *o,
                           const guint8 *content, gsize len);

/*
 * Upstream's verdict: the lowest index i of @pems (PEM certificates in
 * store order) for which gnutls_pkcs7_verify_direct() accepts @sig over
 * @content, after the signature's DER -> PEM -> import round trip; -1 if
 * none. GnuTLS's clock is whatever gnutls_global_set_time_function() set.
 */
int corpus_upstream_index(const char *const *pems, guint n_pems, GBytes *sig,
                          const guint8 *content, gsize len);

#endif /* SIPL_TEST_SIGVERIFY_CORPUS_H */
