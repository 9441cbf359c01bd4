/*
 * testutils.c: golden-file helpers for the management-layer tests
 */
#include "testutils.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certgen.h"

typedef struct {
    char *pem;
    GBytes *der;
    char *fingerprint;
} siplTestCert;

static GHashTable *siplTestCerts;      /* tag -> siplTestCert */
static GHashTable *siplTestUsedFiles;  /* absolute path -> itself */

#define SIPL_TEST_T_1999 915148800      /* 1999-01-01T00:00:00Z */
#define SIPL_TEST_T_2000 946684800      /* 2000-01-01T00:00:00Z */
#define SIPL_TEST_T_2100 4102444800LL   /* 2100-01-01T00:00:00Z */
#define SIPL_TEST_T_2101 4133980800LL   /* 2101-01-01T00:00:00Z */


static void
siplTestCheck(int rc, const char *what)
{
    if (rc < 0)
        g_error("%s: %s", what, gnutls_strerror(rc));
}


/* A self-signed Ed25519 certificate whose DER is exactly @target bytes,
 * padded by a private non-critical extension (Ed25519 signatures have a
 * fixed length, so the size is exact). */
static GBytes *
siplTestMakeSizedDer(gsize target)
{
    CertGenSpec spec = { .key_type = CERTGEN_ED25519, .cn = "sized" };
    g_autoptr(CertGenCert) base = certgen_new(&spec);
    gsize pad = target > 1200 ? target - 600 : 16;
    guint iter;

    for (iter = 0; iter < 32; iter++) {
        gnutls_x509_crt_t crt;
        gnutls_datum_t out = { NULL, 0 };
        g_autofree guint8 *ext = g_malloc0(pad + 8);
        guint8 serial[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x01 };
        gsize extLen = 0;
        gsize size;

        /* DER OCTET STRING of pad zero bytes, long-form length */
        ext[extLen++] = 0x04;
        ext[extLen++] = 0x82;
        ext[extLen++] = (pad >> 8) & 0xff;
        ext[extLen++] = pad & 0xff;
        extLen += pad;

        siplTestCheck(gnutls_x509_crt_init(&crt), "crt_init");
        siplTestCheck(gnutls_x509_crt_set_version(crt, 3), "set_version");
        siplTestCheck(gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)),
                      "set_serial");
        siplTestCheck(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
                                                    0, "sized", 5), "set_dn");
        siplTestCheck(gnutls_x509_crt_set_activation_time(crt, time(NULL) - 86400),
                      "activation");
        siplTestCheck(gnutls_x509_crt_set_expiration_time(crt, time(NULL) + 86400 * 365),
                      "expiration");
        siplTestCheck(gnutls_x509_crt_set_key(crt, base->key), "set_key");
        siplTestCheck(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE),
                      "key_usage");
        siplTestCheck(gnutls_x509_crt_set_extension_by_oid(crt, "1.3.6.1.4.1.57264.99.1",
                                                           ext, extLen, 0),
                      "extension");
        siplTestCheck(gnutls_x509_crt_sign2(crt, crt, base->key,
                                            GNUTLS_DIG_SHA512, 0), "sign");
        siplTestCheck(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &out),
                      "export");
        gnutls_x509_crt_deinit(crt);
        size = out.size;
        if (size == target) {
            GBytes *der = g_bytes_new(out.data, out.size);

            gnutls_free(out.data);
            return der;
        }
        gnutls_free(out.data);
        /* length fields may grow by a byte at a boundary: step by one */
        if (size > target)
            pad -= MAX(size - target, 1);
        else
            pad += MAX(target - size, 1);
    }
    g_error("cannot make a %zu-byte certificate", target);
    return NULL;
}


static siplTestCert *
siplTestCertGet(const char *tag)
{
    siplTestCert *cert;
    gnutls_x509_crt_t crt;
    gnutls_datum_t datum;
    gnutls_datum_t pem = { NULL, 0 };
    gsize len;
    const guint8 *data;

    if (!siplTestCerts)
        siplTestCerts = g_hash_table_new(g_str_hash, g_str_equal);
    if ((cert = g_hash_table_lookup(siplTestCerts, tag)))
        return cert;

    cert = g_new0(siplTestCert, 1);
    if (g_str_equal(tag, "der8000") || g_str_equal(tag, "der8001")) {
        cert->der = siplTestMakeSizedDer(g_str_equal(tag, "der8000") ? 8000 : 8001);
    } else {
        CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = tag };
        g_autoptr(CertGenCert) gen = NULL;

        if (g_str_equal(tag, "expired")) {
            spec.not_before = SIPL_TEST_T_1999;
            spec.not_after = SIPL_TEST_T_2000;
        } else if (g_str_equal(tag, "future")) {
            spec.not_before = (time_t)SIPL_TEST_T_2100;
            spec.not_after = (time_t)SIPL_TEST_T_2101;
        } else if (g_str_equal(tag, "nods")) {
            spec.key_usage = GNUTLS_KEY_KEY_CERT_SIGN;
        }
        gen = certgen_new(&spec);
        cert->der = g_bytes_new(gen->der, gen->der_len);
    }

    data = g_bytes_get_data(cert->der, &len);
    datum.data = (unsigned char *)data;
    datum.size = len;
    siplTestCheck(gnutls_x509_crt_init(&crt), "crt_init");
    siplTestCheck(gnutls_x509_crt_import(crt, &datum, GNUTLS_X509_FMT_DER),
                  "import");
    siplTestCheck(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem),
                  "export");
    cert->pem = g_strndup((const char *)pem.data, pem.size);
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(crt);
    cert->fingerprint = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);

    g_hash_table_insert(siplTestCerts, g_strdup(tag), cert);
    return cert;
}


const char *
siplTestCertPem(const char *tag)
{
    return siplTestCertGet(tag)->pem;
}


GBytes *
siplTestCertDer(const char *tag)
{
    return siplTestCertGet(tag)->der;
}


const char *
siplTestCertFingerprint(const char *tag)
{
    return siplTestCertGet(tag)->fingerprint;
}


char *
siplTestExpand(const char *text)
{
    GString *out = g_string_new(NULL);
    const char *p = text;

    while (*p) {
        const char *at = strchr(p, '@');
        const char *end;
        bool pem;

        if (!at) {
            g_string_append(out, p);
            break;
        }
        g_string_append_len(out, p, at - p);
        pem = g_str_has_prefix(at, "@PEM:");
        if ((pem || g_str_has_prefix(at, "@FP:")) &&
            (end = strchr(at + 1, '@'))) {
            const char *tagStart = at + (pem ? 5 : 4);
            g_autofree char *tag = g_strndup(tagStart, end - tagStart);
            siplTestCert *cert = siplTestCertGet(tag);

            g_string_append(out, pem ? cert->pem : cert->fingerprint);
            p = end + 1;
        } else {
            g_string_append_c(out, '@');
            p = at + 1;
        }
    }
    return g_string_free(out, FALSE);
}


static char *
siplTestReplaceAll(const char *text, const char *from, const char *to)
{
    g_auto(GStrv) parts = g_strsplit(text, from, -1);

    return g_strjoinv(to, parts);
}


char *
siplTestAbstract(const char *text)
{
    g_autofree char *out = g_strdup(text);
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    if (!siplTestCerts)
        return g_steal_pointer(&out);
    g_hash_table_iter_init(&iter, siplTestCerts);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        siplTestCert *cert = value;
        g_autofree char *pemTag = g_strdup_printf("@PEM:%s@", (char *)key);
        g_autofree char *fpTag = g_strdup_printf("@FP:%s@", (char *)key);
        char *tmp = siplTestReplaceAll(out, cert->pem, pemTag);

        g_free(out);
        out = siplTestReplaceAll(tmp, cert->fingerprint, fpTag);
        g_free(tmp);
    }
    return g_steal_pointer(&out);
}


static void
siplTestMarkUsed(const char *path)
{
    if (!siplTestUsedFiles)
        siplTestUsedFiles = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                  g_free, NULL);
    g_hash_table_add(siplTestUsedFiles, g_strdup(path));
}


char *
siplTestDataPath(const char *dir, const char *name)
{
    char *path = g_build_filename(g_test_get_dir(G_TEST_DIST), dir, name, NULL);

    siplTestMarkUsed(path);
    return path;
}


bool
siplTestDataExists(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(g_test_get_dir(G_TEST_DIST), dir,
                                             name, NULL);

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return false;
    siplTestMarkUsed(path);
    return true;
}


char *
siplTestDataRead(const char *dir, const char *name)
{
    g_autofree char *path = siplTestDataPath(dir, name);
    g_autoptr(GError) err = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("%s", err->message);
    return text;
}


gint
siplTestCompareStr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}


GPtrArray *
siplTestDataList(const char *dir, const char *suffix)
{
    g_autofree char *path = g_build_filename(g_test_get_dir(G_TEST_DIST), dir,
                                             NULL);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) err = NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (!(d = g_dir_open(path, 0, &err)))
        g_error("%s", err->message);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, siplTestCompareStr);
    return names;
}


static void
siplTestUnusedData(gconstpointer opaque)
{
    const char *dir = opaque;
    g_autoptr(GPtrArray) names = siplTestDataList(dir, "");
    g_autoptr(GString) unused = g_string_new(NULL);
    guint i;

    for (i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(g_test_get_dir(G_TEST_DIST),
                                                 dir, names->pdata[i], NULL);

        if (!siplTestUsedFiles ||
            !g_hash_table_contains(siplTestUsedFiles, path))
            g_string_append_printf(unused, " %s", (char *)names->pdata[i]);
    }
    g_assert_cmpstr(unused->str, ==, "");
}


GPtrArray *
siplTestAddGoldenCases(const char *family, const char *dir,
                       GTestDataFunc func)
{
    GPtrArray *files = siplTestDataList(dir, ".xml");
    guint i;

    for (i = 0; i < files->len; i++) {
        const char *file = files->pdata[i];
        g_autofree char *path = NULL;

        if (g_str_has_suffix(file, ".out.xml"))
            continue;
        path = g_strdup_printf("/%s/golden/%s", family, file);
        g_test_add_data_func(path, file, func);
    }
    return files;
}


void
siplTestAddUnusedDataCheck(const char *family, const char *dir)
{
    g_autofree char *path = g_strdup_printf("/%s/data/unused", family);

    g_test_add_data_func(path, dir, siplTestUnusedData);
}


void
siplTestCompareToFile(const char *actual, const char *dir, const char *name)
{
    g_autofree char *path = siplTestDataPath(dir, name);
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (g_strcmp0(g_getenv("SIPL_TEST_REGENERATE_OUTPUT"), "1") == 0) {
        if (!g_file_get_contents(path, &expected, NULL, NULL) ||
            strcmp(expected, actual) != 0) {
            if (!g_file_set_contents(path, actual, -1, &err))
                g_error("%s", err->message);
            g_test_message("regenerated %s", path);
        }
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err))
        g_error("%s (SIPL_TEST_REGENERATE_OUTPUT=1 creates it)", err->message);
    g_assert_cmpstr(actual, ==, expected);
}


char *
siplTestTopSrcPath(const char *relpath)
{
    const char *top = g_getenv("SIPL_TOP_SRCDIR");

    g_assert_nonnull(top);
    return g_build_filename(top, relpath, NULL);
}


bool
siplTestXmllint(const char *schema, const char *xml, char **output)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errOut = NULL;
    int fd = g_file_open_tmp("sipl-xmllint-XXXXXX.xml", &tmp, &err);
    const char *argv[] = { "xmllint", "--noout", "--relaxng", schema, NULL, NULL };
    int status = -1;
    bool ok;

    g_assert_no_error(err);
    close(fd);
    if (!g_file_set_contents(tmp, xml, -1, &err))
        g_error("%s", err->message);
    argv[4] = tmp;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, &out, &errOut, &status, &err))
        g_error("cannot run xmllint: %s", err->message);
    unlink(tmp);
    ok = g_spawn_check_wait_status(status, NULL);
    if (output)
        *output = g_steal_pointer(&errOut);
    return ok;
}


/* Every entry under @dir: type, name, mode, link target or content hash. */
static void
siplTestSnapshotDir(GString *out, const char *dir, const char *rel)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint i;

    if (!d)
        return;
    while ((name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, siplTestCompareStr);
    for (i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
        g_autofree char *relPath = g_build_filename(rel, names->pdata[i], NULL);
        struct stat st;

        g_assert_cmpint(lstat(path, &st), ==, 0);
        if (S_ISLNK(st.st_mode)) {
            g_autofree char *target = g_file_read_link(path, NULL);

            g_string_append_printf(out, "L %s -> %s\n", relPath, target);
        } else if (S_ISDIR(st.st_mode)) {
            g_string_append_printf(out, "D %s %o\n", relPath, st.st_mode & 07777);
            siplTestSnapshotDir(out, path, relPath);
        } else {
            g_autofree char *data = NULL;
            gsize len = 0;
            g_autofree char *sum = NULL;

            g_assert_true(g_file_get_contents(path, &data, &len, NULL));
            sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guint8 *)data, len);
            g_string_append_printf(out, "F %s %o %s\n", relPath,
                                   st.st_mode & 07777, sum);
        }
    }
}


char *
siplTestSnapshot(const char *dir)
{
    GString *out = g_string_new(NULL);

    /* missing and empty must differ: a change may create the directory */
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
        return g_strdup_printf("%s: missing\n", dir);
    siplTestSnapshotDir(out, dir, "");
    return g_string_free(out, FALSE);
}
