/*
 * fuzz-certstore.c: libFuzzer target for the certificate loader
 * (spec/02 §2, §3)
 *
 * Each input becomes the contents of one .pem file, loaded twice: named
 * directly and through a scan of its directory. The file and directory are
 * created once per process and reused, so a run measures the loader, not
 * the file system. Whatever the bytes, the loader must either refuse with a
 * CERT_STORE_ERROR or give one entry whose sizes obey spec/02 §3.2.
 */
#include "qemu/certstore.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_dir;
static char *fuzz_file;

static void
fuzz_cleanup(void)
{
    if (fuzz_file) {
        g_unlink(fuzz_file);
    }
    if (fuzz_dir) {
        g_rmdir(fuzz_dir);
    }
}

static void
fuzz_setup(void)
{
    g_autoptr(GError) error = NULL;

    fuzz_dir = g_dir_make_tmp("sipl-fuzz-certstore-XXXXXX", &error);
    if (!fuzz_dir) {
        g_printerr("fuzz-certstore: %s\n", error->message);
        abort();
    }
    fuzz_file = g_build_filename(fuzz_dir, "input.pem", NULL);
    atexit(fuzz_cleanup);
}

static void
fuzz_check(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(CertStore) store = cert_store_new(&path, 1, &error);
    const CertStoreEntry *entry;

    if (!store) {
        if (!error || error->domain != CERT_STORE_ERROR) {
            abort();
        }
        return;
    }
    if (error || cert_store_count(store) != 1) {
        abort();
    }
    entry = cert_store_get(store, 0);
    if (entry->der_size == 0 || entry->der_size > CERT_DER_MAX_LEN ||
        entry->data_size != 64 + ((entry->der_size + 3) & ~(size_t)3) ||
        cert_store_total_bytes(store) != entry->data_size ||
        !entry->crt || (entry->key_type_ok && !entry->pubkey)) {
        abort();
    }
    /* Touch every byte the DIAG handlers would copy out */
    {
        volatile uint8_t sum = 0;

        for (size_t i = 0; i < entry->der_size; i++) {
            sum ^= entry->der[i];
        }
        for (size_t i = 0; i < sizeof(entry->name); i++) {
            sum ^= entry->name[i];
        }
        (void)sum;
    }
    for (const char *const *w = cert_store_warnings(store); *w; w++) {
        if (!**w) {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_dir) {
        fuzz_setup();
    }
    /* Rewritten in place: no temp file, no fsync per run */
    if (!g_file_set_contents_full(fuzz_file, (const char *)data,
                                  (gssize)size, G_FILE_SET_CONTENTS_NONE,
                                  0600, NULL)) {
        abort();
    }
    fuzz_check(fuzz_file);
    fuzz_check(fuzz_dir);
    return 0;
}
