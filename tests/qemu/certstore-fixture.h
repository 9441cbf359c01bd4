/*
 * certstore-fixture.h: helpers shared by the certificate-store tests
 *
 * A per-test temporary directory with two P-256 certificates of one shared
 * key (certifying one key many times keeps the suites fast), file helpers,
 * and assertions on a store's error or warnings.
 */
#ifndef SIPL_TEST_CERTSTORE_FIXTURE_H
#define SIPL_TEST_CERTSTORE_FIXTURE_H

#include "certgen.h"
#include "qemu/certstore.h"

#include <glib/gstdio.h>

static gnutls_x509_privkey_t shared_key;

static inline CertGenCert *
make_cert(const char *cn)
{
    CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = cn,
                         .reuse_key = shared_key };

    return certgen_new(&spec);
}

typedef struct {
    char *dir;
    CertGenCert *cert;          /* a P-256 certificate, "one" */
    CertGenCert *other;         /* another one, "two" */
} Fixture;

static inline void
fixture_setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->dir = certgen_tmpdir_new();
    f->cert = make_cert("one");
    f->other = make_cert("two");
}

static inline void
fixture_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    certgen_tmpdir_remove(f->dir);
    g_free(f->dir);
    certgen_free(f->cert);
    certgen_free(f->other);
}

/* @dir/@name, written with @cert's PEM when @cert is not NULL. */
static inline char *
put(const char *dir, const char *name, const CertGenCert *cert)
{
    char *path = g_build_filename(dir, name, NULL);

    if (cert) {
        certgen_write_pem(cert, path);
    }
    return path;
}

static inline char *
put_dir(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    return path;
}

/* Build a store that must fail; check the domain, code and exact text. */
static inline void
assert_store_error(const char *const *paths, size_t n, int code,
                   const char *message)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CertStore) store = cert_store_new(paths, n, &error);

    g_assert_null(store);
    g_assert_error(error, CERT_STORE_ERROR, code);
    g_assert_cmpstr(error->message, ==, message);
}

static inline CertStore *
store_ok(const char *const *paths, size_t n)
{
    g_autoptr(GError) error = NULL;
    CertStore *store = cert_store_new(paths, n, &error);

    g_assert_no_error(error);
    g_assert_nonnull(store);
    return store;
}

static inline void
assert_warnings(const CertStore *store, const char *const *want)
{
    const char *const *got = cert_store_warnings(store);
    guint i;

    for (i = 0; want[i]; i++) {
        g_assert_cmpstr(got[i], ==, want[i]);
    }
    g_assert_cmpstr(got[i], ==, NULL);
}

/* Generate the shared key; call once from main() before g_test_run(). */
static inline void
fixture_init_key(void)
{
    g_assert_cmpint(gnutls_x509_privkey_init(&shared_key), ==, 0);
    g_assert_cmpint(gnutls_x509_privkey_generate(
                        shared_key, GNUTLS_PK_ECDSA,
                        GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                    ==, 0);
}

static inline void
fixture_free_key(void)
{
    gnutls_x509_privkey_deinit(shared_key);
}

#define FIXTURE_ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

#endif /* SIPL_TEST_CERTSTORE_FIXTURE_H */
