/*
 * softhsm-fixture.h: a real SoftHSM2 token per test run
 *
 * spec/06 §1.1: a private SOFTHSM2_CONF and token directory per run, the
 * token created by the fixture, keys generated inside the token (p11tool)
 * and certificates issued from those token keys (certtool).  PINs go to the
 * tools through GNUTLS_PIN/GNUTLS_SO_PIN, never argv, except softhsm2-util
 * --init-token, which has no other way (throw-away test token only).
 *
 * SoftHSM fixes its slot list at C_Initialize (spec/06 §7.3), so a test
 * program creates its fixture before anything loads the module, and uses
 * one fixture for the whole run.
 */
#ifndef SIPL_TEST_SOFTHSM_FIXTURE_H
#define SIPL_TEST_SOFTHSM_FIXTURE_H

#include <glib.h>
#include <stdbool.h>

#define SOFTHSM_FIXTURE_USER_PIN "1234"
#define SOFTHSM_FIXTURE_SO_PIN "56781234"

typedef struct SoftHsmFixture {
    char *dir;          /* private temp dir, removed by free */
    char *conf;         /* <dir>/softhsm2.conf, exported as SOFTHSM2_CONF */
    char *module;       /* module path, loaded by path (spec/06 §1.2) */
    char *label;        /* token label */
    char *token_uri;    /* "pkcs11:token=<label>" */
    char *pin_file;     /* <dir>/user.pin: the user PIN plus a newline */
    char *bad_pin_file; /* <dir>/bad.pin: a wrong PIN */
} SoftHsmFixture;

/*
 * True when softhsm2-util, p11tool, certtool and the module are installed.
 * Test programs print a TAP skip plan and exit 77 otherwise (spec/06 §1.1).
 */
bool softhsm_fixture_available(void);

/* Returns: a fixture with one initialised token @label; aborts on failure. */
SoftHsmFixture *softhsm_fixture_new(const char *label);
void softhsm_fixture_free(SoftHsmFixture *fx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SoftHsmFixture, softhsm_fixture_free)

/* An ECDSA P-256 key pair generated inside the token (object @label, @id_hex). */
void softhsm_fixture_generate_key(SoftHsmFixture *fx,
                                  const char *label, const char *id_hex);

/*
 * A self-signed code-signing certificate for the token key @key_label,
 * signed inside the token by certtool.  @days may be negative (expired).
 * Returns: the PEM file's path (inside fx->dir).
 */
char *softhsm_fixture_issue_cert(SoftHsmFixture *fx, const char *key_label,
                                 const char *cn, unsigned int serial);

/* Write @pem_path into the token with p11tool (label @label, id @id_hex). */
void softhsm_fixture_write_cert(SoftHsmFixture *fx, const char *pem_path,
                                const char *label, const char *id_hex);

/*
 * Every object on the token (logged in, so private keys too), as p11tool
 * prints it, plus each certificate's DER in hex: compare before/after to
 * prove an operation changed nothing.
 */
char *softhsm_fixture_list(SoftHsmFixture *fx);

/* Number of objects of @type ("cert", "private", ...) on the token. */
unsigned int softhsm_fixture_count(SoftHsmFixture *fx, const char *type);

/* Run @argv with GNUTLS_PIN set; returns stdout; aborts on failure. */
char *softhsm_fixture_run(SoftHsmFixture *fx, const char *const *argv);

#endif /* SIPL_TEST_SOFTHSM_FIXTURE_H */
