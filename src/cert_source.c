/*
 * cert_source.c: certificates from files, directories and PKCS#11 tokens
 */
#include "cert_source.h"
#include "pkcs11_uri.h"
#include "secureboot_cert.h"
#include "sipl_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

GQuark
siplCertSourceErrorQuark(void)
{
    return g_quark_from_static_string("sipl-cert-source-error-quark");
}

/* A cut-off for reading: a bundle of 64 certificates of 8000 bytes DER is
 * far smaller; anything bigger is not a certificate file. */
#define SIPL_CERT_SOURCE_FILE_MAX (16 * 1024 * 1024)

static GPtrArray *
siplCertSourceNewList(void)
{
    return g_ptr_array_new_with_free_func((GDestroyNotify)siplSecureBootCertDefFree);
}

/*
 * @name (a valid name) numbered: "ca.pem" -> "ca-2.pem".  The stem is cut
 * so the suffix always fits in SIPL_SECUREBOOT_CERT_NAME_MAX: cutting the
 * whole name instead dropped "-N" from long names, and numbering never
 * made them unique.
 */
static char *
siplCertSourceNumbered(const char *name, unsigned int n)
{
    g_autofree char *suffix = g_strdup_printf("-%u.pem", n);
    gsize stem = strlen(name) - strlen(".pem");
    gsize room = SIPL_SECUREBOOT_CERT_NAME_MAX - strlen(suffix);

    return g_strdup_printf("%.*s%s", (int)MIN(stem, room), name, suffix);
}

/* Numbering gives up after this many tries and names by fingerprint. */
#define SIPL_CERT_SOURCE_NUMBER_TRIES 64

/*
 * Names must be unique (siplSecureBootDefValidate refuses duplicates), and
 * two token objects may share a label: number the later ones.  Bounded: a
 * name that stays taken falls back to the fingerprint, which only the same
 * certificate shares (and Validate refuses that anyway).
 */
static void
siplCertSourceUniqueNames(GPtrArray *certs)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < certs->len; i++) {
        siplSecureBootCertDef *cert = g_ptr_array_index(certs, i);
        g_autofree char *orig = g_strdup(cert->name);

        for (unsigned int n = 2;
             g_hash_table_contains(seen, cert->name) &&
             n < 2 + SIPL_CERT_SOURCE_NUMBER_TRIES; n++) {
            g_free(cert->name);
            cert->name = siplCertSourceNumbered(orig, n);
        }
        if (g_hash_table_contains(seen, cert->name)) {
            gsize room = SIPL_SECUREBOOT_CERT_NAME_MAX - strlen("cert-.pem");

            g_free(cert->name);
            cert->name = g_strdup_printf("cert-%.*s.pem", (int)room,
                                         cert->fingerprint);
        }
        g_hash_table_add(seen, cert->name);
    }
}

/* Parse @data (PEM bundle or DER) into GnuTLS certificates. */
static bool
siplCertSourceParse(const char *data, gsize len, const char *path,
                    gnutls_x509_crt_t **crts_out, unsigned int *n_out,
                    GError **error)
{
    gnutls_datum_t dat = { (unsigned char *)data, (unsigned int)len };
    gnutls_x509_crt_t *crts = NULL;
    unsigned int n = 0;
    int rc;

    if (g_strstr_len(data, len, "-----BEGIN CERTIFICATE-----") ||
        g_strstr_len(data, len, "-----BEGIN X509 CERTIFICATE-----")) {
        rc = gnutls_x509_crt_list_import2(&crts, &n, &dat,
                                          GNUTLS_X509_FMT_PEM, 0);
    } else {
        crts = gnutls_malloc(sizeof(*crts));
        n = 1;
        if ((rc = gnutls_x509_crt_init(&crts[0])) >= 0 &&
            (rc = gnutls_x509_crt_import(crts[0], &dat, GNUTLS_X509_FMT_DER)) < 0)
            gnutls_x509_crt_deinit(crts[0]);
        if (rc < 0) {
            gnutls_free(crts);
            crts = NULL;
            n = 0;
        }
    }
    if (rc < 0 || n == 0) {
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_NOT_CERT,
                    _("'%1$s' does not contain an X.509 certificate (PEM or DER): %2$s"),
                    path, rc < 0 ? gnutls_strerror(rc) : _("no certificate"));
        return false;
    }
    *crts_out = crts;
    *n_out = n;
    return true;
}

/* Build defs from a file's bytes; names from @base, provenance @source. */
static GPtrArray *
siplCertSourceFromData(const char *data, gsize len, const char *path,
                       const char *base, siplSecureBootCertSource type,
                       const char *source, GError **error)
{
    g_autoptr(GPtrArray) certs = siplCertSourceNewList();
    g_autofree char *single = siplSecureBootCertNameFromLabel(base, NULL);
    gnutls_x509_crt_t *crts = NULL;
    unsigned int n = 0;
    bool ok = true;

    if (!siplCertSourceParse(data, len, path, &crts, &n, error))
        return NULL;
    for (unsigned int i = 0; i < n; i++) {
        gnutls_datum_t der = { NULL, 0 };
        g_autofree char *name = NULL;
        siplSecureBootCertDef *cert = NULL;

        if (ok && gnutls_x509_crt_export2(crts[i], GNUTLS_X509_FMT_DER, &der) < 0) {
            g_set_error(error, SIPL_CERT_SOURCE_ERROR,
                        SIPL_CERT_SOURCE_ERROR_NOT_CERT,
                        _("cannot encode certificate %1$u of '%2$s'"), i + 1, path);
            ok = false;
        }
        if (ok) {
            name = n == 1 ? g_strdup(single)
                          : siplCertSourceNumbered(single, i + 1);
            cert = siplSecureBootCertDefNew(der.data, der.size, name,
                                            SIPL_CERT_STATE_ACTIVE, type,
                                            source, error);
            if (cert)
                g_ptr_array_add(certs, cert);
            else
                ok = false;
        }
        gnutls_free(der.data);
        gnutls_x509_crt_deinit(crts[i]);
    }
    gnutls_free(crts);
    if (!ok)
        return NULL;
    return g_steal_pointer(&certs);
}

/*
 * Size is checked on the open file before anything is read (a 1 GiB file
 * given by mistake is refused, not slurped), and reading stops one byte
 * past the limit in case the file grows meanwhile.  O_NONBLOCK: a FIFO
 * named like a certificate must not hang the open.
 */
static bool
siplCertSourceRead(const char *path, char **data, gsize *len, GError **error)
{
    g_autofree char *buf = NULL;
    struct stat st;
    gsize have = 0;
    gsize cap;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
        int err = errno;
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_READ,
                    _("cannot read '%1$s': %2$s"), path, g_strerror(err));
        return false;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_READ,
                    _("cannot read '%1$s': %2$s"), path, _("not a regular file"));
        return false;
    }
    if (st.st_size > SIPL_CERT_SOURCE_FILE_MAX) {
        close(fd);
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_NOT_CERT,
                    _("'%1$s' is too large to be a certificate file"), path);
        return false;
    }
    /* room for one byte more than stat said, to notice growth */
    cap = (gsize)st.st_size + 1;
    buf = g_malloc(cap + 1);
    for (;;) {
        ssize_t n;

        if (have == cap) {
            cap = MIN(cap * 2, (gsize)SIPL_CERT_SOURCE_FILE_MAX + 1);
            buf = g_realloc(buf, cap + 1);
        }
        n = read(fd, buf + have, cap - have);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_READ,
                        _("cannot read '%1$s': %2$s"), path, g_strerror(err));
            return false;
        }
        have += n;
        if (n == 0 || have > SIPL_CERT_SOURCE_FILE_MAX)
            break;
    }
    close(fd);
    if (have > SIPL_CERT_SOURCE_FILE_MAX) {
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_NOT_CERT,
                    _("'%1$s' is too large to be a certificate file"), path);
        return false;
    }
    buf[have] = '\0';
    *data = g_steal_pointer(&buf);
    *len = have;
    return true;
}

GPtrArray *
siplCertSourceLoadFile(const char *path, GError **error)
{
    g_autofree char *abs = g_canonicalize_filename(path, NULL);
    g_autofree char *base = g_path_get_basename(abs);
    g_autofree char *data = NULL;
    gsize len = 0;

    g_autoptr(GPtrArray) certs = NULL;

    if (!siplCertSourceRead(abs, &data, &len, error) ||
        !(certs = siplCertSourceFromData(data, len, abs, base,
                                         SIPL_CERT_SOURCE_FILE, abs, error)))
        return NULL;
    siplCertSourceUniqueNames(certs);
    return g_steal_pointer(&certs);
}

static int
siplCertSourceCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
siplCertSourceLoadDirectory(const char *path, GError **error)
{
    g_autofree char *abs = g_canonicalize_filename(path, NULL);
    g_autoptr(GPtrArray) certs = siplCertSourceNewList();
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) dir = g_dir_open(abs, 0, &local);
    const char *ent;

    if (!dir) {
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_READ,
                    _("cannot read directory '%1$s': %2$s"), abs, local->message);
        return NULL;
    }
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *file = g_build_filename(abs, ent, NULL);
        if (ent[0] != '.' && g_file_test(file, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(names, g_strdup(ent));
    }
    g_ptr_array_sort(names, siplCertSourceCompare);

    for (guint i = 0; i < names->len; i++) {
        const char *base = g_ptr_array_index(names, i);
        g_autofree char *file = g_build_filename(abs, base, NULL);
        g_autofree char *data = NULL;
        g_autoptr(GPtrArray) some = NULL;
        gsize len = 0;

        if (!siplCertSourceRead(file, &data, &len, error) ||
            !(some = siplCertSourceFromData(data, len, file, base,
                                            SIPL_CERT_SOURCE_DIRECTORY,
                                            abs, error)))
            return NULL;
        for (guint j = 0; j < some->len; j++)
            g_ptr_array_add(certs, g_steal_pointer(&g_ptr_array_index(some, j)));
    }
    if (certs->len == 0) {
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_EMPTY,
                    _("directory '%1$s' contains no certificate files"), abs);
        return NULL;
    }
    siplCertSourceUniqueNames(certs);
    return g_steal_pointer(&certs);
}

GPtrArray *
siplCertSourceLoadPkcs11(siplPkcs11 *p11, const char *uri, GError **error)
{
    g_autoptr(GPtrArray) objs = siplPkcs11ListCerts(p11, uri, error);
    g_autoptr(GPtrArray) certs = siplCertSourceNewList();

    if (!objs)
        return NULL;
    if (objs->len == 0) {
        g_autofree char *shown = siplPkcs11UriRedact(uri);
        g_set_error(error, SIPL_CERT_SOURCE_ERROR, SIPL_CERT_SOURCE_ERROR_EMPTY,
                    _("no certificate on the token matches '%1$s'"), shown);
        return NULL;
    }
    for (guint i = 0; i < objs->len; i++) {
        siplPkcs11Cert *obj = g_ptr_array_index(objs, i);
        g_autofree char *name = NULL;
        gsize len = 0;
        const void *der = g_bytes_get_data(obj->der, &len);
        siplSecureBootCertDef *cert;

        name = siplSecureBootCertNameFromLabel(obj->label, NULL);
        cert = siplSecureBootCertDefNew(der, len, name, SIPL_CERT_STATE_ACTIVE,
                                        SIPL_CERT_SOURCE_PKCS11, obj->uri,
                                        error);
        if (!cert)
            return NULL;
        /* An unlabelled object: name it by what it is, not "cert.pem". */
        if (!*obj->label) {
            g_free(cert->name);
            cert->name = siplSecureBootCertNameFromLabel(NULL, cert->fingerprint);
        }
        g_ptr_array_add(certs, cert);
    }
    siplCertSourceUniqueNames(certs);
    return g_steal_pointer(&certs);
}

GPtrArray *
siplCertSourceLoad(const char *spec, siplPkcs11 *p11, GError **error)
{
    /* as p11-kit sees it: " pkcs11:..." is a URI, and taken for a file
     * name it would reach a message with its PIN */
    if (siplPkcs11UriIs(spec)) {
        if (!p11) {
            g_autofree char *shown = siplPkcs11UriRedact(spec);
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE,
                        _("'%1$s' needs a PKCS#11 module; none is loaded"), shown);
            return NULL;
        }
        return siplCertSourceLoadPkcs11(p11, spec, error);
    }
    if (g_file_test(spec, G_FILE_TEST_IS_DIR))
        return siplCertSourceLoadDirectory(spec, error);
    return siplCertSourceLoadFile(spec, error);
}
