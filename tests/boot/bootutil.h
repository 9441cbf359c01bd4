/*
 * bootutil.h: helpers of the boot tests (tests/boot)
 *
 * Everything here is written from spec/ on its own, not from src/ or
 * qemu/: module-signature trailers from spec/04 §1.1, the IPL report walk
 * the way Linux does it (spec/04 §4.2), and process runs of the real tools
 * (sipl-mkimage, sipl-boot, openssl).
 */
#ifndef SIPL_TEST_BOOTUTIL_H
#define SIPL_TEST_BOOTUTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* One run of a program: exit status and its output. */
typedef struct {
    int status;                 /* exit status; -1 when killed */
    char *out;
    char *err;
} BootRun;

void boot_run_clear(BootRun *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(BootRun, boot_run_clear)

/* Runs @argv (NULL-terminated); aborts the test when it cannot start. */
void boot_run(BootRun *r, const char *const *argv);

/* Path of a built tool from the environment variable @var. */
const char *boot_tool(const char *var);

/* Writes @len deterministic pseudo-random bytes (seeded) to @path. */
void boot_write_random(const char *path, gsize len, guint32 seed);

/*
 * Signs @in with `openssl cms -sign -binary -noattr -nocerts -outform DER`
 * and writes @in + DER + a module-signature trailer (spec/04 §1.1) to @out.
 */
void boot_sign(const char *in, const char *cert, const char *key,
               const char *out);

/* Component / certificate entries of an IPL report, as Linux sees them */
typedef struct {
    uint64_t addr;
    uint64_t len;
    uint8_t flags;
    uint16_t cert_index;
    uint32_t cei;
} BootComp;

typedef struct {
    uint64_t addr;
    uint64_t len;
} BootCert;

/*
 * Walks @data like arch/s390/boot/ipl_report.c (spec/04 §4.2): blocks
 * while block + 16 < end and block + len <= end. Returns false when Linux
 * would ignore the report (a block missing); fills @comps, @certs, @iiei.
 */
bool boot_iirb_parse(const guint8 *data, gsize len, GArray *comps,
                     GArray *certs, uint16_t *iiei);

/* Splits @text into lines (no trailing empty line). */
char **boot_lines(const char *text);

#endif /* SIPL_TEST_BOOTUTIL_H */
