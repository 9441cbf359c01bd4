/*
 * test-sigverify-edge.c: sig_verify() on bad input (07 D12, D13), the
 * store's clock (07 K7), and generated mutations of real signatures
 *
 * The mutation tests flip every bit of the whole signature, one at a
 * time, overwrite each byte with a few length-like values and cut the
 * signature at every length; each result must match upstream's
 * loop (accepted at the same index, or refused), which covers the DER
 * edge cases (lengths, tags, attribute encodings) of both walkers at once.
 */
#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs7.h>
#include <stdarg.h>
#include <string.h>

#include "qemu/guestmem.h"
#include "sigverify-fixture.h"

#define DAY FIXTURE_DAY
#define COMP_LEN FIXTURE_COMP_LEN
#define SIGNER_SERIAL 0x5151

/* A two-certificate store: a filler, then the RSA-2048 signer. */
static void
small_store(FixtureStore *ts, CertGenCert **signer)
{
    CertGenCert *certs[2];

    *signer = fixture_cert(CERTGEN_RSA2048, SIGNER_SERIAL, 0, 0, 0, false);
    certs[0] = fixture_filler(0);
    certs[1] = *signer;
    fixture_store_init(ts, certs, 2);
}

static GBytes *
valid_sig(const CertGenCert *signer)
{
    CorpusSignOpts o = { .md = "sha256" };

    return corpus_sign_openssl(signer, &o, fixture_workdir, fixture_content,
                               COMP_LEN);
}

/* 07 D13: each of these is refused before any certificate is tried. */
static void
test_format(gconstpointer opaque)
{
    const char *what = opaque;
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) good = NULL;
    g_autoptr(GBytes) bad = NULL;
    FixtureStore ts = { 0 };
    gsize n = 0;
    const guint8 *g;

    small_store(&ts, &signer);
    good = valid_sig(signer);
    g = g_bytes_get_data(good, &n);

    if (g_str_equal(what, "garbage")) {
        guint8 junk[300];
        GRand *r = g_rand_new_with_seed(7);
        guint i;

        for (i = 0; i < sizeof(junk); i++) {
            junk[i] = (guint8)g_rand_int_range(r, 0, 256);
        }
        g_rand_free(r);
        bad = g_bytes_new(junk, sizeof(junk));
    } else if (g_str_equal(what, "truncated")) {
        bad = g_bytes_new(g, n / 2);
    } else if (g_str_equal(what, "truncated-last-byte")) {
        bad = g_bytes_new(g, n - 1);
    } else if (g_str_equal(what, "certificate")) {
        bad = g_bytes_new(signer->der, signer->der_len);
    } else if (g_str_equal(what, "no-signer-info")) {
        gnutls_pkcs7_t p7 = NULL;
        gnutls_datum_t out = { NULL, 0 };

        /* A certificates-only SignedData: valid PKCS#7, no SignerInfo. */
        g_assert_cmpint(gnutls_pkcs7_init(&p7), ==, 0);
        g_assert_cmpint(gnutls_pkcs7_set_crt(p7, signer->crt), ==, 0);
        g_assert_cmpint(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out),
                        ==, 0);
        bad = g_bytes_new(out.data, out.size);
        gnutls_free(out.data);
        gnutls_pkcs7_deinit(p7);
    } else if (g_str_equal(what, "one-byte")) {
        bad = g_bytes_new("\x30", 1);
    } else {
        g_assert_not_reached();
    }
    fixture_check_diff(&ts, bad, fixture_content, COMP_LEN, SIG_VERIFY_BAD_FORMAT, -1);
    fixture_store_clear(&ts);
}

/* 07 D12: content outside guest memory, or wrapping, is refused first. */
static void
test_range(void)
{
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) sig = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GuestMem) mem = guestmem_new(FIXTURE_MEM_SIZE, &error);
    static const struct {
        uint64_t addr, len;
    } bad[] = {
        { FIXTURE_MEM_SIZE - 100, 101 },
        { FIXTURE_MEM_SIZE, 1 },
        { FIXTURE_MEM_SIZE + 4096, 16 },
        { UINT64_MAX - 15, 32 },
        { 16, UINT64_MAX },
    };
    FixtureStore ts = { 0 };
    gsize n = 0;
    const guint8 *s;
    guint i;

    g_assert_no_error(error);
    small_store(&ts, &signer);
    sig = valid_sig(signer);
    s = g_bytes_get_data(sig, &n);
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint index = FIXTURE_INDEX_UNTOUCHED;

        g_assert_cmpint(sig_verify(ts.store, s, n, mem, bad[i].addr,
                                   bad[i].len, &index),
                        ==, SIG_VERIFY_BAD_RANGE);
        g_assert_cmpuint(index, ==, FIXTURE_INDEX_UNTOUCHED);
    }
    /* Range beats format: garbage at a bad range is still BAD_RANGE. */
    {
        guint index = FIXTURE_INDEX_UNTOUCHED;

        g_assert_cmpint(sig_verify(ts.store, (const guint8 *)"xx", 2, mem,
                                   FIXTURE_MEM_SIZE, 1, &index),
                        ==, SIG_VERIFY_BAD_RANGE);
    }
    fixture_store_clear(&ts);
}

/* 07 K7: validity follows the store's clock at each call. */
static void
test_clock_moves(void)
{
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) sig = NULL;
    CertGenCert *certs[1];
    time_t saved = fixture_now;
    FixtureStore ts = { 0 };

    signer = fixture_cert(CERTGEN_RSA2048, SIGNER_SERIAL, fixture_now - DAY,
                      fixture_now + DAY, 0, false);
    certs[0] = signer;
    fixture_store_init(&ts, certs, 1);
    sig = valid_sig(signer);

    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN, SIG_VERIFY_OK, 0);
    fixture_now = saved + 2 * DAY;
    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN, SIG_VERIFY_FAILED, -1);
    fixture_now = saved - 2 * DAY;
    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN, SIG_VERIFY_FAILED, -1);
    fixture_now = saved;
    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN, SIG_VERIFY_OK, 0);
    fixture_store_clear(&ts);
}

/* No certificate at all: nothing verifies (DIAG answers 0x0102 before). */
static void
test_empty_store(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CertStore) store = cert_store_new(NULL, 0, &error);
    g_autoptr(GuestMem) mem = guestmem_new(FIXTURE_MEM_SIZE, &error);
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) sig = NULL;
    guint index = FIXTURE_INDEX_UNTOUCHED;
    gsize n = 0;
    const guint8 *s;

    g_assert_no_error(error);
    g_assert_cmpuint(cert_store_count(store), ==, 0);
    signer = fixture_cert(CERTGEN_RSA2048, SIGNER_SERIAL, 0, 0, 0, false);
    sig = valid_sig(signer);
    s = g_bytes_get_data(sig, &n);
    g_assert_true(guestmem_write(mem, FIXTURE_COMP_ADDR, fixture_content,
                                 COMP_LEN));
    g_assert_cmpint(sig_verify(store, s, n, mem, FIXTURE_COMP_ADDR, COMP_LEN,
                               &index), ==, SIG_VERIFY_FAILED);
    g_assert_cmpuint(index, ==, FIXTURE_INDEX_UNTOUCHED);
}

/* A component that straddles guestmem's hashing chunks, odd length. */
static void
test_large_component(void)
{
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) sig = NULL;
    g_autofree guint8 *big = g_malloc(3 * 1024 * 1024 + 77);
    CorpusSignOpts o = { .md = "sha256", .attrs = true };
    CertGenCert *certs[1];
    FixtureStore ts = { 0 };
    gsize i;

    for (i = 0; i < 3 * 1024 * 1024 + 77; i++) {
        big[i] = (guint8)(i * 31 + (i >> 13));
    }
    signer = fixture_cert(CERTGEN_RSA2048, SIGNER_SERIAL, 0, 0, 0, false);
    certs[0] = signer;
    fixture_store_init(&ts, certs, 1);
    sig = corpus_sign_gnutls(signer, &o, big, 3 * 1024 * 1024 + 77);
    fixture_check_diff(&ts, sig, big, 3 * 1024 * 1024 + 77, SIG_VERIFY_OK, 0);
    fixture_store_clear(&ts);
}


/*
 * At every byte: each single-bit flip and a few special values; and a cut
 * at every length: the verdict must always be upstream's. Counts are checked so the
 * loop cannot pass vacuously.
 */
static void
test_mutations(gconstpointer opaque)
{
    const char *which = opaque;
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) good = NULL;
    CorpusSignOpts o = { .md = "sha256" };
    FixtureStore ts = { 0 };
    guint counts[SIG_VERIFY_BAD_RANGE + 1] = { 0 };
    gsize n = 0, i;
    const guint8 *g;

    small_store(&ts, &signer);
    o.attrs = g_str_has_suffix(which, "-attr");
    o.keyid = strstr(which, "-keyid") != NULL;
    if (g_str_has_prefix(which, "gnutls")) {
        good = corpus_sign_gnutls(signer, &o, fixture_content, COMP_LEN);
    } else {
        good = corpus_sign_openssl(signer, &o, fixture_workdir,
                                   fixture_content, COMP_LEN);
    }
    g = g_bytes_get_data(good, &n);
    g_assert_cmpint(fixture_check_same(&ts, good, fixture_content, COMP_LEN),
                    ==, SIG_VERIFY_OK);

    for (i = 0; i < n; i++) {
        static const guint8 special[] = { 0x00, 0x01, 0x7f, 0x80, 0x81, 0xff };
        g_autoptr(GBytes) cut = NULL;
        guint k;

        /* Every single-bit flip and a few length-ish values at byte i. */
        for (k = 0; k < 8 + G_N_ELEMENTS(special); k++) {
            g_autofree guint8 *m = g_memdup2(g, n);
            g_autoptr(GBytes) bad = NULL;

            m[i] = k < 8 ? m[i] ^ (guint8)(1u << k) : special[k - 8];
            if (m[i] == g[i]) {
                continue;
            }
            bad = g_bytes_new(m, n);
            counts[fixture_check_same(&ts, bad, fixture_content, COMP_LEN)]++;
        }
        if (i > 0) {
            cut = g_bytes_new(g, i);
            counts[fixture_check_same(&ts, cut, fixture_content, COMP_LEN)]++;
        }
    }
    g_test_message("%s: %zu bytes: ok %u bad-format %u failed %u", which, n,
                   counts[SIG_VERIFY_OK], counts[SIG_VERIFY_BAD_FORMAT],
                   counts[SIG_VERIFY_FAILED]);
    g_assert_cmpuint(counts[SIG_VERIFY_BAD_FORMAT], >, 0);
    g_assert_cmpuint(counts[SIG_VERIFY_FAILED], >, 0);
    g_assert_cmpuint(counts[SIG_VERIFY_BAD_RANGE], ==, 0);
    fixture_store_clear(&ts);
}

/* A small DER writer for hand-made signatures (X.690 §8, §10). */
static GByteArray *
der(guint8 tag, int long_len, ...)
{
    GByteArray *body = g_byte_array_new();
    GByteArray *out = g_byte_array_new();
    GByteArray *part;
    va_list ap;
    guint8 hdr[4];
    guint n = 0;

    va_start(ap, long_len);
    while ((part = va_arg(ap, GByteArray *))) {
        g_byte_array_append(body, part->data, part->len);
        g_byte_array_unref(part);
    }
    va_end(ap);
    hdr[n++] = tag;
    if (body->len < 0x80 && !long_len) {
        hdr[n++] = (guint8)body->len;
    } else if (body->len < 0x100) {
        hdr[n++] = 0x81;        /* long form; not minimal when < 0x80 */
        hdr[n++] = (guint8)body->len;
    } else {
        hdr[n++] = 0x82;
        hdr[n++] = (guint8)(body->len >> 8);
        hdr[n++] = (guint8)body->len;
    }
    g_byte_array_append(out, hdr, n);
    g_byte_array_append(out, body->data, body->len);
    g_byte_array_unref(body);
    return out;
}

static GByteArray *
raw(const guint8 *data, gsize len)
{
    return g_byte_array_append(g_byte_array_new(), data, (guint)len);
}

#define RAW(...) raw((const guint8[]){ __VA_ARGS__ }, \
                     sizeof((const guint8[]){ __VA_ARGS__ }))
/* OIDs, RFC 5652 §11, RFC 5754 §2, RFC 8017 A.1 */
#define OID_DATA RAW(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, \
                     0x07, 0x01)
#define OID_SIGNED_DATA RAW(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, \
                            0x01, 0x07, 0x02)
#define OID_CONTENT_TYPE RAW(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, \
                             0x01, 0x09, 0x03)
#define OID_MESSAGE_DIGEST RAW(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, \
                               0x0d, 0x01, 0x09, 0x04)
#define OID_SIGNING_TIME RAW(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, \
                             0x01, 0x09, 0x05)
#define OID_SHA256 RAW(0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, \
                       0x02, 0x01)
#define OID_RSA RAW(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, \
                    0x01, 0x01)

typedef enum {
    ATTRS_DER,                  /* contentType, messageDigest: DER order */
    ATTRS_UNSORTED_SIGNED_SENT, /* sent unsorted, signed as sent */
    ATTRS_UNSORTED_SIGNED_DER,  /* sent unsorted, signed in DER order */
    ATTRS_LONG_LEN_SIGNED_DER,  /* non-minimal [0] length, signed DER */
    ATTRS_NO_DIGEST,            /* contentType only */
    ATTRS_TWO_CONTENT_TYPES,    /* contentType twice */
    ATTRS_WRONG_CONTENT_TYPE,   /* contentType = signedData */
    ATTRS_EMPTY_VALUES_FIRST,   /* an attribute without values comes first */
    ATTRS_TWO_DIGESTS_ONE_OK,   /* a wrong messageDigest, then the right one */
} AttrsShape;

static GByteArray *
attr_md(const guint8 *digest)
{
    return der(0x30, false, OID_MESSAGE_DIGEST,
               der(0x31, false, der(0x04, false, raw(digest, 32), NULL), NULL),
               NULL);
}

static GByteArray *
attr_ct(GByteArray *oid)
{
    return der(0x30, false, OID_CONTENT_TYPE, der(0x31, false, oid, NULL),
               NULL);
}

/* The attribute list as sent ([0] IMPLICIT) and as signed (SET). */
static void
make_attrs(AttrsShape shape, const guint8 *digest, GByteArray **sent,
           GByteArray **signed_bytes)
{
    guint8 bad[32];

    memcpy(bad, digest, 32);
    bad[0] ^= 0xff;
    switch (shape) {
    case ATTRS_DER:
    case ATTRS_LONG_LEN_SIGNED_DER:
        *sent = der(0xa0, shape == ATTRS_LONG_LEN_SIGNED_DER,
                    attr_ct(OID_DATA), attr_md(digest), NULL);
        *signed_bytes = der(0x31, false, attr_ct(OID_DATA), attr_md(digest),
                            NULL);
        break;
    case ATTRS_UNSORTED_SIGNED_SENT:
    case ATTRS_UNSORTED_SIGNED_DER:
        *sent = der(0xa0, false, attr_md(digest), attr_ct(OID_DATA), NULL);
        *signed_bytes = shape == ATTRS_UNSORTED_SIGNED_SENT ?
            der(0x31, false, attr_md(digest), attr_ct(OID_DATA), NULL) :
            der(0x31, false, attr_ct(OID_DATA), attr_md(digest), NULL);
        break;
    case ATTRS_NO_DIGEST:
        *sent = der(0xa0, false, attr_ct(OID_DATA), NULL);
        *signed_bytes = der(0x31, false, attr_ct(OID_DATA), NULL);
        break;
    case ATTRS_TWO_CONTENT_TYPES:
        *sent = der(0xa0, false, attr_ct(OID_DATA), attr_ct(OID_DATA),
                    attr_md(digest), NULL);
        *signed_bytes = der(0x31, false, attr_ct(OID_DATA), attr_ct(OID_DATA),
                            attr_md(digest), NULL);
        break;
    case ATTRS_WRONG_CONTENT_TYPE:
        *sent = der(0xa0, false, attr_md(digest), attr_ct(OID_SIGNED_DATA),
                    NULL);
        *signed_bytes = der(0x31, false, attr_md(digest),
                            attr_ct(OID_SIGNED_DATA), NULL);
        break;
    case ATTRS_EMPTY_VALUES_FIRST: {
        /* SEQ { signingTime, SET {} } sorts first in DER order too. */
        *sent = der(0xa0, false,
                    der(0x30, false, OID_SIGNING_TIME, RAW(0x31, 0x00), NULL),
                    attr_ct(OID_DATA), attr_md(digest), NULL);
        *signed_bytes = der(0x31, false,
                            der(0x30, false, OID_SIGNING_TIME,
                                RAW(0x31, 0x00), NULL),
                            attr_ct(OID_DATA), attr_md(digest), NULL);
        break;
    }
    case ATTRS_TWO_DIGESTS_ONE_OK:
        *sent = der(0xa0, false, attr_ct(OID_DATA), attr_md(bad),
                    attr_md(digest), NULL);
        *signed_bytes = der(0x31, false, attr_ct(OID_DATA), attr_md(bad),
                            attr_md(digest), NULL);
        break;
    }
}

typedef struct AttrsCase {
    const char *path;
    AttrsShape shape;
    SigVerifyStatus want;
} AttrsCase;

/*
 * Hand-built SignedData (RSA, SHA-256, issuer+serial) around attribute
 * lists no tool writes, signed with the real key: GnuTLS's attribute rules
 * (verify_hash_attr) and its re-encoding, against upstream's loop.
 */
static void
test_attrs(gconstpointer opaque)
{
    const AttrsCase *c = opaque;
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GByteArray) sent = NULL;
    g_autoptr(GByteArray) signed_bytes = NULL;
    g_autoptr(GByteArray) ci = NULL;
    g_autoptr(GBytes) sig = NULL;
    gnutls_privkey_t key = NULL;
    gnutls_datum_t tbs, value = { NULL, 0 }, dn = { NULL, 0 };
    guint8 digest[32], serial[64];
    size_t serial_len = sizeof(serial);
    FixtureStore ts = { 0 };
    GByteArray *signer_info;

    small_store(&ts, &signer);
    g_assert_cmpint(gnutls_hash_fast(GNUTLS_DIG_SHA256, fixture_content,
                                     COMP_LEN, digest), ==, 0);
    make_attrs(c->shape, digest, &sent, &signed_bytes);

    g_assert_cmpint(gnutls_privkey_init(&key), ==, 0);
    g_assert_cmpint(gnutls_privkey_import_x509(key, signer->key, 0), ==, 0);
    tbs.data = signed_bytes->data;
    tbs.size = signed_bytes->len;
    g_assert_cmpint(gnutls_privkey_sign_data(key, GNUTLS_DIG_SHA256, 0, &tbs,
                                             &value), ==, 0);
    g_assert_cmpint(gnutls_x509_crt_get_raw_issuer_dn(signer->crt, &dn), ==, 0);
    g_assert_cmpint(gnutls_x509_crt_get_serial(signer->crt, serial,
                                               &serial_len), ==, 0);

    signer_info = der(0x30, false, RAW(0x02, 0x01, 0x01),
                      der(0x30, false, raw(dn.data, dn.size),
                          der(0x02, false, raw(serial, serial_len), NULL),
                          NULL),
                      der(0x30, false, OID_SHA256, NULL),
                      g_byte_array_ref(sent),
                      der(0x30, false, OID_RSA, RAW(0x05, 0x00), NULL),
                      der(0x04, false, raw(value.data, value.size), NULL),
                      NULL);
    ci = der(0x30, false, OID_SIGNED_DATA,
             der(0xa0, false,
                 der(0x30, false, RAW(0x02, 0x01, 0x01),
                     der(0x31, false, der(0x30, false, OID_SHA256, NULL),
                         NULL),
                     der(0x30, false, OID_DATA, NULL),
                     der(0x31, false, signer_info, NULL),
                     NULL),
                 NULL),
             NULL);
    sig = g_bytes_new(ci->data, ci->len);
    fixture_check_diff(&ts, sig, fixture_content, COMP_LEN, c->want, 1);

    gnutls_free(value.data);
    gnutls_free(dn.data);
    gnutls_privkey_deinit(key);
    fixture_store_clear(&ts);
}

static const AttrsCase attrs_cases[] = {
    { "/sigverify/attrs/der-order", ATTRS_DER, SIG_VERIFY_OK },
    { "/sigverify/attrs/unsorted-signed-as-sent", ATTRS_UNSORTED_SIGNED_SENT,
      SIG_VERIFY_FAILED },
    { "/sigverify/attrs/unsorted-signed-in-der-order",
      ATTRS_UNSORTED_SIGNED_DER, SIG_VERIFY_OK },
    { "/sigverify/attrs/long-form-length", ATTRS_LONG_LEN_SIGNED_DER,
      SIG_VERIFY_OK },
    { "/sigverify/attrs/no-message-digest", ATTRS_NO_DIGEST,
      SIG_VERIFY_FAILED },
    { "/sigverify/attrs/two-content-types", ATTRS_TWO_CONTENT_TYPES,
      SIG_VERIFY_FAILED },
    { "/sigverify/attrs/wrong-content-type", ATTRS_WRONG_CONTENT_TYPE,
      SIG_VERIFY_FAILED },
    { "/sigverify/attrs/empty-values-first", ATTRS_EMPTY_VALUES_FIRST,
      SIG_VERIFY_FAILED },
    { "/sigverify/attrs/two-digests-one-right", ATTRS_TWO_DIGESTS_ONE_OK,
      SIG_VERIFY_OK },
};

/*
 * Seeded random edits of a signed-attributes signature: several bytes
 * changed, inserted or deleted at once, so lengths and contents disagree
 * in ways single edits do not reach. Same rule: upstream's verdict.
 */
static void
test_random_edits(void)
{
    g_autoptr(CertGenCert) signer = NULL;
    g_autoptr(GBytes) good = NULL;
    CorpusSignOpts o = { .md = "sha256", .attrs = true };
    FixtureStore ts = { 0 };
    guint counts[SIG_VERIFY_BAD_RANGE + 1] = { 0 };
    GRand *r = g_rand_new_with_seed(508);
    gsize n = 0;
    const guint8 *g;
    guint iter;

    small_store(&ts, &signer);
    good = corpus_sign_openssl(signer, &o, fixture_workdir, fixture_content,
                               COMP_LEN);
    g = g_bytes_get_data(good, &n);
    for (iter = 0; iter < 3000; iter++) {
        g_autoptr(GByteArray) m = g_byte_array_append(g_byte_array_new(), g,
                                                      (guint)n);
        g_autoptr(GBytes) bad = NULL;
        guint edits = (guint)g_rand_int_range(r, 1, 5), e;

        for (e = 0; e < edits && m->len > 1; e++) {
            guint at = (guint)g_rand_int_range(r, 0, (gint32)m->len);
            guint8 v = (guint8)g_rand_int_range(r, 0, 256);

            switch (g_rand_int_range(r, 0, 3)) {
            case 0:
                m->data[at] = v;
                break;
            case 1:
                g_byte_array_append(m, &v, 1);     /* grow, then shift */
                memmove(m->data + at + 1, m->data + at, m->len - at - 1);
                m->data[at] = v;
                break;
            default:
                g_byte_array_remove_index(m, at);
                break;
            }
        }
        bad = g_bytes_new(m->data, m->len);
        counts[fixture_check_same(&ts, bad, fixture_content, COMP_LEN)]++;
    }
    g_rand_free(r);
    g_test_message("random edits: ok %u bad-format %u failed %u",
                   counts[SIG_VERIFY_OK], counts[SIG_VERIFY_BAD_FORMAT],
                   counts[SIG_VERIFY_FAILED]);
    g_assert_cmpuint(counts[SIG_VERIFY_BAD_FORMAT], >, 0);
    g_assert_cmpuint(counts[SIG_VERIFY_FAILED], >, 0);
    fixture_store_clear(&ts);
}

int
main(int argc, char **argv)
{
    guint i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    fixture_init();

    g_test_add_data_func("/sigverify/format/garbage", "garbage", test_format);
    g_test_add_data_func("/sigverify/format/truncated", "truncated",
                         test_format);
    g_test_add_data_func("/sigverify/format/truncated-last-byte",
                         "truncated-last-byte", test_format);
    g_test_add_data_func("/sigverify/format/one-byte", "one-byte",
                         test_format);
    g_test_add_data_func("/sigverify/format/certificate-not-pkcs7",
                         "certificate", test_format);
    g_test_add_data_func("/sigverify/format/no-signer-info",
                         "no-signer-info", test_format);
    g_test_add_func("/sigverify/range/outside-guest-memory", test_range);
    g_test_add_func("/sigverify/clock/validity-follows-store-clock",
                    test_clock_moves);
    g_test_add_func("/sigverify/large-component", test_large_component);
    g_test_add_func("/sigverify/empty-store", test_empty_store);
    g_test_add_data_func("/sigverify/mutations/openssl-noattr",
                         "openssl-noattr", test_mutations);
    g_test_add_data_func("/sigverify/mutations/openssl-attr",
                         "openssl-attr", test_mutations);
    g_test_add_data_func("/sigverify/mutations/gnutls-attr",
                         "gnutls-attr", test_mutations);
    g_test_add_data_func("/sigverify/mutations/gnutls-noattr",
                         "gnutls-noattr", test_mutations);
    g_test_add_data_func("/sigverify/mutations/openssl-keyid-attr",
                         "openssl-keyid-attr", test_mutations);
    g_test_add_func("/sigverify/mutations/random-edits", test_random_edits);
    for (i = 0; i < G_N_ELEMENTS(attrs_cases); i++) {
        g_test_add_data_func(attrs_cases[i].path, &attrs_cases[i],
                             test_attrs);
    }

    ret = g_test_run();
    fixture_cleanup();
    return ret;
}
