/*
 * pkcs11.c: modules, URIs, tokens and listing (spec/06 §3, §4)
 *
 * p11-kit does module loading, token matching and listing: its iterator is
 * fast and needs no login.  Writing is in pkcs11_write.c.
 */
#include "pkcs11_private.h"
#include "pkcs11_uri.h"
#include "sipl_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

GQuark
siplPkcs11ErrorQuark(void)
{
    return g_quark_from_static_string("sipl-pkcs11-error-quark");
}

void
siplPkcs11CertFree(siplPkcs11Cert *cert)
{
    if (!cert)
        return;
    g_free(cert->uri);
    g_free(cert->label);
    g_clear_pointer(&cert->id, g_bytes_unref);
    g_clear_pointer(&cert->der, g_bytes_unref);
    g_free(cert);
}

/* spec/06 §7.8: p11_kit_strerror(CKR_OK) is empty. */
char *
siplPkcs11RvString(CK_RV rv)
{
    const char *msg = rv == CKR_OK ? "CKR_OK" : p11_kit_strerror(rv);

    return g_strdup_printf("%s (0x%lx)", msg, (unsigned long)rv);
}

static CK_FUNCTION_LIST **
siplPkcs11Load(const char *module_path, GError **error)
{
    g_autofree CK_FUNCTION_LIST **modules = NULL;

    if (module_path) {
        CK_FUNCTION_LIST *module = p11_kit_module_load(module_path, 0);
        CK_RV rv;

        if (!module) {
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE,
                        _("cannot load PKCS#11 module '%1$s': %2$s"),
                        module_path, p11_kit_message());
            return NULL;
        }
        rv = p11_kit_module_initialize(module);
        if (rv != CKR_OK) {
            g_autofree char *msg = siplPkcs11RvString(rv);
            p11_kit_module_release(module);
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE,
                        _("cannot initialise PKCS#11 module '%1$s': %2$s"),
                        module_path, msg);
            return NULL;
        }
        modules = g_new0(CK_FUNCTION_LIST *, 2);
        modules[0] = module;
    } else {
        CK_FUNCTION_LIST **list = p11_kit_modules_load_and_initialize(0);
        size_t n = 0;

        if (!list) {
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE,
                        _("cannot load the configured PKCS#11 modules: %1$s"),
                        p11_kit_message());
            return NULL;
        }
        while (list[n])
            n++;
        modules = g_new0(CK_FUNCTION_LIST *, n + 1);
        memcpy(modules, list, n * sizeof(*list));
        free(list);
    }
    return g_steal_pointer(&modules);
}

siplPkcs11 *
siplPkcs11Open(const char *module_path, GError **error)
{
    g_autofree CK_FUNCTION_LIST **modules = NULL;
    siplPkcs11 *p11;
    int lock;

    /* C_Initialize reads the tokens (spec/06 §7.2, §7.3) */
    if ((lock = siplPkcs11Lock(LOCK_SH, error)) < 0)
        return NULL;
    modules = siplPkcs11Load(module_path, error);
    close(lock);
    if (!modules)
        return NULL;

    p11 = g_new0(siplPkcs11, 1);
    p11->path = g_strdup(module_path);
    p11->modules = g_steal_pointer(&modules);
    return p11;
}

void
siplPkcs11Free(siplPkcs11 *p11)
{
    if (!p11)
        return;
    for (size_t i = 0; p11->modules[i]; i++) {
        p11_kit_module_finalize(p11->modules[i]);
        p11_kit_module_release(p11->modules[i]);
    }
    g_free(p11->modules);
    g_free(p11->path);
    g_free(p11);
}

/* Parse with p11-kit and apply spec/06 §4.2.  Messages show the URI
 * without PIN or module attributes (spec/06 §5.2, §8.3). */
P11KitUri *
siplPkcs11UriParse(const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(P11KitUri) parsed = p11_kit_uri_new();
    g_autofree char *shown = siplPkcs11UriRedact(uri);
    CK_TOKEN_INFO *tok;
    int rc;

    rc = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, parsed);
    if (rc != P11_KIT_URI_OK) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                    _("invalid PKCS#11 URI '%1$s': %2$s"),
                    shown, p11_kit_uri_message(rc));
        return NULL;
    }
    /* An unknown attribute (a typo such as type=certificate) makes the URI
     * match nothing or, worse, everything once dropped (spec/06 §4.3). */
    if (p11_kit_uri_any_unrecognized(parsed)) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                    _("PKCS#11 URI '%1$s' has an unrecognised attribute"),
                    shown);
        return NULL;
    }
    tok = p11_kit_uri_get_token_info(parsed);
    if (!tok->label[0] && !tok->serialNumber[0]) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                    _("PKCS#11 URI '%1$s' must name a token with 'token=' or 'serial='"),
                    shown);
        return NULL;
    }
    /* Slot ids change when a token is initialised and again behind the
     * p11-kit proxy (spec/06 §1.1): refuse them rather than ignore them. */
    if (p11_kit_uri_get_slot_id(parsed) != (CK_SLOT_ID)-1) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                    _("PKCS#11 URI '%1$s' names a slot id, which is not stable; use 'token=' or 'serial='"),
                    shown);
        return NULL;
    }
    if (p11_kit_uri_get_pin_value(parsed) &&
        !(flags & SIPL_PKCS11_URI_ALLOW_PIN_VALUE)) {
        /* not even redacted: the user must not think it went unseen */
        g_set_error_literal(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                            _("a PKCS#11 URI must not carry the PIN ('pin-value'); use 'pin-source' or a PIN file"));
        return NULL;
    }
    if ((flags & SIPL_PKCS11_URI_OBJECT) &&
        (!p11_kit_uri_get_attribute(parsed, CKA_CLASS) ||
         (!p11_kit_uri_get_attribute(parsed, CKA_LABEL) &&
          !p11_kit_uri_get_attribute(parsed, CKA_ID)))) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                    _("PKCS#11 URI '%1$s' must name one object with 'type=' and 'object=' or 'id='"),
                    shown);
        return NULL;
    }
    /* Untrusted input never chooses the .so we load (spec/06 §4.2). */
    p11_kit_uri_set_module_path(parsed, NULL);
    p11_kit_uri_set_module_name(parsed, NULL);
    return g_steal_pointer(&parsed);
}

bool
siplPkcs11UriCheck(const char *uri, unsigned int flags, GError **error)
{
    g_autoptr(P11KitUri) parsed = siplPkcs11UriParse(uri, flags, error);

    return parsed != NULL;
}

char *
siplPkcs11UriFormat(P11KitUri *uri, P11KitUriType type)
{
    char *out = NULL;

    p11_kit_uri_set_pin_value(uri, NULL);
    p11_kit_uri_set_pin_source(uri, NULL);
    p11_kit_uri_set_module_path(uri, NULL);
    p11_kit_uri_set_module_name(uri, NULL);
    if (p11_kit_uri_format(uri, type, &out) != P11_KIT_URI_OK)
        return NULL;
    return out;
}

char *
siplPkcs11UriStrip(const char *uri, GError **error)
{
    g_autoptr(P11KitUri) parsed = p11_kit_uri_new();
    g_autofree char *tmp = NULL;
    g_autofree char *shown = NULL;
    int rc;

    rc = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, parsed);
    if (rc == P11_KIT_URI_OK) {
        tmp = siplPkcs11UriFormat(parsed, P11_KIT_URI_FOR_ANY);
        if (tmp)
            return g_strdup(tmp);
    }
    shown = siplPkcs11UriRedact(uri);
    g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                _("invalid PKCS#11 URI '%1$s': %2$s"),
                shown, p11_kit_uri_message(rc));
    return NULL;
}

/*
 * Find the one initialised token @uri names, matching label/serial with
 * p11-kit, never by slot id (spec/06 §1.1, §3).
 */
bool
siplPkcs11FindToken(siplPkcs11 *p11, P11KitUri *uri, const char *uristr,
                    siplPkcs11Token *out, GError **error)
{
    unsigned int found = 0;

    for (size_t m = 0; p11->modules[m]; m++) {
        CK_FUNCTION_LIST *mod = p11->modules[m];
        g_autofree CK_SLOT_ID *slots = NULL;
        CK_INFO minfo;
        CK_ULONG n = 0;

        if (mod->C_GetInfo(&minfo) != CKR_OK ||
            !p11_kit_uri_match_module_info(uri, &minfo))
            continue;
        if (mod->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
            continue;
        slots = g_new0(CK_SLOT_ID, n);
        if (mod->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
            continue;
        for (CK_ULONG s = 0; s < n; s++) {
            CK_TOKEN_INFO info;

            if (mod->C_GetTokenInfo(slots[s], &info) != CKR_OK ||
                !(info.flags & CKF_TOKEN_INITIALIZED) ||
                !p11_kit_uri_match_token_info(uri, &info))
                continue;
            if (found++ == 0) {
                out->module = mod;
                out->slot = slots[s];
                out->info = info;
            }
        }
    }
    if (found == 0) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_TOKEN,
                    _("no initialised PKCS#11 token matches '%1$s'"), uristr);
        return false;
    }
    if (found > 1) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MANY_TOKENS,
                    _("%1$u PKCS#11 tokens match '%2$s'; name one with 'serial='"),
                    found, uristr);
        return false;
    }
    return true;
}

/*
 * Label, id and value of the iterator's object in two C_GetAttributeValue
 * calls for all three (SoftHSM does file I/O on each call, spec/06 §7.5);
 * absent attributes come back empty.
 */
CK_RV
siplPkcs11LoadObject(P11KitIter *iter, GBytes **label, GBytes **id,
                     GBytes **value)
{
    CK_ATTRIBUTE tmpl[] = {
        { CKA_LABEL, NULL, 0 }, { CKA_ID, NULL, 0 }, { CKA_VALUE, NULL, 0 },
    };
    GBytes **out[] = { label, id, value };
    CK_RV rv = p11_kit_iter_load_attributes(iter, tmpl, G_N_ELEMENTS(tmpl));

    for (size_t i = 0; i < G_N_ELEMENTS(tmpl); i++) {
        /* p11-kit allocates with malloc() */
        *out[i] = g_bytes_new(tmpl[i].pValue,
                              tmpl[i].pValue ? tmpl[i].ulValueLen : 0);
        free(tmpl[i].pValue);
    }
    return rv;
}

/* The object URI sipl stores: the token's identity plus id, label, type. */
char *
siplPkcs11ObjectUri(const CK_TOKEN_INFO *info, GBytes *id, const char *label)
{
    g_autoptr(P11KitUri) uri = p11_kit_uri_new();
    CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
    CK_ATTRIBUTE a_class = { CKA_CLASS, &klass, sizeof(klass) };
    gsize id_len = 0;
    const void *id_data = g_bytes_get_data(id, &id_len);

    memcpy(p11_kit_uri_get_token_info(uri), info, sizeof(*info));
    p11_kit_uri_set_attribute(uri, &a_class);
    if (id_len > 0) {
        CK_ATTRIBUTE a_id = { CKA_ID, (void *)id_data, id_len };
        p11_kit_uri_set_attribute(uri, &a_id);
    }
    if (label && *label) {
        CK_ATTRIBUTE a_label = { CKA_LABEL, (void *)label, strlen(label) };
        p11_kit_uri_set_attribute(uri, &a_label);
    }
    return siplPkcs11UriFormat(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN);
}

/* Whether the URI's type= is cert (or, with @if_unset, absent). */
bool
siplPkcs11UriIsCert(P11KitUri *uri, bool if_unset)
{
    CK_ATTRIBUTE *klass = p11_kit_uri_get_attribute(uri, CKA_CLASS);

    if (!klass)
        return if_unset;
    return klass->ulValueLen == sizeof(CK_OBJECT_CLASS) &&
           *(CK_OBJECT_CLASS *)klass->pValue == CKO_CERTIFICATE;
}

P11KitIter *
siplPkcs11CertIter(P11KitUri *uri, P11KitIterBehavior behavior)
{
    static CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
    static CK_CERTIFICATE_TYPE ctype = CKC_X_509;
    CK_ATTRIBUTE filter[] = {
        { CKA_CLASS, &klass, sizeof(klass) },
        { CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype) },
    };
    P11KitIter *iter = p11_kit_iter_new(uri, behavior);

    p11_kit_iter_add_filter(iter, filter, G_N_ELEMENTS(filter));
    return iter;
}

GPtrArray *
siplPkcs11ListOnToken(const siplPkcs11Token *tok, P11KitUri *parsed,
                      const char *uri, GError **error)
{
    g_autoptr(GPtrArray) certs = NULL;
    g_autoptr(P11KitIter) iter = NULL;
    CK_RV rv;

    certs = g_ptr_array_new_with_free_func((GDestroyNotify)siplPkcs11CertFree);
    /* Our class filter would override the URI's: a key URI lists nothing. */
    if (!siplPkcs11UriIsCert(parsed, true))
        return g_steal_pointer(&certs);
    iter = siplPkcs11CertIter(parsed, 0);
    p11_kit_iter_begin_with(iter, tok->module, tok->slot, 0);
    while ((rv = p11_kit_iter_next(iter)) == CKR_OK) {
        g_autoptr(siplPkcs11Cert) cert = g_new0(siplPkcs11Cert, 1);
        g_autoptr(GBytes) label = NULL;

        if ((rv = siplPkcs11LoadObject(iter, &label, &cert->id,
                                       &cert->der)) != CKR_OK)
            break;
        cert->label = g_strndup(g_bytes_get_data(label, NULL),
                                g_bytes_get_size(label));
        cert->uri = siplPkcs11ObjectUri(&tok->info, cert->id, cert->label);
        g_ptr_array_add(certs, g_steal_pointer(&cert));
    }
    /* CKR_CANCEL means done; anything else is an error (spec/06 §3). */
    if (rv != CKR_CANCEL) {
        g_autofree char *msg = siplPkcs11RvString(rv);
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot list certificates of '%1$s': %2$s"), uri, msg);
        return NULL;
    }
    return g_steal_pointer(&certs);
}

GPtrArray *
siplPkcs11ListCerts(siplPkcs11 *p11, const char *uri, GError **error)
{
    g_autoptr(P11KitUri) parsed = siplPkcs11UriParse(uri, 0, error);
    g_autofree char *shown = siplPkcs11UriRedact(uri);
    GPtrArray *certs;
    siplPkcs11Token tok;
    int lock;

    if (!parsed || (lock = siplPkcs11Lock(LOCK_SH, error)) < 0)
        return NULL;
    certs = siplPkcs11FindToken(p11, parsed, shown, &tok, error)
            ? siplPkcs11ListOnToken(&tok, parsed, shown, error) : NULL;
    close(lock);
    return certs;
}

/*
 * A directory only we can use, or -1 with errno: created 0700, and if it
 * exists, a real directory (not a symlink) owned by us that nobody else
 * may enter, since anyone who can replace the lock file defeats it.
 */
static int
siplPkcs11PrivateDir(const char *dir)
{
    struct stat st;

    if (g_mkdir_with_parents(dir, 0700) < 0)
        return -1;
    if (lstat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IRWXG | S_IRWXO))) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

static int
siplPkcs11OpenLock(const char *dir, char **path)
{
    *path = g_build_filename(dir, "pkcs11.lock", NULL);
    if (siplPkcs11PrivateDir(dir) < 0)
        return -1;
    return open(*path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/*
 * spec/06 §7.2: SoftHSM tokens break under concurrent writers, and readers
 * fail too: C_Initialize and C_GetTokenInfo read the token files, so even
 * finding the token races with a write (observed here: "no initialised
 * token matches" in a process listing while another imported).
 *
 * One lock for all of sipl's PKCS#11 access rather than one per token, as
 * spec/06 §7.2 suggests: a token's identity (label, serial) can only be
 * read by calling into the module, and that call is one of the racing
 * reads, so there is nothing safe to name a per-token lock by before
 * locking.  Module loading itself reads every token.  The cost is that
 * writes to unrelated tokens wait for each other: a few milliseconds each.
 * Shared to load modules and read, exclusive to write.
 *
 * Per user, in $XDG_RUNTIME_DIR/sipl: the token files are the user's too
 * (another user's processes cannot open them).  Without a usable runtime
 * directory (unset, read-only, a service without a session) the lock is
 * in a private <tmpdir>/sipl-<uid> instead of failing; all processes of a
 * user should see the same choice, which they do unless their
 * environments differ.
 */
int
siplPkcs11Lock(int op, GError **error)
{
    g_autofree char *dir = g_build_filename(g_get_user_runtime_dir(), "sipl", NULL);
    g_autofree char *path = NULL;
    int fd;

    if ((fd = siplPkcs11OpenLock(dir, &path)) < 0) {
        g_autofree char *name = g_strdup_printf("sipl-%lu", (unsigned long)geteuid());

        g_free(dir);
        g_free(path);
        dir = g_build_filename(g_get_tmp_dir(), name, NULL);
        fd = siplPkcs11OpenLock(dir, &path);
    }
    if (fd < 0) {
        int err = errno;
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot open the PKCS#11 lock '%1$s': %2$s"),
                    path, g_strerror(err));
        return -1;
    }
    while (flock(fd, op) < 0) {
        int err = errno;
        if (err == EINTR)
            continue;
        close(fd);
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot lock '%1$s': %2$s"), path, g_strerror(err));
        return -1;
    }
    return fd;
}
