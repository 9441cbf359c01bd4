/*
 * pin.h: where PINs come from (spec/06 §5)
 *
 * A PIN is never taken from the command line (argv is visible in ps and
 * /proc/PID/cmdline).  Sources: a pin-source file (`file:/path` or an
 * absolute path), an environment variable (`env:VAR`), or a prompt on the
 * controlling terminal.  A stored PIN is tried once and never retried, so a
 * wrong one cannot burn a token's retry counter.
 */
#ifndef SIPL_PIN_H
#define SIPL_PIN_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define SIPL_PIN_ERROR (siplPinErrorQuark())
GQuark siplPinErrorQuark(void);

typedef enum {
    SIPL_PIN_ERROR_SOURCE,   /* malformed or unsupported pin source */
    SIPL_PIN_ERROR_READ,     /* missing, unreadable, empty or too long */
    SIPL_PIN_ERROR_INSECURE, /* PIN file open to its group or others */
    SIPL_PIN_ERROR_NO_TTY,   /* a prompt was needed but there is no terminal */
} siplPinError;

/* A PIN string; siplPinFree() wipes it before freeing. */
typedef char siplPin;
void siplPinFree(siplPin *pin);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(siplPin, siplPinFree)

/**
 * siplPinFromSource:
 * @source: `file:/abs/path`, `/abs/path` or `env:VAR`
 * @error: return location for an error
 *
 * Reads the PIN and strips one trailing CR/LF (a newline kept as part of
 * the PIN costs a token retry, spec/06 §5.2).  A PIN file must be mode
 * 0400 or 0600 (no group or other access); a PIN longer than 1024 bytes is
 * refused rather than cut.
 *
 * Returns: the PIN, or NULL with SIPL_PIN_ERROR_SOURCE, _READ or _INSECURE.
 */
siplPin *siplPinFromSource(const char *source, GError **error);

/**
 * siplPinPrompt:
 * @what: what the PIN is for (e.g. the token label), shown in the prompt
 * @error: return location for an error
 *
 * Asks on the controlling terminal (/dev/tty) with echo off; SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT (at their default action) restore the echo
 * before they end the process.  @what is shown as given: redact URIs.
 *
 * Returns: the PIN, or NULL with SIPL_PIN_ERROR_NO_TTY or _READ.
 */
siplPin *siplPinPrompt(const char *what, GError **error);

/**
 * siplPinGet:
 * @pin_source: an explicit source (e.g. from --pin-source), or NULL
 * @uri: a `pkcs11:` URI whose `pin-source` is used when @pin_source is
 *   NULL, or NULL
 * @allow_prompt: whether to prompt when neither gives a source
 * @error: return location for an error
 *
 * Resolves the PIN the way sipl's tools do: @pin_source, then the URI's
 * `pin-source`, then a terminal prompt.  Messages and the prompt show @uri
 * without PIN or module attributes (siplPkcs11UriRedact()).
 *
 * Returns: the PIN, or NULL with any SIPL_PIN_ERROR code.
 */
siplPin *siplPinGet(const char *pin_source, const char *uri,
                    bool allow_prompt, GError **error);

/* State for siplPinGnutlsCallback(): the PIN to offer once. */
typedef struct {
    const char *pin;
    unsigned int calls;  /* how often GnuTLS asked */
} siplPinGnutlsContext;

/**
 * siplPinGnutlsCallback:
 * @userdata: a siplPinGnutlsContext
 * @attempt: GnuTLS's attempt counter
 * @token_url: unused
 * @token_label: unused
 * @flags: GNUTLS_PIN_* flags
 * @pin: output buffer
 * @pin_max: size of @pin
 *
 * A gnutls_pin_callback_t that offers the stored PIN on the first attempt
 * only, and refuses on a final try (spec/06 §5.2).
 *
 * Returns: 0 with @pin filled, or GNUTLS_E_PKCS11_PIN_ERROR.
 */
int siplPinGnutlsCallback(void *userdata, int attempt, const char *token_url,
                          const char *token_label, unsigned int flags,
                          char *pin, size_t pin_max);

/**
 * siplPinRegisterP11Kit:
 *
 * Registers sipl's p11-kit PIN callback as the most recent fallback, so
 * `pin-source` is read by siplPinFromSource() (which accepts `file:`,
 * paths and `env:` and strips the newline) and nothing is returned when
 * p11-kit flags a retry (spec/06 §5.2).  Idempotent.
 */
void siplPinRegisterP11Kit(void);

#endif /* SIPL_PIN_H */
