/*
 * secureboot_conf.h: the <secureBoot> model of a guest and its XML
 *
 * The source of truth for a guest's secure-IPL configuration is one element
 * in sipl's namespace inside the domain's <metadata> (spec/05 §2):
 *
 *   <sipl:secureBoot xmlns:sipl="https://sipl.dev/schemas/secureboot/1.0"
 *                    mode="secure">
 *     <sipl:cert name="signer-2026.pem" state="active"
 *                fingerprint="9f86d0...(64 lowercase hex digits)"
 *                sourceType="pkcs11"
 *                source="pkcs11:token=hsm;id=%01;object=signer;type=cert">
 *   -----BEGIN CERTIFICATE-----
 *   ...
 *   -----END CERTIFICATE-----
 *     </sipl:cert>
 *   </sipl:secureBoot>
 *
 * - mode: normal | audit | secure (spec/01 §3.3). Required.
 * - cert, zero or more (at least one in audit and secure mode: 07 D9, K11),
 *   in store order (store index = position, spec/02 §3.3). Attributes,
 *   formatted in this order:
 *   - name: the certificate's name, [A-Za-z0-9][A-Za-z0-9._-]* ending in
 *     ".pem", at most 61 bytes (SIPL_SECUREBOOT_CERT_NAME_MAX; spec/05
 *     §8.2, 07 K10). The store renders it as "NN-<name>" (NN = two-digit
 *     position) so QEMU's directory scan keeps our order (07 D4); that file
 *     name, at most 64 bytes, is what the guest sees in the VCE untruncated.
 *     Unique within the element. Required.
 *   - state: active | staged. Both are trusted at IPL; "staged" marks a
 *     certificate added ahead of a key rotation (spec/06 §8.2). Optional on
 *     input (default active), always formatted.
 *   - fingerprint: SHA-256 over the DER, 64 lowercase hex digits with no
 *     separators (what `certtool -i` prints after "sha256:"). Optional on
 *     input: computed from the PEM; when given it must match the PEM, which
 *     catches a certificate pasted into the wrong element. Always formatted.
 *   - sourceType + source: where the certificate came from, both or
 *     neither. sourceType is pkcs11 | file | directory; source is the
 *     `pkcs11:` URI without PIN attributes (a URI carrying pin-value or
 *     pin-source is refused: certificates are public and the metadata
 *     travels with the domain), or an absolute path. Neither = pasted by
 *     hand.
 *   - text: exactly one PEM certificate (surrounding white space ignored).
 *     Parse stores GnuTLS's canonical re-encoding, so formatting is stable.
 *
 * libvirt's metadata API returns the element without prefix and without
 * xmlns (spec/05 §2); Parse accepts that form, and the mixed form libvirt
 * stores when an unprefixed element is set, by moving every element without
 * a namespace into sipl's before validating against schemas/secureboot.rng.
 *
 * Parse checks structure (schema, exactly one PEM CERTIFICATE block per
 * cert that decodes to DER, fingerprint, no PIN in a source);
 * siplSecureBootDefValidate() checks the rules QEMU and the BIOS apply
 * (X.509, count, DER size, names, duplicates, dates, key usage). A parsed
 * configuration is used only after Validate.
 */
#ifndef SIPL_SECUREBOOT_CONF_H
#define SIPL_SECUREBOOT_CONF_H

#include <glib.h>
#include <stdbool.h>
#include <time.h>

#include "sipl_enum.h"

#define SIPL_SECUREBOOT_NAMESPACE "https://sipl.dev/schemas/secureboot/1.0"
#define SIPL_SECUREBOOT_PREFIX "sipl"
#define SIPL_SECUREBOOT_ELEMENT "secureBoot"

/* Limits of QEMU's store (spec/01 §5, spec/02 §3.2). */
#define SIPL_SECUREBOOT_MAX_CERTS 64
#define SIPL_SECUREBOOT_NAME_MAX 64
#define SIPL_SECUREBOOT_DER_MAX 8000
/* SHA-256 as lowercase hex */
#define SIPL_SECUREBOOT_FINGERPRINT_LEN 64

#define SIPL_SECUREBOOT_ERROR (siplSecureBootErrorQuark())
GQuark siplSecureBootErrorQuark(void);

typedef enum {
    SIPL_SECUREBOOT_ERROR_XML,        /* not well-formed, or not our element */
    SIPL_SECUREBOOT_ERROR_SCHEMA,     /* fails schemas/secureboot.rng */
    SIPL_SECUREBOOT_ERROR_CERT,       /* not exactly one X.509 PEM, bad DER */
    SIPL_SECUREBOOT_ERROR_FINGERPRINT, /* fingerprint does not match the PEM */
    SIPL_SECUREBOOT_ERROR_SOURCE,     /* source/sourceType inconsistent, PIN */
    SIPL_SECUREBOOT_ERROR_INVALID,    /* a rule of siplSecureBootDefValidate */
    SIPL_SECUREBOOT_ERROR_DOMAIN,     /* the domain cannot do secure IPL */
    SIPL_SECUREBOOT_ERROR_UNSUPPORTED, /* the QEMU binary cannot do it */
    SIPL_SECUREBOOT_ERROR_INTERNAL,   /* library failure (schema, GnuTLS) */
} siplSecureBootErrorCode;

typedef enum {
    SIPL_MODE_NORMAL = 0,   /* no secure IPL; nothing passed to QEMU */
    SIPL_MODE_AUDIT,        /* boot-certs only: check and report, boot on */
    SIPL_MODE_SECURE,       /* secure-boot=on + boot-certs */

    SIPL_MODE_LAST
} siplSecureBootMode;
SIPL_ENUM_DECL(siplSecureBootMode);

typedef enum {
    SIPL_CERT_STATE_ACTIVE = 0,
    SIPL_CERT_STATE_STAGED,

    SIPL_CERT_STATE_LAST
} siplSecureBootCertState;
SIPL_ENUM_DECL(siplSecureBootCertState);

typedef enum {
    SIPL_CERT_SOURCE_NONE = 0,  /* formatted as no attributes */
    SIPL_CERT_SOURCE_PKCS11,
    SIPL_CERT_SOURCE_FILE,
    SIPL_CERT_SOURCE_DIRECTORY,

    SIPL_CERT_SOURCE_LAST
} siplSecureBootCertSource;
SIPL_ENUM_DECL(siplSecureBootCertSource);

typedef struct _siplSecureBootCertDef siplSecureBootCertDef;
struct _siplSecureBootCertDef {
    char *name;             /* file name, see above */
    siplSecureBootCertState state;
    siplSecureBootCertSource sourceType;
    char *source;           /* NULL iff sourceType == SIPL_CERT_SOURCE_NONE */
    char *pem;              /* canonical PEM (GnuTLS export), ends in "\n" */
    GBytes *der;            /* the same certificate, DER */
    char *fingerprint;      /* SHA-256 of der, 64 lowercase hex digits */
};

typedef struct _siplSecureBootDef siplSecureBootDef;
struct _siplSecureBootDef {
    siplSecureBootMode mode;
    GPtrArray *certs;       /* of siplSecureBootCertDef, owned, store order */
};

/**
 * siplSecureBootCertDefFree:
 * @cert: a certificate or NULL
 */
void siplSecureBootCertDefFree(siplSecureBootCertDef *cert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(siplSecureBootCertDef, siplSecureBootCertDefFree)

/**
 * siplSecureBootCertDefNew:
 * @data: one certificate, PEM (only one BEGIN CERTIFICATE block) or DER
 * @len: length of @data
 * @name: the name (see above); not checked here, see Validate
 * @state: active or staged
 * @sourceType: where it came from
 * @source: the URI or path (NULL iff @sourceType is NONE). A `pkcs11:` URI
 *          must already be stripped of PIN attributes (refused otherwise).
 * @error: return location for a SIPL_SECUREBOOT_ERROR
 *
 * Builds a certificate: checks that it is X.509 (GnuTLS), computes the
 * canonical PEM, DER and fingerprint. Splitting bundles is the caller's job
 * (a bundle is refused, and so is any PEM block that is not a certificate).
 *
 * Returns: the new certificate, or NULL with @error set.
 */
siplSecureBootCertDef *
siplSecureBootCertDefNew(const void *data, gsize len, const char *name,
                         siplSecureBootCertState state,
                         siplSecureBootCertSource sourceType,
                         const char *source, GError **error);

/**
 * siplSecureBootCertDefCopy:
 * @cert: a certificate
 *
 * Returns: a deep copy (never NULL).
 */
siplSecureBootCertDef *siplSecureBootCertDefCopy(const siplSecureBootCertDef *cert);

/**
 * siplSecureBootDefNew:
 * @mode: the mode
 *
 * Returns: a new, empty configuration (never NULL).
 */
siplSecureBootDef *siplSecureBootDefNew(siplSecureBootMode mode);

/**
 * siplSecureBootDefFree:
 * @def: a configuration or NULL
 */
void siplSecureBootDefFree(siplSecureBootDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(siplSecureBootDef, siplSecureBootDefFree)

/**
 * siplSecureBootDefCopy:
 * @def: a configuration
 *
 * For callers that change a copy and replace the original only when the
 * change validates.
 *
 * Returns: a deep copy (never NULL).
 */
siplSecureBootDef *siplSecureBootDefCopy(const siplSecureBootDef *def);

/**
 * siplSecureBootDefFindCert:
 * @def: a configuration
 * @name: a certificate name
 *
 * Returns: the index of the certificate called @name, or -1.
 */
int siplSecureBootDefFindCert(const siplSecureBootDef *def, const char *name);

/**
 * siplSecureBootDefFindFingerprint:
 * @def: a configuration
 * @fingerprint: 64 hex digits (either case)
 *
 * Returns: the index of the certificate with @fingerprint, or -1.
 */
int siplSecureBootDefFindFingerprint(const siplSecureBootDef *def,
                                     const char *fingerprint);

/**
 * siplSecureBootDefParseString:
 * @xml: one <secureBoot> element, prefixed (domain XML form) or not
 *       (virDomainGetMetadata form)
 * @error: return location for a SIPL_SECUREBOOT_ERROR (XML, SCHEMA, CERT,
 *         FINGERPRINT or SOURCE)
 *
 * Returns: the configuration, or NULL with @error set.
 */
siplSecureBootDef *siplSecureBootDefParseString(const char *xml,
                                                GError **error);

/**
 * siplSecureBootDefParseNode:
 * @node: a <secureBoot> element in sipl's namespace or in none (its
 *        document is not modified)
 * @error: return location for a SIPL_SECUREBOOT_ERROR
 *
 * Same as siplSecureBootDefParseString() for an element already parsed,
 * e.g. found in a domain's <metadata>. @node is an xmlNodePtr; it is
 * declared void * so this header does not pull in libxml2.
 *
 * Returns: the configuration, or NULL with @error set.
 */
siplSecureBootDef *siplSecureBootDefParseNode(void *node, GError **error);

typedef enum {
    /* Leave out prefix and xmlns: the form virDomainSetMetadata() takes
     * with key "sipl" and uri SIPL_SECUREBOOT_NAMESPACE. */
    SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE = 1 << 0,
} siplSecureBootFormatFlags;

/**
 * siplSecureBootDefFormat:
 * @def: a configuration
 * @flags: siplSecureBootFormatFlags
 *
 * Fixed order: mode; certs in store order with name, state, fingerprint,
 * sourceType, source, then the PEM. Two-space indentation, ends in "\n".
 *
 * Returns: the XML (never NULL).
 */
char *siplSecureBootDefFormat(const siplSecureBootDef *def, unsigned int flags);

/**
 * siplSecureBootDefValidate:
 * @def: a configuration
 * @now: the time validity periods are checked against (time(NULL) in
 *       production; tests pass their own)
 * @warnings: (nullable): array of char * to append warnings to
 * @error: return location for a SIPL_SECUREBOOT_ERROR_INVALID
 *
 * The certificate rules of QEMU and sipl (spec/05 §8.4, 07 K8-K11):
 * errors: audit/secure mode with no certificate (07 D9, K11); more than 64
 * certificates; a DER over 8000 bytes; a bad or duplicate name or a name
 * collision in the VCE (64-byte truncation, spec/02 §3.1); the same
 * certificate twice (same fingerprint; QEMU would store it twice, K8).
 * warnings: a certificate expired or not yet valid at @now (DIAG 0x508
 * fails with it, 07 K7), expiring within 30 days, a KeyUsage without
 * digitalSignature (DIAG 0x508 is expected to reject it as signer, spec/02
 * §7.4), a guest-visible name QEMU truncates.
 *
 * Key usage is a warning, not an error: the store may legitimately hold a
 * certificate that never signs (it does no harm there), and GnuTLS's exact
 * rule is unconfirmed upstream (02 §7.4). Rotation refuses to *activate*
 * such a key (06 §8.2); that check belongs there.
 *
 * Returns: true when @def may be used (warnings or not), false with @error.
 */
bool siplSecureBootDefValidate(const siplSecureBootDef *def, time_t now,
                               GPtrArray *warnings, GError **error);

/**
 * siplSecureBootCertNameFromLabel:
 * @label: a token label, file name or other hint (may be NULL or empty)
 * @fingerprint: (nullable): used when @label gives nothing usable
 *
 * Makes a valid certificate name: characters outside [A-Za-z0-9._-] become
 * '_', a leading non-alphanumeric character is dropped, a ".pem"/".crt"/
 * ".der"/".cer" suffix is replaced by ".pem", and the result is cut to 64
 * bytes including ".pem".
 *
 * Returns: the name (never NULL).
 */
char *siplSecureBootCertNameFromLabel(const char *label,
                                      const char *fingerprint);

/**
 * siplSecureBootCertFileName:
 * @index: the certificate's position in the store (0-origin, < 100)
 * @name: its name
 *
 * The file the store renders for it, "NN-<name>" (spec/05 §8.2): the
 * two-digit prefix makes QEMU's directory order ours (07 D4). QEMU gives
 * the guest this basename truncated to 64 bytes (spec/02 §3.1).
 *
 * Returns: the file name (never NULL).
 */
char *siplSecureBootCertFileName(guint index, const char *name);

/**
 * siplSecureBootCertNameIsValid:
 * @name: a name
 *
 * Returns: whether @name follows the rule above (pattern, suffix, length).
 */
bool siplSecureBootCertNameIsValid(const char *name);

#endif /* SIPL_SECUREBOOT_CONF_H */
