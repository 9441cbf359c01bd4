/*
 * certstore.c: the hypervisor's certificate store (spec/02 §2, §3)
 *
 * Path collection and loading follow QEMU's hw/s390x/cert-store.c rule for
 * rule and use its exact texts, with these deliberate differences:
 *  - directory entries are taken in ascending byte-wise name order, not in
 *    file-system enumeration order, so indices are the same on every host
 *    (07 D4); the "skipping" warnings come in that order too;
 *  - a collected path that is not a regular file (a subdirectory named
 *    x.pem) is refused with sipl's own text instead of a read error, and a
 *    PEM bundle logs that only its first certificate is used (07 D28);
 *  - errors are returned as a GError, never by exiting (07 D14), and a store
 *    is built exactly once: an empty store is final (07 D5);
 *  - everything a DIAG needs is computed here, once (07 D11).
 */
#include "certstore.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "certstore-priv.h"
#include "ebcdic.h"

G_DEFINE_QUARK(cert-store-error-quark, cert_store_error)

/* VCE data fields are word aligned (spec/02 §3.2) */
#define CERT_STORE_WORD_ALIGN(n) (((n) + 3) & ~(size_t)3)

struct CertStore {
    GPtrArray *entries;         /* CertStoreEntry *, store index order */
    size_t largest_data_size;
    size_t total_bytes;
    GPtrArray *warnings;        /* char *, NULL-terminated */
    CertStoreClock clock;
};

static void
cert_store_entry_free(CertStoreEntry *entry)
{
    if (!entry) {
        return;
    }
    if (entry->pubkey) {
        gnutls_pubkey_deinit(entry->pubkey);
    }
    if (entry->crt) {
        gnutls_x509_crt_deinit(entry->crt);
    }
    g_free(entry->issuer_dn);
    g_free(entry->der);
    g_free(entry->path);
    g_free(entry);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CertStoreEntry, cert_store_entry_free)

void
cert_store_warn(GPtrArray *warnings, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    /* Keep the NULL terminator last */
    g_ptr_array_insert(warnings, (gint)warnings->len - 1,
                       g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static int
cert_store_compare_names(gconstpointer a, gconstpointer b)
{
    /* strcmp compares as unsigned char: byte-wise, locale-free (07 D4) */
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* spec/02 §2 step 4: one directory, not recursive, entries not stat'ed. */
static bool
cert_store_collect_dir(const char *path, GPtrArray *out, GPtrArray *warnings,
                       GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) dir = g_dir_open(path, 0, &local);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (!dir) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_PATH,
                    "Failed to open directory '%s': %s", path,
                    local->message);
        return false;
    }
    while ((name = g_dir_read_name(dir))) {
        g_ptr_array_add(names, g_strdup(name));
    }
    if (names->len == 0) {
        cert_store_warn(warnings, "'%s' directory is empty", path);
        return true;
    }
    g_ptr_array_sort(names, cert_store_compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *entry = names->pdata[i];

        if (g_str_has_suffix(entry, ".pem")) {
            g_ptr_array_add(out, g_build_filename(path, entry, NULL));
        } else {
            cert_store_warn(warnings, "skipping '%s': not a .pem file", entry);
        }
    }
    return true;
}

/* spec/02 §2 steps 1-6, the table: command-line order, then the limit. */
static GPtrArray *
cert_store_collect(const char *const *paths, size_t n_paths,
                   GPtrArray *warnings, GError **error)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; i < n_paths; i++) {
        const char *path = paths[i];
        struct stat st;

        if (!path || !*path) {
            g_set_error_literal(error, CERT_STORE_ERROR, CERT_STORE_ERROR_PATH,
                                "Empty path in certificate path list is not allowed");
            return NULL;
        }
        if (stat(path, &st) != 0) {
            int err = errno;

            g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_PATH,
                        "Failed to stat path '%s': %s", path, g_strerror(err));
            return NULL;
        }
        if (S_ISREG(st.st_mode)) {
            if (!g_str_has_suffix(path, ".pem")) {
                g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_PATH,
                            "Certificate file '%s' must have a .pem extension",
                            path);
                return NULL;
            }
            g_ptr_array_add(out, g_strdup(path));
        } else if (S_ISDIR(st.st_mode)) {
            if (!cert_store_collect_dir(path, out, warnings, error)) {
                return NULL;
            }
        } else {
            g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_PATH,
                        "Path '%s' is neither a file nor a directory", path);
            return NULL;
        }
    }
    if (out->len > MAX_CERTIFICATES) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LIMIT,
                    "Cert store exceeds maximum of %d certificates",
                    MAX_CERTIFICATES);
        return NULL;
    }
    return g_steal_pointer(&out);
}

/* spec/02 §2 "Loading", steps 1-3, and §3.1. */
static CertStoreEntry *
cert_store_entry_load(const char *path, GPtrArray *warnings, GError **error)
{
    g_autoptr(CertStoreEntry) entry = g_new0(CertStoreEntry, 1);
    g_autofree char *buf = NULL;
    g_autofree char *base = g_path_get_basename(path);
    gnutls_x509_crt_t *list = NULL;
    unsigned int list_len = 0;
    gnutls_datum_t pem;
    gnutls_datum_t der = { NULL, 0 };
    struct stat st;
    gsize size = 0;
    int ret;

    /*
     * 07 D28: a collected path that is no regular file (a subdirectory or
     * FIFO named x.pem) gets its own text; reading a FIFO could block.
     */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Certificate path '%s' is not a regular file", path);
        return NULL;
    }
    if (!g_file_get_contents(path, &buf, &size, NULL)) {
        /* Upstream does not print the reason */
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Failed to load certificate: %s", path);
        return NULL;
    }
    if (size > UINT_MAX) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Failed to initialize certificate: %s: "
                    "Failed to import certificate: %s",
                    path, gnutls_strerror(GNUTLS_E_MEMORY_ERROR));
        return NULL;
    }
    pem.data = (unsigned char *)buf;
    pem.size = (unsigned int)size;

    entry->path = g_strdup(path);
    ret = gnutls_x509_crt_init(&entry->crt);
    if (ret < 0) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Failed to initialize certificate: %s: "
                    "Failed to initialize certificate: %s",
                    path, gnutls_strerror(ret));
        return NULL;
    }
    /* PEM only, first certificate of a bundle (07 K9) */
    ret = gnutls_x509_crt_import(entry->crt, &pem, GNUTLS_X509_FMT_PEM);
    if (ret < 0) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Failed to initialize certificate: %s: "
                    "Failed to import certificate: %s",
                    path, gnutls_strerror(ret));
        return NULL;
    }
    ret = gnutls_x509_crt_export2(entry->crt, GNUTLS_X509_FMT_DER, &der);
    if (ret < 0) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Failed to initialize certificate: %s: "
                    "Failed to convert certificate to DER format: %s",
                    path, gnutls_strerror(ret));
        return NULL;
    }
    entry->der = g_memdup2(der.data, der.size);
    entry->der_size = der.size;
    gnutls_free(der.data);

    /*
     * 07 D28: say so when a bundle contributes only its first certificate.
     * Counted with GnuTLS's list import; a bundle whose later blocks do not
     * parse is not recognised as one and stays silent.
     */
    if (gnutls_x509_crt_list_import2(&list, &list_len, &pem,
                                     GNUTLS_X509_FMT_PEM, 0) == 0) {
        if (list_len > 1) {
            cert_store_warn(warnings,
                            "'%s' contains more than one certificate; "
                            "only the first is used", path);
        }
        for (unsigned int i = 0; i < list_len; i++) {
            gnutls_x509_crt_deinit(list[i]);
        }
        gnutls_free(list);
    }

    /* spec/02 §3.2: key id + hash + word-rounded DER */
    entry->data_size = CERT_STORE_WORD_ALIGN((size_t)CERT_KEY_ID_LEN) +
                       CERT_STORE_WORD_ALIGN((size_t)CERT_HASH_LEN) +
                       CERT_STORE_WORD_ALIGN(entry->der_size);
    if (entry->data_size > CERT_BUF_MAX_LEN) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LIMIT,
                    "Certificate data size %zu exceeds maximum buffer size %zu",
                    entry->data_size, (size_t)CERT_BUF_MAX_LEN);
        return NULL;
    }

    /* spec/02 §3.1: basename incl. .pem, blank padded/truncated, EBCDIC */
    ebcdic_from_ascii_padded(entry->name, sizeof(entry->name), base);

    /* spec/02 §7.1 */
    ret = gnutls_hash_fast(GNUTLS_DIG_SHA256, entry->der, entry->der_size,
                           entry->fingerprint);
    if (ret < 0) {
        g_set_error(error, CERT_STORE_ERROR, CERT_STORE_ERROR_LOAD,
                    "Failed to initialize certificate: %s: %s",
                    path, gnutls_strerror(ret));
        return NULL;
    }
    cert_store_entry_compute(entry, warnings);
    return g_steal_pointer(&entry);
}

static void
cert_store_init_empty(CertStore *store)
{
    store->entries = g_ptr_array_new_with_free_func(
        (GDestroyNotify)cert_store_entry_free);
    store->warnings = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(store->warnings, NULL);
}

/**
 * cert_store_new:
 * @paths: ordered host paths (files or directories), as boot-certs.N.path
 * @n_paths: number of paths; 0 gives an empty store
 * @error: return location for a GError in CERT_STORE_ERROR
 *
 * Collects the paths, then loads each in collection order (spec/02 §2).
 * Error codes: CERT_STORE_ERROR_PATH (empty path, stat failure, missing
 * .pem extension, directory not openable, neither file nor directory),
 * CERT_STORE_ERROR_LIMIT (more than 64 certificates, data size above 8064),
 * CERT_STORE_ERROR_LOAD (not a regular file, unreadable, not a PEM
 * certificate). The message is QEMU's text, or sipl's where 07 D28 says so.
 *
 * Returns: the store, or NULL with @error set and nothing kept.
 */
CertStore *
cert_store_new(const char *const *paths, size_t n_paths, GError **error)
{
    return cert_store_new_full(paths, n_paths, NULL, error);
}

/* Collect and load into @store (its warnings filled as they arise). */
static bool
cert_store_fill(CertStore *store, const char *const *paths, size_t n_paths,
                GError **error)
{
    g_autoptr(GPtrArray) collected = NULL;

    collected = cert_store_collect(paths, n_paths, store->warnings, error);
    if (!collected) {
        return false;
    }
    for (guint i = 0; i < collected->len; i++) {
        CertStoreEntry *entry = cert_store_entry_load(collected->pdata[i],
                                                      store->warnings, error);

        if (!entry) {
            return false;
        }
        /* Upstream's defensive check; unreachable after the path limit */
        if (store->entries->len >= MAX_CERTIFICATES) {
            cert_store_entry_free(entry);
            g_set_error_literal(error, CERT_STORE_ERROR,
                                CERT_STORE_ERROR_LIMIT, "Cert store is full");
            return false;
        }
        store->largest_data_size = MAX(store->largest_data_size,
                                       entry->data_size);
        store->total_bytes += entry->data_size;
        g_ptr_array_add(store->entries, entry);
    }
    return true;
}

/**
 * cert_store_new_full:
 * Like cert_store_new(), and also appends a copy of every warning line to
 * @warnings (when not NULL) in the order they arose, whether or not the
 * store could be built: upstream prints them before its fatal line, so a
 * front end can too.
 */
CertStore *
cert_store_new_full(const char *const *paths, size_t n_paths,
                    GPtrArray *warnings, GError **error)
{
    g_autoptr(CertStore) store = g_new0(CertStore, 1);
    bool ok;

    cert_store_init_empty(store);
    ok = cert_store_fill(store, paths, n_paths, error);
    for (guint i = 0; warnings && i + 1 < store->warnings->len; i++) {
        g_ptr_array_add(warnings, g_strdup(store->warnings->pdata[i]));
    }
    return ok ? g_steal_pointer(&store) : NULL;
}

/**
 * cert_store_free:
 * @store: a store, or NULL
 *
 * Frees the store with every entry and warning.
 */
void
cert_store_free(CertStore *store)
{
    if (!store) {
        return;
    }
    g_clear_pointer(&store->entries, g_ptr_array_unref);
    g_clear_pointer(&store->warnings, g_ptr_array_unref);
    g_free(store);
}

/**
 * cert_store_count:
 * @store: the store
 *
 * Returns: the number of certificates (0..64).
 */
guint
cert_store_count(const CertStore *store)
{
    return store->entries->len;
}

/**
 * cert_store_get:
 * @store: the store
 * @index: 0-origin store index
 *
 * Returns: the entry (owned by the store), or NULL if @index is out of range.
 */
const CertStoreEntry *
cert_store_get(const CertStore *store, guint index)
{
    if (index >= store->entries->len) {
        return NULL;
    }
    return store->entries->pdata[index];
}

/**
 * cert_store_largest_data_size:
 * @store: the store
 *
 * Returns: the largest data size of any entry, 0 when empty (spec/02 §3.2).
 */
size_t
cert_store_largest_data_size(const CertStore *store)
{
    return store->largest_data_size;
}

/**
 * cert_store_total_bytes:
 * @store: the store
 *
 * Returns: the sum of all entries' data sizes (spec/02 §3.2).
 */
size_t
cert_store_total_bytes(const CertStore *store)
{
    return store->total_bytes;
}

/**
 * cert_store_warnings:
 * @store: the store
 *
 * Returns: the warning lines in the order they arose, NULL-terminated and
 * owned by the store (an empty list when there were none).
 */
const char *const *
cert_store_warnings(const CertStore *store)
{
    return (const char *const *)store->warnings->pdata;
}

/**
 * cert_store_set_clock:
 * @store: the store
 * @clock: the clock to use, or NULL for time(NULL)
 */
void
cert_store_set_clock(CertStore *store, CertStoreClock clock)
{
    store->clock = clock;
}

/**
 * cert_store_now:
 * @store: the store
 *
 * Returns: the current time by the store's clock (spec/02 §7.5).
 */
time_t
cert_store_now(const CertStore *store)
{
    return store->clock ? store->clock() : time(NULL);
}
