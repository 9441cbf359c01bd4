/*
 * sigverify-corpus.c: signatures from real tools, and upstream's verdict
 */
#include "sigverify-corpus.h"

#include <gnutls/abstract.h>
#include <gnutls/pkcs7.h>
#include <gnutls/x509.h>
#include <string.h>

static void
corpus_check(int ret, const char *what)
{
    if (ret < 0) {
        g_error("corpus: %s: %s", what, gnutls_strerror(ret));
    }
}

GBytes *
corpus_sign_openssl(const CertGenCert *signer, const CorpusSignOpts *o,
                    const char *workdir, const guint8 *content, gsize len)
{
    g_autofree char *in = g_build_filename(workdir, "content.bin", NULL);
    g_autofree char *crt = g_build_filename(workdir, "signer.pem", NULL);
    g_autofree char *key = g_build_filename(workdir, "signer.key", NULL);
    g_autofree char *out = g_build_filename(workdir, "sig.der", NULL);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    gsize size = 0;
    int status = 0;

    if (!g_file_set_contents(in, (const char *)content, (gssize)len, &error)) {
        g_error("corpus: %s", error->message);
    }
    certgen_write_pem(signer, crt);
    certgen_write_key_pem(signer, key);

    g_ptr_array_add(argv, (char *)"openssl");
    g_ptr_array_add(argv, (char *)"cms");
    g_ptr_array_add(argv, (char *)"-sign");
    g_ptr_array_add(argv, (char *)"-binary");
    if (!o->certs) {
        g_ptr_array_add(argv, (char *)"-nocerts");
    }
    g_ptr_array_add(argv, (char *)"-outform");
    g_ptr_array_add(argv, (char *)"DER");
    g_ptr_array_add(argv, (char *)"-md");
    g_ptr_array_add(argv, (char *)o->md);
    if (!o->attrs) {
        g_ptr_array_add(argv, (char *)"-noattr");
    }
    if (o->keyid) {
        g_ptr_array_add(argv, (char *)"-keyid");
    }
    g_ptr_array_add(argv, (char *)"-in");
    g_ptr_array_add(argv, in);
    g_ptr_array_add(argv, (char *)"-signer");
    g_ptr_array_add(argv, crt);
    g_ptr_array_add(argv, (char *)"-inkey");
    g_ptr_array_add(argv, key);
    if (o->pss) {
        /* -keyopt applies to the -signer before it */
        g_ptr_array_add(argv, (char *)"-keyopt");
        g_ptr_array_add(argv, (char *)"rsa_padding_mode:pss");
    }
    g_ptr_array_add(argv, (char *)"-out");
    g_ptr_array_add(argv, out);
    g_ptr_array_add(argv, NULL);

    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, NULL, &err, &status, &error) ||
        !g_spawn_check_wait_status(status, &error)) {
        g_error("corpus: openssl cms -sign: %s: %s",
                error ? error->message : "?", err ? err : "");
    }
    if (!g_file_get_contents(out, &data, &size, &error)) {
        g_error("corpus: %s", error->message);
    }
    return g_bytes_new_take(data, size);
}

GBytes *
corpus_sign_gnutls(const CertGenCert *signer, const CorpusSignOpts *o,
                   const guint8 *content, gsize len)
{
    gnutls_pkcs7_t p7 = NULL;
    gnutls_privkey_t key = NULL;
    gnutls_datum_t data = { (unsigned char *)content, (unsigned int)len };
    gnutls_datum_t out = { NULL, 0 };
    gnutls_digest_algorithm_t dig = gnutls_digest_get_id(o->md);
    GBytes *sig;

    g_assert_cmpint(dig, !=, GNUTLS_DIG_UNKNOWN);
    corpus_check(gnutls_privkey_init(&key), "privkey_init");
    corpus_check(gnutls_privkey_import_x509(key, signer->key, 0),
                 "privkey_import_x509");
    corpus_check(gnutls_pkcs7_init(&p7), "pkcs7_init");
    corpus_check(gnutls_pkcs7_sign(p7, signer->crt, key, &data, NULL, NULL,
                                   dig,
                                   (o->attrs ? GNUTLS_PKCS7_INCLUDE_TIME : 0) |
                                   (o->certs ? GNUTLS_PKCS7_INCLUDE_CERT : 0)),
                 "pkcs7_sign");
    corpus_check(gnutls_pkcs7_export2(p7, GNUTLS_X509_FMT_DER, &out),
                 "pkcs7_export2");
    sig = g_bytes_new(out.data, out.size);
    gnutls_free(out.data);
    gnutls_pkcs7_deinit(p7);
    gnutls_privkey_deinit(key);
    return sig;
}

int
corpus_upstream_index(const char *const *pems, guint n_pems, GBytes *sig,
                      const guint8 *content, gsize len)
{
    gsize sig_len = 0;
    const guint8 *sig_data = g_bytes_get_data(sig, &sig_len);
    gnutls_datum_t data = { (unsigned char *)content, (unsigned int)len };
    guint i;

    for (i = 0; i < n_pems; i++) {
        gnutls_datum_t der = { (unsigned char *)sig_data,
                               (unsigned int)sig_len };
        gnutls_datum_t pem = { NULL, 0 };
        gnutls_datum_t crt_pem = { (unsigned char *)pems[i],
                                   (unsigned int)strlen(pems[i]) };
        gnutls_pkcs7_t p7 = NULL;
        gnutls_x509_crt_t crt = NULL;
        int ret;

        /* Upstream converts the signature to PEM and re-imports it, and
         * re-imports the certificate from its PEM file, every time. */
        if (gnutls_pem_base64_encode2("PKCS7", &der, &pem) < 0) {
            continue;
        }
        corpus_check(gnutls_pkcs7_init(&p7), "pkcs7_init");
        corpus_check(gnutls_x509_crt_init(&crt), "crt_init");
        ret = gnutls_pkcs7_import(p7, &pem, GNUTLS_X509_FMT_PEM);
        if (ret >= 0) {
            ret = gnutls_x509_crt_import(crt, &crt_pem, GNUTLS_X509_FMT_PEM);
        }
        if (ret >= 0) {
            ret = gnutls_pkcs7_verify_direct(p7, crt, 0, &data, 0);
        }
        gnutls_x509_crt_deinit(crt);
        gnutls_pkcs7_deinit(p7);
        gnutls_free(pem.data);
        if (ret == 0) {
            return (int)i;
        }
    }
    return -1;
}
