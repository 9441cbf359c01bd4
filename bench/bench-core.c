/*
 * bench-core.c: management-layer timings (issue 4)
 *
 * One line per case: "case=<name> certs=<n> ms=<median>", the median of
 * several runs in this process. Targets: xml_roundtrip <= 5 ms,
 * render <= 50 ms (fsyncs included), token_list <= 10 ms.
 *
 * Usage: bench-core [case...]   (no argument: every case)
 * SIPL_BENCH_DIR: where render writes (default: the temp dir; use a real
 * disk to measure fsync).
 *
 * Add a case: write a function returning the milliseconds of one run
 * (setup done once, in static state, on its first call; the first call is
 * an untimed warm-up), and add a row to siplBenchCases.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert_source.h"
#include "certgen.h"
#include "pin.h"
#include "pkcs11.h"
#include "secureboot_conf.h"
#include "softhsm-fixture.h"
#include "store_render.h"

#define BENCH_CERTS 64
#define BENCH_UUID "0b5e1c2d-3f4a-4b6c-8d7e-9f0a1b2c3d4e"

typedef struct {
    const char *name;
    guint runs;
    /* one timed run; returns its milliseconds */
    double (*run)(void);
} siplBenchCase;

static siplSecureBootDef *benchDefs[2];
static char *benchDir;


static double
benchNowMs(void)
{
    return g_get_monotonic_time() / 1000.0;
}


/* 64 distinct certificates (P-256, as a token would hold), two variants
 * that differ in the last one so every render writes a new generation. */
static void
benchSetup(void)
{
    guint v;
    guint i;

    if (benchDefs[0])
        return;
    for (v = 0; v < 2; v++)
        benchDefs[v] = siplSecureBootDefNew(SIPL_MODE_SECURE);
    for (i = 0; i <= BENCH_CERTS; i++) {
        g_autofree char *cn = g_strdup_printf("bench signer %u", i);
        CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = cn };
        g_autoptr(CertGenCert) gen = certgen_new(&spec);

        for (v = 0; v < 2; v++) {
            g_autofree char *name = g_strdup_printf("signer-%02u.pem", i);
            g_autoptr(GError) err = NULL;
            siplSecureBootCertDef *cert;

            if ((i == BENCH_CERTS - 1 && v == 1) || (i == BENCH_CERTS && v == 0))
                continue;
            cert = siplSecureBootCertDefNew(gen->der, gen->der_len, name,
                                            SIPL_CERT_STATE_ACTIVE,
                                            SIPL_CERT_SOURCE_PKCS11,
                                            "pkcs11:token=bench;object=signer;type=cert",
                                            &err);
            if (!cert)
                g_error("%s", err->message);
            g_ptr_array_add(benchDefs[v]->certs, cert);
        }
    }
}


/* Parse (schema, GnuTLS import, fingerprints) and format 64 certificates. */
static double
benchXmlRoundtrip(void)
{
    static char *xml;
    g_autoptr(siplSecureBootDef) def = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    double start;

    if (!xml)
        xml = siplSecureBootDefFormat(benchDefs[0], 0);
    start = benchNowMs();
    def = siplSecureBootDefParseString(xml, &err);
    if (!def)
        g_error("%s", err->message);
    out = siplSecureBootDefFormat(def, 0);
    if (strcmp(out, xml) != 0)
        g_error("round trip changed the XML");
    return benchNowMs() - start;
}


/* A new generation of 64 files: write them all, fsync each, rename each,
 * fsync the generation and the domain directory, switch, fsync the domain
 * directory, remove the old generation (store_gen.c, store_render.c). */
static double
benchRender(void)
{
    static guint flip;
    g_autoptr(GError) err = NULL;
    double start = benchNowMs();

    if (!siplStoreRender(benchDir, BENCH_UUID, benchDefs[flip++ % 2], 0, &err))
        g_error("%s", err->message);
    return benchNowMs() - start;
}


/* token_list (tokens): a real SoftHSM2 token private to this run
 * (tests/src/softhsm-fixture.h) holding 64 certificates, issued with
 * certtool from a key generated inside the token and written with
 * siplPkcs11ImportCert(). One run is what listing a token costs a user:
 * p11-kit iterator without login (label, id, value in two calls per
 * object), then parse, PEM and fingerprint (siplCertSourceLoadPkcs11).
 * spec/06 §6 measured 4.4 ms for the listing alone. */
static SoftHsmFixture *benchTokenFx;
static siplPkcs11 *benchTokenP11;

static void
benchTokenCleanup(void)
{
    g_clear_pointer(&benchTokenP11, siplPkcs11Free);
    g_clear_pointer(&benchTokenFx, softhsm_fixture_free);
}

static void
benchTokenSetup(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(siplPin) pin = NULL;
    guint i;

    if (!softhsm_fixture_available())
        g_error("token_list needs softhsm2 and gnutls-bin (scripts/install-deps.sh)");
    /* before the module is loaded: SoftHSM fixes its slots then */
    benchTokenFx = softhsm_fixture_new("sipl-bench");
    atexit(benchTokenCleanup);
    softhsm_fixture_generate_key(benchTokenFx, "bench-key", "01");
    if (!(benchTokenP11 = siplPkcs11Open(benchTokenFx->module, &err)) ||
        !(pin = siplPinFromSource(benchTokenFx->pin_file, &err)))
        g_error("%s", err->message);
    for (i = 0; i < BENCH_CERTS; i++) {
        g_autofree char *cn = g_strdup_printf("bench token %u", i);
        g_autofree char *label = g_strdup_printf("bench-%02u", i);
        g_autofree char *pem = softhsm_fixture_issue_cert(benchTokenFx, "bench-key",
                                                          cn, i + 1);
        g_autoptr(GPtrArray) one = siplCertSourceLoadFile(pem, &err);
        g_autofree char *uri = NULL;

        if (!one ||
            !(uri = siplPkcs11ImportCert(benchTokenP11, benchTokenFx->token_uri,
                                         ((siplSecureBootCertDef *)
                                          g_ptr_array_index(one, 0))->der,
                                         label, NULL, pin, &err)))
            g_error("%s", err->message);
    }
}

static double
benchTokenList(void)
{
    g_autoptr(GPtrArray) certs = NULL;
    g_autoptr(GError) err = NULL;
    double start;

    if (!benchTokenP11)
        benchTokenSetup();
    start = benchNowMs();
    certs = siplCertSourceLoadPkcs11(benchTokenP11, benchTokenFx->token_uri, &err);
    if (!certs || certs->len != BENCH_CERTS)
        g_error("token_list: %s", certs ? "not 64 certificates" : err->message);
    return benchNowMs() - start;
}


static const siplBenchCase siplBenchCases[] = {
    { "xml_roundtrip", 50, benchXmlRoundtrip },
    { "render", 20, benchRender },
    { "token_list", 25, benchTokenList },
};


static int
benchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}


int
main(int argc, char **argv)
{
    g_autofree char *tmp = NULL;
    const char *base = g_getenv("SIPL_BENCH_DIR");
    guint c;

    tmp = g_build_filename(base ? base : g_get_tmp_dir(), "sipl-bench-XXXXXX", NULL);
    if (!g_mkdtemp(tmp))
        g_error("cannot create %s", tmp);
    benchDir = g_build_filename(tmp, "domains", NULL);
    benchSetup();

    for (c = 0; c < G_N_ELEMENTS(siplBenchCases); c++) {
        const siplBenchCase *bc = &siplBenchCases[c];
        g_autofree double *ms = g_new0(double, bc->runs);
        gboolean wanted = argc < 2;
        guint i;

        for (i = 1; i < (guint)argc; i++)
            wanted |= strcmp(argv[i], bc->name) == 0;
        if (!wanted)
            continue;
        bc->run();      /* warm up: schema compile, page cache */
        for (i = 0; i < bc->runs; i++)
            ms[i] = bc->run();
        qsort(ms, bc->runs, sizeof(double), benchCompareDouble);
        g_print("case=%s certs=%u ms=%.3f\n", bc->name, BENCH_CERTS,
                ms[bc->runs / 2]);
    }

    if (!siplStoreRemove(benchDir, BENCH_UUID, NULL))
        g_printerr("cannot remove %s\n", benchDir);
    g_rmdir(benchDir);
    g_rmdir(tmp);
    g_free(benchDir);
    return 0;
}
