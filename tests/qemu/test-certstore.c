/*
 * test-certstore.c: QEMU's path and loading rules (spec/02 §2) and sipl's
 * differences there (07 D4, D28, K8, K11)
 *
 * Certificates are made at run time with GnuTLS (certgen); sizes and texts
 * are written out here from the spec, never taken from the store's code.
 * The per-certificate data is tested in test-certstore-entry.c.
 */
#include "certstore-fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_certstore_empty_list(void)
{
    g_autoptr(CertStore) store = store_ok(NULL, 0);
    static const char *const none[] = { NULL };

    g_assert_cmpuint(cert_store_count(store), ==, 0);
    g_assert_null(cert_store_get(store, 0));
    g_assert_cmpuint(cert_store_total_bytes(store), ==, 0);
    g_assert_cmpuint(cert_store_largest_data_size(store), ==, 0);
    assert_warnings(store, none);
}

/* spec/02 §2 table, steps 1-3 and 5 */
static void
test_certstore_path_errors(Fixture *f, gconstpointer data)
{
    g_autofree char *good = put(f->dir, "good.pem", f->cert);
    g_autofree char *upper = put(f->dir, "cert.PEM", f->cert);
    g_autofree char *bak = put(f->dir, "cert.pem.bak", f->cert);
    g_autofree char *missing = g_build_filename(f->dir, "missing.pem", NULL);
    g_autofree char *notdir = g_build_filename(good, "x.pem", NULL);
    g_autofree char *loop = g_build_filename(f->dir, "loop.pem", NULL);
    g_autofree char *dangling = g_build_filename(f->dir, "dangling.pem", NULL);
    g_autofree char *fifo = g_build_filename(f->dir, "fifo.pem", NULL);
    g_autofree char *msg = NULL;
    (void)data;

    {
        const char *p[] = { good, "" };
        assert_store_error(p, 2, CERT_STORE_ERROR_PATH,
                           "Empty path in certificate path list is not allowed");
    }
    {
        const char *p[] = { good, missing };
        msg = g_strdup_printf("Failed to stat path '%s': No such file or directory",
                              missing);
        assert_store_error(p, 2, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    {
        const char *p[] = { notdir };
        msg = g_strdup_printf("Failed to stat path '%s': Not a directory",
                              notdir);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    g_assert_cmpint(symlink("loop.pem", loop), ==, 0);
    {
        const char *p[] = { loop };
        msg = g_strdup_printf("Failed to stat path '%s': Too many levels of symbolic links",
                              loop);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    /* stat() follows symlinks: a dangling one does not exist */
    g_assert_cmpint(symlink("nowhere.pem", dangling), ==, 0);
    {
        const char *p[] = { dangling };
        msg = g_strdup_printf("Failed to stat path '%s': No such file or directory",
                              dangling);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    /* The suffix is case-sensitive and must be the end */
    {
        const char *p[] = { upper };
        msg = g_strdup_printf("Certificate file '%s' must have a .pem extension",
                              upper);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    {
        const char *p[] = { good, bak };
        msg = g_strdup_printf("Certificate file '%s' must have a .pem extension",
                              bak);
        assert_store_error(p, 2, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    {
        const char *p[] = { fifo };
        msg = g_strdup_printf("Path '%s' is neither a file nor a directory",
                              fifo);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
    {
        const char *p[] = { "/dev/null" };
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH,
                           "Path '/dev/null' is neither a file nor a directory");
    }
    /* Nothing was changed or removed on the way */
    g_assert_true(g_file_test(good, G_FILE_TEST_IS_REGULAR));
}

/*
 * spec/02 §2 step 4, directory that cannot be opened. Root opens any
 * directory, so the reliable way is running out of descriptors (in a
 * subprocess); without root, a mode-0 directory is tried as well.
 */
static void
test_certstore_opendir_error(Fixture *f, gconstpointer data)
{
    g_autofree char *sub = put_dir(f->dir, "sub");
    g_autofree char *msg = NULL;
    (void)data;

    if (g_test_subprocess()) {
        const char *p[] = { sub };
        struct rlimit rl = { 16, 16 };
        int fds[16];
        int n = 0;

        g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &rl), ==, 0);
        while (n < 16 && (fds[n] = open("/dev/null", O_RDONLY)) >= 0) {
            n++;
        }
        g_assert_cmpint(errno, ==, EMFILE);
        msg = g_strdup_printf("Failed to open directory '%s': "
                              "Error opening directory \u201c%s\u201d: "
                              "Too many open files", sub, sub);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        /* The fixture's teardown needs descriptors again */
        while (n > 0) {
            close(fds[--n]);
        }
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();

    if (geteuid() != 0) {
        const char *p[] = { sub };

        g_assert_cmpint(g_chmod(sub, 0), ==, 0);
        msg = g_strdup_printf("Failed to open directory '%s': "
                              "Error opening directory \u201c%s\u201d: "
                              "Permission denied", sub, sub);
        assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
        g_assert_cmpint(g_chmod(sub, 0700), ==, 0);
    }
}

/* spec/02 §2 "Loading" 1-2 and 07 D28 */
static void
test_certstore_load_errors(Fixture *f, gconstpointer data)
{
    g_autofree char *good = put(f->dir, "good.pem", f->cert);
    g_autofree char *der = put(f->dir, "der.pem", NULL);
    g_autofree char *empty = put(f->dir, "empty.pem", NULL);
    g_autofree char *sub = put_dir(f->dir, "sub");
    g_autofree char *subdir_pem = put_dir(sub, "x.pem");
    g_autofree char *dang_dir = put_dir(f->dir, "dang");
    g_autofree char *dangling = g_build_filename(dang_dir, "gone.pem", NULL);
    g_autofree char *mem = g_build_filename(f->dir, "mem.pem", NULL);
    g_autofree char *msg = NULL;
    (void)data;

    g_assert_true(g_file_set_contents(der, (const char *)f->cert->der,
                                      f->cert->der_len, NULL));
    g_assert_true(g_file_set_contents(empty, "", 0, NULL));
    {
        const char *p[] = { good, der };
        msg = g_strdup_printf("Failed to initialize certificate: %s: "
                              "Failed to import certificate: "
                              "Base64 unexpected header error.", der);
        assert_store_error(p, 2, CERT_STORE_ERROR_LOAD, msg);
        g_clear_pointer(&msg, g_free);
    }
    {
        const char *p[] = { empty };
        msg = g_strdup_printf("Failed to initialize certificate: %s: "
                              "Failed to import certificate: "
                              "Base64 unexpected header error.", empty);
        assert_store_error(p, 1, CERT_STORE_ERROR_LOAD, msg);
        g_clear_pointer(&msg, g_free);
    }
    /* 07 D28: upstream's read error becomes sipl's own text */
    {
        const char *p[] = { sub };
        msg = g_strdup_printf("Certificate path '%s' is not a regular file",
                              subdir_pem);
        assert_store_error(p, 1, CERT_STORE_ERROR_LOAD, msg);
        g_clear_pointer(&msg, g_free);
    }
    /* A directory entry is not stat'ed at collection; reading it fails */
    g_assert_cmpint(symlink("nowhere", dangling), ==, 0);
    {
        const char *p[] = { dang_dir };
        msg = g_strdup_printf("Failed to load certificate: %s", dangling);
        assert_store_error(p, 1, CERT_STORE_ERROR_LOAD, msg);
        g_clear_pointer(&msg, g_free);
    }
    /* A regular file that cannot be read, even by root (EIO at offset 0) */
    g_assert_cmpint(symlink("/proc/self/mem", mem), ==, 0);
    {
        const char *p[] = { good, mem };
        msg = g_strdup_printf("Failed to load certificate: %s", mem);
        assert_store_error(p, 2, CERT_STORE_ERROR_LOAD, msg);
        g_clear_pointer(&msg, g_free);
    }
    /* All paths are collected before any is loaded */
    {
        g_autofree char *missing = g_build_filename(f->dir, "no.pem", NULL);
        const char *p[] = { der, missing };
        msg = g_strdup_printf("Failed to stat path '%s': No such file or directory",
                              missing);
        assert_store_error(p, 2, CERT_STORE_ERROR_PATH, msg);
        g_clear_pointer(&msg, g_free);
    }
}

/* spec/02 §2 step 6: 64 certificates fit, 65 are refused before loading */
static void
test_certstore_count_limit(Fixture *f, gconstpointer data)
{
    g_autofree char *dir = put_dir(f->dir, "many");
    g_autofree char *extra = put(f->dir, "extra.pem", NULL);
    g_autofree char *bad = put(f->dir, "bad.pem", NULL);
    (void)data;

    for (int i = 0; i < 64; i++) {
        g_autofree char *name = g_strdup_printf("%02d.pem", i);

        g_free(put(dir, name, f->cert));
    }
    g_assert_true(g_file_set_contents(extra, f->other->pem, -1, NULL));
    g_assert_true(g_file_set_contents(bad, "not a certificate", -1, NULL));
    {
        const char *p[] = { dir };
        g_autoptr(CertStore) store = store_ok(p, 1);

        g_assert_cmpuint(cert_store_count(store), ==, 64);
        g_assert_nonnull(cert_store_get(store, 63));
        g_assert_null(cert_store_get(store, 64));
    }
    {
        const char *p[] = { dir, extra };
        assert_store_error(p, 2, CERT_STORE_ERROR_LIMIT,
                           "Cert store exceeds maximum of 64 certificates");
    }
    {
        /* The limit is checked before the unloadable file is read */
        const char *p[] = { bad, dir };
        assert_store_error(p, 2, CERT_STORE_ERROR_LIMIT,
                           "Cert store exceeds maximum of 64 certificates");
    }
}

/*
 * A certificate whose DER is exactly @der_len bytes: an Ed25519
 * certificate re-issued with a private non-critical extension whose size
 * is adjusted until the DER lands on the target. Ed25519 signatures have a
 * fixed length, so the size converges.
 */
static CertGenCert *
make_sized_cert(size_t der_len)
{
    CertGenSpec spec = { .key_type = CERTGEN_ED25519, .cn = "sized" };
    CertGenCert *cert = certgen_new(&spec);
    size_t pad = der_len > cert->der_len + 16 ? der_len - cert->der_len - 16
                                              : 1;

    for (int round = 0; round < 8 && cert->der_len != der_len; round++) {
        g_autofree guint8 *value = g_malloc0(pad + 4);
        gnutls_datum_t d;

        /* OCTET STRING with a two-byte length: valid DER inside */
        value[0] = 0x04;
        value[1] = 0x82;
        value[2] = (guint8)(pad >> 8);
        value[3] = (guint8)pad;
        memset(value + 4, 0x5a, pad);
        g_assert_cmpint(gnutls_x509_crt_set_extension_by_oid(
                            cert->crt, "1.3.6.1.4.1.55555.1", value, pad + 4,
                            0), ==, 0);
        g_assert_cmpint(gnutls_x509_crt_sign2(cert->crt, cert->crt, cert->key,
                                              GNUTLS_DIG_UNKNOWN, 0), ==, 0);
        g_assert_cmpint(gnutls_x509_crt_export2(cert->crt, GNUTLS_X509_FMT_DER,
                                                &d), ==, 0);
        g_free(cert->der);
        cert->der = g_memdup2(d.data, d.size);
        cert->der_len = d.size;
        gnutls_free(d.data);
        pad += der_len - cert->der_len;
    }
    g_assert_cmpuint(cert->der_len, ==, der_len);
    {
        gnutls_datum_t d;

        g_assert_cmpint(gnutls_x509_crt_export2(cert->crt, GNUTLS_X509_FMT_PEM,
                                                &d), ==, 0);
        g_free(cert->pem);
        cert->pem = g_strndup((const char *)d.data, d.size);
        gnutls_free(d.data);
    }
    return cert;
}

/* spec/02 §2 "Loading" 3 and §3.2: DER 8000 fits (8064), 8001 does not */
static void
test_certstore_size_limit(Fixture *f, gconstpointer data)
{
    g_autoptr(CertGenCert) fits = make_sized_cert(8000);
    g_autoptr(CertGenCert) over = make_sized_cert(8001);
    g_autofree char *fits_path = put(f->dir, "fits.pem", fits);
    g_autofree char *over_path = put(f->dir, "over.pem", over);
    (void)data;

    {
        const char *p[] = { fits_path };
        g_autoptr(CertStore) store = store_ok(p, 1);
        const CertStoreEntry *e = cert_store_get(store, 0);

        g_assert_cmpuint(e->der_size, ==, 8000);
        g_assert_cmpmem(e->der, e->der_size, fits->der, fits->der_len);
        g_assert_cmpuint(e->data_size, ==, 8064);
        g_assert_cmpuint(cert_store_largest_data_size(store), ==, 8064);
    }
    {
        /* 64 + round_up(8001, 4) = 8068 */
        const char *p[] = { fits_path, over_path };
        assert_store_error(p, 2, CERT_STORE_ERROR_LIMIT,
                           "Certificate data size 8068 exceeds maximum buffer size 8064");
    }
}

/* 07 D4: command-line order, then each directory in byte-wise name order */
static void
test_certstore_sorted(Fixture *f, gconstpointer data)
{
    /* Created out of order; "\xc3\xa9" is é in UTF-8, above all ASCII */
    static const char *const created[] = {
        "a.pem", "\xc3\xa9.pem", "9.pem", "B.pem", "10.pem", "Z.pem",
        "notes.txt", "_x.pem",
    };
    static const char *const sorted[] = {
        "10.pem", "9.pem", "B.pem", "Z.pem", "_x.pem", "a.pem",
        "\xc3\xa9.pem",
    };
    static const char *const want_warn[] = {
        "skipping 'notes.txt': not a .pem file", NULL,
    };
    g_autofree char *dir = put_dir(f->dir, "d");
    g_autofree char *first = put(f->dir, "first.pem", f->other);
    g_autofree char *last = put(f->dir, "zz-last.pem", f->other);
    const char *p[3];
    g_autoptr(CertStore) store = NULL;
    (void)data;

    for (size_t i = 0; i < G_N_ELEMENTS(created); i++) {
        g_free(put(dir, created[i], f->cert));
    }
    p[0] = first;
    p[1] = dir;
    p[2] = last;
    store = store_ok(p, 3);
    g_assert_cmpuint(cert_store_count(store), ==, 2 + G_N_ELEMENTS(sorted));
    g_assert_cmpstr(cert_store_get(store, 0)->path, ==, first);
    for (size_t i = 0; i < G_N_ELEMENTS(sorted); i++) {
        g_autofree char *want = g_build_filename(dir, sorted[i], NULL);
        const CertStoreEntry *e = cert_store_get(store, (guint)i + 1);

        g_assert_cmpstr(e->path, ==, want);
        g_assert_cmpmem(e->der, e->der_size, f->cert->der, f->cert->der_len);
    }
    g_assert_cmpstr(cert_store_get(store, 8)->path, ==, last);
    g_assert_cmpmem(cert_store_get(store, 8)->der,
                    cert_store_get(store, 8)->der_size,
                    f->other->der, f->other->der_len);
    assert_warnings(store, want_warn);
}

/* stat() follows symlinks; paths and names stay as given (spec/02 §2) */
static void
test_certstore_symlinks(Fixture *f, gconstpointer data)
{
    g_autofree char *real_dir = put_dir(f->dir, "real");
    g_autofree char *real = put(real_dir, "real.pem", f->cert);
    g_autofree char *link_dir = g_build_filename(f->dir, "linkdir", NULL);
    g_autofree char *link = g_build_filename(f->dir, "link.pem", NULL);
    g_autofree char *noext = g_build_filename(f->dir, "link", NULL);
    g_autofree char *via_dir = g_build_filename(link_dir, "real.pem", NULL);
    g_autofree char *msg = NULL;
    const char *p[2];
    g_autoptr(CertStore) store = NULL;
    /* "link.pem" in EBCDIC, then blanks */
    static const guint8 link_name[8] = {
        0x93, 0x89, 0x95, 0x92, 0x4b, 0x97, 0x85, 0x94,
    };
    (void)data;

    g_assert_cmpint(symlink(real, link), ==, 0);
    g_assert_cmpint(symlink("real", link_dir), ==, 0);
    g_assert_cmpint(symlink(real, noext), ==, 0);
    p[0] = link;
    p[1] = link_dir;
    store = store_ok(p, 2);
    g_assert_cmpuint(cert_store_count(store), ==, 2);
    g_assert_cmpstr(cert_store_get(store, 0)->path, ==, link);
    g_assert_cmpmem(cert_store_get(store, 0)->name, 8, link_name, 8);
    g_assert_cmpuint(cert_store_get(store, 0)->name[8], ==, 0x40);
    g_assert_cmpstr(cert_store_get(store, 1)->path, ==, via_dir);

    /* The extension rule applies to the link's own name */
    p[0] = noext;
    msg = g_strdup_printf("Certificate file '%s' must have a .pem extension",
                          noext);
    assert_store_error(p, 1, CERT_STORE_ERROR_PATH, msg);
}

/* 07 D28 warning for bundles, K9 first certificate only */
static void
test_certstore_bundle(Fixture *f, gconstpointer data)
{
    g_autofree char *path = g_build_filename(f->dir, "bundle.pem", NULL);
    g_autofree char *text = g_strconcat(f->cert->pem, f->other->pem, NULL);
    g_autofree char *warn = g_strdup_printf(
        "'%s' contains more than one certificate; only the first is used",
        path);
    const char *want[] = { warn, NULL };
    const char *p[] = { path };
    g_autoptr(CertStore) store = NULL;
    (void)data;

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    store = store_ok(p, 1);
    g_assert_cmpuint(cert_store_count(store), ==, 1);
    g_assert_cmpmem(cert_store_get(store, 0)->der,
                    cert_store_get(store, 0)->der_size,
                    f->cert->der, f->cert->der_len);
    assert_warnings(store, want);
}

/* spec/02 §2 step 4 warnings; 07 K11: an empty directory is no error */
static void
test_certstore_empty_dir(Fixture *f, gconstpointer data)
{
    g_autofree char *empty = put_dir(f->dir, "empty");
    g_autofree char *other = put_dir(f->dir, "other");
    g_autofree char *msg = g_strdup_printf("'%s' directory is empty", empty);
    const char *want[] = { msg, "skipping 'readme': not a .pem file", NULL };
    const char *p[] = { empty, other };
    g_autoptr(CertStore) store = NULL;
    (void)data;

    g_free(put(other, "readme", f->cert));
    store = store_ok(p, 2);
    g_assert_cmpuint(cert_store_count(store), ==, 0);
    g_assert_cmpuint(cert_store_total_bytes(store), ==, 0);
    assert_warnings(store, want);
}

/* 07 K8: the same certificate reached three ways takes three indices */
static void
test_certstore_duplicates(Fixture *f, gconstpointer data)
{
    g_autofree char *dir = put_dir(f->dir, "d");
    g_autofree char *path = put(dir, "one.pem", f->cert);
    const char *p[] = { path, dir, path };
    g_autoptr(CertStore) store = store_ok(p, 3);
    size_t data_size = 64 + ((f->cert->der_len + 3) & ~(gsize)3);
    (void)data;

    g_assert_cmpuint(cert_store_count(store), ==, 3);
    for (guint i = 0; i < 3; i++) {
        const CertStoreEntry *e = cert_store_get(store, i);

        g_assert_cmpmem(e->der, e->der_size, f->cert->der, f->cert->der_len);
        g_assert_cmpuint(e->data_size, ==, data_size);
    }
    g_assert_cmpuint(cert_store_total_bytes(store), ==, 3 * data_size);
    g_assert_cmpuint(cert_store_largest_data_size(store), ==, data_size);
}

/*
 * 07 D5: the store is built once and is final. Upstream re-read an empty
 * store at every reset (after freeing its path list). Here files that
 * appear or vanish after creation change nothing: the store keeps its DER.
 */
static void
test_certstore_built_once(Fixture *f, gconstpointer data)
{
    g_autofree char *empty = put_dir(f->dir, "later");
    g_autofree char *full = put_dir(f->dir, "now");
    g_autofree char *path = put(full, "one.pem", f->cert);
    const char *pe[] = { empty };
    const char *pf[] = { full };
    g_autoptr(CertStore) none = store_ok(pe, 1);
    g_autoptr(CertStore) one = store_ok(pf, 1);
    g_autofree char *added = NULL;
    const CertStoreEntry *e;
    (void)data;

    added = put(empty, "added.pem", f->cert);
    g_assert_cmpint(unlink(path), ==, 0);

    g_assert_cmpuint(cert_store_count(none), ==, 0);
    g_assert_null(cert_store_get(none, 0));
    g_assert_cmpuint(cert_store_count(one), ==, 1);
    e = cert_store_get(one, 0);
    g_assert_cmpmem(e->der, e->der_size, f->cert->der, f->cert->der_len);
}

/*
 * 07 D14: a store error is returned to the caller, which stays in control
 * (upstream called exit(1) from the reset path): the same process goes on
 * to build a good store right after a refused one.
 */
static void
test_certstore_error_returned(Fixture *f, gconstpointer data)
{
    g_autofree char *good = put(f->dir, "good.pem", f->cert);
    g_autofree char *bad = put(f->dir, "bad.txt", f->cert);
    g_autofree char *msg = g_strdup_printf(
        "Certificate file '%s' must have a .pem extension", bad);
    const char *pb[] = { good, bad };
    const char *pg[] = { good };
    g_autoptr(CertStore) store = NULL;
    (void)data;

    assert_store_error(pb, 2, CERT_STORE_ERROR_PATH, msg);
    store = store_ok(pg, 1);
    g_assert_cmpuint(cert_store_count(store), ==, 1);
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    fixture_init_key();
    g_test_add_func("/certstore/empty-list", test_certstore_empty_list);
    FIXTURE_ADD("/certstore/path-errors", test_certstore_path_errors);
    FIXTURE_ADD("/certstore/opendir-error", test_certstore_opendir_error);
    FIXTURE_ADD("/certstore/load-errors", test_certstore_load_errors);
    FIXTURE_ADD("/certstore/count-limit", test_certstore_count_limit);
    FIXTURE_ADD("/certstore/size-limit", test_certstore_size_limit);
    FIXTURE_ADD("/certstore/D4-sorted", test_certstore_sorted);
    FIXTURE_ADD("/certstore/symlinks", test_certstore_symlinks);
    FIXTURE_ADD("/certstore/D28-bundle", test_certstore_bundle);
    FIXTURE_ADD("/certstore/K11-empty-dir", test_certstore_empty_dir);
    FIXTURE_ADD("/certstore/K8-duplicates", test_certstore_duplicates);
    FIXTURE_ADD("/certstore/D5-built-once", test_certstore_built_once);
    FIXTURE_ADD("/certstore/D14-error-returned", test_certstore_error_returned);
    ret = g_test_run();
    fixture_free_key();
    return ret;
}
