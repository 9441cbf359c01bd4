/*
 * sipl.c: the guest half from "IPLB stored" to "jump" (sipl.h), spec/03 §6
 */
#include "sipl.h"

#include "bootmap.h"
#include "iirb.h"
#include "secure.h"
#include "util.h"
#include "wire/iplb.h"

#define IPLB_SIZE       S390_IPLB_MAX_LEN
#define ISO_MAGIC_OFF   0x8001      /* "CD001" of an ISO 9660 volume */

/* { IPLB, IIRB }, page aligned (spec/03 §1); the IIRB at IPLB + 4096 */
static uint8_t sipl_iplb[IPLB_SIZE + IIRB_MAX_LEN] __attribute__((aligned(4096)));
static IirbLists sipl_lists;
static SecureState sipl_secure;
static uint8_t sipl_probe[MAX_SECTOR_SIZE] __attribute__((aligned(4096)));

/* What the flow keeps across the device loop. */
typedef struct SiplRun {
    SiplBootMode mode;
    uint64_t iplb_gaddr;
    QemuIplParameters qipl;
    CertsStoreInfo store;
} SiplRun;

/* Loadparm digits (EBCDIC 0xF0-0xF9) from the IPLB; blank or none = 0.
 * The boot menu ("PROMPT") is not offered by sipl. */
static unsigned loadparm_index(const uint8_t *iplb)
{
    const IplbHeader *h = (const IplbHeader *)iplb;
    unsigned v = 0;

    if (!(h->flags & DIAG308_FLAGS_LP_VALID)) {
        return 0;
    }
    for (unsigned i = 0; i < sizeof(h->loadparm); i++) {
        uint8_t c = h->loadparm[i];

        if (c < 0xf0 || c > 0xf9) {
            break;
        }
        v = v * 10 + (c - 0xf0);
    }
    return v;
}

/* An ISO 9660 image, as upstream's El Torito probe finds it (07 D30). */
static bool looks_like_iso(const SiplPlatform *p, const SiplDevice *dev)
{
    uint32_t bs = dev->block_size;

    if (bs == 2048) {
        return true;
    }
    if (dev->type != SIPL_DEV_VIRTIO_BLK || bs == 0 || bs > MAX_SECTOR_SIZE) {
        return false;
    }
    if (bootmap_read_block(p, ISO_MAGIC_OFF / bs, sipl_probe, bs) != 0) {
        return false;
    }
    return bios_memcmp(sipl_probe + ISO_MAGIC_OFF % bs, "CD001", 5) == 0;
}

/* Hands the report and the IPLB to the OS and starts it (spec/03 §6.6). */
static int finish(const SiplPlatform *p, SiplRun *run, uint64_t exec_psw)
{
    IplbHeader *h = (IplbHeader *)sipl_iplb;
    uint32_t iirb_len = 0;
    sipl_be32 ptr;
    uint64_t rc = 0;
    int ret;

    if (run->mode != SIPL_BOOT_NORMAL) {
        uint64_t base = be64_get(run->qipl.ipl_data) -
                        (uint64_t)run->qipl.index * 4096;

        ret = secure_store_certs(p, &sipl_secure, base);
        if (ret == 0) {
            ret = iirb_build(p, &sipl_lists, be32_get(h->len),
                             sipl_iplb + IPLB_SIZE, &iirb_len);
        }
        if (ret) {
            return ret;
        }
    }
    if (h->pbt == S390_IPL_TYPE_QEMU_SCSI) {
        sipl_be16 devno;

        be16_put(&devno, run->qipl.index);
        bios_memcpy(sipl_iplb + IPLB_OFF_DEVNO, &devno, sizeof(devno));
    }
    /* publish the IPLB and the IIRB behind it at their guest address */
    if (p->buf_to_guest(p->opaque, sipl_iplb, IPLB_SIZE + iirb_len, 4096) !=
        run->iplb_gaddr) {
        return bios_panic(p, "Failed to set IPLB");
    }
    be32_put(&ptr, (uint32_t)run->iplb_gaddr);
    if (p->mem_write(p->opaque, LOWCORE_IPLB_PTR, &ptr, sizeof(ptr)) != 0 ||
        p->diag(p->opaque, SIPL_DIAG_308, DIAG308_SUBC_SET_IPLB,
                run->iplb_gaddr, &rc) != SIPL_PGM_NONE ||
        rc != DIAG308_RC_OK) {
        return bios_panic(p, "Failed to set IPLB");
    }
    p->jump(p->opaque, exec_psw);
    return 0;
}

/* One device (spec/03 §6.4). 0 = started; SIPL_EHALT; else try the next. */
static int ipl_device(const SiplPlatform *p, SiplRun *run, const uint8_t *iplb)
{
    bool checked = run->mode != SIPL_BOOT_NORMAL;
    SiplDevice dev = { 0 };
    uint64_t psw = 0;
    int rc;

    if (p->dev_open(p->opaque, iplb, &dev) != 0) {
        return SIPL_ENODEV;
    }
    if (checked && dev.type == SIPL_DEV_DASD) {         /* 07 D31 */
        return bios_panic(p, "Passthrough (vfio) CCW device does not support "
                             "secure boot!");
    }
    if (checked && dev.type == SIPL_DEV_SCSI_CDROM) {
        return bios_panic(p, "Secure boot from ISO image is not supported!");
    }
    if (checked && dev.type == SIPL_DEV_VIRTIO_NET) {
        return bios_panic(p, "Virtio net boot device does not support secure "
                             "boot!");
    }
    if (dev.type != SIPL_DEV_VIRTIO_BLK && dev.type != SIPL_DEV_VIRTIO_SCSI) {
        bios_print(p, NULL, "Device type not supported by this BIOS");
        return SIPL_ENODEV;
    }
    if (checked) {
        secure_device_init(&sipl_secure, run->mode, &run->store, &sipl_lists);
    }
    rc = bootmap_ipl_scsi(p, run->mode, &dev, iplb ? loadparm_index(iplb) : 0,
                          checked ? &sipl_secure : NULL, &psw);
    if (rc == 0) {
        return finish(p, run, psw);
    }
    if (rc == SIPL_EHALT) {
        return rc;
    }
    if (rc != SIPL_ENOENT) {
        bios_print(p, NULL, "Failed to IPL from this SCSI device!");
        return rc;
    }
    /* not the SCSI scheme: upstream tries El Torito, then ECKD */
    if (checked && looks_like_iso(p, &dev)) {           /* 07 D30 */
        return bios_panic(p, "Secure boot from ISO image is not supported!");
    }
    if (checked && dev.eckd_layout) {
        return bios_panic(p, "Secure boot with the ECKD scheme is not "
                             "supported!");
    }
    /* sipl boots the SCSI scheme only */
    bios_print(p, NULL, "zIPL load failed!");
    return SIPL_ENOENT;
}

/* The next chained IPLB from the QIPL area (upstream load_next_iplb). */
static bool next_iplb(const SiplPlatform *p, SiplRun *run)
{
    uint16_t chain = be16_get(run->qipl.chain_len);
    uint64_t next = be64_get(run->qipl.ipl_data);

    if (chain < 1 || run->qipl.index >= MAX_BOOT_DEVS - 1 ||
        p->mem_read(p->opaque, next, sipl_iplb, IPLB_SIZE) != 0) {
        return false;
    }
    run->qipl.index++;
    be16_put(&run->qipl.chain_len, chain - 1);
    be64_put(&run->qipl.ipl_data, next + IPLB_SIZE);
    return true;
}

int sipl_ipl(const SiplPlatform *p)
{
    SiplRun run;
    uint64_t rc = 0;
    int ret;

    bios_memset(&run, 0, sizeof(run));
    bios_memset(sipl_iplb, 0, sizeof(sipl_iplb));
    run.iplb_gaddr = p->buf_to_guest(p->opaque, sipl_iplb, sizeof(sipl_iplb),
                                     4096);
    if (!run.iplb_gaddr) {
        return bios_panic(p, "Failed to set IPLB");
    }
    if (p->mem_read(p->opaque, QIPL_ADDRESS, &run.qipl, sizeof(run.qipl))) {
        /* (sipl) host-side only: real storage at 0xCC is always readable */
        return bios_panic(p, "Failed to read QEMU IPL parameters");
    }
    if (p->diag(p->opaque, SIPL_DIAG_308, DIAG308_SUBC_STORE_IPLB,
                run.iplb_gaddr, &rc) != SIPL_PGM_NONE || rc != DIAG308_RC_OK) {
        /* no IPLB: probe a device, always in normal mode (spec/03 §6.1) */
        ret = ipl_device(p, &run, NULL);
        if (ret == 0 || ret == SIPL_EHALT) {
            return ret;
        }
        return bios_panic(p, "No suitable device for IPL. Halting...");
    }
    p->buf_from_guest(p->opaque, sipl_iplb, IPLB_SIZE, run.iplb_gaddr);
    run.mode = mode_from_flags(((const IplbHeader *)sipl_iplb)->hdr_flags);

    if (run.mode != SIPL_BOOT_NORMAL) {
        ret = secure_check_facilities(p);
        if (ret == 0) {
            ret = certs_query_store(p, &run.store);
        }
        if (ret) {
            return ret;
        }
    }
    do {
        ret = ipl_device(p, &run, sipl_iplb);
        if (ret == 0 || ret == SIPL_EHALT) {
            return ret;
        }
    } while (next_iplb(p, &run));
    return bios_panic(p, "No suitable device for IPL. Halting...");
}
