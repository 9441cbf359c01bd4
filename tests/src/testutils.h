/*
 * testutils.h: golden-file helpers for the management-layer tests
 *
 * libvirt's model (STYLE.md, tests): a case is a name mapped to files under
 * tests/src/<family>data/; expected failures live in .err files; data files
 * no case uses fail the run; SIPL_TEST_REGENERATE_OUTPUT=1 rewrites the
 * golden files (review the diff VERY CAREFULLY).
 *
 * Certificates are made at run time (certgen, real GnuTLS), so golden files
 * name them by placeholder: "@PEM:tag@" is the PEM of the certificate
 * called tag and "@FP:tag@" its SHA-256 fingerprint. Tags with a meaning:
 * "expired" (1999-2000), "future" (2100-2101), "nods" (KeyUsage keyCertSign
 * only), "der8000"/"der8001" (DER of exactly that size); any other tag is a
 * fresh, valid P-256 certificate.
 */
#ifndef SIPL_TEST_TESTUTILS_H
#define SIPL_TEST_TESTUTILS_H

#include <glib.h>
#include <stdbool.h>

/* The PEM of the certificate called @tag (made once per process). */
const char *siplTestCertPem(const char *tag);
/* Its DER and the DER's SHA-256 in lowercase hex. */
GBytes *siplTestCertDer(const char *tag);
const char *siplTestCertFingerprint(const char *tag);

/* Replace placeholders by certificates, and back. Returns new strings. */
char *siplTestExpand(const char *text);
char *siplTestAbstract(const char *text);

/* tests/src/<dir>/<name> (srcdir). Marks the file used. */
char *siplTestDataPath(const char *dir, const char *name);
/* Whether that file exists; marks it used when it does. */
bool siplTestDataExists(const char *dir, const char *name);
/* Read a data file (must exist), marking it used. */
char *siplTestDataRead(const char *dir, const char *name);
/* Names of the data files in @dir ending in @suffix, sorted. */
GPtrArray *siplTestDataList(const char *dir, const char *suffix);
/* Register "/<family>/golden/<file>" with @func for every <file>.xml of
 * @dir except outputs (*.out.xml). Returns the file list, which the test
 * data points into: keep it until g_test_run() returns. */
GPtrArray *siplTestAddGoldenCases(const char *family, const char *dir,
                                  GTestDataFunc func);
/* Register a test "/<family>/data/unused" that fails for every file of
 * @dir no case used. Call after registering every case. */
void siplTestAddUnusedDataCheck(const char *family, const char *dir);

/* Compare @actual (already abstracted) with data file @dir/@name, or
 * rewrite it under SIPL_TEST_REGENERATE_OUTPUT=1. */
void siplTestCompareToFile(const char *actual, const char *dir,
                           const char *name);

/* Run `xmllint --noout --relaxng SCHEMA` on @xml (written to a temp file).
 * Returns whether it validates; @output gets xmllint's stderr. */
bool siplTestXmllint(const char *schema, const char *xml, char **output);

/* Absolute path of a file under the source tree (SIPL_TOP_SRCDIR). */
char *siplTestTopSrcPath(const char *relpath);

/* g_ptr_array_sort() comparison of char * elements. */
gint siplTestCompareStr(gconstpointer a, gconstpointer b);

/* Every entry under @dir, recursively: "L name -> target", "D name mode",
 * "F name mode sha256" lines, sorted; "<dir>: missing" for a missing
 * directory, so an empty one created by a change shows. Tests
 * compare two of them to prove nothing changed. */
char *siplTestSnapshot(const char *dir);

#endif /* SIPL_TEST_TESTUTILS_H */
