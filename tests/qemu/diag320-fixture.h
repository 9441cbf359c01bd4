/*
 * diag320-fixture.h: golden DIAG 0x320 blocks built from the spec tables
 * (spec/02 §5.5-§5.7), shared by test-diag320 and test-diag320-vcb
 *
 * Expected bytes are written with the offsets of the spec, never through
 * the wire structs. Key ids and fingerprints are recomputed independently:
 * SHA-256 over the DER SubjectPublicKeyInfo and over the DER certificate
 * (spec/02 §7.1, §7.2). Certificates are real (certgen), loaded through the
 * real store from a per-run temporary directory:
 *   a.pem RSA-2048, b.pem P-521, c.pem P-256,
 *   old.pem P-256 expired yesterday, new.pem P-256 valid from tomorrow.
 */
#ifndef SIPL_TEST_DIAG320_FIXTURE_H
#define SIPL_TEST_DIAG320_FIXTURE_H

#include "certgen.h"
#include "qemu/certstore.h"
#include "qemu/diag320.h"

#include "diag-expect.h"

#define DIAG_HANDLER diag320_handle

#define MEM_SIZE (1ULL << 20)
#define DOMAIN "sipl-diag320"

extern char *tmpdir;
extern CertGenCert *cert_rsa;       /* a.pem */
extern CertGenCert *cert_p521;      /* b.pem */
extern CertGenCert *cert_p256;      /* c.pem */
extern CertGenCert *cert_expired;   /* old.pem */
extern CertGenCert *cert_future;    /* new.pem */
extern time_t fake_now;             /* what fake_clock() returns */
extern const char *const three[];   /* a.pem, b.pem, c.pem */

void diag320_fixture_setup(void);
void diag320_fixture_teardown(void);
time_t fake_clock(void);

void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
uint8_t ebcdic(char c);
void sha256(const void *data, gsize len, uint8_t out[32]);
void spki_sha256(const CertGenCert *c, uint8_t out[32]);
/* Appends the expected VCE (spec/02 §5.7) of @c at 1-origin index @idx. */
void append_vce(GByteArray *out, const CertGenCert *c, const char *name,
                uint16_t idx, uint8_t key_type, bool valid);
gsize vce_len(const CertGenCert *c);

/* A store from file names in tmpdir, 1 MiB of guest memory, a snapshot. */
typedef struct {
    CertStore *store;
    GuestMem *mem;
    uint8_t *before;            /* snapshot of the whole memory */
} Fix;

CertStore *store_of(const char *const *names);
void fix_init(Fix *f, const char *const *names);
void fix_clear(Fix *f);
void snapshot(Fix *f);
void assert_unchanged(Fix *f);
void poke(Fix *f, uint64_t addr, const void *buf, gsize len);
void assert_mem(Fix *f, uint64_t addr, const void *want, gsize len);
/* Runs the handler with R1+1 preset to SENTINEL. */
DiagException run(Fix *f, const DiagCpu *cpu, unsigned r1, uint64_t addr,
                  uint64_t subcode, uint64_t *r1p1);

/* Ends a test: guest memory must be as snapshot() left it. */
static inline void
fix_clear_unchanged(Fix *f)
{
    assert_unchanged(f);
    fix_clear(f);
}

/* VCB header (spec/02 §5.6): in_len @0, first @8, last @10 */
void make_vcb_in(uint8_t *b, uint32_t in_len, uint16_t first, uint16_t last);
/* ... plus out_len @32, stored_ct @40, remain_ct @42 */
void want_header(uint8_t *b, uint32_t in_len, uint16_t first, uint16_t last,
                 uint32_t out_len, uint16_t stored, uint16_t remain);
/* Subcode 2 at @addr must give RC 1, that header, exactly @vces after it,
 * and nothing written past them. */
void check_vcb(Fix *f, uint64_t addr, uint32_t in_len, uint16_t first,
               uint16_t last, GByteArray *vces, uint16_t stored,
               uint16_t remain);
/* Subcode 2 must give @rc and change nothing. */
void check_vcb_rc(Fix *f, uint32_t in_len, uint16_t first, uint16_t last,
                  uint64_t rc);

/* g_test_init() and the certificates; the run, then their removal. */
static inline void
diag320_test_init(int *argc, char ***argv)
{
    g_test_init(argc, argv, NULL);
    diag320_fixture_setup();
}

static inline int
diag320_test_run(void)
{
    int ret = g_test_run();

    diag320_fixture_teardown();
    return ret;
}

#endif /* SIPL_TEST_DIAG320_FIXTURE_H */
