/*
 * machine.c: a host machine that plays QEMU for the guest half
 * (see machine.h); the platform calls are in machine-platform.c
 */
#include "machine-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bios/sipl.h"
#include "../bios/wire/iirb.h"
#include "ebcdic.h"

G_DEFINE_QUARK(sipl-machine-error-quark, machine_error)

#define MACHINE_BIOS_LIMIT      0x80000000ULL
#define MACHINE_MEM_MIN         (16ULL << 20)
#define MACHINE_DEVNO           0x0000  /* virtio-blk-ccw 0.0.0000 */

/* ---- construction -------------------------------------------------------- */

static bool
machine_loadparm(const char *text, uint8_t out[8], GError **error)
{
    g_autofree char *up = NULL;

    if (!text) {
        text = "";
    }
    if (strlen(text) > 8) {
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG,
                    "loadparm '%s' is longer than 8 characters", text);
        return false;
    }
    up = g_ascii_strup(text, -1);
    /* QEMU accepts letters, digits, '.' and blanks (hw/s390x/ipl.c) */
    for (const char *c = up; *c; c++) {
        if (!g_ascii_isalnum(*c) && *c != '.' && *c != ' ') {
            g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG,
                        "loadparm '%s': only letters, digits, '.' and "
                        "blanks are allowed", text);
            return false;
        }
    }
    ebcdic_from_ascii_padded(out, 8, up);
    return true;
}

/* IPLB of a virtio-blk-ccw boot device as QEMU builds it (spec/02 §8) */
static bool
machine_build_iplb(Machine *m, const MachineConfig *cfg, GError **error)
{
    IplbHeader *hdr = (IplbHeader *)m->iplb;
    sipl_be16 devno;

    memset(m->iplb, 0, sizeof(m->iplb));
    be32_put(&hdr->len, S390_IPLB_MIN_CCW_LEN);
    be32_put(&hdr->blk0_len, S390_IPLB_MIN_CCW_LEN - S390_IPLB_HEADER_LEN);
    hdr->pbt = S390_IPL_TYPE_CCW;
    hdr->flags = DIAG308_FLAGS_LP_VALID;
    if (!machine_loadparm(cfg->loadparm, hdr->loadparm, error)) {
        return false;
    }
    m->iplb[IPLB_OFF_SSID] = 0;
    be16_put(&devno, MACHINE_DEVNO);
    memcpy(m->iplb + IPLB_OFF_DEVNO, &devno, sizeof(devno));
    iplb_apply_flags(hdr, m->secure_boot, cert_store_count(m->store));
    m->iplb_valid = true;
    return true;
}

/* QIPL at real 0xCC, with the certificate area when needed (spec/02 §9) */
static bool
machine_write_qipl(Machine *m, GError **error)
{
    /* a CCW boot device without -boot menu takes zipl's menu settings
     * (hw/s390x/ipl.c s390_ipl_set_boot_menu) */
    QemuIplParameters qipl = { .qipl_flags = BM_OPTS_ZIPL };

    if (iplb_area_needed(1, cert_store_count(m->store))) {
        uint64_t area;

        if (!iplb_area_addr(m->bios_start, &area, error)) {
            return false;
        }
        iplb_qipl_set_area(&qipl, area);
    }
    if (!guestmem_write(m->mem, QIPL_ADDRESS, &qipl, sizeof(qipl))) {
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG,
                    "Guest memory too small for the QIPL");
        return false;
    }
    return true;
}

static bool
machine_open_disk(Machine *m, const char *path, GError **error)
{
    struct stat st;
    off_t size;
    int err;

    m->disk_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (m->disk_fd < 0 || fstat(m->disk_fd, &st) < 0) {
        err = errno;
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_DISK,
                    "Cannot open disk image '%s': %s", path,
                    g_strerror(err));
        return false;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_DISK,
                    "Disk image '%s' is not a file", path);
        return false;
    }
    /* st_size is 0 for a block device; its end is where lseek finds it */
    size = lseek(m->disk_fd, 0, SEEK_END);
    if (size < 0) {
        err = errno;
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_DISK,
                    "Cannot size disk image '%s': %s", path, g_strerror(err));
        return false;
    }
    m->disk_blocks = (uint64_t)size / m->block_size;
    return true;
}

/**
 * machine_new:
 * @cfg: the machine's configuration
 * @error: return location for a GError: CERT_STORE_ERROR with QEMU's text
 *         when a boot-certs path fails (spec/02 §2); IPLB_ERROR for the
 *         refusals of 07 D8/D9; MACHINE_ERROR for a bad block size,
 *         loadparm, memory size or an unreadable disk
 *
 * Builds the certificate store once (07 D5), checks the configuration,
 * opens the disk and prepares guest memory (QIPL at 0xCC) and the IPLB.
 *
 * Returns: the machine, ready for machine_run(), or NULL with @error set.
 */
Machine *
machine_new(const MachineConfig *cfg, GError **error)
{
    g_autoptr(Machine) m = g_new0(Machine, 1);
    uint64_t mem_size = cfg->mem_size ? cfg->mem_size
                                      : MACHINE_MEM_SIZE_DEFAULT;
    IplbDevice dev = IPLB_DEVICE_VIRTIO_BLK_CCW;

    m->disk_fd = -1;
    m->bufs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                    g_free);
    m->dots = g_string_new(NULL);
    if (cfg->block_size != 512 && cfg->block_size != 4096) {
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG,
                    "Block size must be 512 or 4096, not %u",
                    cfg->block_size);
        return NULL;
    }
    if (mem_size < MACHINE_MEM_MIN) {
        g_set_error(error, MACHINE_ERROR, MACHINE_ERROR_CONFIG,
                    "Guest memory of %" G_GUINT64_FORMAT " bytes is too "
                    "small", mem_size);
        return NULL;
    }
    m->block_size = cfg->block_size;
    m->secure_boot = cfg->secure_boot;
    m->fac_cstore = !cfg->no_cstore;
    m->fac_sipl = !cfg->no_sipl;
    m->fac_sclaf = !cfg->no_sclaf;
    m->disk_path = g_strdup(cfg->disk);

    m->store = cert_store_new_full(cfg->cert_paths, cfg->n_cert_paths,
                                   cfg->cert_warnings, error);
    if (!m->store ||
        !iplb_check_machine(cfg->secure_boot, cfg->n_cert_paths,
                            cert_store_count(m->store), cfg->direct_kernel,
                            error) ||
        !iplb_check_boot_devices(cfg->secure_boot,
                                 cert_store_count(m->store), &dev, 1,
                                 error)) {
        return NULL;
    }
    if (!machine_open_disk(m, cfg->disk, error)) {
        return NULL;
    }
    m->mem = guestmem_new(mem_size, error);
    if (!m->mem) {
        return NULL;
    }
    m->bios_start = (MIN(mem_size, MACHINE_BIOS_LIMIT) - MACHINE_BIOS_WINDOW)
                    & ~0xffffULL;
    m->buf_next = m->bios_start;
    if (!machine_build_iplb(m, cfg, error) || !machine_write_qipl(m, error)) {
        return NULL;
    }
    return g_steal_pointer(&m);
}

/**
 * machine_free:
 * @m: a machine, or NULL
 */
void
machine_free(Machine *m)
{
    if (!m) {
        return;
    }
    if (m->disk_fd >= 0) {
        close(m->disk_fd);
    }
    g_free(m->disk_path);
    cert_store_free(m->store);
    guestmem_free(m->mem);
    g_hash_table_unref(m->bufs);
    g_string_free(m->dots, TRUE);
    g_free(m->halt_reason);
    g_free(m);
}

/**
 * machine_set_console:
 * @m: the machine
 * @func: called with each console line as the guest prints it (a run of
 *        progress dots is passed as one line before the next line)
 * @opaque: passed to @func
 */
void
machine_set_console(Machine *m, MachineConsoleFunc func, void *opaque)
{
    m->console = func;
    m->console_opaque = opaque;
}

/**
 * machine_run:
 * @m: a machine from machine_new(), not run before
 *
 * IPLs the guest: runs the guest-half flow to its jump or its halt.
 *
 * Returns: MACHINE_STARTED when the EXEC PSW was reached
 * (machine_start_psw()), MACHINE_HALTED when the guest stopped in a
 * disabled wait (machine_halt_reason()).
 */
MachineOutcome
machine_run(Machine *m)
{
    SiplPlatform p;
    int rc;

    machine_platform_init(m, &p);
    rc = sipl_ipl(&p);

    machine_flush_dots(m);
    if (rc == 0 && m->started && !m->halted) {
        return MACHINE_STARTED;
    }
    if (!m->halted) {
        /* the flow returned without a panic: report it as the halt */
        m->halted = true;
        m->halt_reason = g_strdup("IPL ended without starting the guest");
    }
    return MACHINE_HALTED;
}

/**
 * machine_cert_store:
 * Returns: the machine's certificate store (owned by @m), for its warnings.
 */
const CertStore *
machine_cert_store(const Machine *m)
{
    return m->store;
}

/**
 * machine_mode:
 * Returns: the mode the hypervisor configured (spec/01 §3.1).
 */
IplbMode
machine_mode(const Machine *m)
{
    return iplb_mode(m->secure_boot, cert_store_count(m->store));
}

/**
 * machine_halt_reason:
 * Returns: the panic text of a halted run (without "ERROR: "), or NULL.
 */
const char *
machine_halt_reason(const Machine *m)
{
    return m->halted ? m->halt_reason : NULL;
}

/**
 * machine_start_psw:
 * Returns: the EXEC PSW the guest jumped to, or 0 when it did not start.
 */
uint64_t
machine_start_psw(const Machine *m)
{
    return m->started ? m->psw : 0;
}

/**
 * machine_mem:
 * Returns: the guest memory (owned by @m), e.g. to read certificates the
 * IIRB points at.
 */
GuestMem *
machine_mem(Machine *m)
{
    return m->mem;
}

/**
 * machine_diag:
 * @m: the machine
 * @fc: 0x308, 0x320 or 0x508 (SIPL_DIAG_*)
 * @subcode: R3 (0x320, 0x508) or R2 (0x308) contents
 * @addr: parameter-block address (R1)
 * @rc: out: R1+1 after the instruction, written only without exception
 *
 * One DIAGNOSE as the guest would issue it, routed exactly as during
 * machine_run() (for tests and guest-code developers).
 *
 * Returns: SIPL_PGM_NONE, or the program-interruption code.
 */
int
machine_diag(Machine *m, uint32_t fc, uint64_t subcode, uint64_t addr,
             uint64_t *rc)
{
    return machine_platform_diag(m, fc, subcode, addr, rc);
}

/**
 * machine_iirb:
 * @m: a machine after machine_run()
 *
 * The IIRB sits at IPLB + 4096 whatever the IPLB's `len` (spec/03 §8.3);
 * the IPLB address is the one the flow left in lowcore 0x14.
 *
 * Returns: a copy of the IIRB (its header `len` bytes, at most 5136), or
 * NULL when the guest did not start in audit or secure mode or the report
 * is malformed.
 */
GBytes *
machine_iirb(const Machine *m)
{
    sipl_be32 ptr;
    IplInfoReportBlockHeader hdr;
    uint64_t addr;
    uint32_t len;
    g_autofree uint8_t *buf = NULL;

    if (!m->started || machine_mode(m) == IPLB_MODE_NORMAL ||
        !guestmem_read(m->mem, LOWCORE_IPLB_PTR, &ptr, sizeof(ptr))) {
        return NULL;
    }
    addr = (uint64_t)be32_get(ptr) + S390_IPLB_MAX_LEN;
    if (be32_get(ptr) == 0 ||
        !guestmem_read(m->mem, addr, &hdr, sizeof(hdr))) {
        return NULL;
    }
    len = be32_get(hdr.len);
    if (len < sizeof(hdr) || len > IIRB_MAX_LEN) {
        return NULL;
    }
    buf = g_malloc(len);
    if (!guestmem_read(m->mem, addr, buf, len)) {
        return NULL;
    }
    return g_bytes_new_take(g_steal_pointer(&buf), len);
}
