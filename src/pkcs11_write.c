/*
 * pkcs11_write.c: importing and deleting certificates (spec/06 §3, §5, §7)
 *
 * GnuTLS writes certificates, because it fills the certificate template
 * correctly (spec/06 §2); deleting goes through p11-kit's iterator so the
 * matches can be counted first (spec/06 §7.1).  Both get their own managed
 * wrapper of the same module and coexist.
 */
#include "pkcs11_private.h"
#include "pin.h"
#include "pkcs11_uri.h"
#include "sipl_i18n.h"

#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/*
 * spec/06 §5.2: refuse to log in when the token is locked or one wrong PIN
 * away from locking; never retry.
 */
static bool
siplPkcs11CheckPinFlags(const CK_TOKEN_INFO *info, const char *uri,
                        GError **error)
{
    if (info->flags & (CKF_USER_PIN_LOCKED | CKF_USER_PIN_FINAL_TRY)) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN_LOCKED,
                    (info->flags & CKF_USER_PIN_LOCKED)
                    ? _("the user PIN of token '%1$s' is locked")
                    : _("the user PIN of token '%1$s' has one try left; refusing to log in"),
                    uri);
        return false;
    }
    return true;
}

static bool
siplPkcs11Login(CK_FUNCTION_LIST *mod, CK_SESSION_HANDLE session,
                const char *pin, const char *uri, GError **error)
{
    CK_RV rv = mod->C_Login(session, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
    g_autofree char *msg = NULL;

    switch (rv) {
    case CKR_OK:
    case CKR_USER_ALREADY_LOGGED_IN:
        return true;
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN,
                    _("wrong PIN for token '%1$s' (tried once, not retried)"),
                    uri);
        return false;
    case CKR_PIN_LOCKED:
    case CKR_PIN_EXPIRED:
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN_LOCKED,
                    _("the user PIN of token '%1$s' is locked or expired"),
                    uri);
        return false;
    default:
        msg = siplPkcs11RvString(rv);
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot log in to token '%1$s': %2$s"), uri, msg);
        return false;
    }
}

/*
 * Collect the certificate objects matching @uri through our own R/W
 * session (logged in when @pin is given).  The iterator keeps the session
 * we pass, so the handles stay valid until we close it.
 */
static bool
siplPkcs11OpenAndMatch(const siplPkcs11Token *tok, P11KitUri *uri,
                       const char *uristr, const char *pin,
                       CK_SESSION_HANDLE *session_out, GArray *handles,
                       GBytes *only_orphans_of, GError **error)
{
    CK_FUNCTION_LIST *mod = tok->module;
    CK_SESSION_HANDLE session = 0;
    g_autoptr(P11KitIter) iter = NULL;
    CK_RV rv;

    *session_out = 0;   /* CK_INVALID_HANDLE */
    if (pin && !siplPkcs11CheckPinFlags(&tok->info, uristr, error))
        return false;
    rv = mod->C_OpenSession(tok->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                            NULL, NULL, &session);
    if (rv != CKR_OK) {
        g_autofree char *msg = siplPkcs11RvString(rv);
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot open a read/write session on '%1$s': %2$s"),
                    uristr, msg);
        return false;
    }
    if (pin && !siplPkcs11Login(mod, session, pin, uristr, error))
        goto cleanup;

    iter = siplPkcs11CertIter(uri, 0);
    p11_kit_iter_begin_with(iter, mod, tok->slot, session);
    while ((rv = p11_kit_iter_next(iter)) == CKR_OK) {
        CK_OBJECT_HANDLE obj = p11_kit_iter_get_object(iter);

        if (only_orphans_of) {
            g_autoptr(GBytes) label = NULL;
            g_autoptr(GBytes) id = NULL;
            g_autoptr(GBytes) value = NULL;

            if ((rv = siplPkcs11LoadObject(iter, &label, &id, &value)) != CKR_OK)
                break;
            if (g_bytes_get_size(label) || g_bytes_get_size(id) ||
                !g_bytes_equal(value, only_orphans_of))
                continue;
        }
        g_array_append_val(handles, obj);
    }
    if (rv != CKR_CANCEL) {
        g_autofree char *msg = siplPkcs11RvString(rv);
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot search '%1$s': %2$s"), uristr, msg);
        goto cleanup;
    }
    *session_out = session;
    session = 0;

 cleanup:
    /* the session is ours to close unless handed out */
    if (session)
        mod->C_CloseSession(session);
    return *session_out != 0;
}

bool
siplPkcs11DeleteCert(siplPkcs11 *p11, const char *uri, const char *pin,
                     GError **error)
{
    g_autoptr(P11KitUri) parsed = NULL;
    g_autoptr(GArray) handles = g_array_new(FALSE, FALSE, sizeof(CK_OBJECT_HANDLE));
    /* what messages show (spec/06 §5.2, §8.3) */
    g_autofree char *shown = siplPkcs11UriRedact(uri);
    CK_SESSION_HANDLE session = 0;
    siplPkcs11Token tok;
    bool ret = false;
    int lock = -1;
    CK_RV rv;

    if (!(parsed = siplPkcs11UriParse(uri, SIPL_PKCS11_URI_OBJECT, error)))
        return false;
    /* A certificate operation never deletes keys (spec/06 §7.1). */
    if (!siplPkcs11UriIsCert(parsed, false)) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_URI,
                    _("PKCS#11 URI '%1$s' does not name a certificate ('type=cert')"),
                    shown);
        return false;
    }
    if ((lock = siplPkcs11Lock(LOCK_EX, error)) < 0)
        return false;
    if (!siplPkcs11FindToken(p11, parsed, shown, &tok, error))
        goto cleanup;
    if (!siplPkcs11OpenAndMatch(&tok, parsed, shown, pin, &session, handles,
                                NULL, error))
        goto cleanup;

    if (handles->len != 1) {
        if (handles->len == 0)
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_NO_OBJECT,
                        _("no certificate on the token matches '%1$s'"), shown);
        else
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_AMBIGUOUS,
                        _("%1$u certificates match '%2$s'; nothing was deleted"),
                        handles->len, shown);
        goto cleanup;
    }
    rv = tok.module->C_DestroyObject(session,
                                     g_array_index(handles, CK_OBJECT_HANDLE, 0));
    if (rv != CKR_OK) {
        g_autofree char *msg = siplPkcs11RvString(rv);
        g_set_error(error, SIPL_PKCS11_ERROR,
                    rv == CKR_USER_NOT_LOGGED_IN ? SIPL_PKCS11_ERROR_PIN
                                                 : SIPL_PKCS11_ERROR_FAILED,
                    _("cannot delete '%1$s': %2$s"), shown, msg);
        goto cleanup;
    }
    ret = true;

 cleanup:
    if (session) {
        if (pin)
            tok.module->C_Logout(session);
        tok.module->C_CloseSession(session);
    }
    close(lock);
    return ret;
}

/* GnuTLS's PKCS#11 state is per process: initialise it once. */
static GMutex siplPkcs11GnutlsLock;

static bool
siplPkcs11GnutlsProvider(const char *path, GError **error)
{
    static bool initialised;
    static GHashTable *providers;
    int rc;

    /* spec/06 §7.5: MANUAL is a silent no-op after an auto-init, so do it
     * before any other GnuTLS PKCS#11 call. */
    if (!initialised) {
        /* pin-source in URIs GnuTLS resolves goes through our reader
         * (newline stripped, nothing on a retry; spec/06 §5.2) */
        siplPinRegisterP11Kit();
        rc = gnutls_pkcs11_init(path ? GNUTLS_PKCS11_FLAG_MANUAL
                                     : GNUTLS_PKCS11_FLAG_AUTO, NULL);
        if (rc < 0) {
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE,
                        _("cannot initialise GnuTLS's PKCS#11 layer: %1$s"),
                        gnutls_strerror(rc));
            return false;
        }
        providers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        initialised = true;
    }
    if (path && !g_hash_table_contains(providers, path)) {
        rc = gnutls_pkcs11_add_provider(path, NULL);
        if (rc < 0) {
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_MODULE,
                        _("cannot load PKCS#11 module '%1$s' into GnuTLS: %2$s"),
                        path, gnutls_strerror(rc));
            return false;
        }
        g_hash_table_add(providers, g_strdup(path));
    }
    return true;
}

bool
siplPkcs11InitGnutls(const char *module_path, GError **error)
{
    bool ok;
    int lock;

    /* loading a provider runs C_Initialize, which reads the tokens */
    if ((lock = siplPkcs11Lock(LOCK_SH, error)) < 0)
        return false;
    g_mutex_lock(&siplPkcs11GnutlsLock);
    ok = siplPkcs11GnutlsProvider(module_path, error);
    g_mutex_unlock(&siplPkcs11GnutlsLock);
    close(lock);
    return ok;
}

/* spec/06 §7.4: a failed C_CreateObject may leave an unlabelled copy. */
static void
siplPkcs11RemoveOrphans(const siplPkcs11Token *tok, P11KitUri *token_uri,
                        GBytes *der)
{
    g_autoptr(GArray) handles = g_array_new(FALSE, FALSE, sizeof(CK_OBJECT_HANDLE));
    CK_SESSION_HANDLE session = 0;

    if (!siplPkcs11OpenAndMatch(tok, token_uri, "", NULL, &session, handles,
                                der, NULL))
        return;
    for (guint i = 0; i < handles->len; i++)
        tok->module->C_DestroyObject(session,
                                     g_array_index(handles, CK_OBJECT_HANDLE, i));
    tok->module->C_CloseSession(session);
}

static bool
siplPkcs11GnutlsError(int rc, const char *uri, GError **error)
{
    int code = SIPL_PKCS11_ERROR_FAILED;

    if (rc == GNUTLS_E_PKCS11_PIN_ERROR || rc == GNUTLS_E_PKCS11_USER_ERROR) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN,
                    _("wrong PIN for token '%1$s' (tried once, not retried)"),
                    uri);
        return false;
    }
    if (rc == GNUTLS_E_PKCS11_PIN_LOCKED || rc == GNUTLS_E_PKCS11_PIN_EXPIRED)
        code = SIPL_PKCS11_ERROR_PIN_LOCKED;
    g_set_error(error, SIPL_PKCS11_ERROR, code,
                _("cannot write a certificate to '%1$s': %2$s"),
                uri, gnutls_strerror(rc));
    return false;
}

char *
siplPkcs11ImportCert(siplPkcs11 *p11, const char *token_uri, GBytes *der,
                     const char *label, GBytes *id, const char *pin,
                     GError **error)
{
    g_autoptr(P11KitUri) parsed = NULL;
    g_autoptr(GPtrArray) existing = NULL;
    g_autofree char *gnutls_url = NULL;
    g_autofree char *result = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t dat = { (unsigned char *)g_bytes_get_data(der, NULL),
                           (unsigned int)g_bytes_get_size(der) };
    gnutls_datum_t id_dat = { 0 };
    siplPinGnutlsContext pinctx = { .pin = pin };
    /* what messages show (spec/06 §5.2, §8.3) */
    g_autofree char *shown = siplPkcs11UriRedact(token_uri);
    siplPkcs11Token tok;
    int lock = -1;
    int rc;

    if (!(parsed = siplPkcs11UriParse(token_uri, 0, error)))
        return NULL;
    if (!pin) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_PIN,
                    _("writing to token '%1$s' needs the user PIN"), shown);
        return NULL;
    }
    /* Library code reports, never aborts (STYLE.md, "Things we avoid"). */
    if ((rc = gnutls_x509_crt_init(&crt)) < 0) {
        crt = NULL;
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                    _("cannot initialise a GnuTLS certificate: %1$s"),
                    gnutls_strerror(rc));
        return NULL;
    }
    rc = gnutls_x509_crt_import(crt, &dat, GNUTLS_X509_FMT_DER);
    if (rc < 0) {
        g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_CERT,
                    _("not an X.509 certificate: %1$s"), gnutls_strerror(rc));
        goto cleanup;
    }

    if ((lock = siplPkcs11Lock(LOCK_EX, error)) < 0 ||
        !siplPkcs11FindToken(p11, parsed, shown, &tok, error) ||
        !siplPkcs11CheckPinFlags(&tok.info, shown, error))
        goto cleanup;

    /* Only the token attributes: GnuTLS would otherwise read pin-source
     * itself (the whole file, newline included, spec/06 §5.2). */
    p11_kit_uri_clear_attributes(parsed);
    gnutls_url = siplPkcs11UriFormat(parsed, P11_KIT_URI_FOR_TOKEN);

    if (!(existing = siplPkcs11ListOnToken(&tok, parsed, shown, error)))
        goto cleanup;
    for (guint i = 0; i < existing->len; i++) {
        siplPkcs11Cert *c = g_ptr_array_index(existing, i);
        if (g_bytes_equal(c->der, der)) {
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_EXISTS,
                        _("the certificate is already on the token as '%1$s'"),
                        c->uri);
            goto cleanup;
        }
    }

    if (id) {
        id_dat.data = (unsigned char *)g_bytes_get_data(id, NULL);
        id_dat.size = g_bytes_get_size(id);
    }
    g_mutex_lock(&siplPkcs11GnutlsLock);
    if (!siplPkcs11GnutlsProvider(p11->path, error)) {
        g_mutex_unlock(&siplPkcs11GnutlsLock);
        goto cleanup;
    }
    gnutls_pkcs11_set_pin_function(siplPinGnutlsCallback, &pinctx);
    rc = gnutls_pkcs11_copy_x509_crt2(gnutls_url, crt, label,
                                      id ? &id_dat : NULL,
                                      GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
    gnutls_pkcs11_set_pin_function(NULL, NULL);
    g_mutex_unlock(&siplPkcs11GnutlsLock);
    if (rc < 0) {
        siplPkcs11RemoveOrphans(&tok, parsed, der);
        siplPkcs11GnutlsError(rc, shown, error);
        goto cleanup;
    }

    if (!id) {
        /* GnuTLS chose the id: read the object back to name it exactly. */
        g_autoptr(GPtrArray) now = siplPkcs11ListOnToken(&tok, parsed, shown, error);
        for (guint i = 0; now && i < now->len; i++) {
            siplPkcs11Cert *c = g_ptr_array_index(now, i);
            if (g_bytes_equal(c->der, der))
                result = g_strdup(c->uri);
        }
        if (!result && now)
            g_set_error(error, SIPL_PKCS11_ERROR, SIPL_PKCS11_ERROR_FAILED,
                        _("the certificate written to '%1$s' cannot be found"),
                        shown);
    } else {
        result = siplPkcs11ObjectUri(&tok.info, id, label);
    }

 cleanup:
    if (lock >= 0)
        close(lock);
    gnutls_x509_crt_deinit(crt);
    return g_steal_pointer(&result);
}
