/*
 * secureboot_cert.c: one <cert> of <secureBoot>: building, checking, naming
 */
#include "secureboot_cert.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <p11-kit/uri.h>
#include <string.h>

#include "pkcs11_uri.h"
#include "sipl_i18n.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(P11KitUri, p11_kit_uri_free)

#define PEM_BEGIN "-----BEGIN "
#define PEM_BEGIN_CERT "-----BEGIN CERTIFICATE-----"

void
siplSecureBootCertDefFree(siplSecureBootCertDef *cert)
{
    if (!cert)
        return;
    g_free(cert->name);
    g_free(cert->source);
    g_free(cert->pem);
    g_clear_pointer(&cert->der, g_bytes_unref);
    g_free(cert->fingerprint);
    g_free(cert);
}



siplSecureBootCertDef *
siplSecureBootCertDefCopy(const siplSecureBootCertDef *cert)
{
    siplSecureBootCertDef *copy = g_new0(siplSecureBootCertDef, 1);

    copy->name = g_strdup(cert->name);
    copy->state = cert->state;
    copy->sourceType = cert->sourceType;
    copy->source = g_strdup(cert->source);
    copy->pem = g_strdup(cert->pem);
    copy->der = cert->der ? g_bytes_ref(cert->der) : NULL;
    copy->fingerprint = g_strdup(cert->fingerprint);
    return copy;
}



/* Count PEM blocks of any kind: a private key pasted next to a certificate
 * must never end up in metadata that travels with the domain. */
static unsigned int
siplPemCountBlocks(const char *data, gsize len, bool *isCert)
{
    unsigned int n = 0;
    const char *p = data;
    const char *end = data + len;

    *isCert = true;
    while (p < end) {
        const char *hit = memmem(p, end - p, PEM_BEGIN, strlen(PEM_BEGIN));

        if (!hit)
            break;
        if ((gsize)(end - hit) < strlen(PEM_BEGIN_CERT) ||
            memcmp(hit, PEM_BEGIN_CERT, strlen(PEM_BEGIN_CERT)) != 0)
            *isCert = false;
        n++;
        p = hit + strlen(PEM_BEGIN);
    }
    return n;
}


static bool
siplSecureBootCheckSource(siplSecureBootCertSource sourceType,
                          const char *source, GError **error)
{
    g_autoptr(P11KitUri) uri = NULL;
    int rc;

    if ((sourceType == SIPL_CERT_SOURCE_NONE) != (source == NULL)) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_SOURCE,
                            _("attributes 'source' and 'sourceType' must be given together"));
        return false;
    }
    /* A control character would not survive the XML attribute (newlines
     * are normalised away, others are not XML at all): refuse it here, with
     * a message that says so, rather than store what cannot read back. */
    for (const char *c = source; c && *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_SOURCE,
                        _("certificate source contains the control character 0x%1$02x; sources must be printable"),
                        (unsigned)(unsigned char)*c);
            return false;
        }
    }

    switch (sourceType) {
    case SIPL_CERT_SOURCE_NONE:
    case SIPL_CERT_SOURCE_LAST:
        return true;
    case SIPL_CERT_SOURCE_FILE:
    case SIPL_CERT_SOURCE_DIRECTORY:
        if (!g_path_is_absolute(source)) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_SOURCE,
                        _("certificate source '%1$s' is not an absolute path"),
                        source);
            return false;
        }
        return true;
    case SIPL_CERT_SOURCE_PKCS11:
        break;
    }

    uri = p11_kit_uri_new();
    rc = p11_kit_uri_parse(source, P11_KIT_URI_FOR_ANY, uri);
    if (rc != P11_KIT_URI_OK) {
        /* it may still carry a PIN (spec/06 §8.3) */
        g_autofree char *shown = siplPkcs11UriRedact(source);
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SOURCE,
                    _("certificate source '%1$s' is not a PKCS#11 URI: %2$s"),
                    shown, p11_kit_uri_message(rc));
        return false;
    }
    /* Certificates are public and the metadata travels with the domain
     * (DESIGN.md): a PIN must never be stored next to them (spec/06 §8.3). */
    if (p11_kit_uri_get_pin_value(uri) || p11_kit_uri_get_pin_source(uri)) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_SOURCE,
                            _("a PKCS#11 URI stored as certificate source must not carry 'pin-value' or 'pin-source'"));
        return false;
    }
    return true;
}


/* Build a certificate from its DER: canonical PEM (what GnuTLS exports)
 * and SHA-256 fingerprint. Whether the DER is X.509 is the caller's
 * concern: CertDefNew imports it, Parse leaves it to Validate. */
static siplSecureBootCertDef *
siplSecureBootCertDefFromDer(const gnutls_datum_t *der, const char *name,
                             siplSecureBootCertState state,
                             siplSecureBootCertSource sourceType,
                             const char *source, GError **error)
{
    g_autoptr(siplSecureBootCertDef) cert = NULL;
    gnutls_datum_t pem = { NULL, 0 };
    int rc;

    if (!siplSecureBootCheckSource(sourceType, source, error))
        return NULL;
    if ((rc = gnutls_pem_base64_encode2("CERTIFICATE", der, &pem)) < 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT,
                    _("cannot encode certificate '%1$s': %2$s"),
                    name, gnutls_strerror(rc));
        return NULL;
    }

    cert = g_new0(siplSecureBootCertDef, 1);
    cert->name = g_strdup(name);
    cert->state = state;
    cert->sourceType = sourceType;
    cert->source = g_strdup(source);
    cert->der = g_bytes_new(der->data, der->size);
    cert->pem = g_strndup((const char *)pem.data, pem.size);
    cert->fingerprint = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                                    der->data, der->size);
    gnutls_free(pem.data);
    return g_steal_pointer(&cert);
}


/* @data holds PEM: exactly one block, a CERTIFICATE. Returns its DER in
 * @der (free with gnutls_free). */
static bool
siplSecureBootPemDecode(const char *data, gsize len, const char *name,
                        gnutls_datum_t *der, GError **error)
{
    gnutls_datum_t in = { (unsigned char *)data, (unsigned int)len };
    bool isCert = true;
    unsigned int blocks = siplPemCountBlocks(data, len, &isCert);
    int rc;

    if (!isCert) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT,
                    _("certificate '%1$s' contains a PEM block that is not a certificate"),
                    name);
        return false;
    }
    if (blocks != 1) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT,
                    _("certificate '%1$s' holds %2$u PEM certificates; exactly one is allowed"),
                    name, blocks);
        return false;
    }
    if ((rc = gnutls_pem_base64_decode2("CERTIFICATE", &in, der)) < 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT,
                    _("certificate '%1$s' is not valid PEM: %2$s"),
                    name, gnutls_strerror(rc));
        return false;
    }
    return true;
}


siplSecureBootCertDef *
siplSecureBootCertDefNewFromPem(const char *pem, const char *name,
                                siplSecureBootCertState state,
                                siplSecureBootCertSource sourceType,
                                const char *source, GError **error)
{
    gnutls_datum_t der = { NULL, 0 };
    siplSecureBootCertDef *cert;

    if (!siplSecureBootPemDecode(pem, strlen(pem), name, &der, error))
        return NULL;
    cert = siplSecureBootCertDefFromDer(&der, name, state, sourceType, source,
                                        error);
    gnutls_free(der.data);
    return cert;
}


siplSecureBootCertDef *
siplSecureBootCertDefNew(const void *data, gsize len, const char *name,
                         siplSecureBootCertState state,
                         siplSecureBootCertSource sourceType,
                         const char *source, GError **error)
{
    gnutls_datum_t der = { (unsigned char *)data, (unsigned int)len };
    gnutls_datum_t decoded = { NULL, 0 };
    gnutls_x509_crt_t crt = NULL;
    siplSecureBootCertDef *cert = NULL;
    bool isCert;
    int rc;

    if (len > G_MAXUINT) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_CERT,
                            _("certificate data is too large"));
        return NULL;
    }
    if (siplPemCountBlocks(data, len, &isCert) > 0) {
        if (!siplSecureBootPemDecode(data, len, name, &decoded, error))
            return NULL;
        der = decoded;
    }

    /* Data from files and tokens must be X.509 before it is kept. */
    if (gnutls_x509_crt_init(&crt) < 0) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_INTERNAL,
                            _("cannot initialise a GnuTLS certificate"));
        goto cleanup;
    }
    if ((rc = gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER)) < 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT,
                    _("certificate '%1$s' is not an X.509 certificate: %2$s"),
                    name, gnutls_strerror(rc));
        goto cleanup;
    }
    cert = siplSecureBootCertDefFromDer(&der, name, state, sourceType, source,
                                        error);

 cleanup:
    gnutls_x509_crt_deinit(crt);
    gnutls_free(decoded.data);
    return cert;
}


bool
siplSecureBootCertNameIsValid(const char *name)
{
    gsize len;
    gsize i;

    if (!name)
        return false;
    len = strlen(name);
    if (len <= strlen(".pem") || len > SIPL_SECUREBOOT_CERT_NAME_MAX ||
        !g_str_has_suffix(name, ".pem") || !g_ascii_isalnum(name[0]))
        return false;
    for (i = 0; i < len; i++) {
        if (!g_ascii_isalnum(name[i]) && !strchr("._-", name[i]))
            return false;
    }
    return true;
}


char *
siplSecureBootCertNameFromLabel(const char *label, const char *fingerprint)
{
    static const char *const suffixes[] = { ".pem", ".crt", ".der", ".cer" };
    g_autofree char *base = g_path_get_basename(label && *label ? label : "_");
    GString *out = g_string_new(NULL);
    gsize maxBase = SIPL_SECUREBOOT_CERT_NAME_MAX - strlen(".pem");
    gsize len = strlen(base);
    const char *p;
    guint i;

    for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        if (len > 4 && g_ascii_strcasecmp(base + len - 4, suffixes[i]) == 0) {
            base[len - 4] = '\0';
            break;
        }
    }
    for (p = base; *p && !g_ascii_isalnum(*p); p++)
        ;
    for (; *p && out->len < maxBase; p++)
        g_string_append_c(out, g_ascii_isalnum(*p) || strchr("._-", *p) ? *p : '_');

    if (out->len == 0) {
        if (fingerprint && strlen(fingerprint) >= 16)
            g_string_append_printf(out, "cert-%.16s", fingerprint);
        else
            g_string_append(out, "cert");
    }
    g_string_append(out, ".pem");
    return g_string_free(out, FALSE);
}


char *
siplSecureBootCertFileName(guint index, const char *name)
{
    return g_strdup_printf("%02u-%s", index, name);
}
