/*
 * certstore-entry.c: what the store computes once per certificate
 * (spec/02 §3.1, §7.1-§7.3; 07 D6, D10, D11)
 *
 * Key type, key parameters for D10's same-key test, the SignerInfo
 * identifiers and validity window: everything a DIAG needs, so that no
 * DIAG call parses a certificate again.
 */
#include "certstore-priv.h"

#include <gnutls/crypto.h>
#include <string.h>

#include "bios/wire/diag320.h"

/* spec/02 §7.3; any failure makes the VCE invalid and is logged (07 D6). */
static void
cert_store_entry_key_type(CertStoreEntry *entry, GPtrArray *warnings)
{
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    int ret;
    int pk;

    if (!entry->pubkey) {
        return;     /* already logged */
    }
    pk = gnutls_pubkey_get_pk_algorithm(entry->pubkey, NULL);
    if (pk < 0 || pk == GNUTLS_PK_UNKNOWN) {
        cert_store_warn(warnings,
                        "'%s': cannot determine the public-key algorithm",
                        entry->path);
        return;
    }
    if (pk != GNUTLS_PK_ECDSA) {
        entry->key_type = DIAG_320_VCE_KEYTYPE_SELF_DESCRIBING;
        entry->key_type_ok = true;
        return;
    }
    ret = gnutls_pubkey_export_ecc_raw2(entry->pubkey, &curve, NULL, NULL, 0);
    if (ret < 0 || curve == GNUTLS_ECC_CURVE_INVALID) {
        cert_store_warn(warnings, "'%s': cannot determine the ECDSA curve: %s",
                        entry->path,
                        ret < 0 ? gnutls_strerror(ret) : "invalid curve");
        return;
    }
    entry->key_type = curve == GNUTLS_ECC_CURVE_SECP521R1
        ? DIAG_320_VCE_KEYTYPE_ECDSA_P521
        : DIAG_320_VCE_KEYTYPE_SELF_DESCRIBING;
    entry->key_type_ok = true;
}

/*
 * 07 D10 (b): "same public key" means same key parameters, not SPKI bytes:
 * one key can sit in differently encoded SPKIs (RSA in an RSA-PSS SPKI).
 * The family (RSA-PSS folded into RSA, whose keys verify both) and the
 * parameters GnuTLS holds (modulus and exponent, or curve and point, no
 * leading zeros) are hashed once here, so DIAG 0x508 compares 32 bytes
 * instead of exporting two keys per lower-index certificate and call.
 * Parameters that cannot be exported leave key_params_ok false: "maybe".
 */
static void
cert_store_entry_key_params(CertStoreEntry *entry)
{
    const unsigned int flags = GNUTLS_EXPORT_FLAG_NO_LZ;
    gnutls_datum_t x = { NULL, 0 };
    gnutls_datum_t y = { NULL, 0 };
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_hash_hd_t hd;
    uint32_t head[4];   /* family, curve, |x|, |y|: unambiguous input */
    int pk;
    int ret = -1;

    if (!entry->pubkey) {
        return;
    }
    pk = gnutls_pubkey_get_pk_algorithm(entry->pubkey, &entry->key_bits);
    entry->key_family = pk == GNUTLS_PK_RSA_PSS ? GNUTLS_PK_RSA : pk;
    if (entry->key_family == GNUTLS_PK_RSA) {
        ret = gnutls_pubkey_export_rsa_raw2(entry->pubkey, &x, &y, flags);
    } else if (entry->key_family == GNUTLS_PK_ECDSA) {
        ret = gnutls_pubkey_export_ecc_raw2(entry->pubkey, &curve, &x, &y,
                                            flags);
    } else if (entry->key_family == GNUTLS_PK_EDDSA_ED25519 ||
               entry->key_family == GNUTLS_PK_EDDSA_ED448) {
        ret = gnutls_pubkey_export_ecc_raw2(entry->pubkey, &curve, &x, NULL,
                                            flags);
    }
    if (ret >= 0 && gnutls_hash_init(&hd, GNUTLS_DIG_SHA256) == 0) {
        head[0] = (uint32_t)entry->key_family;
        head[1] = (uint32_t)curve;
        head[2] = x.size;
        head[3] = y.size;
        gnutls_hash(hd, head, sizeof(head));
        gnutls_hash(hd, x.data, x.size);
        if (y.size > 0) {
            gnutls_hash(hd, y.data, y.size);
        }
        gnutls_hash_deinit(hd, entry->key_params);
        entry->key_params_ok = true;
    }
    gnutls_free(x.data);
    gnutls_free(y.data);
}

/*
 * The signer identifiers (issuer + serial, subject key identifier) and
 * the KeyUsage verdict of GnuTLS's verify_data3() (02 §7.4), read once
 * with the same calls DIAG 0x508 used to make per certificate and call.
 */
static void
cert_store_entry_signer_info(CertStoreEntry *entry)
{
    gnutls_datum_t dn = { NULL, 0 };
    unsigned int usage = 0;

    /* Lengths are meaningful only with their _ok flag */
    entry->serial_len = sizeof(entry->serial);
    entry->serial_ok = gnutls_x509_crt_get_serial(entry->crt, entry->serial,
                                                  &entry->serial_len) >= 0;
    if (gnutls_x509_crt_get_raw_issuer_dn(entry->crt, &dn) >= 0) {
        entry->issuer_dn = g_memdup2(dn.data, dn.size);
        entry->issuer_dn_len = entry->issuer_dn ? dn.size : 0;
        gnutls_free(dn.data);
    }
    entry->skid_len = sizeof(entry->skid);
    entry->skid_ok = gnutls_x509_crt_get_subject_key_id(
        entry->crt, entry->skid, &entry->skid_len, NULL) >= 0;
    entry->usage_ok =
        gnutls_x509_crt_get_key_usage(entry->crt, &usage, NULL) < 0 ||
        (usage & GNUTLS_KEY_DIGITAL_SIGNATURE);
}

/*
 * What DIAG 0x320 and 0x508 need, computed once (07 D11). None of these is
 * a load error upstream (02 §2: load-time validation is import + export
 * only); a failure marks the entry so its VCE is invalid (02 §5.7).
 */
void
cert_store_entry_compute(CertStoreEntry *entry, GPtrArray *warnings)
{
    size_t len = sizeof(entry->key_id);
    int ret;

    /* spec/02 §7.2: GnuTLS's SHA-256 key id, whatever its input is */
    ret = gnutls_x509_crt_get_key_id(entry->crt, GNUTLS_KEYID_USE_SHA256,
                                     entry->key_id, &len);
    entry->key_id_ok = ret == 0 && len == CERT_KEY_ID_LEN;
    if (!entry->key_id_ok) {
        memset(entry->key_id, 0, sizeof(entry->key_id));
        cert_store_warn(warnings, "'%s': cannot compute the key id: %s",
                        entry->path,
                        ret < 0 ? gnutls_strerror(ret) : "unexpected length");
    }

    ret = gnutls_pubkey_init(&entry->pubkey);
    if (ret == 0) {
        ret = gnutls_pubkey_import_x509(entry->pubkey, entry->crt, 0);
    }
    if (ret < 0) {
        g_clear_pointer(&entry->pubkey, gnutls_pubkey_deinit);
        cert_store_warn(warnings, "'%s': cannot read the public key: %s",
                        entry->path, gnutls_strerror(ret));
    }
    cert_store_entry_key_type(entry, warnings);
    cert_store_entry_key_params(entry);
    cert_store_entry_signer_info(entry);

    /* spec/02 §7.5: (time_t)-1 is GnuTLS's "cannot give a time" */
    entry->activation = gnutls_x509_crt_get_activation_time(entry->crt);
    entry->expiration = gnutls_x509_crt_get_expiration_time(entry->crt);
    entry->times_ok = entry->activation != (time_t)-1 &&
                      entry->expiration != (time_t)-1;
}
