/*
 * sigverify-fixture.h: shared set-up of the sig_verify() tests
 *
 * One clock for both sides (the store's and GnuTLS's, 07 K7), cached keys,
 * stores written to disk and loaded with cert_store_new(), and the
 * differential check against upstream's loop (sigverify-corpus.h).
 */
#ifndef SIPL_TEST_SIGVERIFY_FIXTURE_H
#define SIPL_TEST_SIGVERIFY_FIXTURE_H

#include <glib.h>
#include <stdbool.h>
#include <time.h>

#include "certgen.h"
#include "qemu/certstore.h"
#include "qemu/sigverify.h"
#include "sigverify-corpus.h"

#define FIXTURE_DAY (24 * 60 * 60)
#define FIXTURE_MEM_SIZE (8 * 1024 * 1024)
#define FIXTURE_COMP_ADDR 0x100000
#define FIXTURE_COMP_LEN (64 * 1024 + 123)
#define FIXTURE_STORE_MAX 64
#define FIXTURE_INDEX_UNTOUCHED 0xdeadbeefu

/* The instant both sides see; tests may move it. */
extern time_t fixture_now;
/* A per-run temporary directory and FIXTURE_COMP_LEN bytes of content. */
extern char *fixture_workdir;
extern guint8 *fixture_content;

/* Set the clock to now, install it in GnuTLS, make workdir and content. */
void fixture_init(void);
/* Free cached keys, remove the workdir. */
void fixture_cleanup(void);

/* The cached certificate (and key) of @type, generated on first use. */
CertGenCert *fixture_key(CertGenKeyType type);
/* Store filler @i (< FIXTURE_STORE_MAX): its own P-256 key, cached. */
CertGenCert *fixture_filler(guint i);
/* A new certificate for fixture_key(@type)'s key; 0 means certgen's
 * default for @serial, @not_before, @not_after and @key_usage. */
CertGenCert *fixture_cert(CertGenKeyType type, guint64 serial,
                          time_t not_before, time_t not_after,
                          unsigned int key_usage, bool no_key_usage);

typedef struct FixtureStore {
    CertStore *store;
    const char *pems[FIXTURE_STORE_MAX];
    guint n;
} FixtureStore;

/* Write @certs as 00.pem ... and load them in that order, clock set. */
void fixture_store_init(FixtureStore *fs, CertGenCert *const *certs, guint n);
void fixture_store_clear(FixtureStore *fs);

/*
 * Upstream's loop and sig_verify() on @sig over @data (at
 * FIXTURE_COMP_ADDR): same verdict and index, then the case's own
 * expectation (@want, and @want_index when @want is OK); guest memory
 * unchanged; index untouched unless OK. Returns upstream's index.
 */
int fixture_check_diff(const FixtureStore *fs, GBytes *sig,
                       const guint8 *data, gsize len, SigVerifyStatus want,
                       int want_index);

/*
 * The same comparison without an expectation of its own (for generated
 * mutations): returns sig_verify()'s status.
 */
SigVerifyStatus fixture_check_same(const FixtureStore *fs, GBytes *sig,
                                   const guint8 *data, gsize len);

#endif /* SIPL_TEST_SIGVERIFY_FIXTURE_H */
