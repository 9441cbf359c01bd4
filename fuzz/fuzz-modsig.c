/*
 * fuzz-modsig.c: libFuzzer target for the module-signature trailer parser
 * (spec/04 §1)
 *
 * Each input is a whole file as sipl-mkimage reads it (a kernel or initrd
 * that sign-file may have signed). Parsing follows zipl's extraction
 * (spec/04 §2.3): marker, id_type 2, then a sig_len that fits in front of
 * the 40-byte trailer. Checks, whatever the bytes:
 *   - Present is true exactly when the file is at least 40 bytes and ends
 *     in the 28-byte marker, and Parse reports NONE exactly when it is not;
 *   - on success: payload + sig_len + 40 == file length, sig_len > 0, the
 *     signature starts right after the payload, id_type is 2 and sig_len is
 *     the big-endian field at info offset 8 (spec/04 §1.1); every byte of
 *     the signature is read, so ASan sees an out-of-bounds slice;
 *   - on failure: an error in SIPL_MODSIG_ERROR whose code matches the
 *     reason, and the output structure untouched.
 * The input is copied into a buffer of exactly its size so a read past the
 * end is caught even where libFuzzer's own buffer has slack.
 */
#include "src/modsig.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static guint32
fuzz_be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | p[3];
}

static void
fuzz_check_rejected(const guint8 *buf, gsize len, const siplModSig *ms,
                    const GError *error)
{
    bool present = len >= SIPL_MODSIG_TRAILER_LEN &&
                   memcmp(buf + len - SIPL_MODSIG_MARKER_LEN,
                          SIPL_MODSIG_MARKER, SIPL_MODSIG_MARKER_LEN) == 0;
    int code;

    if (!error || error->domain != SIPL_MODSIG_ERROR || !error->message ||
        !*error->message) {
        abort();
    }
    /* "not written on failure" (modsig.c): the sentinel must survive */
    if (ms->payloadLen != G_MAXSIZE || ms->sig != NULL || ms->sigLen != 0) {
        abort();
    }
    if (!present) {
        code = SIPL_MODSIG_ERROR_NONE;
    } else if (buf[len - SIPL_MODSIG_TRAILER_LEN + 2] != SIPL_MODSIG_ID_PKCS7) {
        code = SIPL_MODSIG_ERROR_TYPE;
    } else {
        guint32 sigLen = fuzz_be32(buf + len - SIPL_MODSIG_TRAILER_LEN + 8);

        /* a trailer that would have been accepted must not be refused */
        if (sigLen != 0 && sigLen <= len - SIPL_MODSIG_TRAILER_LEN) {
            abort();
        }
        code = SIPL_MODSIG_ERROR_LENGTH;
    }
    if (error->code != code) {
        abort();
    }
}

static void
fuzz_check_accepted(const guint8 *buf, gsize len, const siplModSig *ms)
{
    const guint8 *info;
    volatile guint8 sum = 0;

    if (len < SIPL_MODSIG_TRAILER_LEN || ms->sigLen == 0 ||
        ms->payloadLen > len || ms->sigLen > len ||
        ms->payloadLen + ms->sigLen + SIPL_MODSIG_TRAILER_LEN != len ||
        ms->sig != buf + ms->payloadLen) {
        abort();
    }
    info = buf + len - SIPL_MODSIG_TRAILER_LEN;
    if (memcmp(info + SIPL_MODSIG_INFO_LEN, SIPL_MODSIG_MARKER,
               SIPL_MODSIG_MARKER_LEN) != 0 ||
        info[2] != SIPL_MODSIG_ID_PKCS7 || fuzz_be32(info + 8) != ms->sigLen) {
        abort();
    }
    for (gsize i = 0; i < ms->sigLen; i++) {
        sum ^= ms->sig[i];
    }
    (void)sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree guint8 *buf = g_malloc(size ? size : 1);
    g_autoptr(GError) error = NULL;
    siplModSig ms = { .payloadLen = G_MAXSIZE, .sig = NULL, .sigLen = 0 };
    bool present;
    bool ok;

    memcpy(buf, data, size);
    present = siplModSigPresent(buf, size);
    ok = siplModSigParse(buf, size, &ms, &error);

    if (ok) {
        if (!present || error) {
            abort();
        }
        fuzz_check_accepted(buf, size, &ms);
    } else {
        fuzz_check_rejected(buf, size, &ms, error);
        if (present != (error->code != SIPL_MODSIG_ERROR_NONE)) {
            abort();
        }
    }
    /* a NULL error location is allowed and must give the same answer */
    {
        siplModSig again = { 0 };

        if (siplModSigParse(buf, size, &again, NULL) != ok ||
            (ok && (again.payloadLen != ms.payloadLen ||
                    again.sig != ms.sig || again.sigLen != ms.sigLen))) {
            abort();
        }
    }
    return 0;
}
