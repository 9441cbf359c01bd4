/*
 * mkimage-sclab.c: SCLABs appended to payloads before signing
 * (spec/03 §4, 07 D25; see mkimage.h)
 */
#include "mkimage.h"

#include <errno.h>
#include <string.h>

#include "../bios/wire/bootmap.h"
#include "modsig.h"
#include "sipl_i18n.h"

static bool
parseNumber(const char *key, const char *text, guint64 max, guint64 *out,
            GError **error)
{
    guint64 v;
    char *end = NULL;

    errno = 0;
    v = g_ascii_strtoull(text, &end, 0);
    if (!*text || *end || errno || v > max) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_INVALID,
                    _("Invalid number '%1$s' for '%2$s'"), text, key);
        return false;
    }
    *out = v;
    return true;
}

/**
 * siplSclabParse:
 * @spec: comma-separated words: `global` (OPSW|OLA, `load_psw` = zipl's EXEC
 *        PSW 0x000800008000A000, `load_addr` = the component address),
 *        `opsw`, `ola`, `nuc`, `sc` (flags, spec/03 §4.2), `flags=N` (the
 *        raw 16-bit field), `psw=N`, `addr=N`, `format=N`, `len=N` (the
 *        locator length, default 32). `none` alone is an all-zero SCLAB.
 *        Numbers are decimal or 0x-hex.
 * @sclab: out: the parsed SCLAB, written only on success
 * @error: return location for a GError (SIPL_MKIMAGE_ERROR_INVALID)
 *
 * Returns: true on success.
 */
bool
siplSclabParse(const char *spec, siplSclab *sclab, GError **error)
{
    static const struct {
        const char *name;
        guint16 flags;
    } flagWords[] = {
        { "global", SIPL_SCLAB_OPSW | SIPL_SCLAB_OLA },
        { "opsw", SIPL_SCLAB_OPSW }, { "ola", SIPL_SCLAB_OLA },
        { "nuc", SIPL_SCLAB_NUC }, { "sc", SIPL_SCLAB_SC }, { "none", 0 },
    };
    g_auto(GStrv) words = g_strsplit(spec, ",", -1);
    siplSclab s = { .len = SIPL_SCLAB_MIN_LEN };

    for (char **w = words; *w; w++) {
        const char *eq = strchr(*w, '=');
        g_autofree char *key = eq ? g_strndup(*w, eq - *w) : g_strdup(*w);
        guint64 v = 0;
        bool known = false;

        for (gsize i = 0; !eq && i < G_N_ELEMENTS(flagWords); i++) {
            if (g_str_equal(key, flagWords[i].name)) {
                s.flags |= flagWords[i].flags;
                known = true;
            }
        }
        if (!eq && g_str_equal(key, "global")) {
            s.loadPsw = SIPL_IMAGE_EXEC_PSW;
        }
        if (eq && (g_str_equal(key, "flags") || g_str_equal(key, "format") ||
                   g_str_equal(key, "len") || g_str_equal(key, "psw") ||
                   g_str_equal(key, "addr"))) {
            guint64 max = g_str_equal(key, "format") ? G_MAXUINT8 :
                          (g_str_equal(key, "flags") ||
                           g_str_equal(key, "len")) ? G_MAXUINT16
                                                    : G_MAXUINT64;

            if (!parseNumber(key, eq + 1, max, &v, error)) {
                return false;
            }
            known = true;
            if (g_str_equal(key, "flags")) {
                s.flags = (guint16)v;
            } else if (g_str_equal(key, "format")) {
                s.format = (guint8)v;
            } else if (g_str_equal(key, "len")) {
                s.len = (guint16)v;
            } else if (g_str_equal(key, "psw")) {
                s.loadPsw = v;
            } else {
                s.loadAddr = v;
                s.loadAddrSet = true;
            }
        }
        if (!known) {
            g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_INVALID,
                        _("Unknown SCLAB attribute '%1$s'"), *w);
            return false;
        }
    }
    *sclab = s;
    return true;
}

/**
 * siplSclabAppend:
 * @payload: component payload without a module-signature trailer; grows by
 *           zero padding and the SCLAB, changed only on success
 * @sclab: the SCLAB
 * @compAddr: load address of the component; `load_addr` when OLA is set and
 *            @sclab has no explicit address
 * @blockSize: disk block size; the result is a multiple of it
 * @error: return location for a GError: SIPL_MKIMAGE_ERROR_SIGNATURE when
 *         @payload is already signed (the signature must cover the SCLAB,
 *         spec/03 §4.3), SIPL_MKIMAGE_ERROR_INVALID for a zero block size
 *
 * The SCLAB (spec/03 §4.2) is max(`len`, 32) bytes and ends the padded
 * payload, so its locator (`len`, "zIPL") is the last 8 bytes of the
 * block-rounded component the BIOS sees (spec/03 §4.1).
 *
 * Returns: true on success.
 */
bool
siplSclabAppend(GByteArray *payload, const siplSclab *sclab,
                guint64 compAddr, guint blockSize, GError **error)
{
    guint size = MAX(sclab->len, SIPL_SCLAB_MIN_LEN);
    gsize total;
    g_autofree guint8 *p = NULL;
    SecureCodeLoadingAttributesBlock sclab_wire = { .format = sclab->format };
    SclabOriginLocator loc = { 0 };
    guint8 *s;
    guint64 addr = sclab->loadAddr;

    if (blockSize == 0) {
        g_set_error_literal(error, SIPL_MKIMAGE_ERROR,
                            SIPL_MKIMAGE_ERROR_INVALID,
                            _("Block size must not be zero"));
        return false;
    }
    if (siplModSigPresent(payload->data, payload->len)) {
        g_set_error_literal(error, SIPL_MKIMAGE_ERROR,
                            SIPL_MKIMAGE_ERROR_SIGNATURE,
                            _("Payload is already signed; append the SCLAB "
                              "before signing"));
        return false;
    }
    total = payload->len + size;
    total += (blockSize - total % blockSize) % blockSize;
    if ((sclab->flags & SIPL_SCLAB_OLA) && !sclab->loadAddrSet) {
        addr = compAddr;
    }
    be16_put(&sclab_wire.flags, sclab->flags);
    be64_put(&sclab_wire.load_psw, sclab->loadPsw);
    be64_put(&sclab_wire.load_addr, addr);
    be16_put(&loc.len, sclab->len);
    be32_put(&loc.magic, ZIPL_MAGIC_WORD);

    /* the SCLAB ends the padding, its locator ends the SCLAB (spec/03
     * §4.1): with the default 32 bytes it lies in reserved3 */
    p = g_malloc0(total - payload->len);
    s = p + (total - payload->len) - size;
    memcpy(s, &sclab_wire, sizeof(sclab_wire));
    memcpy(s + size - sizeof(loc), &loc, sizeof(loc));
    g_byte_array_append(payload, p, total - payload->len);
    return true;
}
