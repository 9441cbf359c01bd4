/*
 * certgen.c: real X.509 certificates for tests, made with GnuTLS
 *
 * Keys are generated per call (no cache across processes); RSA-4096 takes
 * seconds, so tests should ask for it only where the key size matters and
 * use CertGenSpec.reuse_key to certify one key several times.
 */
#include "certgen.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <string.h>
#include <sys/stat.h>

#define CERTGEN_DAY (24 * 60 * 60)

static void
certgen_check(int ret, const char *what)
{
    if (ret < 0) {
        g_error("certgen: %s: %s", what, gnutls_strerror(ret));
    }
}

static void
certgen_key_params(CertGenKeyType type, gnutls_pk_algorithm_t *algo,
                   unsigned int *bits)
{
    switch (type) {
    case CERTGEN_RSA2048:
        *algo = GNUTLS_PK_RSA;
        *bits = 2048;
        return;
    case CERTGEN_RSA3072:
        *algo = GNUTLS_PK_RSA;
        *bits = 3072;
        return;
    case CERTGEN_RSA4096:
        *algo = GNUTLS_PK_RSA;
        *bits = 4096;
        return;
    case CERTGEN_P256:
        *algo = GNUTLS_PK_ECDSA;
        *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1);
        return;
    case CERTGEN_P384:
        *algo = GNUTLS_PK_ECDSA;
        *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1);
        return;
    case CERTGEN_P521:
        *algo = GNUTLS_PK_ECDSA;
        *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP521R1);
        return;
    case CERTGEN_ED25519:
        *algo = GNUTLS_PK_EDDSA_ED25519;
        *bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519);
        return;
    }
    g_error("certgen: unknown key type %d", (int)type);
}

static gnutls_x509_privkey_t
certgen_key_new(const CertGenSpec *spec)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_pk_algorithm_t algo;
    unsigned int bits;

    certgen_check(gnutls_x509_privkey_init(&key), "privkey_init");
    if (spec->reuse_key) {
        certgen_check(gnutls_x509_privkey_cpy(key, spec->reuse_key),
                      "privkey_cpy");
        return key;
    }
    certgen_key_params(spec->key_type, &algo, &bits);
    certgen_check(gnutls_x509_privkey_generate(key, algo, bits, 0),
                  "privkey_generate");
    return key;
}

/*
 * DER INTEGER content for a positive serial: minimal big-endian bytes,
 * with a leading zero when the top bit is set so it stays positive.
 */
static void
certgen_set_serial(gnutls_x509_crt_t crt, guint64 serial)
{
    guint8 buf[20];
    size_t len;

    if (serial == 0) {
        len = 16;
        certgen_check(gnutls_rnd(GNUTLS_RND_NONCE, buf, len), "rnd");
        buf[0] &= 0x7f;
        buf[0] |= 0x40; /* keep the length fixed at 16 bytes */
    } else {
        guint8 be[8];
        size_t first = 0;

        for (size_t i = 0; i < 8; i++) {
            be[i] = (guint8)(serial >> (56 - 8 * i));
        }
        while (first < 7 && be[first] == 0) {
            first++;
        }
        len = 0;
        if (be[first] & 0x80) {
            buf[len++] = 0;
        }
        memcpy(buf + len, be + first, 8 - first);
        len += 8 - first;
    }
    certgen_check(gnutls_x509_crt_set_serial(crt, buf, len), "set_serial");
}

static char *
certgen_export_pem(gnutls_datum_t *d)
{
    char *s = g_strndup((const char *)d->data, d->size);

    gnutls_free(d->data);
    d->data = NULL;
    return s;
}

/**
 * certgen_new:
 * @spec: what to make (key type, validity, key usage, serial, SKI)
 *
 * Generates (or copies @spec->reuse_key) a private key and a self-signed
 * X.509 v3 certificate for it, exported as PEM and DER, and the key as
 * unencrypted PKCS#8 PEM.
 *
 * Returns: the new certificate; aborts the test on any GnuTLS failure.
 */
CertGenCert *
certgen_new(const CertGenSpec *spec)
{
    g_autoptr(CertGenCert) cert = g_new0(CertGenCert, 1);
    const char *cn = spec->cn ? spec->cn : "sipl test";
    time_t now = time(NULL);
    time_t not_before = spec->not_before ? spec->not_before : now - CERTGEN_DAY;
    time_t not_after = spec->not_after ? spec->not_after
                                       : now + 365 * CERTGEN_DAY;
    unsigned int usage = spec->key_usage ? spec->key_usage
        : (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN);
    gnutls_digest_algorithm_t dig = GNUTLS_DIG_SHA256;
    gnutls_datum_t d = { NULL, 0 };

    cert->key = certgen_key_new(spec);
    certgen_check(gnutls_x509_crt_init(&cert->crt), "crt_init");
    certgen_check(gnutls_x509_crt_set_version(cert->crt, 3), "set_version");
    certgen_check(gnutls_x509_crt_set_key(cert->crt, cert->key), "set_key");
    certgen_set_serial(cert->crt, spec->serial);
    certgen_check(gnutls_x509_crt_set_dn_by_oid(cert->crt,
                                                GNUTLS_OID_X520_COMMON_NAME,
                                                0, cn, strlen(cn)),
                  "set_dn");
    certgen_check(gnutls_x509_crt_set_activation_time(cert->crt, not_before),
                  "set_activation_time");
    certgen_check(gnutls_x509_crt_set_expiration_time(cert->crt, not_after),
                  "set_expiration_time");
    if (!spec->no_key_usage) {
        certgen_check(gnutls_x509_crt_set_key_usage(cert->crt, usage),
                      "set_key_usage");
    }
    if (!spec->no_subject_key_id) {
        guint8 id[64];
        size_t id_len = sizeof(id);

        /* The common SHA-1 method of RFC 5280 §4.2.1.2 */
        certgen_check(gnutls_x509_crt_get_key_id(cert->crt, 0, id, &id_len),
                      "get_key_id");
        certgen_check(gnutls_x509_crt_set_subject_key_id(cert->crt, id,
                                                         id_len),
                      "set_subject_key_id");
    }

    if (gnutls_x509_privkey_get_pk_algorithm(cert->key) ==
        GNUTLS_PK_EDDSA_ED25519) {
        dig = GNUTLS_DIG_UNKNOWN; /* EdDSA hashes internally */
    }
    certgen_check(gnutls_x509_crt_sign2(cert->crt, cert->crt, cert->key,
                                        dig, 0),
                  "crt_sign2");

    certgen_check(gnutls_x509_crt_export2(cert->crt, GNUTLS_X509_FMT_PEM, &d),
                  "export PEM");
    cert->pem = certgen_export_pem(&d);
    certgen_check(gnutls_x509_crt_export2(cert->crt, GNUTLS_X509_FMT_DER, &d),
                  "export DER");
    cert->der = g_memdup2(d.data, d.size);
    cert->der_len = d.size;
    gnutls_free(d.data);
    certgen_check(gnutls_x509_privkey_export2_pkcs8(cert->key,
                                                    GNUTLS_X509_FMT_PEM, NULL,
                                                    GNUTLS_PKCS_PLAIN, &d),
                  "export PKCS#8");
    cert->key_pem = certgen_export_pem(&d);

    return g_steal_pointer(&cert);
}

/**
 * certgen_free:
 * @cert: certificate from certgen_new(), or NULL
 */
void
certgen_free(CertGenCert *cert)
{
    if (!cert) {
        return;
    }
    if (cert->crt) {
        gnutls_x509_crt_deinit(cert->crt);
    }
    if (cert->key) {
        gnutls_x509_privkey_deinit(cert->key);
    }
    g_free(cert->pem);
    g_free(cert->der);
    g_free(cert->key_pem);
    g_free(cert);
}

static void
certgen_write(const char *path, const char *text)
{
    g_autoptr(GError) error = NULL;

    if (!g_file_set_contents(path, text, -1, &error)) {
        g_error("certgen: %s", error->message);
    }
}

/**
 * certgen_write_pem:
 * @cert: the certificate
 * @path: file to create or replace
 *
 * Writes the certificate's PEM; aborts the test on failure.
 */
void
certgen_write_pem(const CertGenCert *cert, const char *path)
{
    certgen_write(path, cert->pem);
}

/**
 * certgen_write_key_pem:
 * @cert: the certificate
 * @path: file to create or replace
 *
 * Writes the private key as PKCS#8 PEM; aborts the test on failure.
 */
void
certgen_write_key_pem(const CertGenCert *cert, const char *path)
{
    certgen_write(path, cert->key_pem);
}

/**
 * certgen_tmpdir_new:
 *
 * Returns: the path of a new, empty, private temporary directory (owned by
 * the caller); aborts the test on failure.
 */
char *
certgen_tmpdir_new(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("sipl-test-XXXXXX", &error);

    if (!dir) {
        g_error("certgen: %s", error->message);
    }
    return dir;
}

/*
 * Removes @path and, when it is a real directory (not a symlink to one),
 * everything below it; symlinks are removed, never followed.
 */
static void
certgen_remove_tree(const char *path)
{
    GStatBuf st;

    if (g_lstat(path, &st) < 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        /* A directory left without read permission by a test */
        if (!dir && g_chmod(path, 0700) == 0) {
            dir = g_dir_open(path, 0, NULL);
        }
        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            certgen_remove_tree(child);
        }
        if (g_rmdir(path) < 0) {
            g_warning("certgen: rmdir %s: %s", path, g_strerror(errno));
        }
    } else if (g_unlink(path) < 0) {
        g_warning("certgen: unlink %s: %s", path, g_strerror(errno));
    }
}

/**
 * certgen_tmpdir_remove:
 * @dir: a directory from certgen_tmpdir_new(), or NULL
 *
 * Removes @dir with its contents (symlinks inside are not followed).
 */
void
certgen_tmpdir_remove(const char *dir)
{
    if (dir) {
        certgen_remove_tree(dir);
    }
}
