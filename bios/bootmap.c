/*
 * bootmap.c: the zipl SCSI-scheme bootmap walk (bootmap.h), spec/03 §2
 */
#include "bootmap.h"

#include "secure.h"
#include "util.h"

/* MBR, then the program table read over it (spec/03 §2.3) */
static uint8_t bootmap_sec[MAX_SECTOR_SIZE] __attribute__((aligned(4096)));
/* one component-table block (spec/03 §2.4) */
static uint8_t bootmap_comps[MAX_SECTOR_SIZE] __attribute__((aligned(4096)));
/* one segment-table block in a 16 KiB 0xAA-filled buffer (spec/03 §2.5) */
static uint8_t bootmap_segs[SEGTAB_BUF_SIZE] __attribute__((aligned(4096)));

int bootmap_read_block(const SiplPlatform *p, uint64_t blockno, uint8_t *buf,
                       uint32_t block_size)
{
    /* always the whole MAX_SECTOR_SIZE: a buffer's guest image is sized
     * by its first mapping, and chained devices may differ in block size */
    uint64_t gaddr = p->buf_to_guest(p->opaque, buf, MAX_SECTOR_SIZE, 8);

    if (!gaddr || block_size == 0 || block_size > MAX_SECTOR_SIZE ||
        p->read_blocks(p->opaque, blockno, 1, gaddr) != 0) {
        return SIPL_EIO;
    }
    p->buf_from_guest(p->opaque, buf, block_size, gaddr);
    return 0;
}

/* zipl's chain pointer sits in a slot followed by untouched filler. */
static bool slot_is_filler(const uint8_t *slot)
{
    for (unsigned i = 0; i < sizeof(ScsiBlockPtr); i++) {
        if (slot[i] != FREE_SPACE_FILLER) {
            return false;
        }
    }
    return true;
}

/* Walks one segment-table block; *@next gets the chained block or 0. */
static int load_segtab(const SiplPlatform *p, uint32_t block_size,
                       uint64_t gaddr, uint64_t limit, uint64_t *len,
                       uint64_t *next)
{
    const ScsiBlockPtr *bprs = (const ScsiBlockPtr *)bootmap_segs;

    *next = 0;
    for (unsigned i = 0; i < SEGTAB_MAX_SLOTS; i++) {
        uint64_t blockno = be64_get(bprs[i].blockno);
        uint32_t count = be16_get(bprs[i].blockct) + 1u;
        uint64_t bytes;

        if (blockno == 0) {
            return 0;
        }
        if (i == SEGTAB_MAX_SLOTS - 1 ||
            (count == 1 && slot_is_filler((const uint8_t *)&bprs[i + 1]))) {
            *next = blockno;    /* never loaded: the next table block */
            return 0;
        }
        if (be16_get(bprs[i].size) != block_size) {
            bios_print(p, NULL, "zIPL load segment failed");
            return SIPL_EINVAL;
        }
        bytes = (uint64_t)block_size * count;
        if (bytes > limit - *len) {
            return SIPL_ENOSPC;
        }
        if (p->read_blocks(p->opaque, blockno, count, gaddr + *len) != 0) {
            bios_print(p, NULL, "zIPL load segment failed");
            return SIPL_EIO;
        }
        if (p->console_dot) {
            p->console_dot(p->opaque);
        }
        *len += bytes;
    }
    return 0;   /* not reached: slot 255 always ends the block */
}

int bootmap_load_segments(const SiplPlatform *p, uint32_t block_size,
                          const ScsiBlockPtr *first, uint64_t gaddr,
                          uint64_t limit, uint64_t *len)
{
    uint64_t blockno = be64_get(first->blockno), before;
    unsigned tables = 0, idle = 0;
    int rc;

    *len = 0;
    while (blockno) {
        if (++tables > BOOTMAP_MAX_SEGTABS || idle > BOOTMAP_MAX_IDLE_SEGTABS) {
            bios_print(p, NULL, "zIPL segment table chain too long");
            return SIPL_EINVAL;
        }
        bios_memset(bootmap_segs, FREE_SPACE_FILLER, sizeof(bootmap_segs));
        if (bootmap_read_block(p, blockno, bootmap_segs, block_size) != 0) {
            bios_print_num(p, "zIPL failed to read BPRS at 0x", blockno,
                           BIOS_HEX64,
                           NULL);
            return SIPL_EIO;
        }
        before = *len;
        rc = load_segtab(p, block_size, gaddr, limit, len, &blockno);
        if (rc) {
            return rc;
        }
        idle = *len == before ? idle + 1 : 0;
    }
    return 0;
}

/* MBR and program table; *@table gets the selected entry's block. */
static int select_entry(const SiplPlatform *p, const SiplDevice *dev,
                        unsigned loadparm, uint64_t *table)
{
    const ScsiMbr *mbr = (const ScsiMbr *)bootmap_sec;
    const ScsiBlockPtr *pt;
    uint64_t pt_block;
    bool any = false;

    bios_memset(bootmap_sec, FREE_SPACE_FILLER, sizeof(bootmap_sec));
    if (bootmap_read_block(p, 0, bootmap_sec, dev->block_size) != 0) {
        bios_print(p, NULL, "Cannot read block 0");
        return SIPL_EIO;
    }
    if (bios_memcmp(mbr->magic, ZIPL_MAGIC, 4) != 0) {
        return SIPL_ENOENT;
    }
    if (be32_get(mbr->version_id) != ZIPL_MBR_VERSION) {
        bios_print(p, NULL, "WARNING: Unknown MBR layout version, assuming "
                            "version 1");
    }
    pt_block = be64_get(mbr->pt.blockno);
    if (pt_block == 0) {
        bios_print(p, NULL, "No Program Table");
        return SIPL_EINVAL;
    }
    /* read over the MBR without re-filling (spec/03 §2.3) */
    if (bootmap_read_block(p, pt_block, bootmap_sec, dev->block_size) != 0) {
        bios_print(p, NULL, "Error reading Program Table");
        return SIPL_EIO;
    }
    if (bios_memcmp(bootmap_sec, ZIPL_MAGIC, 4) != 0) {
        bios_print(p, NULL, "No zIPL magic in Program Table");
        return SIPL_EINVAL;
    }
    pt = (const ScsiBlockPtr *)(bootmap_sec + PROGRAM_TABLE_ENTRY_OFF);
    for (unsigned i = 0; i < MAX_BOOT_ENTRIES; i++) {
        any |= be64_get(pt[i].blockno) != 0;
    }
    if (!any) {
        bios_print(p, NULL, "Empty Program Table");
        return SIPL_EINVAL;
    }
    /* upstream tests loadparm >= MAX_BOOT_ENTRIES (32 included) */
    if (loadparm >= MAX_BOOT_ENTRIES) {
        return bios_panic(p, "loadparm value greater than max number of boot "
                             "entries allowed");
    }
    if (be64_get(pt[loadparm].blockno) == 0) {
        bios_print_num(p, "The requested boot entry (", loadparm, 0,
                       ") is invalid");
        return bios_panic(p, "Invalid loadparm");
    }
    *table = be64_get(pt[loadparm].blockno);
    return 0;
}

static int load_entry(const SiplPlatform *p, SiplBootMode mode,
                      const SiplDevice *dev, const ComponentEntry *e,
                      SecureState *st)
{
    uint64_t addr = be64_get(e->compdat.load_addr), len = 0;
    int rc;

    rc = bootmap_load_segments(p, dev->block_size, &e->data, addr,
                               UINT64_MAX - addr, &len);
    if (rc == SIPL_ENOSPC) {
        bios_print(p, NULL, "zIPL load segment failed");
        return SIPL_EINVAL;
    }
    if (rc || mode == SIPL_BOOT_NORMAL) {
        return rc;
    }
    return secure_component(p, st, addr, len);
}

/* Component-table walk (spec/03 §2.4, §2.6, §6.5). */
static int walk_table(const SiplPlatform *p, SiplBootMode mode,
                      const SiplDevice *dev, SecureState *st,
                      uint64_t *exec_psw)
{
    const ComponentEntry *e =
        (const ComponentEntry *)(bootmap_comps + sizeof(ComponentHeader));
    const ComponentEntry *end =
        (const ComponentEntry *)(bootmap_comps + sizeof(bootmap_comps));
    int rc;

    for (;; e++) {
        if (e >= end) {
            /* secure/audit test after every entry; normal mode too, where
             * upstream reads past its buffer after a SIGNATURE (sipl) */
            bios_print(p, NULL, "Wrong entry value");
            return SIPL_EINVAL;
        }
        switch (e->component_type) {
        case ZIPL_COMP_ENTRY_LOAD:
            rc = load_entry(p, mode, dev, e, st);
            break;
        case ZIPL_COMP_ENTRY_SIGNATURE:
            rc = mode == SIPL_BOOT_NORMAL ? 0 :
                 secure_signature(p, st, e, dev->block_size);
            break;
        case ZIPL_COMP_ENTRY_EXEC:
            *exec_psw = be64_get(e->compdat.load_psw);
            return mode == SIPL_BOOT_NORMAL ? 0 :
                   secure_finish_table(p, st, *exec_psw);
        default:
            if (mode == SIPL_BOOT_NORMAL) {
                bios_print(p, NULL, "No EXEC entry");
            } else {
                bios_print(p, NULL, "Unknown component entry type");
            }
            return SIPL_EINVAL;
        }
        if (rc) {
            return rc;
        }
    }
}

int bootmap_ipl_scsi(const SiplPlatform *p, SiplBootMode mode,
                     const SiplDevice *dev, unsigned loadparm,
                     SecureState *st, uint64_t *exec_psw)
{
    const ComponentHeader *hdr = (const ComponentHeader *)bootmap_comps;
    uint64_t table = 0;
    int rc;

    if (dev->block_size == 0 || dev->block_size > MAX_SECTOR_SIZE) {
        bios_print(p, NULL, "Cannot read block 0");
        return SIPL_EIO;
    }
    rc = select_entry(p, dev, loadparm, &table);
    if (rc) {
        return rc;
    }
    /* upstream leaves the rest of the 4096 bytes undefined; zero is read
     * as type 0, i.e. no EXEC entry / unknown type (sipl) */
    bios_memset(bootmap_comps, 0, sizeof(bootmap_comps));
    if (bootmap_read_block(p, table, bootmap_comps, dev->block_size) != 0) {
        bios_print(p, NULL, "Cannot read header");
        return SIPL_EIO;
    }
    if (bios_memcmp(hdr->magic, ZIPL_MAGIC, 4) != 0) {
        bios_print(p, NULL, "No zIPL magic in header");
        return SIPL_EINVAL;
    }
    if (hdr->type != ZIPL_COMP_HEADER_IPL) {
        bios_print(p, NULL, "Bad header type");
        return SIPL_EINVAL;
    }
    return walk_table(p, mode, dev, st, exec_psw);
}
