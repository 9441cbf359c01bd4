/*
 * modsig.c: Linux module-signature trailers (see modsig.h)
 */
#include "modsig.h"

#include <string.h>

#include "sipl_i18n.h"

GQuark
siplModSigErrorQuark(void)
{
    return g_quark_from_static_string("sipl-modsig-error-quark");
}

/**
 * siplModSigPresent:
 * @data: file contents
 * @len: their length
 *
 * Returns: true when @data ends in the 28-byte marker (the trailer may
 * still be malformed; siplModSigParse() says).
 */
bool
siplModSigPresent(const guint8 *data, gsize len)
{
    return len >= SIPL_MODSIG_TRAILER_LEN &&
           memcmp(data + len - SIPL_MODSIG_MARKER_LEN, SIPL_MODSIG_MARKER,
                  SIPL_MODSIG_MARKER_LEN) == 0;
}

/**
 * siplModSigParse:
 * @data: file contents
 * @len: their length
 * @sig: out: payload length and the signature inside @data; written only
 *       on success
 * @error: return location for a GError in SIPL_MODSIG_ERROR:
 *   SIPL_MODSIG_ERROR_NONE when there is no marker,
 *   SIPL_MODSIG_ERROR_TYPE when id_type is not 2 (zipl's "Unsupported
 *   signature type %02x", spec/04 §2.2),
 *   SIPL_MODSIG_ERROR_LENGTH when sig_len is 0 or does not fit in front of
 *   the 40-byte trailer.
 *
 * Returns: true when @data carries a PKCS#7 module signature.
 */
bool
siplModSigParse(const guint8 *data, gsize len, siplModSig *sig,
                GError **error)
{
    module_signature info;
    guint32 sigLen;

    if (!siplModSigPresent(data, len)) {
        g_set_error_literal(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_NONE,
                            _("No module signature found"));
        return false;
    }
    memcpy(&info, data + len - SIPL_MODSIG_TRAILER_LEN, sizeof(info));
    if (info.id_type != SIPL_MODSIG_ID_PKCS7) {
        g_set_error(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_TYPE,
                    _("Unsupported signature type %1$02x"), info.id_type);
        return false;
    }
    /* sig_len is big-endian in every sign-file output (spec/04 §1.1) */
    sigLen = be32_get(info.sig_len);
    if (sigLen == 0 || sigLen > len - SIPL_MODSIG_TRAILER_LEN) {
        g_set_error(error, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_LENGTH,
                    _("Invalid module signature length %1$u"), sigLen);
        return false;
    }
    sig->payloadLen = len - SIPL_MODSIG_TRAILER_LEN - sigLen;
    sig->sig = data + sig->payloadLen;
    sig->sigLen = sigLen;
    return true;
}
