/*
 * secureboot_validate.c: the certificate rules of a <secureBoot> element
 *
 * Errors refuse the configuration; warnings are returned for the caller to
 * print, and the configuration may still be used (issue 4, spec/05 §8.4).
 */
#include "secureboot_cert.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "sipl_i18n.h"
#include "sipl_util.h"

/* Warn this long before a certificate expires: an expired certificate makes
 * DIAG 0x508 fail (07 K7) and a secure guest stops booting (06 §8.2). */
#define SIPL_EXPIRY_WARN_DAYS 30

static char *
siplFormatTime(time_t t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

    if (!dt)
        return g_strdup_printf("%lld", (long long)t);
    return g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
}


/* Dates and key usage: warnings only (see secureboot_conf.h). */
static bool
siplSecureBootCertCheckX509(const siplSecureBootCertDef *cert, time_t now,
                            GPtrArray *warnings, GError **error)
{
    gnutls_x509_crt_t crt = NULL;
    gsize len = 0;
    const guint8 *der = g_bytes_get_data(cert->der, &len);
    gnutls_datum_t datum = { (unsigned char *)der, (unsigned int)len };
    unsigned int usage = 0;
    unsigned int critical = 0;
    time_t activation;
    time_t expiration;
    int rc;

    if ((rc = gnutls_x509_crt_init(&crt)) < 0 ||
        (rc = gnutls_x509_crt_import(crt, &datum, GNUTLS_X509_FMT_DER)) < 0) {
        gnutls_x509_crt_deinit(crt);
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID,
                    _("certificate '%1$s' is not an X.509 certificate: %2$s"),
                    cert->name, gnutls_strerror(rc));
        return false;
    }

    activation = gnutls_x509_crt_get_activation_time(crt);
    expiration = gnutls_x509_crt_get_expiration_time(crt);
    if (activation != (time_t)-1 && activation > now) {
        g_autofree char *when = siplFormatTime(activation);

        siplWarn(warnings,
                 _("certificate '%1$s' is not valid before %2$s: DIAG 0x508 rejects it until then"),
                 cert->name, when);
    }
    if (expiration != (time_t)-1) {
        g_autofree char *when = siplFormatTime(expiration);

        if (expiration < now)
            siplWarn(warnings,
                     _("certificate '%1$s' expired on %2$s: DIAG 0x508 rejects it, a secure guest signed only by it will not boot"),
                     cert->name, when);
        else if (expiration - now < (time_t)SIPL_EXPIRY_WARN_DAYS * 24 * 3600)
            siplWarn(warnings,
                     _("certificate '%1$s' expires on %2$s"),
                     cert->name, when);
    }

    /* No KeyUsage extension means no restriction (RFC 5280 §4.2.1.3). */
    rc = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);
    if (rc >= 0 && !(usage & GNUTLS_KEY_DIGITAL_SIGNATURE))
        siplWarn(warnings,
                 _("certificate '%1$s' has a key usage without digitalSignature: DIAG 0x508 is expected to reject signatures made with its key"),
                 cert->name);

    gnutls_x509_crt_deinit(crt);
    return true;
}


bool
siplSecureBootDefValidate(const siplSecureBootDef *def, time_t now,
                          GPtrArray *warnings, GError **error)
{
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) guestNames = g_hash_table_new_full(g_str_hash,
                                                             g_str_equal,
                                                             g_free, NULL);
    g_autoptr(GHashTable) prints = g_hash_table_new(g_str_hash, g_str_equal);
    guint i;

    if (def->mode >= SIPL_MODE_LAST) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID,
                    _("unknown secure boot mode %1$d"), (int)def->mode);
        return false;
    }
    /* QEMU would boot normally (audit) or halt in firmware (secure) with an
     * empty store (spec/01 §3.1, 07 D9, K11). */
    if (def->mode != SIPL_MODE_NORMAL && def->certs->len == 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID,
                    _("secure boot mode '%1$s' needs at least one certificate"),
                    siplSecureBootModeTypeToString(def->mode));
        return false;
    }
    if (def->certs->len > SIPL_SECUREBOOT_MAX_CERTS) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_INVALID,
                    _("%1$u certificates given; the store holds at most %2$u"),
                    def->certs->len, (guint)SIPL_SECUREBOOT_MAX_CERTS);
        return false;
    }

    for (i = 0; i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);
        g_autofree char *file = NULL;
        char *guest;
        const char *other;
        gsize derLen = cert->der ? g_bytes_get_size(cert->der) : 0;

        if (!siplSecureBootCertNameIsValid(cert->name)) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_INVALID,
                        /* TRANSLATORS: %2$u is 61: QEMU shows the guest 64
                         * bytes and the store adds a 3-byte "NN-" prefix */
                        _("certificate name '%1$s' is invalid: use at most %2$u characters of [A-Za-z0-9._-], starting with a letter or digit and ending in '.pem'"),
                        cert->name ? cert->name : "",
                        (guint)SIPL_SECUREBOOT_CERT_NAME_MAX);
            return false;
        }
        if ((other = g_hash_table_lookup(names, cert->name))) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_INVALID,
                        _("certificate name '%1$s' is used twice"), cert->name);
            return false;
        }
        g_hash_table_insert(names, cert->name, cert->name);

        /* What the guest sees in the VCE: the rendered basename cut to 64
         * bytes (spec/02 §3.1). The NN- prefix keeps these unique and the
         * name limit keeps them whole today; the checks guard the rule. */
        file = siplSecureBootCertFileName(i, cert->name);
        guest = g_strndup(file, SIPL_SECUREBOOT_NAME_MAX);
        if ((other = g_hash_table_lookup(guestNames, guest))) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_INVALID,
                        _("certificates '%1$s' and '%2$s' have the same name '%3$s' in the guest's store"),
                        other, cert->name, guest);
            g_free(guest);
            return false;
        }
        g_hash_table_insert(guestNames, guest, cert->name);
        if (strlen(file) > SIPL_SECUREBOOT_NAME_MAX)
            siplWarn(warnings,
                     _("certificate '%1$s' is stored as '%2$s', which the guest sees cut to 64 bytes as '%3$s'"),
                     cert->name, file, guest);

        if (derLen == 0 || !cert->fingerprint) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_INVALID,
                        _("certificate '%1$s' has no certificate data"),
                        cert->name);
            return false;
        }
        if (derLen > SIPL_SECUREBOOT_DER_MAX) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_INVALID,
                        _("certificate '%1$s' is %2$zu bytes in DER; QEMU's store takes at most %3$u"),
                        cert->name, derLen, (guint)SIPL_SECUREBOOT_DER_MAX);
            return false;
        }
        /* QEMU would store it twice under two indices (07 K8). */
        if ((other = g_hash_table_lookup(prints, cert->fingerprint))) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR,
                        SIPL_SECUREBOOT_ERROR_INVALID,
                        _("certificates '%1$s' and '%2$s' are the same certificate (SHA-256 %3$s)"),
                        other, cert->name, cert->fingerprint);
            return false;
        }
        g_hash_table_insert(prints, cert->fingerprint, cert->name);

        if (!siplSecureBootCertCheckX509(cert, now, warnings, error))
            return false;
    }
    return true;
}
