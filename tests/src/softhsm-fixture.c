/*
 * softhsm-fixture.c: a real SoftHSM2 token per test run (spec/06 §1)
 */
#include "softhsm-fixture.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Debian's symlink to the multiarch module (spec/06 §1.1 step 5). */
#define SOFTHSM_MODULE "/usr/lib/softhsm/libsofthsm2.so"

bool
softhsm_fixture_available(void)
{
    g_autofree char *util = g_find_program_in_path("softhsm2-util");
    g_autofree char *p11tool = g_find_program_in_path("p11tool");
    g_autofree char *certtool = g_find_program_in_path("certtool");

    return util && p11tool && certtool &&
           g_file_test(SOFTHSM_MODULE, G_FILE_TEST_EXISTS);
}

static char *
fixture_spawn(SoftHsmFixture *fx, const char *const *argv, bool may_fail,
              int *status_out)
{
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = 0;

    env = g_environ_setenv(env, "SOFTHSM2_CONF", fx->conf, TRUE);
    env = g_environ_setenv(env, "GNUTLS_PIN", SOFTHSM_FIXTURE_USER_PIN, TRUE);
    env = g_environ_setenv(env, "GNUTLS_SO_PIN", SOFTHSM_FIXTURE_SO_PIN, TRUE);
    if (!g_spawn_sync(fx->dir, (char **)argv, env, G_SPAWN_SEARCH_PATH,
                      NULL, NULL, &out, &err, &status, &error))
        g_error("spawning %s: %s", argv[0], error->message);
    if (!may_fail && !g_spawn_check_wait_status(status, NULL))
        g_error("%s failed (status %d): %s%s", argv[0], status, out, err);
    if (status_out)
        *status_out = status;
    return g_steal_pointer(&out);
}

char *
softhsm_fixture_run(SoftHsmFixture *fx, const char *const *argv)
{
    return fixture_spawn(fx, argv, false, NULL);
}

SoftHsmFixture *
softhsm_fixture_new(const char *label)
{
    g_autoptr(SoftHsmFixture) fx = g_new0(SoftHsmFixture, 1);
    g_autoptr(GError) error = NULL;
    g_autofree char *tokens = NULL;
    g_autofree char *conf = NULL;
    g_autofree char *out = NULL;

    fx->dir = g_dir_make_tmp("sipl-softhsm-XXXXXX", &error);
    g_assert_no_error(error);
    fx->module = g_strdup(SOFTHSM_MODULE);
    fx->label = g_strdup(label);
    fx->token_uri = g_strdup_printf("pkcs11:token=%s", label);
    tokens = g_build_filename(fx->dir, "tokens", NULL);
    g_assert_cmpint(g_mkdir(tokens, 0700), ==, 0);

    /* spec/06 §1.1 step 2; reset_on_fork exposes fork bugs (§7.6). */
    fx->conf = g_build_filename(fx->dir, "softhsm2.conf", NULL);
    conf = g_strdup_printf("directories.tokendir = %s\n"
                           "objectstore.backend = file\n"
                           "log.level = ERROR\n"
                           "slots.removable = false\n"
                           "slots.mechanisms = ALL\n"
                           "library.reset_on_fork = true\n", tokens);
    g_file_set_contents(fx->conf, conf, -1, &error);
    g_assert_no_error(error);
    g_setenv("SOFTHSM2_CONF", fx->conf, TRUE);

    fx->pin_file = g_build_filename(fx->dir, "user.pin", NULL);
    g_file_set_contents(fx->pin_file, SOFTHSM_FIXTURE_USER_PIN "\n", -1, &error);
    g_assert_no_error(error);
    g_assert_cmpint(g_chmod(fx->pin_file, 0600), ==, 0);
    fx->bad_pin_file = g_build_filename(fx->dir, "bad.pin", NULL);
    g_file_set_contents(fx->bad_pin_file, "0000\n", -1, &error);
    g_assert_no_error(error);
    g_assert_cmpint(g_chmod(fx->bad_pin_file, 0600), ==, 0);

    {
        /* softhsm2-util has no PIN environment variable: throw-away PINs. */
        const char *argv[] = {
            "softhsm2-util", "--init-token", "--free", "--label", label,
            "--pin", SOFTHSM_FIXTURE_USER_PIN,
            "--so-pin", SOFTHSM_FIXTURE_SO_PIN, NULL
        };
        out = softhsm_fixture_run(fx, argv);
    }
    return g_steal_pointer(&fx);
}

void
softhsm_fixture_free(SoftHsmFixture *fx)
{
    if (!fx)
        return;
    if (fx->dir && !g_getenv("SIPL_TEST_KEEP_TOKEN")) {
        const char *argv[] = { "rm", "-rf", fx->dir, NULL };
        g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                     NULL, NULL, NULL, NULL, NULL, NULL);
    }
    g_free(fx->dir);
    g_free(fx->conf);
    g_free(fx->module);
    g_free(fx->label);
    g_free(fx->token_uri);
    g_free(fx->pin_file);
    g_free(fx->bad_pin_file);
    g_free(fx);
}

void
softhsm_fixture_generate_key(SoftHsmFixture *fx, const char *label,
                             const char *id_hex)
{
    g_autofree char *lbl = g_strdup_printf("--label=%s", label);
    g_autofree char *id = g_strdup_printf("--id=%s", id_hex);
    const char *argv[] = {
        "p11tool", "--provider", fx->module, "--login", "--batch",
        "--generate-privkey=ecdsa", "--curve=secp256r1", lbl, id,
        "--outfile=/dev/null", fx->token_uri, NULL
    };
    g_free(softhsm_fixture_run(fx, argv));
}

char *
softhsm_fixture_issue_cert(SoftHsmFixture *fx, const char *key_label,
                           const char *cn, unsigned int serial)
{
    g_autofree char *tmpl = g_strdup_printf("%s/cert-%u.tmpl", fx->dir, serial);
    g_autofree char *pem = g_strdup_printf("%s/cert-%u.pem", fx->dir, serial);
    g_autofree char *key = g_strdup_printf("%s;object=%s;type=private",
                                           fx->token_uri, key_label);
    g_autofree char *body = NULL;
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;

    body = g_strdup_printf("cn = \"%s\"\n"
                           "organization = \"sipl tests\"\n"
                           "serial = %u\n"
                           "expiration_days = 365\n"
                           "signing_key\n"
                           "code_signing_key\n", cn, serial);
    g_file_set_contents(tmpl, body, -1, &error);
    g_assert_no_error(error);
    {
        const char *argv[] = {
            "certtool", "--provider", fx->module, "--generate-self-signed",
            "--load-privkey", key, "--template", tmpl, "--outfile", pem, NULL
        };
        out = softhsm_fixture_run(fx, argv);
    }
    return g_steal_pointer(&pem);
}

void
softhsm_fixture_write_cert(SoftHsmFixture *fx, const char *pem_path,
                           const char *label, const char *id_hex)
{
    g_autofree char *lbl = g_strdup_printf("--label=%s", label);
    g_autofree char *id = g_strdup_printf("--id=%s", id_hex);
    const char *argv[] = {
        "p11tool", "--provider", fx->module, "--login", "--batch", "--write",
        "--load-certificate", pem_path, lbl, id, fx->token_uri, NULL
    };
    g_free(softhsm_fixture_run(fx, argv));
}

char *
softhsm_fixture_list(SoftHsmFixture *fx)
{
    const char *argv[] = {
        "p11tool", "--provider", fx->module, "--login", "--batch",
        "--list-all", fx->token_uri, NULL
    };
    g_autofree char *all = softhsm_fixture_run(fx, argv);
    g_autoptr(GString) res = g_string_new(NULL);
    g_auto(GStrv) lines = g_strsplit(all, "\n", -1);

    /* "*** Only few tries left" is the token's PIN counter after a wrong
     * PIN (CKF_USER_PIN_COUNT_LOW), not an object: not part of "unchanged". */
    for (size_t i = 0; lines[i]; i++) {
        if (!g_str_has_prefix(lines[i], "*** "))
            g_string_append_printf(res, "%s\n", lines[i]);
    }
    /* Values too: "unchanged" means the same bytes, not the same labels. */
    for (size_t i = 0; lines[i]; i++) {
        const char *url = strstr(lines[i], "URL: ");
        if (!url || !g_str_has_suffix(lines[i], ";type=cert"))
            continue;
        {
            const char *exp[] = {
                "p11tool", "--provider", fx->module, "--batch", "--export",
                url + strlen("URL: "), NULL
            };
            g_autofree char *pem = softhsm_fixture_run(fx, exp);
            g_string_append(res, pem);
        }
    }
    return g_string_free(g_steal_pointer(&res), FALSE);
}

unsigned int
softhsm_fixture_count(SoftHsmFixture *fx, const char *type)
{
    const char *argv[] = {
        "p11tool", "--provider", fx->module, "--login", "--batch",
        "--list-all", fx->token_uri, NULL
    };
    g_autofree char *all = softhsm_fixture_run(fx, argv);
    g_autofree char *suffix = g_strdup_printf(";type=%s", type);
    g_auto(GStrv) lines = g_strsplit(all, "\n", -1);
    unsigned int n = 0;

    for (size_t i = 0; lines[i]; i++) {
        if (strstr(lines[i], "URL: ") && g_str_has_suffix(lines[i], suffix))
            n++;
    }
    return n;
}
