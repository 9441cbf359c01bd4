/*
 * pkcs11_uri.c: `pkcs11:` URIs safe to show (spec/06 §5.2, §8.3)
 */
#include "pkcs11_uri.h"

#include <stdbool.h>
#include <string.h>

/* Query attributes of RFC 7512 that must not be shown (spec/06 §4.1). */
static const char *const siplPkcs11UriHidden[] = {
    "pin-value", "pin-source", "module-name", "module-path",
};

static bool
siplPkcs11UriIsHidden(const char *seg, gsize len)
{
    const char *eq = memchr(seg, '=', len);

    /* A piece without a name is what is left of a value holding ';'. */
    if (!eq)
        return true;
    for (gsize i = 0; i < G_N_ELEMENTS(siplPkcs11UriHidden); i++) {
        if ((gsize)(eq - seg) == strlen(siplPkcs11UriHidden[i]) &&
            g_ascii_strncasecmp(seg, siplPkcs11UriHidden[i], eq - seg) == 0)
            return true;
    }
    return false;
}

/* p11-kit drops these anywhere in a URI before parsing it (P11_URL_WHITESPACE
 * in its common/url.h): "pkcs11:token=a; pin-value=1" and " pkcs11:..."
 * carry a PIN to p11-kit, so the redaction must see what p11-kit sees. */
#define SIPL_PKCS11_URI_WHITESPACE " \n\r\v"

static char *
siplPkcs11UriSqueeze(const char *uri)
{
    GString *out = g_string_sized_new(strlen(uri));

    for (const char *p = uri; *p; p++) {
        if (!strchr(SIPL_PKCS11_URI_WHITESPACE, *p))
            g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

bool
siplPkcs11UriIs(const char *spec)
{
    g_autofree char *squeezed = spec ? siplPkcs11UriSqueeze(spec) : NULL;

    return squeezed &&
           g_ascii_strncasecmp(squeezed, "pkcs11:", strlen("pkcs11:")) == 0;
}

/*
 * Textual rather than p11-kit parse + format: parsing fails on exactly the
 * URIs error messages are about; p11-kit accepts `pin-value` in the path
 * too (spec/06 §4.3), so cutting at '?' alone would still show it; and
 * re-formatting drops the unrecognised attribute a message complains of.
 * The query holds nothing else RFC 7512 defines (spec/06 §4.1), so all of
 * it goes, including the rest of a PIN that contained '&'.
 */
char *
siplPkcs11UriRedact(const char *uri)
{
    g_autofree char *squeezed = NULL;
    GString *out;
    const char *p;
    const char *end;
    bool first = true;

    if (!uri)
        return g_strdup("");
    /* not a PKCS#11 URI: it has no path attributes to look at */
    if (!siplPkcs11UriIs(uri))
        return g_strndup(uri, strcspn(uri, "?"));
    squeezed = siplPkcs11UriSqueeze(uri);
    /* shown as p11-kit reads it, white space gone */
    uri = squeezed;
    end = uri + strcspn(uri, "?");
    out = g_string_new(NULL);
    g_string_append_len(out, uri, strlen("pkcs11:"));
    p = uri + strlen("pkcs11:");
    while (p < end) {
        gsize len = strcspn(p, ";?");

        if (len > 0 && !siplPkcs11UriIsHidden(p, len)) {
            if (!first)
                g_string_append_c(out, ';');
            g_string_append_len(out, p, len);
            first = false;
        }
        p += len + 1;
    }
    return g_string_free(out, FALSE);
}
