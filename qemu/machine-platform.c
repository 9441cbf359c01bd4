/*
 * machine-platform.c: bios/platform.h implemented by the host machine:
 * DIAGs routed to the hypervisor half, disk reads into guest memory,
 * console, halt and jump recorded for machine_run() (see machine.h)
 */
#include "machine-priv.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "diag320.h"
#include "diag508.h"

#define DIAG308_RC_INVALID      0x0402
#define MACHINE_R1              2       /* the even register DIAGs use */
#define MACHINE_MAP_MIN         (256 * 1024)    /* map, not copy, from here */

/* ---- DIAG 0x308 (hw/s390x/ipl.c, target/s390x/diag.c) ------------------ */

/* Types and minimum lengths QEMU's iplb_valid() accepts for subcode 5. */
static bool
machine_iplb_settable(const IplbHeader *hdr)
{
    uint32_t len = be32_get(hdr->len);

    if (!iplb_len_valid(len)) {
        return false;
    }
    switch (hdr->pbt) {
    case S390_IPL_TYPE_CCW:
        return len >= S390_IPLB_MIN_CCW_LEN;
    case S390_IPL_TYPE_FCP:
        return len >= S390_IPLB_MIN_FCP_LEN;
    case S390_IPL_TYPE_PCI:
        return len >= S390_IPLB_MIN_PCI_LEN;
    case S390_IPL_TYPE_PV:
        return len >= S390_IPLB_MIN_PV_LEN;
    default:
        /* QEMU-SCSI included: it fails validation (spec/02 §8.2) */
        return false;
    }
}

static int
machine_diag308(Machine *m, uint64_t subcode, uint64_t addr, uint64_t *rc)
{
    uint8_t buf[S390_IPLB_MAX_LEN];
    IplbHeader hdr;

    if (addr & (MACHINE_PAGE - 1)) {
        return SIPL_PGM_SPECIFICATION;
    }
    switch (subcode) {
    case DIAG308_SUBC_STORE_IPLB: {
        uint32_t len;

        if (!m->iplb_valid) {
            *rc = DIAG308_RC_NO_CONF;
            return SIPL_PGM_NONE;
        }
        memcpy(&hdr, m->iplb, sizeof(hdr));
        len = be32_get(hdr.len);
        if (!guestmem_write(m->mem, addr, m->iplb, len)) {
            return SIPL_PGM_ADDRESSING;
        }
        *rc = DIAG308_RC_OK;
        return SIPL_PGM_NONE;
    }
    case DIAG308_SUBC_SET_IPLB: {
        uint32_t len;

        if (!guestmem_read(m->mem, addr, &hdr, sizeof(hdr))) {
            return SIPL_PGM_ADDRESSING;
        }
        len = be32_get(hdr.len);
        if (!machine_iplb_settable(&hdr)) {
            *rc = DIAG308_RC_INVALID;
            return SIPL_PGM_NONE;
        }
        if (!guestmem_read(m->mem, addr, buf, len)) {
            return SIPL_PGM_ADDRESSING;
        }
        memset(buf + len, 0, sizeof(buf) - len);
        /* the guest's SIPL/IPLIR are replaced by the machine's (07 D15) */
        iplb_apply_guest_set((IplbHeader *)buf, m->secure_boot,
                             cert_store_count(m->store));
        memcpy(m->iplb, buf, sizeof(buf));
        m->iplb_valid = true;
        *rc = DIAG308_RC_OK;
        return SIPL_PGM_NONE;
    }
    default:
        return SIPL_PGM_SPECIFICATION;
    }
}

static int
machine_pgm(DiagException exc)
{
    switch (exc) {
    case DIAG_EXC_PRIVILEGED:
        return SIPL_PGM_PRIVILEGED;
    case DIAG_EXC_SPECIFICATION:
        return SIPL_PGM_SPECIFICATION;
    case DIAG_EXC_ADDRESSING:
        return SIPL_PGM_ADDRESSING;
    case DIAG_EXC_NONE:
        break;
    }
    return SIPL_PGM_NONE;
}

/* ---- the platform (bios/platform.h) ------------------------------------- */

static int
machine_p_diag(void *opaque, uint32_t fc, uint64_t subcode, uint64_t addr,
               uint64_t *rc)
{
    Machine *m = opaque;
    DiagCpu cpu = {
        .problem_state = false,
        .pv = false,
        .fac_cstore = m->fac_cstore,
        .fac_sipl = m->fac_sipl,
    };

    switch (fc) {
    case SIPL_DIAG_308:
        return machine_diag308(m, subcode, addr, rc);
    case SIPL_DIAG_320:
        return machine_pgm(diag320_handle(m->store, m->mem, &cpu, MACHINE_R1,
                                          addr, subcode, rc));
    case SIPL_DIAG_508:
        return machine_pgm(diag508_handle(m->store, m->mem, &cpu, MACHINE_R1,
                                          addr, subcode, rc));
    default:
        return SIPL_PGM_SPECIFICATION;
    }
}

static int
machine_p_sclp_info(void *opaque, SiplSclpInfo *info)
{
    Machine *m = opaque;

    /* the qemu model has ELS, so bytes 134.. are filled (spec/02 §4) */
    info->els = true;
    info->fac134 = m->fac_cstore ? SCLP_FAC134_CERT_STORE : 0;
    info->fac_ipl = (m->fac_sipl ? SCLP_FAC_IPL_SIPL : 0) |
                    (m->fac_sclaf ? SCLP_FAC_IPL_SCLAF : 0);
    return 0;
}

static int
machine_p_dev_open(void *opaque, const uint8_t *iplb, SiplDevice *dev)
{
    Machine *m = opaque;

    /* One boot device: whatever the IPLB names, it is this disk. */
    (void)iplb;
    dev->type = SIPL_DEV_VIRTIO_BLK;
    dev->block_size = m->block_size;
    dev->eckd_layout = false;
    return 0;
}

static int machine_pread(Machine *m, uint8_t *dst, uint64_t off,
                         uint64_t len);

static int
machine_p_read_blocks(void *opaque, uint64_t blockno, uint32_t count,
                      uint64_t gaddr)
{
    Machine *m = opaque;
    uint64_t len = (uint64_t)count * m->block_size;
    uint8_t *dst;
    uint64_t off;

    if (count == 0 || blockno >= m->disk_blocks ||
        count > m->disk_blocks - blockno) {
        return SIPL_EIO;
    }
    dst = guestmem_host_range(m->mem, gaddr, len);
    if (!dst) {
        return SIPL_EFAULT;
    }
    off = blockno * m->block_size;
    if (len >= MACHINE_MAP_MIN && gaddr % MACHINE_PAGE == off % MACHINE_PAGE) {
        /*
         * Large reads map the disk's pages privately over guest memory
         * instead of copying them: DIAG 0x508 then hashes straight from
         * the page cache, and a guest write only copies the page it
         * touches. Guest and host addresses have the same page offset
         * (guest memory is one page-aligned mapping), so the whole pages
         * in the middle map 1:1; head and tail are read as usual.
         *
         * The price: DISK must not change while the machine runs. A page
         * not yet written by the guest still follows the file, and a
         * truncated file raises SIGBUS on the next access. sipl-boot says
         * so in its help; preflight a running guest's disk from a copy or
         * snapshot.
         */
        uint64_t head = (MACHINE_PAGE - gaddr % MACHINE_PAGE) % MACHINE_PAGE;
        uint64_t mid = (len - head) & ~(MACHINE_PAGE - 1);

        if (mmap(dst + head, mid, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_FIXED, m->disk_fd,
                 (off_t)(off + head)) != MAP_FAILED) {
            return machine_pread(m, dst, off, head) == 0 &&
                   machine_pread(m, dst + head + mid, off + head + mid,
                                 len - head - mid) == 0 ? 0 : SIPL_EIO;
        }
    }
    return machine_pread(m, dst, off, len) == 0 ? 0 : SIPL_EIO;
}

/* pread all of [off, off + len) into dst; 0 or -1 */
static int
machine_pread(Machine *m, uint8_t *dst, uint64_t off, uint64_t len)
{
    uint64_t done = 0;

    while (done < len) {
        ssize_t n = pread(m->disk_fd, dst + done, len - done,
                          (off_t)(off + done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += (uint64_t)n;
    }
    return 0;
}

void
machine_flush_dots(Machine *m)
{
    if (m->dots->len == 0) {
        return;
    }
    if (m->console) {
        m->console(m->dots->str, m->console_opaque);
    }
    g_string_truncate(m->dots, 0);
}

static void
machine_p_console(void *opaque, const char *line)
{
    Machine *m = opaque;

    /* progress dots become a line of their own before the next line */
    machine_flush_dots(m);
    if (m->console) {
        m->console(line, m->console_opaque);
    }
}

static void
machine_p_console_dot(void *opaque)
{
    Machine *m = opaque;

    g_string_append_c(m->dots, '.');
}

static void
machine_p_halt(void *opaque, const char *reason)
{
    Machine *m = opaque;

    m->halted = true;
    g_free(m->halt_reason);
    m->halt_reason = g_strdup(reason);
}

static int
machine_p_mem_read(void *opaque, uint64_t gaddr, void *buf, uint64_t len)
{
    Machine *m = opaque;

    return guestmem_read(m->mem, gaddr, buf, len) ? 0 : SIPL_EFAULT;
}

static int
machine_p_mem_write(void *opaque, uint64_t gaddr, const void *buf,
                    uint64_t len)
{
    Machine *m = opaque;

    return guestmem_write(m->mem, gaddr, buf, len) ? 0 : SIPL_EFAULT;
}

/*
 * The flow's static buffers get fixed guest addresses inside the BIOS
 * window, as they would have inside the real BIOS image.
 */
static uint64_t
machine_p_buf_to_guest(void *opaque, const void *buf, uint32_t len,
                       uint32_t align)
{
    Machine *m = opaque;
    gpointer found;
    uint64_t gaddr;

    if (g_hash_table_lookup_extended(m->bufs, buf, NULL, &found)) {
        gaddr = *(uint64_t *)found;
    } else {
        uint64_t a = align ? align : 1;

        gaddr = (m->buf_next + a - 1) & ~(a - 1);
        if ((a & (a - 1)) || a > MACHINE_PAGE ||
            gaddr + len > m->bios_start + MACHINE_BIOS_WINDOW) {
            return 0;
        }
        m->buf_next = gaddr + len;
        g_hash_table_insert(m->bufs, (gpointer)buf,
                            g_memdup2(&gaddr, sizeof(gaddr)));
    }
    if (!guestmem_write(m->mem, gaddr, buf, len)) {
        return 0;
    }
    return gaddr;
}

static void
machine_p_buf_from_guest(void *opaque, void *buf, uint32_t len,
                         uint64_t gaddr)
{
    Machine *m = opaque;

    if (!guestmem_read(m->mem, gaddr, buf, len)) {
        memset(buf, 0, len);
    }
}

static void
machine_p_jump(void *opaque, uint64_t psw)
{
    Machine *m = opaque;

    m->started = true;
    m->psw = psw;
}

/**
 * machine_platform_diag:
 * One DIAGNOSE routed as during the IPL; see machine_diag().
 */
int
machine_platform_diag(Machine *m, uint32_t fc, uint64_t subcode,
                      uint64_t addr, uint64_t *rc)
{
    return machine_p_diag(m, fc, subcode, addr, rc);
}

/**
 * machine_platform_init:
 * @m: the machine
 * @p: out: the platform table the flow runs on
 */
void
machine_platform_init(Machine *m, SiplPlatform *p)
{
    *p = (SiplPlatform){
        .opaque = m,
        .diag = machine_p_diag,
        .sclp_info = machine_p_sclp_info,
        .dev_open = machine_p_dev_open,
        .read_blocks = machine_p_read_blocks,
        .console = machine_p_console,
        .console_dot = machine_p_console_dot,
        .halt = machine_p_halt,
        .mem_read = machine_p_mem_read,
        .mem_write = machine_p_mem_write,
        .buf_to_guest = machine_p_buf_to_guest,
        .buf_from_guest = machine_p_buf_from_guest,
        .jump = machine_p_jump,
    };
}
