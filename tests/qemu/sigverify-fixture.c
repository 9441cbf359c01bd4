/*
 * sigverify-fixture.c: shared set-up of the sig_verify() tests
 */
#include "sigverify-fixture.h"

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "qemu/guestmem.h"

time_t fixture_now;
char *fixture_workdir;
guint8 *fixture_content;

/* One key per type, generated once per run (RSA-4096 is the slow one). */
static CertGenCert *key_cache[CERTGEN_ED25519 + 1];
/* Store fillers: other keys, P-256 because it is quick to generate. */
static CertGenCert *fillers[FIXTURE_STORE_MAX];

static time_t
fixture_clock(void)
{
    return fixture_now;
}

static time_t
fixture_gnutls_clock(time_t *t)
{
    if (t) {
        *t = fixture_now;
    }
    return fixture_now;
}

void
fixture_init(void)
{
    GRand *r = g_rand_new_with_seed(2026);
    guint i;

    fixture_now = time(NULL);
    gnutls_global_set_time_function(fixture_gnutls_clock);
    fixture_workdir = certgen_tmpdir_new();
    fixture_content = g_malloc(FIXTURE_COMP_LEN);
    for (i = 0; i < FIXTURE_COMP_LEN; i++) {
        fixture_content[i] = (guint8)g_rand_int_range(r, 0, 256);
    }
    g_rand_free(r);
}

void
fixture_cleanup(void)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(key_cache); i++) {
        g_clear_pointer(&key_cache[i], certgen_free);
    }
    for (i = 0; i < FIXTURE_STORE_MAX; i++) {
        g_clear_pointer(&fillers[i], certgen_free);
    }
    certgen_tmpdir_remove(fixture_workdir);
    g_clear_pointer(&fixture_workdir, g_free);
    g_clear_pointer(&fixture_content, g_free);
}

CertGenCert *
fixture_key(CertGenKeyType type)
{
    if (!key_cache[type]) {
        CertGenSpec spec = { .key_type = type, .cn = "sipl signer" };
        key_cache[type] = certgen_new(&spec);
    }
    return key_cache[type];
}

CertGenCert *
fixture_filler(guint i)
{
    g_assert_cmpuint(i, <, FIXTURE_STORE_MAX);
    if (!fillers[i]) {
        CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = "sipl filler" };
        fillers[i] = certgen_new(&spec);
    }
    return fillers[i];
}

CertGenCert *
fixture_cert(CertGenKeyType type, guint64 serial, time_t not_before,
             time_t not_after, unsigned int key_usage, bool no_key_usage)
{
    CertGenSpec spec = {
        .key_type = type,
        .cn = "sipl signer",
        .serial = serial,
        .not_before = not_before,
        .not_after = not_after,
        .key_usage = key_usage,
        .no_key_usage = no_key_usage,
        .reuse_key = fixture_key(type)->key,
    };
    return certgen_new(&spec);
}

void
fixture_store_init(FixtureStore *fs, CertGenCert *const *certs, guint n)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_build_filename(fixture_workdir, "store", NULL);
    guint i;

    g_assert_cmpuint(n, <=, FIXTURE_STORE_MAX);
    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    for (i = 0; i < n; i++) {
        char *path = g_strdup_printf("%s/%02u.pem", dir, i);

        certgen_write_pem(certs[i], path);
        g_ptr_array_add(paths, path);
        fs->pems[i] = certs[i]->pem;
    }
    fs->n = n;
    fs->store = cert_store_new((const char *const *)paths->pdata, n, &error);
    g_assert_no_error(error);
    g_assert_nonnull(fs->store);
    g_assert_cmpuint(cert_store_count(fs->store), ==, n);
    cert_store_set_clock(fs->store, fixture_clock);
}

void
fixture_store_clear(FixtureStore *fs)
{
    g_clear_pointer(&fs->store, cert_store_free);
}

static SigVerifyStatus
fixture_run(const FixtureStore *fs, GBytes *sig, const guint8 *data,
            gsize len, int *upstream, guint *index)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GuestMem) mem = guestmem_new(FIXTURE_MEM_SIZE, &error);
    g_autofree guint8 *back = g_malloc(len ? len : 1);
    gsize sig_len = 0;
    const guint8 *sig_data = g_bytes_get_data(sig, &sig_len);
    SigVerifyStatus st;

    g_assert_no_error(error);
    g_assert_true(guestmem_write(mem, FIXTURE_COMP_ADDR, data, len));

    *upstream = corpus_upstream_index(fs->pems, fs->n, sig, data, len);
    *index = FIXTURE_INDEX_UNTOUCHED;
    st = sig_verify(fs->store, sig_data, sig_len, mem, FIXTURE_COMP_ADDR, len,
                    index);

    if (*upstream >= 0) {
        g_assert_cmpint(st, ==, SIG_VERIFY_OK);
        g_assert_cmpint((int)*index, ==, *upstream);
    } else {
        g_assert_cmpint(st, !=, SIG_VERIFY_OK);
        g_assert_cmpuint(*index, ==, FIXTURE_INDEX_UNTOUCHED);
    }
    /* Hashing in place must not write guest memory. */
    g_assert_true(guestmem_read(mem, FIXTURE_COMP_ADDR, back, len));
    g_assert_cmpmem(back, len, data, len);
    return st;
}

int
fixture_check_diff(const FixtureStore *fs, GBytes *sig, const guint8 *data,
                   gsize len, SigVerifyStatus want, int want_index)
{
    int upstream;
    guint index;
    SigVerifyStatus st = fixture_run(fs, sig, data, len, &upstream, &index);

    g_assert_cmpint(st, ==, want);
    if (want == SIG_VERIFY_OK) {
        g_assert_cmpint((int)index, ==, want_index);
    }
    return upstream;
}

SigVerifyStatus
fixture_check_same(const FixtureStore *fs, GBytes *sig, const guint8 *data,
                   gsize len)
{
    int upstream;
    guint index;

    return fixture_run(fs, sig, data, len, &upstream, &index);
}
