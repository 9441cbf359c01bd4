/*
 * test-cert-source.c: certificates from files and directories
 *
 * Real certificates from certgen (GnuTLS, made at run time).  Every bad
 * input gives exactly one error and no list at all.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert_source.h"
#include "certgen.h"

typedef struct {
    char *dir;
    CertGenCert *c[4];
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->dir = certgen_tmpdir_new();
    for (size_t i = 0; i < G_N_ELEMENTS(f->c); i++) {
        g_autofree char *cn = g_strdup_printf("source test %zu", i);
        CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = cn };
        f->c[i] = certgen_new(&spec);
    }
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    certgen_tmpdir_remove(f->dir);
    g_free(f->dir);
    for (size_t i = 0; i < G_N_ELEMENTS(f->c); i++)
        certgen_free(f->c[i]);
}

static char *
path_in(const char *dir, const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* A new, empty directory @name in the fixture's directory. */
static char *
new_dir(Fixture *f, const char *name)
{
    char *d = path_in(f->dir, name);

    g_assert_cmpint(g_mkdir(d, 0755), ==, 0);
    return d;
}

static void
write_file(const char *path, const void *data, gssize len)
{
    g_autoptr(GError) error = NULL;

    g_file_set_contents(path, data, len, &error);
    g_assert_no_error(error);
}

static void
assert_cert(GPtrArray *certs, guint i, const CertGenCert *want,
            const char *name, siplSecureBootCertSource type, const char *source)
{
    siplSecureBootCertDef *c = g_ptr_array_index(certs, i);

    g_assert_cmpmem(g_bytes_get_data(c->der, NULL), g_bytes_get_size(c->der),
                    want->der, want->der_len);
    g_assert_cmpstr(c->name, ==, name);
    g_assert_cmpint(c->sourceType, ==, type);
    g_assert_cmpstr(c->source, ==, source);
    g_assert_cmpint(c->state, ==, SIPL_CERT_STATE_ACTIVE);
    g_assert_cmpuint(strlen(c->fingerprint), ==, SIPL_SECUREBOOT_FINGERPRINT_LEN);
}

/* A load that must fail: no list at all and exactly the error @code. */
static void
assert_load_error(GPtrArray *certs, const GError *error, gint code)
{
    g_assert_null(certs);
    g_assert_error(error, SIPL_CERT_SOURCE_ERROR, code);
}

/* A load that must succeed with @n certificates. */
static void
assert_loaded(GPtrArray *certs, const GError *error, guint n)
{
    g_assert_no_error(error);
    g_assert_cmpuint(certs->len, ==, n);
}

static void
test_file_pem(Fixture *f, gconstpointer data)
{
    g_autofree char *path = path_in(f->dir, "signer.crt");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    certgen_write_pem(f->c[0], path);
    certs = siplCertSourceLoadFile(path, &error);
    assert_loaded(certs, error, 1);
    assert_cert(certs, 0, f->c[0], "signer.pem", SIPL_CERT_SOURCE_FILE, path);
}

static void
test_file_der(Fixture *f, gconstpointer data)
{
    g_autofree char *path = path_in(f->dir, "ca.der");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    write_file(path, f->c[1]->der, f->c[1]->der_len);
    certs = siplCertSourceLoad(path, NULL, &error);
    assert_loaded(certs, error, 1);
    assert_cert(certs, 0, f->c[1], "ca.pem", SIPL_CERT_SOURCE_FILE, path);
}

static void
test_file_bundle(Fixture *f, gconstpointer data)
{
    g_autofree char *path = path_in(f->dir, "bundle.pem");
    g_autofree char *body = g_strconcat("# three certificates\n", f->c[2]->pem,
                                        "\nsome text between\n", f->c[0]->pem,
                                        f->c[1]->pem, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    write_file(path, body, -1);
    certs = siplCertSourceLoadFile(path, &error);
    assert_loaded(certs, error, 3);
    /* file order is store order */
    assert_cert(certs, 0, f->c[2], "bundle-1.pem", SIPL_CERT_SOURCE_FILE, path);
    assert_cert(certs, 1, f->c[0], "bundle-2.pem", SIPL_CERT_SOURCE_FILE, path);
    assert_cert(certs, 2, f->c[1], "bundle-3.pem", SIPL_CERT_SOURCE_FILE, path);
}

static void
test_file_bad(Fixture *f, gconstpointer data)
{
    static const struct {
        const char *name;
        const char *content;
    } cases[] = {
        { "text.pem", "hello, not a certificate\n" },
        { "empty.pem", "" },
        { "broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA!!!\n-----END CERTIFICATE-----\n" },
    };

    (void)data;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = path_in(f->dir, cases[i].name);
        g_autofree char *prefix = g_strdup_printf("'%s' does not contain an X.509 certificate (PEM or DER): ", path);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) certs = NULL;

        write_file(path, cases[i].content, -1);
        certs = siplCertSourceLoadFile(path, &error);
        assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_NOT_CERT);
        g_assert_true(g_str_has_prefix(error->message, prefix));
    }
    {
        /* a private key is PEM but no certificate */
        g_autofree char *path = path_in(f->dir, "key.pem");
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) certs = NULL;

        certgen_write_key_pem(f->c[0], path);
        certs = siplCertSourceLoadFile(path, &error);
        assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_NOT_CERT);
    }
}

static void
test_file_unreadable(Fixture *f, gconstpointer data)
{
    g_autofree char *missing = path_in(f->dir, "nosuch.pem");
    g_autofree char *fifo = path_in(f->dir, "fifo.pem");
    g_autofree char *want = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    certs = siplCertSourceLoad(missing, NULL, &error);
    assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_READ);
    want = g_strdup_printf("cannot read '%s': No such file or directory", missing);
    g_assert_cmpstr(error->message, ==, want);
    g_clear_error(&error);

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    certs = siplCertSourceLoadFile(fifo, &error);
    assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_READ);
    g_clear_error(&error);

    if (geteuid() != 0) {
        /* root reads anything; the mode test only means something as a user */
        g_autofree char *locked = path_in(f->dir, "locked.pem");
        certgen_write_pem(f->c[0], locked);
        g_assert_cmpint(g_chmod(locked, 0), ==, 0);
        certs = siplCertSourceLoadFile(locked, &error);
        assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_READ);
    }
}

static void
test_dir(Fixture *f, gconstpointer data)
{
    g_autofree char *d = path_in(f->dir, "store");
    g_autofree char *b = path_in(d, "b.pem");
    g_autofree char *a = path_in(d, "a.der");
    g_autofree char *hidden = path_in(d, ".hidden");
    g_autofree char *sub = path_in(d, "sub");
    g_autofree char *subfile = path_in(sub, "c.pem");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
    certgen_write_pem(f->c[0], b);
    write_file(a, f->c[1]->der, f->c[1]->der_len);
    write_file(hidden, "not looked at", -1);
    certgen_write_pem(f->c[2], subfile);

    certs = siplCertSourceLoad(d, NULL, &error);
    assert_loaded(certs, error, 2);
    assert_cert(certs, 0, f->c[1], "a.pem", SIPL_CERT_SOURCE_DIRECTORY, d);
    assert_cert(certs, 1, f->c[0], "b.pem", SIPL_CERT_SOURCE_DIRECTORY, d);
}

static void
test_dir_names_unique(Fixture *f, gconstpointer data)
{
    g_autofree char *d = new_dir(f, "store");
    g_autofree char *x1 = path_in(d, "x.crt");
    g_autofree char *x2 = path_in(d, "x.pem");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    certgen_write_pem(f->c[0], x1);
    certgen_write_pem(f->c[1], x2);
    certs = siplCertSourceLoadDirectory(d, &error);
    assert_loaded(certs, error, 2);
    assert_cert(certs, 0, f->c[0], "x.pem", SIPL_CERT_SOURCE_DIRECTORY, d);
    assert_cert(certs, 1, f->c[1], "x-2.pem", SIPL_CERT_SOURCE_DIRECTORY, d);
}

static void
test_dir_bad(Fixture *f, gconstpointer data)
{
    g_autofree char *d = new_dir(f, "store");
    g_autofree char *empty = new_dir(f, "empty");
    g_autofree char *readme = path_in(d, "README");
    g_autofree char *ok = path_in(d, "ok.pem");
    g_autofree char *missing = path_in(f->dir, "nosuch");
    g_autofree char *prefix = g_strdup_printf("'%s' does not contain", readme);
    g_autofree char *want = g_strdup_printf("directory '%s' contains no certificate files", empty);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    certgen_write_pem(f->c[0], ok);
    write_file(readme, "these are our certificates\n", -1);

    /* one stray file fails the whole directory, naming the file */
    certs = siplCertSourceLoadDirectory(d, &error);
    assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_NOT_CERT);
    g_assert_true(g_str_has_prefix(error->message, prefix));
    g_clear_error(&error);

    certs = siplCertSourceLoadDirectory(empty, &error);
    assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_EMPTY);
    g_assert_cmpstr(error->message, ==, want);
    g_clear_error(&error);

    certs = siplCertSourceLoadDirectory(missing, &error);
    assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_READ);
}

/* Every name valid, at most 61 bytes (QEMU's 64 minus "NN-"), unique. */
static void
assert_names_unique(GPtrArray *certs)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < certs->len; i++) {
        siplSecureBootCertDef *c = g_ptr_array_index(certs, i);

        g_test_message("name %u: %s", i, c->name);
        g_assert_true(siplSecureBootCertNameIsValid(c->name));
        g_assert_cmpuint(strlen(c->name), <=, 61);
        g_assert_false(g_hash_table_contains(seen, c->name));
        g_hash_table_add(seen, c->name);
    }
}

/*
 * Two 67-byte file names differing near the end: cut to the name limit
 * they collide, and numbering them used to cut "-2" off again, forever.
 * alarm() turns the old hang into a failure.
 */
static void
test_dir_long_names(Fixture *f, gconstpointer data)
{
    g_autofree char *d = new_dir(f, "long");
    g_autofree char *stem = g_strnfill(59, 'l');
    g_autofree char *n1 = g_strdup_printf("%s-one.pem", stem);
    g_autofree char *n2 = g_strdup_printf("%s-two.pem", stem);
    g_autofree char *p1 = path_in(d, n1);
    g_autofree char *p2 = path_in(d, n2);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    g_assert_cmpuint(strlen(n1), ==, 67);
    certgen_write_pem(f->c[0], p1);
    certgen_write_pem(f->c[1], p2);
    alarm(10);
    certs = siplCertSourceLoadDirectory(d, &error);
    alarm(0);
    assert_loaded(certs, error, 2);
    assert_names_unique(certs);
}

/* Three and four files whose names all come out as one 59-byte stem. */
static void
test_dir_many_duplicates(Fixture *f, gconstpointer data)
{
    static const char *const exts[] = { ".crt", ".der", ".pem", ".cer" };
    g_autofree char *d = new_dir(f, "dups");
    g_autofree char *stem = g_strnfill(59, 'd');
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    for (size_t i = 0; i < G_N_ELEMENTS(exts); i++) {
        g_autofree char *name = g_strconcat(stem, exts[i], NULL);
        g_autofree char *path = path_in(d, name);

        certgen_write_pem(f->c[i], path);
    }
    alarm(10);
    certs = siplCertSourceLoadDirectory(d, &error);
    alarm(0);
    assert_loaded(certs, error, 4);
    assert_names_unique(certs);
    /* numbered within the limit, the stem cut to make room */
    g_assert_true(g_str_has_suffix(((siplSecureBootCertDef *)certs->pdata[3])->name,
                                   "-4.pem"));
}

/*
 * 66 files that all come out as "x.pem" ("x", "-x.crt", "_x.der", ...):
 * "x.pem", then "x-2.pem" to "x-65.pem", and after 64 numbers the last one
 * is named by its fingerprint instead of trying on.
 */
static void
test_dir_numbering_bounded(Fixture *f, gconstpointer data)
{
    static const char *const prefixes[] = {
        "", "-", "_", "+", "@", "=", "~", ",", "%", "!", "--", "-_", "_-",
        "__", "++", "@@", "==",
    };
    static const char *const exts[] = { ".pem", ".crt", ".der", ".cer" };
    g_autofree char *d = new_dir(f, "same");
    g_autoptr(GPtrArray) gen = g_ptr_array_new_with_free_func((GDestroyNotify)certgen_free);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;
    guint byFingerprint = 0;

    (void)data;
    for (guint i = 0; i < 66; i++) {
        g_autofree char *cn = g_strdup_printf("numbering %u", i);
        CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = cn };
        g_autofree char *name = g_strdup_printf("%sx%s", prefixes[i / 4],
                                                exts[i % 4]);
        g_autofree char *path = path_in(d, name);
        CertGenCert *c = certgen_new(&spec);

        certgen_write_pem(c, path);
        g_ptr_array_add(gen, c);
    }
    alarm(20);
    certs = siplCertSourceLoadDirectory(d, &error);
    alarm(0);
    assert_loaded(certs, error, 66);
    assert_names_unique(certs);
    for (guint i = 0; i < certs->len; i++) {
        siplSecureBootCertDef *c = g_ptr_array_index(certs, i);
        g_autofree char *want = g_strdup_printf("cert-%.52s.pem", c->fingerprint);

        if (g_str_equal(c->name, want))
            byFingerprint++;
    }
    g_assert_cmpuint(byFingerprint, ==, 1);
}

/* A bundle with a long file name: "-N" must survive the cut. */
static void
test_file_bundle_long_name(Fixture *f, gconstpointer data)
{
    g_autofree char *stem = g_strnfill(70, 'b');
    g_autofree char *name = g_strconcat(stem, ".pem", NULL);
    g_autofree char *path = path_in(f->dir, name);
    g_autofree char *body = g_strconcat(f->c[0]->pem, f->c[1]->pem,
                                        f->c[2]->pem, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;

    (void)data;
    write_file(path, body, -1);
    certs = siplCertSourceLoadFile(path, &error);
    assert_loaded(certs, error, 3);
    assert_names_unique(certs);
    for (guint i = 0; i < certs->len; i++) {
        g_autofree char *suffix = g_strdup_printf("-%u.pem", i + 1);
        g_assert_true(g_str_has_suffix(((siplSecureBootCertDef *)certs->pdata[i])->name,
                                       suffix));
    }
}

/*
 * The 16 MiB limit is checked before reading: an 8 GiB sparse file is
 * refused as too large, where reading it first failed to allocate (or
 * read 8 GiB of zeros).
 */
static void
test_file_huge(Fixture *f, gconstpointer data)
{
    g_autofree char *path = path_in(f->dir, "huge.pem");
    g_autofree char *want = g_strdup_printf("'%s' is too large to be a certificate file", path);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) certs = NULL;
    int fd;

    (void)data;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    if (ftruncate(fd, (off_t)8 << 30) < 0) {
        close(fd);
        g_test_skip("the file system has no sparse 8 GiB files");
        return;
    }
    close(fd);
    certs = siplCertSourceLoadFile(path, &error);
    assert_load_error(certs, error, SIPL_CERT_SOURCE_ERROR_NOT_CERT);
    g_assert_cmpstr(error->message, ==, want);
}

/* A URI p11-kit takes despite white space is a URI, not a file name that
 * would put its PIN into "cannot read ..." (it used to be read as a file).
 * Without a module loaded, the message shows it redacted. */
static void
test_uri_with_space(Fixture *f, gconstpointer data)
{
    static const char *const specs[] = {
        " pkcs11:token=demo;pin-value=S3cr3tPIN",
        "pkcs11 :token=demo;pin-value=S3cr3tPIN",
        "\npkcs11:token=demo?pin-value=S3cr3tPIN",
    };

    (void)f;
    (void)data;
    for (size_t i = 0; i < G_N_ELEMENTS(specs); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) certs = siplCertSourceLoad(specs[i], NULL, &error);

        g_assert_null(certs);
        g_assert_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE);
        g_assert_cmpstr(error->message, ==,
                        "'pkcs11:token=demo' needs a PKCS#11 module; none is loaded");
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/cert-source/file/pem", test_file_pem);
    ADD("/cert-source/file/der", test_file_der);
    ADD("/cert-source/file/bundle", test_file_bundle);
    ADD("/cert-source/file/not-cert", test_file_bad);
    ADD("/cert-source/file/unreadable", test_file_unreadable);
    ADD("/cert-source/uri-with-space", test_uri_with_space);
    ADD("/cert-source/dir/sorted", test_dir);
    ADD("/cert-source/dir/unique-names", test_dir_names_unique);
    ADD("/cert-source/dir/bad", test_dir_bad);
    ADD("/cert-source/dir/long-names", test_dir_long_names);
    ADD("/cert-source/dir/many-duplicates", test_dir_many_duplicates);
    ADD("/cert-source/dir/numbering-bounded", test_dir_numbering_bounded);
    ADD("/cert-source/file/bundle-long-name", test_file_bundle_long_name);
    ADD("/cert-source/file/huge", test_file_huge);
#undef ADD

    return g_test_run();
}
