/*
 * domain_xml.c: <secureBoot> in a domain XML, and its QEMU arguments
 */
#include "domain_xml.h"

#include <libxml/parser.h>
#include <string.h>

#include "sipl_i18n.h"

GQuark
siplDomainXMLErrorQuark(void)
{
    return g_quark_from_static_string("sipl-domain-xml-error-quark");
}


/* What siplDomainXMLParseDoc's parser callbacks saw (ctxt->_private). */
typedef struct {
    bool dtd;
    char *nsError;      /* libxml2's text of the first namespace error */
    int nsLine;
} siplDomainXMLParseState;


/* libvirt never writes a DOCTYPE, and its entities would reach the output
 * as references to declarations Apply's output no longer has. Stopping
 * here, before the internal subset is read, also leaves no room for
 * entity-expansion games. */
static void
siplDomainXMLRefuseDTD(void *opaque,
                       const xmlChar *name G_GNUC_UNUSED,
                       const xmlChar *externalID G_GNUC_UNUSED,
                       const xmlChar *systemID G_GNUC_UNUSED)
{
    xmlParserCtxtPtr ctxt = opaque;
    siplDomainXMLParseState *state = ctxt->_private;

    state->dtd = true;
    xmlStopParser(ctxt);
}


/* libxml2 reports a namespace error (e.g. an undeclared prefix) and still
 * builds the document; keep the first one for the message. */
static void
siplDomainXMLParseError(void *opaque, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = opaque;
    siplDomainXMLParseState *state = ctxt->_private;

    if (err && err->domain == XML_FROM_NAMESPACE &&
        err->level >= XML_ERR_ERROR && !state->nsError) {
        state->nsError = g_strchomp(g_strdup(err->message ? err->message : "?"));
        state->nsLine = err->line;
    }
}


/* Refuses what libxml2 parsed (or stopped parsing) but sipl does not take.
 * Returns false with @error set. */
static bool
siplDomainXMLCheckParsed(xmlParserCtxtPtr ctxt, siplDomainXMLParseState *state,
                         GError **error)
{
    if (state->dtd) {
        g_set_error_literal(error, SIPL_DOMAIN_XML_ERROR,
                            SIPL_DOMAIN_XML_ERROR_XML,
                            _("the domain XML has a document type declaration (<!DOCTYPE ...>), which libvirt never writes; remove it and any entity references"));
        return false;
    }
    /* An element with an undeclared prefix would be kept as a
     * no-namespace "qemu:commandline", which libvirt ignores and which
     * comes alive next to ours once Apply declares xmlns:qemu. */
    if (!ctxt->nsWellFormed || state->nsError) {
        g_set_error(error, SIPL_DOMAIN_XML_ERROR, SIPL_DOMAIN_XML_ERROR_XML,
                    _("the domain XML is not namespace-well-formed at line %1$d: %2$s; declare every namespace prefix it uses (e.g. xmlns:qemu='%3$s' on <domain>)"),
                    state->nsLine,
                    state->nsError ? state->nsError : "?",
                    SIPL_QEMU_NAMESPACE);
        return false;
    }
    return true;
}


xmlDocPtr
siplDomainXMLParseDoc(const char *domainXML, GError **error)
{
    siplDomainXMLParseState state = { false, NULL, 0 };
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    xmlNodePtr root;
    bool ok;

    if (!domainXML || strlen(domainXML) > G_MAXINT) {
        g_set_error_literal(error, SIPL_DOMAIN_XML_ERROR,
                            SIPL_DOMAIN_XML_ERROR_XML,
                            _("no domain XML given"));
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    ctxt->_private = &state;
    ctxt->sax->internalSubset = siplDomainXMLRefuseDTD;
    ctxt->sax->serror = siplDomainXMLParseError;
    doc = xmlCtxtReadMemory(ctxt, domainXML, (int)strlen(domainXML),
                            "domain.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
    if (!doc && !state.dtd) {
        xmlErrorPtr err = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = g_strdup(err && err->message ? err->message : "?");

        g_set_error(error, SIPL_DOMAIN_XML_ERROR, SIPL_DOMAIN_XML_ERROR_XML,
                    _("malformed domain XML at line %1$d: %2$s"),
                    err ? err->line : 0, g_strchomp(msg));
        ok = false;
    } else {
        ok = siplDomainXMLCheckParsed(ctxt, &state, error);
    }
    g_free(state.nsError);
    xmlFreeParserCtxt(ctxt);
    if (!ok) {
        xmlFreeDoc(doc);
        return NULL;
    }

    root = xmlDocGetRootElement(doc);
    if (!root || root->ns || strcmp((const char *)root->name, "domain") != 0) {
        g_set_error_literal(error, SIPL_DOMAIN_XML_ERROR,
                            SIPL_DOMAIN_XML_ERROR_XML,
                            _("the XML document is not a libvirt <domain>"));
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}


static bool
siplXMLNodeIs(xmlNodePtr node, const char *nsHref, const char *name)
{
    if (node->type != XML_ELEMENT_NODE ||
        strcmp((const char *)node->name, name) != 0)
        return false;
    if (!nsHref)
        return node->ns == NULL;
    return node->ns && strcmp((const char *)node->ns->href, nsHref) == 0;
}


static xmlNodePtr
siplXMLChild(xmlNodePtr parent, const char *nsHref, const char *name)
{
    xmlNodePtr child;

    for (child = parent->children; child; child = child->next) {
        if (siplXMLNodeIs(child, nsHref, name))
            return child;
    }
    return NULL;
}


static xmlNodePtr
siplDomainXMLFindSecureBoot(xmlNodePtr root)
{
    xmlNodePtr metadata = siplXMLChild(root, NULL, "metadata");
    xmlNodePtr child;

    if (!metadata)
        return NULL;
    for (child = metadata->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && child->ns &&
            strcmp((const char *)child->ns->href, SIPL_SECUREBOOT_NAMESPACE) == 0)
            return child;
    }
    return NULL;
}


bool
siplDomainXMLGetSecureBoot(const char *domainXML, siplSecureBootDef **def,
                           GError **error)
{
    xmlDocPtr doc = siplDomainXMLParseDoc(domainXML, error);
    xmlNodePtr node;
    bool ok = true;

    *def = NULL;
    if (!doc)
        return false;
    if ((node = siplDomainXMLFindSecureBoot(xmlDocGetRootElement(doc))))
        ok = (*def = siplSecureBootDefParseNode(node, error)) != NULL;
    xmlFreeDoc(doc);
    return ok;
}


char *
siplDomainXMLGetUUID(const char *domainXML, GError **error)
{
    xmlDocPtr doc = siplDomainXMLParseDoc(domainXML, error);
    xmlNodePtr uuid;
    char *ret = NULL;

    if (!doc)
        return NULL;
    uuid = siplXMLChild(xmlDocGetRootElement(doc), NULL, "uuid");
    if (uuid) {
        xmlChar *text = xmlNodeGetContent(uuid);

        ret = g_strstrip(g_strdup((const char *)text));
        xmlFree(text);
    }
    if (!ret || !*ret) {
        g_clear_pointer(&ret, g_free);
        g_set_error_literal(error, SIPL_DOMAIN_XML_ERROR,
                            SIPL_DOMAIN_XML_ERROR_INVALID,
                            _("the domain XML has no <uuid>; the certificate store is keyed by it"));
    }
    xmlFreeDoc(doc);
    return ret;
}


char *
siplDomainXMLMachineArg(const siplSecureBootDef *def, const char *certsPath)
{
    g_auto(GStrv) parts = NULL;
    g_autofree char *escaped = NULL;

    if (def->mode == SIPL_MODE_NORMAL)
        return NULL;
    /* QEMU's option syntax: a comma inside a value is written ",," */
    parts = g_strsplit(certsPath, ",", -1);
    escaped = g_strjoinv(",,", parts);
    return g_strdup_printf("secure-boot=%s,boot-certs.0.path=%s",
                           def->mode == SIPL_MODE_SECURE ? "on" : "off",
                           escaped);
}


static char *
siplXMLArgValue(xmlNodePtr node)
{
    xmlChar *val = xmlGetNoNsProp(node, (const xmlChar *)"value");
    char *ret = g_strdup((const char *)val);

    xmlFree(val);
    return ret;
}


static xmlNodePtr
siplXMLNextElement(xmlNodePtr node)
{
    for (node = node->next; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE)
            return node;
    }
    return NULL;
}


/* spec/05 §3: ours is "-machine" followed by "secure-boot=..." or
 * "boot-certs....". Returns the value node of the pair starting at @node. */
static xmlNodePtr
siplDomainXMLOurPair(xmlNodePtr node)
{
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;
    xmlNodePtr next;

    if (!siplXMLNodeIs(node, SIPL_QEMU_NAMESPACE, "arg"))
        return NULL;
    first = siplXMLArgValue(node);
    if (g_strcmp0(first, "-machine") != 0)
        return NULL;
    if (!(next = siplXMLNextElement(node)) ||
        !siplXMLNodeIs(next, SIPL_QEMU_NAMESPACE, "arg"))
        return NULL;
    second = siplXMLArgValue(next);
    if (!second || !(g_str_has_prefix(second, "secure-boot=") ||
                     g_str_has_prefix(second, "boot-certs.")))
        return NULL;
    return next;
}


static xmlNsPtr
siplDomainXMLQemuNs(xmlDocPtr doc, xmlNodePtr root)
{
    xmlNsPtr ns = xmlSearchNsByHref(doc, root, (const xmlChar *)SIPL_QEMU_NAMESPACE);
    g_autofree char *prefix = g_strdup(SIPL_QEMU_PREFIX);
    guint i = 0;

    if (ns)
        return ns;
    /* a prefix "qemu" bound to something else is unlikely but legal */
    while (xmlSearchNs(doc, root, (const xmlChar *)prefix)) {
        g_free(prefix);
        prefix = g_strdup_printf("%s%u", SIPL_QEMU_PREFIX, ++i);
    }
    return xmlNewNs(root, (const xmlChar *)SIPL_QEMU_NAMESPACE,
                    (const xmlChar *)prefix);
}


static void
siplXMLRemove(xmlNodePtr node)
{
    xmlUnlinkNode(node);
    xmlFreeNode(node);
}


static bool
siplDomainXMLApplyArgs(xmlDocPtr doc, xmlNodePtr root, const char *value,
                       GError **error)
{
    xmlNodePtr cmdline = NULL;
    xmlNodePtr child;
    xmlNodePtr next;
    xmlNodePtr kept = NULL;
    xmlNsPtr ns;

    for (child = root->children; child; child = child->next) {
        if (!siplXMLNodeIs(child, SIPL_QEMU_NAMESPACE, "commandline"))
            continue;
        if (cmdline) {
            g_set_error_literal(error, SIPL_DOMAIN_XML_ERROR,
                                SIPL_DOMAIN_XML_ERROR_INVALID,
                                _("the domain XML has more than one <qemu:commandline>"));
            return false;
        }
        cmdline = child;
    }

    /* Keep the first pair of ours (its place among the user's arguments),
     * drop any others. */
    if (cmdline) {
        for (child = cmdline->children; child; child = next) {
            xmlNodePtr second = siplDomainXMLOurPair(child);

            next = child->next;
            if (!second)
                continue;
            next = second->next;
            if (value && !kept) {
                kept = second;
                continue;
            }
            siplXMLRemove(child);
            siplXMLRemove(second);
        }
    }

    if (!value) {
        for (child = cmdline ? cmdline->children : NULL; child; child = child->next) {
            if (child->type == XML_ELEMENT_NODE)
                return true;
        }
        if (cmdline)
            siplXMLRemove(cmdline);
        return true;
    }

    if (kept) {
        xmlSetProp(kept, (const xmlChar *)"value", (const xmlChar *)value);
        return true;
    }
    if (cmdline) {
        ns = cmdline->ns;
    } else {
        ns = siplDomainXMLQemuNs(doc, root);
        cmdline = xmlNewChild(root, ns, (const xmlChar *)"commandline", NULL);
    }
    child = xmlNewChild(cmdline, ns, (const xmlChar *)"arg", NULL);
    xmlNewProp(child, (const xmlChar *)"value", (const xmlChar *)"-machine");
    child = xmlNewChild(cmdline, ns, (const xmlChar *)"arg", NULL);
    xmlNewProp(child, (const xmlChar *)"value", (const xmlChar *)value);
    return true;
}


/* Where libvirt formats <metadata>: after name/uuid/genid/title/description. */
static xmlNodePtr
siplDomainXMLMetadata(xmlNodePtr root)
{
    static const char *const before[] = {
        "name", "uuid", "genid", "title", "description",
    };
    xmlNodePtr metadata = siplXMLChild(root, NULL, "metadata");
    xmlNodePtr after = NULL;
    xmlNodePtr child;
    guint i;

    if (metadata)
        return metadata;
    metadata = xmlNewDocNode(root->doc, NULL, (const xmlChar *)"metadata", NULL);
    for (child = root->children; child; child = child->next) {
        for (i = 0; i < G_N_ELEMENTS(before); i++) {
            if (siplXMLNodeIs(child, NULL, before[i]))
                after = child;
        }
    }
    if (after)
        xmlAddNextSibling(after, metadata);
    else if (root->children)
        xmlAddPrevSibling(root->children, metadata);
    else
        xmlAddChild(root, metadata);
    return metadata;
}


static bool
siplDomainXMLApplyMetadata(xmlDocPtr doc, xmlNodePtr root,
                           const siplSecureBootDef *def, GError **error)
{
    xmlNodePtr old;
    xmlNodePtr metadata;
    xmlDocPtr tmp;
    xmlNodePtr copy;
    g_autofree char *xml = NULL;

    /* one element per namespace, as virDomainSetMetadata keeps it */
    while ((old = siplDomainXMLFindSecureBoot(root)))
        siplXMLRemove(old);
    if (!def)
        return true;

    xml = siplSecureBootDefFormat(def, 0);
    tmp = xmlReadMemory(xml, (int)strlen(xml), "secureBoot.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                        XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!tmp) {
        g_set_error_literal(error, SIPL_DOMAIN_XML_ERROR,
                            SIPL_DOMAIN_XML_ERROR_INVALID,
                            _("cannot parse the formatted secure boot XML"));
        return false;
    }
    metadata = siplDomainXMLMetadata(root);
    copy = xmlDocCopyNode(xmlDocGetRootElement(tmp), doc, 1);
    xmlAddChild(metadata, copy);
    xmlFreeDoc(tmp);
    return true;
}


/* XML_PARSE_NOBLANKS keeps white space that is an element's only content
 * ("<metadata>\n  </metadata>") or follows text; once Apply has put an
 * element next to it, the serialiser's indentation and that white space
 * mix, and the next parse drops a different set, so Apply would not be a
 * fixed point. Between elements white space is never content libvirt
 * keeps: drop it from every element that has element children. */
static void
siplXMLDropBlanks(xmlNodePtr node)
{
    xmlNodePtr child;
    xmlNodePtr next;
    bool elements = false;

    for (child = node->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            elements = true;
            siplXMLDropBlanks(child);
        }
    }
    if (!elements)
        return;
    for (child = node->children; child; child = next) {
        next = child->next;
        if (child->type == XML_TEXT_NODE && xmlIsBlankNode(child))
            siplXMLRemove(child);
    }
}


static char *
siplDomainXMLFormat(xmlDocPtr doc)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *ret;

    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
    ret = g_strdup_printf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return ret;
}


char *
siplDomainXMLApply(const char *domainXML, const siplSecureBootDef *def,
                   const char *certsPath, GError **error)
{
    g_autofree char *value = NULL;
    xmlDocPtr doc;
    xmlNodePtr root;
    char *ret = NULL;

    if (def && def->mode != SIPL_MODE_NORMAL &&
        (!certsPath || !g_path_is_absolute(certsPath))) {
        g_set_error(error, SIPL_DOMAIN_XML_ERROR, SIPL_DOMAIN_XML_ERROR_INVALID,
                    _("certificate store path '%1$s' is not absolute"),
                    certsPath ? certsPath : "");
        return NULL;
    }
    if (!(doc = siplDomainXMLParseDoc(domainXML, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (def)
        value = siplDomainXMLMachineArg(def, certsPath);

    if (siplDomainXMLApplyMetadata(doc, root, def, error) &&
        siplDomainXMLApplyArgs(doc, root, value, error)) {
        siplXMLDropBlanks(root);
        ret = siplDomainXMLFormat(doc);
    }
    xmlFreeDoc(doc);
    return ret;
}
