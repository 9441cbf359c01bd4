/*
 * secureboot_conf.c: the <secureBoot> model: Free, New, Copy, Parse, Format
 *
 * The element is described in secureboot_conf.h; the grammar is
 * schemas/secureboot.rng, checked by secureboot_schema.c.
 */
#include "secureboot_conf.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "secureboot_cert.h"
#include "secureboot_schema.h"
#include "sipl_i18n.h"

GQuark
siplSecureBootErrorQuark(void)
{
    return g_quark_from_static_string("sipl-secureboot-error-quark");
}

SIPL_ENUM_IMPL(siplSecureBootMode, SIPL_MODE_LAST,
               "normal", "audit", "secure");

SIPL_ENUM_IMPL(siplSecureBootCertState, SIPL_CERT_STATE_LAST,
               "active", "staged");

SIPL_ENUM_IMPL(siplSecureBootCertSource, SIPL_CERT_SOURCE_LAST,
               "none", "pkcs11", "file", "directory");


void
siplSecureBootDefFree(siplSecureBootDef *def)
{
    if (!def)
        return;
    g_clear_pointer(&def->certs, g_ptr_array_unref);
    g_free(def);
}


siplSecureBootDef *
siplSecureBootDefNew(siplSecureBootMode mode)
{
    siplSecureBootDef *def = g_new0(siplSecureBootDef, 1);

    def->mode = mode;
    def->certs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)siplSecureBootCertDefFree);
    return def;
}


siplSecureBootDef *
siplSecureBootDefCopy(const siplSecureBootDef *def)
{
    siplSecureBootDef *copy = siplSecureBootDefNew(def->mode);
    guint i;

    for (i = 0; i < def->certs->len; i++)
        g_ptr_array_add(copy->certs,
                        siplSecureBootCertDefCopy(g_ptr_array_index(def->certs, i)));
    return copy;
}


int
siplSecureBootDefFindCert(const siplSecureBootDef *def, const char *name)
{
    guint i;

    for (i = 0; i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);

        if (g_strcmp0(cert->name, name) == 0)
            return (int)i;
    }
    return -1;
}


int
siplSecureBootDefFindFingerprint(const siplSecureBootDef *def,
                                 const char *fingerprint)
{
    guint i;

    for (i = 0; i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);

        if (g_ascii_strcasecmp(cert->fingerprint, fingerprint) == 0)
            return (int)i;
    }
    return -1;
}



static char *
siplXMLGetProp(xmlNodePtr node, const char *name)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *ret = g_strdup((const char *)val);

    xmlFree(val);
    return ret;
}


static bool
siplXMLIsOurs(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns &&
           g_strcmp0((const char *)node->ns->href, SIPL_SECUREBOOT_NAMESPACE) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}


/* The checks here give clear messages for the mistakes people make; the
 * schema, checked afterwards, refuses whatever else is wrong. */
static siplSecureBootCertDef *
siplSecureBootCertDefParseNode(xmlNodePtr node, GError **error)
{
    g_autofree char *name = siplXMLGetProp(node, "name");
    g_autofree char *state = siplXMLGetProp(node, "state");
    g_autofree char *fingerprint = siplXMLGetProp(node, "fingerprint");
    g_autofree char *sourceType = siplXMLGetProp(node, "sourceType");
    g_autofree char *source = siplXMLGetProp(node, "source");
    g_autoptr(siplSecureBootCertDef) cert = NULL;
    xmlChar *content = xmlNodeGetContent(node);
    g_autofree char *pem = g_strstrip(g_strdup((const char *)content));
    int stateVal = SIPL_CERT_STATE_ACTIVE;
    int sourceVal = SIPL_CERT_SOURCE_NONE;

    xmlFree(content);

    if (!siplSecureBootCertNameIsValid(name)) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SCHEMA,
                    _("certificate name '%1$s' is invalid: use at most %2$u characters of [A-Za-z0-9._-], starting with a letter or digit and ending in '.pem'"),
                    name ? name : "", (unsigned)SIPL_SECUREBOOT_CERT_NAME_MAX);
        return NULL;
    }
    if (state && (stateVal = siplSecureBootCertStateTypeFromString(state)) < 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SCHEMA,
                    _("certificate '%1$s': unknown state '%2$s' (expected 'active' or 'staged')"),
                    name, state);
        return NULL;
    }
    if (sourceType &&
        (sourceVal = siplSecureBootCertSourceTypeFromString(sourceType)) <= 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SCHEMA,
                    _("certificate '%1$s': unknown source type '%2$s' (expected 'pkcs11', 'file' or 'directory')"),
                    name, sourceType);
        return NULL;
    }
    if (!*pem) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_CERT,
                    _("certificate '%1$s' has no PEM text"), name);
        return NULL;
    }

    /* X.509 itself is checked by Validate (secureboot_cert.h) */
    if (!(cert = siplSecureBootCertDefNewFromPem(pem, name, stateVal,
                                                 sourceVal, source, error)))
        return NULL;

    if (fingerprint && strcmp(fingerprint, cert->fingerprint) != 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR,
                    SIPL_SECUREBOOT_ERROR_FINGERPRINT,
                    _("certificate '%1$s': fingerprint '%2$s' does not match its PEM (SHA-256 '%3$s')"),
                    name, fingerprint, cert->fingerprint);
        return NULL;
    }
    return g_steal_pointer(&cert);
}


/* libvirt's metadata API strips the namespace (spec/05 §2), and an element
 * set without prefix is stored with its children in no namespace: move
 * every element without one into ours so one grammar covers all forms.
 * Elements in any other namespace stay there and fail the schema. */
static void
siplSecureBootAdoptNamespace(xmlNodePtr node, xmlNsPtr ns)
{
    xmlNodePtr child;

    if (node->type != XML_ELEMENT_NODE)
        return;
    if (!node->ns)
        xmlSetNs(node, ns);
    for (child = node->children; child; child = child->next)
        siplSecureBootAdoptNamespace(child, ns);
}


siplSecureBootDef *
siplSecureBootDefParseNode(void *opaque, GError **error)
{
    xmlNodePtr src = opaque;
    g_autoptr(siplSecureBootDef) tmp = NULL;
    siplSecureBootDef *def = NULL;
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    xmlNodePtr child;
    xmlNsPtr ns;
    g_autofree char *mode = NULL;
    unsigned int others = 0;
    int modeVal;

    if (!src || src->type != XML_ELEMENT_NODE ||
        strcmp((const char *)src->name, SIPL_SECUREBOOT_ELEMENT) != 0 ||
        (src->ns && g_strcmp0((const char *)src->ns->href,
                              SIPL_SECUREBOOT_NAMESPACE) != 0)) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_XML,
                    _("expected element <%1$s> in namespace '%2$s'"),
                    SIPL_SECUREBOOT_ELEMENT, SIPL_SECUREBOOT_NAMESPACE);
        return NULL;
    }

    /* Work on a private copy so the caller's document never changes. */
    doc = xmlNewDoc((const xmlChar *)"1.0");
    root = xmlDocCopyNode(src, doc, 1);
    xmlDocSetRootElement(doc, root);
    ns = xmlSearchNsByHref(doc, root, (const xmlChar *)SIPL_SECUREBOOT_NAMESPACE);
    if (!ns)
        ns = xmlNewNs(root, (const xmlChar *)SIPL_SECUREBOOT_NAMESPACE,
                      (const xmlChar *)SIPL_SECUREBOOT_PREFIX);
    siplSecureBootAdoptNamespace(root, ns);

    mode = siplXMLGetProp(root, "mode");
    if ((modeVal = siplSecureBootModeTypeFromString(mode)) < 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SCHEMA,
                    _("unknown secure boot mode '%1$s' (expected 'normal', 'audit' or 'secure')"),
                    mode ? mode : "");
        goto cleanup;
    }

    tmp = siplSecureBootDefNew(modeVal);
    for (child = root->children; child; child = child->next) {
        siplSecureBootCertDef *cert;

        /* anything else is for the schema to refuse */
        if (!siplXMLIsOurs(child, "cert")) {
            others += child->type == XML_ELEMENT_NODE;
            continue;
        }
        if (!(cert = siplSecureBootCertDefParseNode(child, error)))
            goto cleanup;
        g_ptr_array_add(tmp->certs, cert);
    }
    if (others == 0 && modeVal != SIPL_MODE_NORMAL && tmp->certs->len == 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SCHEMA,
                    _("secure boot mode '%1$s' needs at least one certificate"),
                    mode);
        goto cleanup;
    }

    if (!siplSecureBootSchemaValidate(doc, error))
        goto cleanup;
    def = g_steal_pointer(&tmp);

 cleanup:
    xmlFreeDoc(doc);
    return def;
}


siplSecureBootDef *
siplSecureBootDefParseString(const char *xml, GError **error)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    siplSecureBootDef *def = NULL;
    int len;

    if (!xml || strlen(xml) > G_MAXINT) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_XML,
                            _("no secure boot XML given"));
        return NULL;
    }
    len = (int)strlen(xml);

    /* No network, no entity expansion, nothing printed on stderr. */
    ctxt = xmlNewParserCtxt();
    doc = xmlCtxtReadMemory(ctxt, xml, len, "secureBoot.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc) {
        xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = g_strdup(err && err->message ? err->message : "?");

        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_XML,
                    _("malformed secure boot XML at line %1$d: %2$s"),
                    err ? err->line : 0, g_strchomp(msg));
        goto cleanup;
    }

    def = siplSecureBootDefParseNode(xmlDocGetRootElement(doc), error);

 cleanup:
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return def;
}


/* An attribute value as XML text. g_markup_escape_text() leaves TAB, LF
 * and CR as they are, and attribute-value normalization reads each of
 * them back as a space (XML 1.0 §3.3.3), so a source path holding one
 * would change on every round trip: write them as character references.
 * Escaping rather than refusing them at Parse: sources also come from the
 * file system (siplSecureBootCertDefNew), where such names are legal, and
 * Format must write back whatever the model holds. */
static char *
siplXMLEscapeAttr(const char *value)
{
    g_autofree char *escaped = g_markup_escape_text(value, -1);
    GString *out = g_string_sized_new(strlen(escaped));
    const char *p;

    for (p = escaped; *p; p++) {
        switch (*p) {
        case '\t':
            g_string_append(out, "&#9;");
            break;
        case '\n':
            g_string_append(out, "&#10;");
            break;
        case '\r':
            g_string_append(out, "&#13;");
            break;
        default:
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}


static void
siplSecureBootCertDefFormat(GString *buf, const siplSecureBootCertDef *cert,
                            const char *prefix)
{
    g_autofree char *name = siplXMLEscapeAttr(cert->name);

    g_string_append_printf(buf, "  <%scert name=\"%s\" state=\"%s\"", prefix,
                           name,
                           siplSecureBootCertStateTypeToString(cert->state));
    g_string_append_printf(buf, " fingerprint=\"%s\"", cert->fingerprint);
    if (cert->sourceType != SIPL_CERT_SOURCE_NONE && cert->source) {
        g_autofree char *source = siplXMLEscapeAttr(cert->source);

        g_string_append_printf(buf, " sourceType=\"%s\" source=\"%s\"",
                               siplSecureBootCertSourceTypeToString(cert->sourceType),
                               source);
    }
    /* The PEM starts on its own line and the closing tag is indented like
     * the opening one; Parse strips that white space again. */
    g_string_append_printf(buf, ">\n%s  </%scert>\n", cert->pem, prefix);
}


char *
siplSecureBootDefFormat(const siplSecureBootDef *def, unsigned int flags)
{
    GString *buf = g_string_sized_new(256 + def->certs->len * 2048);
    const char *prefix = SIPL_SECUREBOOT_PREFIX ":";
    guint i;

    if (flags & SIPL_SECUREBOOT_FORMAT_NO_NAMESPACE) {
        prefix = "";
        g_string_append_printf(buf, "<%s", SIPL_SECUREBOOT_ELEMENT);
    } else {
        g_string_append_printf(buf, "<%s%s xmlns:%s=\"%s\"", prefix,
                               SIPL_SECUREBOOT_ELEMENT, SIPL_SECUREBOOT_PREFIX,
                               SIPL_SECUREBOOT_NAMESPACE);
    }
    g_string_append_printf(buf, " mode=\"%s\"",
                           siplSecureBootModeTypeToString(def->mode));
    if (def->certs->len == 0) {
        g_string_append(buf, "/>\n");
        return g_string_free(buf, FALSE);
    }
    g_string_append(buf, ">\n");
    for (i = 0; i < def->certs->len; i++)
        siplSecureBootCertDefFormat(buf, g_ptr_array_index(def->certs, i),
                                    prefix);
    g_string_append_printf(buf, "</%s%s>\n", prefix, SIPL_SECUREBOOT_ELEMENT);
    return g_string_free(buf, FALSE);
}
