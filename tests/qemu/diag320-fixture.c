/*
 * diag320-fixture.c: golden DIAG 0x320 blocks and test fixtures (see
 * diag320-fixture.h)
 */
#include "diag320-fixture.h"

#include <gnutls/abstract.h>
#include <string.h>

char *tmpdir;
CertGenCert *cert_rsa;       /* a.pem */
CertGenCert *cert_p521;      /* b.pem */
CertGenCert *cert_p256;      /* c.pem */
CertGenCert *cert_expired;   /* old.pem */
CertGenCert *cert_future;    /* new.pem */
time_t fake_now;

time_t
fake_clock(void)
{
    return fake_now;
}

void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8; p[1] = (uint8_t)v;
}

void
put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

uint8_t
ebcdic(char c)
{
    if (c >= 'a' && c <= 'i') return 0x81 + (c - 'a');
    if (c >= 'j' && c <= 'r') return 0x91 + (c - 'j');
    if (c >= 's' && c <= 'z') return 0xa2 + (c - 's');
    if (c >= '0' && c <= '9') return 0xf0 + (c - '0');
    if (c == '.') return 0x4b;
    if (c == '-') return 0x60;
    if (c == '_') return 0x6d;
    g_assert_not_reached();
}

void
sha256(const void *data, gsize len, uint8_t out[32])
{
    g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);
    gsize n = 32;

    g_checksum_update(ck, data, len);
    g_checksum_get_digest(ck, out, &n);
    g_assert_cmpuint(n, ==, 32);
}

void
spki_sha256(const CertGenCert *c, uint8_t out[32])
{
    gnutls_pubkey_t pub;
    gnutls_datum_t d;

    g_assert_cmpint(gnutls_pubkey_init(&pub), ==, 0);
    g_assert_cmpint(gnutls_pubkey_import_x509(pub, c->crt, 0), ==, 0);
    g_assert_cmpint(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &d), ==, 0);
    sha256(d.data, d.size, out);
    gnutls_free(d.data);
    gnutls_pubkey_deinit(pub);
}

/* Expected VCE (spec/02 §5.7) for a certificate at 1-origin @idx. */
void
append_vce(GByteArray *out, const CertGenCert *c, const char *name,
           uint16_t idx, uint8_t key_type, bool valid)
{
    gsize padded = (c->der_len + 3) & ~(gsize)3;
    gsize len = valid ? 192 + padded : 72;
    g_autofree uint8_t *v = g_malloc0(len);

    put32(v + 0, (uint32_t)len);
    v[4] = valid ? 0x80 : 0x00;
    v[5] = valid ? key_type : 0;            /* 07 D26 */
    put16(v + 6, idx);
    memset(v + 8, 0x40, 64);
    for (gsize i = 0; name[i] && i < 64; i++) {
        v[8 + i] = ebcdic(name[i]);
    }
    if (valid) {
        v[72] = 1;                          /* format X.509 DER */
        put16(v + 74, 32);                  /* keyid_len */
        v[77] = 1;                          /* hash_type SHA2-256 */
        put16(v + 78, 32);                  /* hash_len */
        put32(v + 84, (uint32_t)c->der_len);
        put16(v + 96, 160);                 /* hash_offset */
        put16(v + 98, 192);                 /* cert_offset */
        spki_sha256(c, v + 128);
        sha256(c->der, c->der_len, v + 160);
        memcpy(v + 192, c->der, c->der_len);
    }
    g_byte_array_append(out, v, (guint)len);
}

gsize
vce_len(const CertGenCert *c)
{
    return 192 + ((c->der_len + 3) & ~(gsize)3);
}

CertStore *
store_of(const char *const *names)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    CertStore *store;

    for (gsize i = 0; names && names[i]; i++) {
        g_ptr_array_add(paths, g_build_filename(tmpdir, names[i], NULL));
    }
    store = cert_store_new((const char *const *)paths->pdata, paths->len,
                           &error);
    g_assert_no_error(error);
    g_assert_nonnull(store);
    return store;
}

void
fix_init(Fix *f, const char *const *names)
{
    f->store = store_of(names);
    f->mem = guestmem_new(MEM_SIZE, NULL);
    g_assert_nonnull(f->mem);
    f->before = g_malloc(MEM_SIZE);
}

void
fix_clear(Fix *f)
{
    cert_store_free(f->store);
    guestmem_free(f->mem);
    g_free(f->before);
}

void
snapshot(Fix *f)
{
    g_assert_true(guestmem_read(f->mem, 0, f->before, MEM_SIZE));
}

void
assert_unchanged(Fix *f)
{
    g_autofree uint8_t *now = g_malloc(MEM_SIZE);

    g_assert_true(guestmem_read(f->mem, 0, now, MEM_SIZE));
    g_assert_cmpmem(now, MEM_SIZE, f->before, MEM_SIZE);
}

void
poke(Fix *f, uint64_t addr, const void *buf, gsize len)
{
    g_assert_true(guestmem_write(f->mem, addr, buf, len));
}

void
assert_mem(Fix *f, uint64_t addr, const void *want, gsize len)
{
    g_autofree uint8_t *got = g_malloc(len + 1);  /* never NULL */

    g_assert_true(guestmem_read(f->mem, addr, got, len));
    g_assert_cmpmem(got, len, want, len);
}

DiagException
run(Fix *f, const DiagCpu *cpu, unsigned r1, uint64_t addr, uint64_t subcode,
    uint64_t *r1p1)
{
    *r1p1 = SENTINEL;
    return diag320_handle(f->store, f->mem, cpu, r1, addr, subcode, r1p1);
}

const char *const three[] = { "a.pem", "b.pem", "c.pem", NULL };

void
make_vcb_in(uint8_t *b, uint32_t in_len, uint16_t first, uint16_t last)
{
    memset(b, 0, 64);
    put32(b + 0, in_len);
    put16(b + 8, first);
    put16(b + 10, last);
}

void
want_header(uint8_t *b, uint32_t in_len, uint16_t first, uint16_t last,
            uint32_t out_len, uint16_t stored, uint16_t remain)
{
    make_vcb_in(b, in_len, first, last);
    put32(b + 32, out_len);
    put16(b + 40, stored);
    put16(b + 42, remain);
}

void
check_vcb(Fix *f, uint64_t addr, uint32_t in_len, uint16_t first,
          uint16_t last, GByteArray *vces, uint16_t stored, uint16_t remain)
{
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t r1p1;
    uint8_t in[64], want[64];
    g_autofree uint8_t *tail = NULL;

    make_vcb_in(in, in_len, first, last);
    poke(f, addr, in, sizeof(in));
    snapshot(f);
    g_assert_cmpint(run(f, &cpu, 2, addr, 2, &r1p1), ==, DIAG_EXC_NONE);
    g_assert_cmphex(r1p1, ==, 0x0001);
    want_header(want, in_len, first, last, 64 + vces->len, stored, remain);
    assert_mem(f, addr, want, sizeof(want));
    assert_mem(f, addr + 64, vces->data, vces->len);
    /* nothing after the last entry */
    tail = g_malloc(64);
    g_assert_true(guestmem_read(f->mem, addr + 64 + vces->len, tail, 64));
    g_assert_cmpmem(tail, 64, f->before + addr + 64 + vces->len, 64);
}

void
check_vcb_rc(Fix *f, uint32_t in_len, uint16_t first, uint16_t last,
             uint64_t rc)
{
    DiagCpu cpu = DIAG_CPU_DEFAULT;
    uint64_t r1p1;
    uint8_t in[64];

    make_vcb_in(in, in_len, first, last);
    poke(f, 0x10000, in, sizeof(in));
    snapshot(f);
    g_assert_cmpint(run(f, &cpu, 2, 0x10000, 2, &r1p1), ==, DIAG_EXC_NONE);
    g_assert_cmphex(r1p1, ==, rc);
    assert_unchanged(f);
}

/**
 * diag320_fixture_setup:
 * Makes the five certificates of diag320-fixture.h and writes them to a new
 * temporary directory. Call after g_test_init().
 */
void
diag320_fixture_setup(void)
{
    time_t now = time(NULL);
    CertGenSpec rsa = { .key_type = CERTGEN_RSA2048, .cn = "a" };
    CertGenSpec p521 = { .key_type = CERTGEN_P521, .cn = "b" };
    CertGenSpec p256 = { .key_type = CERTGEN_P256, .cn = "c" };
    CertGenSpec old = { .key_type = CERTGEN_P256, .cn = "old",
                        .not_before = now - 30 * 86400,
                        .not_after = now - 86400 };
    CertGenSpec future = { .key_type = CERTGEN_P256, .cn = "new",
                           .not_before = now + 86400,
                           .not_after = now + 30 * 86400 };

    tmpdir = certgen_tmpdir_new();
    cert_rsa = certgen_new(&rsa);
    cert_p521 = certgen_new(&p521);
    cert_p256 = certgen_new(&p256);
    cert_expired = certgen_new(&old);
    cert_future = certgen_new(&future);
    {
        struct { CertGenCert *c; const char *n; } files[] = {
            { cert_rsa, "a.pem" }, { cert_p521, "b.pem" },
            { cert_p256, "c.pem" }, { cert_expired, "old.pem" },
            { cert_future, "new.pem" },
        };
        for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
            g_autofree char *p = g_build_filename(tmpdir, files[i].n, NULL);
            certgen_write_pem(files[i].c, p);
        }
    }
}

/**
 * diag320_fixture_teardown:
 * Removes the directory and frees the certificates.
 */
void
diag320_fixture_teardown(void)
{
    certgen_tmpdir_remove(tmpdir);
    g_free(tmpdir);
    certgen_free(cert_rsa);
    certgen_free(cert_p521);
    certgen_free(cert_p256);
    certgen_free(cert_expired);
    certgen_free(cert_future);
}
