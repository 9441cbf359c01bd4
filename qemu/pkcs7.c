/*
 * pkcs7.c: bounded DER walk to SignerInfo 0 (see pkcs7.h)
 *
 * ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
 * SignedData  ::= SEQUENCE { version INTEGER, digestAlgorithms SET,
 *                   encapContentInfo SEQUENCE { eContentType OID, ... },
 *                   certificates [0] OPTIONAL, crls [1] OPTIONAL,
 *                   signerInfos SET OF SignerInfo }
 * SignerInfo  ::= SEQUENCE { version, sid, digestAlgorithm,
 *                   signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL,
 *                   signatureAlgorithm, signature, unsignedAttrs [1] ... }
 * Attribute   ::= SEQUENCE { type OID, values SET OF ANY }
 * (RFC 5652 §5; GnuTLS's pkix.asn uses the same shape.)
 */
#include "pkcs7.h"

#include <glib.h>
#include <string.h>

#define DER_SEQUENCE    0x30
#define DER_SET         0x31
#define DER_OID         0x06
#define DER_OCTET       0x04
#define DER_CTX0_CONS   0xa0
#define DER_CTX1_CONS   0xa1

typedef struct DerTlv {
    uint8_t tag;            /* first identifier octet */
    Pkcs7Span whole;        /* tag + length + content (+ end-of-contents) */
    Pkcs7Span content;
    size_t hdr_len;         /* tag + length octets */
    bool minimal;           /* definite length in its shortest form */
} DerTlv;

/* Nesting bound for indefinite lengths; signatures are at most 4 KiB. */
#define DER_MAX_DEPTH 16

static bool der_next_depth(Pkcs7Span *in, DerTlv *tlv, unsigned depth);

/*
 * Content of an indefinite-length element: TLVs up to the end-of-contents
 * octets 00 00 at this level. BER, which libtasn1 (and so GnuTLS) accepts
 * on the outer levels of a signature; never DER, so never "minimal".
 */
static bool
der_indefinite_len(Pkcs7Span in, size_t *len, unsigned depth)
{
    Pkcs7Span p = in;
    DerTlv t;

    for (;;) {
        if (p.len >= 2 && p.data[0] == 0 && p.data[1] == 0) {
            *len = (size_t)(p.data - in.data);
            return true;
        }
        if (depth == 0 || !der_next_depth(&p, &t, depth - 1)) {
            return false;
        }
    }
}

/*
 * Take one TLV off the front of @in. Definite lengths of at most 4 octets
 * (signatures are at most 4096 bytes, 02 §6.1); indefinite lengths for
 * constructed elements, bounded by DER_MAX_DEPTH.
 */
static bool
der_next_depth(Pkcs7Span *in, DerTlv *tlv, unsigned depth)
{
    const uint8_t *p = in->data;
    size_t n = in->len;
    size_t i = 1;
    size_t clen, total;

    if (n < 2) {
        return false;
    }
    tlv->tag = p[0];
    if ((p[0] & 0x1f) == 0x1f) {
        /* High tag number: base-128 continuation octets (bounded). */
        do {
            if (i >= n || i > 5) {
                return false;
            }
        } while (p[i++] & 0x80);
    }
    if (i >= n) {
        return false;
    }
    if (p[i] == 0x80) {
        Pkcs7Span rest = { p + i + 1, n - i - 1 };

        i++;
        if (!(p[0] & 0x20) || !der_indefinite_len(rest, &clen, depth)) {
            return false;
        }
        tlv->minimal = false;
        total = i + clen + 2;
    } else if (p[i] < 0x80) {
        clen = p[i++];
        tlv->minimal = true;
        total = i + clen;
    } else {
        size_t nb = p[i++] & 0x7f;
        size_t k;

        if (nb > 4 || n - i < nb) {
            return false;
        }
        clen = 0;
        for (k = 0; k < nb; k++) {
            clen = (clen << 8) | p[i + k];
        }
        tlv->minimal = p[i] != 0 && clen >= 0x80;
        i += nb;
        total = i + clen;
    }
    if (clen > n - i || total > n) {
        return false;
    }
    tlv->hdr_len = i;
    tlv->whole.data = p;
    tlv->whole.len = total;
    tlv->content.data = p + i;
    tlv->content.len = clen;
    in->data += total;
    in->len -= total;
    return true;
}

static bool
der_next(Pkcs7Span *in, DerTlv *tlv)
{
    return der_next_depth(in, tlv, DER_MAX_DEPTH);
}

static bool
der_expect(Pkcs7Span *in, uint8_t tag, DerTlv *tlv)
{
    return der_next(in, tlv) && tlv->tag == tag;
}

bool
pkcs7_locate_signer0(const uint8_t *der, size_t len, Pkcs7Signer0 *out)
{
    Pkcs7Span in = { der, len };
    Pkcs7Span body;
    DerTlv t;

    memset(out, 0, sizeof(*out));

    /* ContentInfo, then [0] EXPLICIT SignedData */
    if (!der_expect(&in, DER_SEQUENCE, &t)) {
        return false;
    }
    body = t.content;
    if (!der_expect(&body, DER_OID, &t)) {
        return false;
    }
    /*
     * content [0] EXPLICIT: libtasn1 reads the SignedData by its own length
     * and does not hold it to the explicit tag's length, only to the
     * enclosing ContentInfo; do the same.
     */
    {
        Pkcs7Span tagged = body;

        if (!der_expect(&tagged, DER_CTX0_CONS, &t)) {
            return false;
        }
        body.data += t.hdr_len;
        body.len -= t.hdr_len;
    }
    if (!der_expect(&body, DER_SEQUENCE, &t)) {
        return false;
    }
    body = t.content;

    /* version, digestAlgorithms, encapContentInfo */
    if (!der_next(&body, &t) || !der_next(&body, &t) ||
        !der_expect(&body, DER_SEQUENCE, &t)) {
        return false;
    }
    {
        Pkcs7Span encap = t.content;
        DerTlv oid;

        if (!der_expect(&encap, DER_OID, &oid)) {
            return false;
        }
        out->econtent_type = oid.whole;
    }

    /* certificates [0], crls [1], then signerInfos SET */
    do {
        if (!der_next(&body, &t)) {
            return false;
        }
    } while (t.tag == DER_CTX0_CONS || t.tag == DER_CTX1_CONS);
    if (t.tag != DER_SET) {
        return false;
    }
    body = t.content;
    if (!der_expect(&body, DER_SEQUENCE, &t)) {
        return false;   /* no SignerInfo at all */
    }
    body = t.content;

    /* version, sid, digestAlgorithm, then maybe signedAttrs */
    if (!der_next(&body, &t) || !der_next(&body, &t) ||
        !der_expect(&body, DER_SEQUENCE, &t)) {
        return false;
    }
    if (body.len > 0 && body.data[0] == DER_CTX0_CONS) {
        if (!der_next(&body, &t)) {
            return false;
        }
        out->has_signed_attrs = true;
        out->signed_attrs = t.whole;
    }
    return true;
}

bool
pkcs7_oid_canonical(Pkcs7Span oid)
{
    Pkcs7Span in = oid;
    DerTlv t;
    size_t i;

    if (!der_expect(&in, DER_OID, &t) || !t.minimal || in.len != 0 ||
        t.content.len == 0) {
        return false;
    }
    /* A sub-identifier must not start with 0x80 (X.690 §8.19.2). */
    for (i = 0; i < t.content.len; i++) {
        bool starts = i == 0 || !(t.content.data[i - 1] & 0x80);
        if (starts && t.content.data[i] == 0x80) {
            return false;
        }
    }
    return !(t.content.data[t.content.len - 1] & 0x80);
}

/*
 * libtasn1's _asn1_ordering_set_of() order: bytewise over the common
 * length, and on a tie the shorter encoding first.
 */
static int
der_set_order(Pkcs7Span a, Pkcs7Span b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = memcmp(a.data, b.data, n);

    if (c != 0) {
        return c;
    }
    return a.len < b.len ? -1 : a.len > b.len;
}

static gint
der_set_order_cmp(gconstpointer a, gconstpointer b)
{
    return der_set_order(*(const Pkcs7Span *)a, *(const Pkcs7Span *)b);
}

/* Append tag @tag, the shortest form of length @len (X.690 §10.1), and
 * @body. */
static void
der_put(GByteArray *out, uint8_t tag, const GByteArray *body)
{
    uint8_t hdr[6];
    size_t len = body->len;
    size_t n = 0, k;

    hdr[n++] = tag;
    if (len < 0x80) {
        hdr[n++] = (uint8_t)len;
    } else {
        size_t bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 :
                       len > 0xff ? 2 : 1;

        hdr[n++] = (uint8_t)(0x80 | bytes);
        for (k = bytes; k > 0; k--) {
            hdr[n++] = (uint8_t)(len >> (8 * (k - 1)));
        }
    }
    g_byte_array_append(out, hdr, (guint)n);
    g_byte_array_append(out, body->data, body->len);
}

/* Sort @parts with libtasn1's order and append them back to back. */
static void
der_put_sorted(GByteArray *out, GArray *parts)
{
    guint i;

    g_array_sort(parts, der_set_order_cmp);
    for (i = 0; i < parts->len; i++) {
        Pkcs7Span *p = &g_array_index(parts, Pkcs7Span, i);

        g_byte_array_append(out, p->data, (guint)p->len);
    }
}

/* One Attribute as libtasn1 writes it back: SEQUENCE { OID, SET OF ANY }
 * with minimal lengths and the values sorted; the ANY bytes verbatim. */
static bool
der_reencode_attr(const DerTlv *attr, GByteArray *out)
{
    g_autoptr(GArray) values = g_array_new(FALSE, FALSE, sizeof(Pkcs7Span));
    g_autoptr(GByteArray) sorted = g_byte_array_new();
    g_autoptr(GByteArray) body = g_byte_array_new();
    Pkcs7Span in = attr->content;
    DerTlv type, vals, v;

    if (attr->tag != DER_SEQUENCE || !der_next(&in, &type) ||
        !pkcs7_oid_canonical(type.whole) ||
        !der_expect(&in, DER_SET, &vals) || in.len != 0) {
        return false;
    }
    in = vals.content;
    while (in.len > 0) {
        if (!der_next(&in, &v)) {
            return false;
        }
        g_array_append_val(values, v.whole);
    }
    der_put_sorted(sorted, values);
    g_byte_array_append(body, type.whole.data, (guint)type.whole.len);
    der_put(body, DER_SET, sorted);
    der_put(out, DER_SEQUENCE, body);
    return true;
}

GByteArray *
pkcs7_attrs_reencode(Pkcs7Span attrs)
{
    g_autoptr(GArray) parts = g_array_new(FALSE, FALSE, sizeof(Pkcs7Span));
    g_autoptr(GPtrArray) owned =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    g_autoptr(GByteArray) sorted = g_byte_array_new();
    g_autoptr(GByteArray) out = g_byte_array_new();
    Pkcs7Span in = attrs;
    DerTlv outer, attr;

    if (!der_expect(&in, DER_CTX0_CONS, &outer) || in.len != 0) {
        return NULL;
    }
    in = outer.content;
    while (in.len > 0) {
        GByteArray *one = g_byte_array_new();
        Pkcs7Span span;

        g_ptr_array_add(owned, one);
        if (!der_next(&in, &attr) || !der_reencode_attr(&attr, one)) {
            return NULL;
        }
        span.data = one->data;
        span.len = one->len;
        g_array_append_val(parts, span);
    }
    der_put_sorted(sorted, parts);
    der_put(out, DER_SET, sorted);
    return g_steal_pointer(&out);
}

void
pkcs7_attr_iter_init(Pkcs7AttrIter *iter, Pkcs7Span attrs)
{
    Pkcs7Span in = attrs;
    DerTlv outer;

    iter->rest.data = NULL;
    iter->rest.len = 0;
    if (der_next(&in, &outer)) {
        iter->rest = outer.content;
    }
}

bool
pkcs7_attr_iter_next(Pkcs7AttrIter *iter, Pkcs7Attr *attr)
{
    Pkcs7Span body, vals;
    DerTlv a, type, values, first;

    if (iter->rest.len == 0 || !der_expect(&iter->rest, DER_SEQUENCE, &a)) {
        return false;
    }
    body = a.content;
    if (!der_next(&body, &type) || !der_next(&body, &values)) {
        iter->rest.len = 0;
        return false;
    }
    attr->type = type.whole;
    attr->first_value.data = NULL;
    attr->first_value.len = 0;
    vals = values.content;
    if (vals.len > 0 && der_next(&vals, &first)) {
        attr->first_value = first.whole;
    }
    return true;
}

bool
pkcs7_octet_string(Pkcs7Span tlv, Pkcs7Span *content)
{
    Pkcs7Span in = tlv;
    DerTlv t;

    if (!der_expect(&in, DER_OCTET, &t) || t.content.len == 0) {
        return false;
    }
    *content = t.content;
    return true;
}
