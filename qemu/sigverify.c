/*
 * sigverify.c: detached PKCS#7 verification against the store (spec/02 §7.4)
 *
 * Upstream runs gnutls_pkcs7_verify_direct(sig, cert_i, 0, content, 0) for
 * each store certificate in order; each call hashes the whole component
 * again (07 D10). That call is, for SignerInfo 0 (GnuTLS 3.7
 * lib/x509/pkcs7.c, x509.c, pubkey.c):
 *
 *   1. gnutls_pkcs7_get_signature_info(): signature algorithm (from
 *      signatureAlgorithm, or pk + digestAlgorithm), signature, sid;
 *   2. figure_pkcs7_sigdata(): with signed attributes, hash the content
 *      with the signature algorithm's digest, require a matching
 *      messageDigest and at most one contentType equal to eContentType,
 *      and sign over the attributes re-encoded as DER with tag SET;
 *      without, sign over the content itself;
 *   3. gnutls_x509_crt_verify_data2() -> verify_data3(): the public-key
 *      verification (gnutls_pubkey_verify_data2, which includes GnuTLS's
 *      algorithm/security policy), then now > expiration -> fail,
 *      now < activation -> fail, and a KeyUsage without digitalSignature
 *      -> fail.
 *
 * Here steps 1-2 run once and the content is hashed once, in place
 * (guestmem_foreach_chunk, no host copy, 07 D12); step 3 is the same
 * GnuTLS public-key call with the precomputed digest
 * (gnutls_pubkey_verify_hash2 reaches the same pubkey_verify_hashed_data
 * as verify_data2) plus the same time and key-usage checks, with the
 * store's clock. Pure EdDSA without signed attributes signs the message
 * itself and cannot take a digest: that one case copies the content.
 *
 * Finding the index (07 D10): the SignerInfo's identifier picks candidates;
 * once a certificate's key verifies, only certificates with the same key
 * parameters can also verify, so the lowest passing index is the lowest of
 * those that also pass the time and key-usage checks. If that gives
 * nothing, every certificate is tried in order, as upstream does.
 * Everything read from a certificate here (identifiers, key parameter
 * digest, validity times, KeyUsage) was read once at store load (07 D11),
 * so a call costs one PKCS#7 import, one content hash and one public-key
 * operation per candidate, not per store entry.
 * Limit: two different public keys that verify the same signature
 * (constructed on purpose, e.g. the second ECDSA key recovered from a
 * signature) are treated as different keys.
 */
#include "sigverify.h"

#include <gnutls/crypto.h>
#include <gnutls/pkcs7.h>
#include <string.h>

#include "pkcs7.h"

typedef enum {
    PK_UNKNOWN = 0,
    PK_PASS,
    PK_FAIL,
} SigVerifyPkState;

typedef struct SigVerifyCtx {
    const CertStore *store;
    guint n;
    time_t now;
    gnutls_sign_algorithm_t algo;
    gnutls_datum_t sig;             /* SignerInfo 0 signature value */
    bool prehashed;                 /* verify @digest, else @signed_data */
    gnutls_datum_t digest;
    gnutls_datum_t signed_data;
    SigVerifyPkState pk[MAX_CERTIFICATES];
} SigVerifyCtx;

/* OIDs compared as DER TLVs (RFC 5652 §11.1, §11.2) */
static const uint8_t oid_content_type[] = {
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03,
};
static const uint8_t oid_message_digest[] = {
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04,
};

static bool
span_eq(Pkcs7Span s, const uint8_t *data, size_t len)
{
    return s.len == len && memcmp(s.data, data, len) == 0;
}

static bool
sig_verify_hash_chunk(const uint8_t *chunk, size_t len, void *opaque)
{
    return gnutls_hash(*(gnutls_hash_hd_t *)opaque, chunk, len) == 0;
}

/* Digest the content in place, chunk by chunk. */
static bool
sig_verify_hash_content(const GuestMem *mem, uint64_t addr, uint64_t len,
                        gnutls_digest_algorithm_t dig, uint8_t *out)
{
    gnutls_hash_hd_t hd;
    bool ok;

    if (gnutls_hash_init(&hd, dig) < 0) {
        return false;
    }
    ok = guestmem_foreach_chunk(mem, addr, len, sig_verify_hash_chunk, &hd);
    gnutls_hash_deinit(hd, ok ? out : NULL);
    return ok;
}

/*
 * verify_hash_attr() of GnuTLS: walk the attributes in order (an attribute
 * without values ends the walk there), at most one contentType and equal
 * to eContentType, at least one messageDigest equal to @digest.
 */
static bool
sig_verify_check_attrs(const Pkcs7Signer0 *s0, const uint8_t *digest,
                       size_t digest_len)
{
    Pkcs7AttrIter it;
    Pkcs7Attr attr;
    bool digest_ok = false;
    unsigned content_types = 0;

    pkcs7_attr_iter_init(&it, s0->signed_attrs);
    while (pkcs7_attr_iter_next(&it, &attr)) {
        if (attr.first_value.len == 0) {
            break;
        }
        if (span_eq(attr.type, oid_message_digest,
                    sizeof(oid_message_digest))) {
            Pkcs7Span md;

            if (!pkcs7_octet_string(attr.first_value, &md)) {
                return false;
            }
            if (md.len == digest_len &&
                memcmp(md.data, digest, digest_len) == 0) {
                digest_ok = true;
            }
        } else if (span_eq(attr.type, oid_content_type,
                           sizeof(oid_content_type))) {
            if (content_types++ > 0 ||
                !pkcs7_oid_canonical(s0->econtent_type) ||
                !span_eq(attr.first_value, s0->econtent_type.data,
                         s0->econtent_type.len)) {
                return false;
            }
        }
    }
    return digest_ok;
}

/* The public-key part of verify_data3() for store entry @i, cached. */
static bool
sig_verify_pk(SigVerifyCtx *ctx, guint i)
{
    const CertStoreEntry *e = cert_store_get(ctx->store, i);
    int ret;

    if (ctx->pk[i] == PK_UNKNOWN) {
        if (!e->pubkey) {
            ret = -1;   /* upstream's gnutls_pubkey_import_x509 fails too */
        } else if (ctx->prehashed) {
            ret = gnutls_pubkey_verify_hash2(e->pubkey, ctx->algo, 0,
                                             &ctx->digest, &ctx->sig);
        } else {
            ret = gnutls_pubkey_verify_data2(e->pubkey, ctx->algo, 0,
                                             &ctx->signed_data, &ctx->sig);
        }
        ctx->pk[i] = ret >= 0 ? PK_PASS : PK_FAIL;
    }
    return ctx->pk[i] == PK_PASS;
}

/* The end-certificate checks of verify_data3(), with the store's clock
 * (07 K7). Times and KeyUsage were read at load as GnuTLS reads them,
 * -1 on error included (07 D11). */
static bool
sig_verify_cert_ok(const SigVerifyCtx *ctx, guint i)
{
    const CertStoreEntry *e = cert_store_get(ctx->store, i);

    return e->crt && ctx->now <= e->expiration &&
           ctx->now >= e->activation && e->usage_ok;
}

static bool
sig_verify_full(SigVerifyCtx *ctx, guint i)
{
    return sig_verify_pk(ctx, i) && sig_verify_cert_ok(ctx, i);
}

/* Does @e name the signer (issuer + serial, or SKID)? Read at load. */
static bool
sig_verify_id_match(const gnutls_pkcs7_signature_info_st *info,
                    const CertStoreEntry *e)
{
    if (info->issuer_dn.size > 0) {
        return e->serial_ok && e->serial_len == info->signer_serial.size &&
               memcmp(e->serial, info->signer_serial.data,
                      e->serial_len) == 0 &&
               e->issuer_dn && e->issuer_dn_len == info->issuer_dn.size &&
               memcmp(e->issuer_dn, info->issuer_dn.data,
                      e->issuer_dn_len) == 0;
    }
    if (info->issuer_keyid.size > 0) {
        return e->skid_ok && e->skid_len == info->issuer_keyid.size &&
               memcmp(e->skid, info->issuer_keyid.data, e->skid_len) == 0;
    }
    return false;
}

/*
 * Could @a and @b hold the same public key? Compares key parameters (the
 * store's key_params digest), never SPKI bytes (07 D10 (b)). Family and
 * size first; keys whose parameters could not be exported answer "maybe",
 * which only costs a verification.
 */
static bool
sig_verify_same_key(const CertStoreEntry *a, const CertStoreEntry *b)
{
    if (!a->pubkey || !b->pubkey || a->key_family != b->key_family ||
        a->key_bits != b->key_bits) {
        return false;
    }
    if (!a->key_params_ok || !b->key_params_ok) {
        return true;
    }
    return memcmp(a->key_params, b->key_params, sizeof(a->key_params)) == 0;
}

/*
 * The lowest store index that passes, or -1. Tries identifier matches
 * first; see the file comment for why that gives upstream's index.
 */
static int
sig_verify_find(SigVerifyCtx *ctx, const gnutls_pkcs7_signature_info_st *info)
{
    guint i, k;

    for (k = 0; k < ctx->n; k++) {
        const CertStoreEntry *ek = cert_store_get(ctx->store, k);

        if (!sig_verify_id_match(info, ek) || !sig_verify_pk(ctx, k)) {
            continue;
        }
        /* 07 D10 (b): a lower index with the same key wins upstream. */
        for (i = 0; i < k; i++) {
            if (sig_verify_same_key(ek, cert_store_get(ctx->store, i)) &&
                sig_verify_full(ctx, i)) {
                return (int)i;
            }
        }
        if (sig_verify_cert_ok(ctx, k)) {
            return (int)k;
        }
        break;  /* k's key verifies, k is not valid: scan as upstream */
    }

    /* 07 D10 (a): identifiers decide nothing upstream; try each in order. */
    for (i = 0; i < ctx->n; i++) {
        if (sig_verify_full(ctx, i)) {
            return (int)i;
        }
    }
    return -1;
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC(gnutls_pkcs7_t, gnutls_pkcs7_deinit, NULL)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(gnutls_pkcs7_signature_info_st,
                                 gnutls_pkcs7_signature_info_deinit)

/*
 * Prepare what the public-key step signs over: the signed attributes as
 * GnuTLS re-encodes them (pkcs7_attrs_reencode, tag SET), or the content
 * digest, or (EdDSA, which signs the message itself) a host copy of the
 * content. Signed attributes this walker cannot read although GnuTLS
 * could (no known signer writes such) give FAILED.
 */
static SigVerifyStatus
sig_verify_prepare(SigVerifyCtx *ctx, const uint8_t *sig, size_t sig_len,
                   bool has_attrs, const GuestMem *mem,
                   uint64_t comp_addr, uint64_t comp_len,
                   uint8_t *digest, uint8_t **owned)
{
    gnutls_digest_algorithm_t dig = gnutls_sign_get_hash_algorithm(ctx->algo);
    gnutls_pk_algorithm_t pk = gnutls_sign_get_pk_algorithm(ctx->algo);
    Pkcs7Signer0 s0;
    int dlen;

    if (has_attrs) {
        g_autoptr(GByteArray) attrs = NULL;

        if (!pkcs7_locate_signer0(sig, sig_len, &s0) ||
            !s0.has_signed_attrs ||
            !(attrs = pkcs7_attrs_reencode(s0.signed_attrs))) {
            return SIG_VERIFY_FAILED;
        }
        dlen = (int)gnutls_hash_get_len(dig);
        if (dlen <= 0 || comp_len == 0 ||
            !sig_verify_hash_content(mem, comp_addr, comp_len, dig, digest) ||
            !sig_verify_check_attrs(&s0, digest, (size_t)dlen)) {
            return SIG_VERIFY_FAILED;
        }
        ctx->signed_data.size = attrs->len;
        *owned = g_byte_array_free(g_steal_pointer(&attrs), FALSE);
        ctx->signed_data.data = *owned;
        return SIG_VERIFY_OK;
    }

    if (pk == GNUTLS_PK_EDDSA_ED25519 || pk == GNUTLS_PK_EDDSA_ED448) {
        /* Pure EdDSA cannot take a digest: the only case that copies. */
        *owned = g_try_malloc(comp_len ? comp_len : 1);
        if (!*owned || !guestmem_read(mem, comp_addr, *owned, comp_len)) {
            return SIG_VERIFY_FAILED;
        }
        ctx->signed_data.data = *owned;
        ctx->signed_data.size = (unsigned int)comp_len;
        return SIG_VERIFY_OK;
    }

    dlen = (int)gnutls_hash_get_len(dig);
    if (dlen <= 0 ||
        !sig_verify_hash_content(mem, comp_addr, comp_len, dig, digest)) {
        return SIG_VERIFY_FAILED;
    }
    ctx->prehashed = true;
    ctx->digest.data = digest;
    ctx->digest.size = (unsigned int)dlen;
    return SIG_VERIFY_OK;
}

/**
 * sig_verify:
 * See sigverify.h. Order of the verdicts: content range (BAD_RANGE, 07 D12),
 * then format (BAD_FORMAT, 07 D13), then the store (OK or FAILED).
 */
SigVerifyStatus
sig_verify(const CertStore *store,
           const uint8_t *sig, size_t sig_len,
           const GuestMem *mem,
           uint64_t comp_addr, uint64_t comp_len,
           guint *index)
{
    g_auto(gnutls_pkcs7_signature_info_st) info = { 0 };
    g_auto(gnutls_pkcs7_t) p7 = NULL;
    g_autofree uint8_t *owned = NULL;
    uint8_t digest[64];
    SigVerifyCtx ctx = { 0 };
    gnutls_datum_t der;
    Pkcs7Signer0 s0;
    SigVerifyStatus st;
    bool has_attrs;
    int found;

    if (!guestmem_range_ok(mem, comp_addr, comp_len)) {
        return SIG_VERIFY_BAD_RANGE;
    }
    if (sig_len == 0 || sig_len > DIAG_508_MAX_SIG_LEN) {
        return SIG_VERIFY_BAD_FORMAT;
    }
    if (gnutls_pkcs7_init(&p7) < 0) {
        p7 = NULL;
        return SIG_VERIFY_FAILED;
    }
    der.data = (unsigned char *)sig;
    der.size = (unsigned int)sig_len;
    if (gnutls_pkcs7_import(p7, &der, GNUTLS_X509_FMT_DER) < 0 ||
        gnutls_pkcs7_get_signature_count(p7) <= 0) {
        return SIG_VERIFY_BAD_FORMAT;
    }

    /* Upstream fails every certificate when SignerInfo 0 is unusable
     * (unknown algorithm, no signer identifier): 0x0402, not 0x0302. */
    if (gnutls_pkcs7_get_signature_info(p7, 0, &info) < 0) {
        return SIG_VERIFY_FAILED;
    }
    /* GnuTLS lists no attributes for an empty (but present) set. */
    has_attrs = info.signed_attrs != NULL ||
                (pkcs7_locate_signer0(sig, sig_len, &s0) &&
                 s0.has_signed_attrs);

    ctx.store = store;
    ctx.n = MIN(cert_store_count(store), MAX_CERTIFICATES);
    ctx.now = cert_store_now(store);
    ctx.algo = info.algo;
    ctx.sig = info.sig;
    st = sig_verify_prepare(&ctx, sig, sig_len, has_attrs, mem,
                            comp_addr, comp_len, digest, &owned);
    if (st != SIG_VERIFY_OK) {
        return st;
    }

    found = sig_verify_find(&ctx, &info);
    if (found < 0) {
        return SIG_VERIFY_FAILED;
    }
    *index = (guint)found;
    return SIG_VERIFY_OK;
}
