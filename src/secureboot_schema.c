/*
 * secureboot_schema.c: validation against schemas/secureboot.rng
 */
#include "secureboot_schema.h"

#include <gio/gio.h>
#include <libxml/relaxng.h>

#include "secureboot_conf.h"
#include "sipl-resources.h"
#include "sipl_i18n.h"

#define SIPL_SCHEMA_RESOURCE "/dev/sipl/schemas/secureboot.rng"

typedef struct {
    char *message;  /* first error only: later ones follow from it */
    int line;
} siplSchemaErrors;


static void
siplSchemaCollectError(void *opaque, xmlErrorPtr err)
{
    siplSchemaErrors *errs = opaque;

    if (errs->message || !err)
        return;
    errs->message = g_strchomp(g_strdup(err->message ? err->message : "?"));
    errs->line = err->line;
}


GBytes *
siplSecureBootSchemaText(void)
{
    static GBytes *text;

    if (g_once_init_enter(&text)) {
        GBytes *bytes = g_resource_lookup_data(sipl_get_resource(),
                                               SIPL_SCHEMA_RESOURCE,
                                               G_RESOURCE_LOOKUP_FLAGS_NONE,
                                               NULL);
        /* Built in by meson: missing only if the build itself is broken. */
        g_assert(bytes);
        g_once_init_leave(&text, bytes);
    }
    return text;
}


/* Compiled once per process; kept for its lifetime (reachable, no leak). */
static gpointer
siplSecureBootSchemaCompile(gpointer opaque G_GNUC_UNUSED)
{
    GBytes *text = siplSecureBootSchemaText();
    gsize len = 0;
    const char *data = g_bytes_get_data(text, &len);
    xmlRelaxNGParserCtxtPtr pctxt;
    xmlRelaxNGPtr schema;
    siplSchemaErrors errs = { NULL, 0 };

    xmlInitParser();
    pctxt = xmlRelaxNGNewMemParserCtxt(data, (int)len);
    xmlRelaxNGSetParserStructuredErrors(pctxt,
                                        siplSchemaCollectError,
                                        &errs);
    schema = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    g_free(errs.message);
    return schema;
}


bool
siplSecureBootSchemaValidate(xmlDocPtr doc, GError **error)
{
    static GOnce once = G_ONCE_INIT;
    xmlRelaxNGPtr schema = g_once(&once, siplSecureBootSchemaCompile, NULL);
    xmlRelaxNGValidCtxtPtr vctxt;
    siplSchemaErrors errs = { NULL, 0 };
    int rc;

    if (!schema) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_INTERNAL,
                            _("the built-in secure boot schema does not compile"));
        return false;
    }

    vctxt = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vctxt,
                                       siplSchemaCollectError,
                                       &errs);
    rc = xmlRelaxNGValidateDoc(vctxt, doc);
    xmlRelaxNGFreeValidCtxt(vctxt);

    if (rc != 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_SCHEMA,
                    _("secure boot XML does not match the schema: %1$s"),
                    errs.message ? errs.message : "?");
        g_free(errs.message);
        return false;
    }
    g_free(errs.message);
    return true;
}
