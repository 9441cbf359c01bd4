/*
 * pkcs7.h: bounded DER walk to SignerInfo 0 of a PKCS#7/CMS SignedData
 *
 * GnuTLS parses the signature (gnutls_pkcs7_import, _get_signature_info);
 * this walker only finds the bytes GnuTLS does not hand out: SignerInfo 0's
 * signed attributes and the eContentType, so the signed-attributes case of
 * spec/02 §7.4 can be verified without GnuTLS re-hashing the content
 * (07 D10). Every read is bounded by the enclosing length. Definite
 * lengths, and BER indefinite lengths on constructed elements (nesting
 * bounded), because libtasn1 and so GnuTLS accept those on the outer
 * levels of a signature and the verdict must be GnuTLS's.
 */
#ifndef SIPL_QEMU_PKCS7_H
#define SIPL_QEMU_PKCS7_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Pkcs7Span {
    const uint8_t *data;
    size_t len;
} Pkcs7Span;

typedef struct Pkcs7Signer0 {
    Pkcs7Span econtent_type;    /* eContentType OID, whole TLV */
    bool has_signed_attrs;
    Pkcs7Span signed_attrs;     /* [0] IMPLICIT SET OF Attribute, whole TLV */
} Pkcs7Signer0;

typedef struct Pkcs7Attr {
    Pkcs7Span type;             /* attribute type OID, whole TLV */
    Pkcs7Span first_value;      /* first AttributeValue TLV; len 0: none */
} Pkcs7Attr;

typedef struct Pkcs7AttrIter {
    Pkcs7Span rest;
} Pkcs7AttrIter;

/**
 * pkcs7_locate_signer0:
 * @der: ContentInfo DER (the detached signature)
 * @len: its length
 * @out: filled on success; spans point into @der
 *
 * Returns: true when ContentInfo -> SignedData -> signerInfos[0] could be
 * walked with definite lengths; false otherwise (@out unspecified).
 */
bool pkcs7_locate_signer0(const uint8_t *der, size_t len, Pkcs7Signer0 *out);

/**
 * pkcs7_attrs_reencode:
 * @attrs: a signed-attributes TLV from pkcs7_locate_signer0()
 *
 * GnuTLS verifies the signed attributes as libtasn1 re-encodes them after
 * decoding (lib/x509/pkcs7.c figure_pkcs7_sigdata: _gnutls_x509_der_encode
 * of signedAttrs, first octet then set to SET), not as received: minimal
 * lengths, SET OF elements sorted bytewise with the shorter first on a tie
 * (libtasn1 _asn1_ordering_set_of), attribute values (ANY) verbatim. This
 * builds the same bytes, tag SET included. For DER input they equal the
 * input apart from the first octet.
 *
 * Returns: the re-encoding, or NULL when @attrs is not a SET OF Attribute
 * this walker can read (or holds an OID libtasn1 would rewrite).
 */
GByteArray *pkcs7_attrs_reencode(Pkcs7Span attrs);

/**
 * pkcs7_oid_canonical:
 * @oid: an OID TLV
 *
 * Returns: true when @oid is tag 0x06 with a minimal length and no padded
 * sub-identifier, i.e. what libtasn1 would write back for it.
 */
bool pkcs7_oid_canonical(Pkcs7Span oid);

/* Walk the attributes of @attrs in the order received (GnuTLS checks
 * messageDigest and contentType in that order, not the sorted one). */
void pkcs7_attr_iter_init(Pkcs7AttrIter *iter, Pkcs7Span attrs);

/**
 * pkcs7_attr_iter_next:
 * @iter: iterator from pkcs7_attr_iter_init()
 * @attr: out: the next attribute
 *
 * Returns: true with @attr filled, false at the end or on malformed input.
 */
bool pkcs7_attr_iter_next(Pkcs7AttrIter *iter, Pkcs7Attr *attr);

/**
 * pkcs7_octet_string:
 * @tlv: an attribute value TLV
 * @content: out: its content
 *
 * Same acceptance as libtasn1's asn1_decode_simple_der() for an OCTET
 * STRING, which GnuTLS uses on the messageDigest value: primitive tag 0x04,
 * definite length, non-empty content.
 *
 * Returns: true with @content set, false otherwise.
 */
bool pkcs7_octet_string(Pkcs7Span tlv, Pkcs7Span *content);

#endif /* SIPL_QEMU_PKCS7_H */
