/*
 * mkimage.c: SCSI-scheme disk images as `zipl --secure` writes them
 * (see mkimage.h)
 */
#include "mkimage.h"

#include <string.h>

#include "../bios/wire/bootmap.h"
#include "../bios/wire/limits.h"
#include "modsig.h"
#include "sipl_i18n.h"

GQuark
siplMkImageErrorQuark(void)
{
    return g_quark_from_static_string("sipl-mkimage-error-quark");
}

static const char *const siplImageCompTypeList[] = {
    "heap", "stack", "stage3", "params", "kernel", "parmline", "initrd",
};
G_STATIC_ASSERT(G_N_ELEMENTS(siplImageCompTypeList) == SIPL_IMAGE_COMP_LAST);

/**
 * siplImageCompTypeToString:
 * @type: a siplImageComp
 *
 * Returns: the component's name as sipl-mkimage spells it, or NULL.
 */
const char *
siplImageCompTypeToString(int type)
{
    if (type < 0 || type >= SIPL_IMAGE_COMP_LAST) {
        return NULL;
    }
    return siplImageCompTypeList[type];
}

/**
 * siplImageCompTypeFromString:
 * @str: a component name (may be NULL)
 *
 * Returns: the siplImageComp named @str, or -1.
 */
int
siplImageCompTypeFromString(const char *str)
{
    for (int i = 0; str && i < SIPL_IMAGE_COMP_LAST; i++) {
        if (strcmp(str, siplImageCompTypeList[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* zipl's SCSI bootmap (spec/03 §2): the layout is bios/wire/bootmap.h's */
#define BM_MAX_BLOCKCT      0x10000     /* blockct is a u16 of count - 1 */
#define BM_MAX_SIG_LEN      DIAG_508_MAX_SIG_LEN /* the BIOS's buffer (07 D21) */
#define BM_DATA_ALIGN       4096
/* stage3 must end below the stack dummy at 0xF000 */
#define BM_STAGE3_MAX       (SIPL_IMAGE_STACK_ADDR - SIPL_IMAGE_STAGE3_ADDR)
#define BM_STAGE3_FLAG_SCSI 0x0001000000000000ULL

G_STATIC_ASSERT(SIPL_IMAGE_EXEC_PSW == ZIPL_STAGE3_PSW);

/*
 * zipl's stage3 parameter block, 64 bytes at 0x9000 (s390-tools
 * zipl/boot/stage3.h). Only zipl's stage3 reads it, never the BIOS or
 * qemu/, so it is described here rather than under bios/wire/.
 */
typedef struct {
    sipl_be64 parm_addr;        /* 0x00: kernel parameter line */
    sipl_be64 initrd_addr;      /* 0x08 */
    sipl_be64 initrd_len;       /* 0x10 */
    sipl_be64 load_psw;         /* 0x18: the kernel's entry */
    sipl_be64 extra_parm;       /* 0x20: 0 */
    sipl_be64 flags;            /* 0x28: BM_STAGE3_FLAG_SCSI */
    sipl_be64 image_len;        /* 0x30 */
    sipl_be64 image_addr;       /* 0x38 */
} MkStage3Params;

G_STATIC_ASSERT(sizeof(MkStage3Params) == 64);
SIPL_WIRE_AT(MkStage3Params, load_psw, 0x18);
SIPL_WIRE_AT(MkStage3Params, flags, 0x28);
SIPL_WIRE_AT(MkStage3Params, image_addr, 0x38);

typedef struct {
    guint8 type;                /* ZIPL_COMP_ENTRY_LOAD or _SIGNATURE */
    guint64 addr;               /* LOAD: load address */
    GBytes *data;               /* what the blocks hold (owned); for a
                                 * SIGNATURE, the DER whose length the
                                 * entry records */
    guint64 dataBlock;          /* first data block */
    guint64 nData;              /* data blocks */
    guint64 tableBlock;         /* first segment-table block */
    guint64 nTables;
} MkEntry;

static void
mkEntryClear(gpointer p)
{
    MkEntry *e = p;

    g_bytes_unref(e->data);
}

/* One input file: payload and (optional) signature from its trailer. */
static bool
mkSplit(const char *name, GBytes *file, bool noSignatures,
        GBytes **payload, GBytes **sig, GError **error)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(file, &len);
    siplModSig ms;
    g_autoptr(GError) err = NULL;

    if (!siplModSigParse(data, len, &ms, &err)) {
        if (!g_error_matches(err, SIPL_MODSIG_ERROR, SIPL_MODSIG_ERROR_NONE)) {
            g_set_error(error, SIPL_MKIMAGE_ERROR,
                        SIPL_MKIMAGE_ERROR_SIGNATURE, "%s: %s", name,
                        err->message);
            return false;
        }
        *payload = g_bytes_ref(file);
        *sig = NULL;
        return true;
    }
    if (ms.sigLen > BM_MAX_SIG_LEN) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_SIGNATURE,
                    _("%1$s: signature of %2$zu bytes exceeds the %3$d-byte "
                      "limit of the BIOS"), name, ms.sigLen, BM_MAX_SIG_LEN);
        return false;
    }
    *payload = g_bytes_new_from_bytes(file, 0, ms.payloadLen);
    *sig = noSignatures ? NULL : g_bytes_new(ms.sig, ms.sigLen);
    return true;
}

/*
 * Add one LOAD component (preceded by its SIGNATURE when signed), applying
 * the SCLAB option and the block-alignment rule of 07 D25.
 */
static bool
mkAddLoad(GArray *entries, const siplImageDef *def, siplImageComp comp,
          guint64 addr, GBytes *file, GError **error)
{
    const char *name = siplImageCompTypeToString(comp);
    g_autoptr(GBytes) payload = NULL;
    g_autoptr(GBytes) sig = NULL;
    MkEntry e = { .type = ZIPL_COMP_ENTRY_LOAD, .addr = addr };

    if (!mkSplit(name, file, def->noSignatures, &payload, &sig, error)) {
        return false;
    }
    if (def->sclabs[comp]) {
        g_autoptr(GByteArray) buf = NULL;
        gsize len;
        const guint8 *data;

        if (sig) {
            g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_INVALID,
                        _("%1$s is signed: an SCLAB appended now would not "
                          "be covered by its signature; use 'sipl-mkimage "
                          "append-sclab' before signing"), name);
            return false;
        }
        data = g_bytes_get_data(payload, &len);
        buf = g_byte_array_sized_new(len + def->blockSize);
        g_byte_array_append(buf, data, len);
        if (!siplSclabAppend(buf, def->sclabs[comp], addr, def->blockSize,
                             error)) {
            return false;
        }
        g_bytes_unref(payload);
        payload = g_byte_array_free_to_bytes(g_steal_pointer(&buf));
    }
    if (g_bytes_get_size(payload) == 0) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_LAYOUT,
                    _("%1$s is empty"), name);
        return false;
    }
    if (sig && g_bytes_get_size(payload) % def->blockSize) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_ALIGN,
                    _("Signed %1$s payload is %2$zu bytes, not a multiple of "
                      "the %3$u-byte block size; pad it with 'sipl-mkimage "
                      "append-sclab' before signing"),
                    name, g_bytes_get_size(payload), def->blockSize);
        return false;
    }
    if (sig) {
        MkEntry s = { .type = ZIPL_COMP_ENTRY_SIGNATURE,
                      .data = g_steal_pointer(&sig) };
        g_array_append_val(entries, s);
    }
    e.data = g_steal_pointer(&payload);
    g_array_append_val(entries, e);
    return true;
}

static GBytes *
mkZeros(gsize len)
{
    return g_bytes_new_take(g_malloc0(len), len);
}

static guint64
roundUp(guint64 v, guint64 to)
{
    return (v + to - 1) / to * to;
}

static GBytes *
mkParams(guint64 parmAddr, guint64 initrdAddr, guint64 initrdLen,
         guint64 imageLen)
{
    MkStage3Params *p = g_new0(MkStage3Params, 1);

    be64_put(&p->parm_addr, parmAddr);
    be64_put(&p->initrd_addr, initrdAddr);
    be64_put(&p->initrd_len, initrdLen);
    be64_put(&p->load_psw, SIPL_IMAGE_KERNEL_PSW);
    be64_put(&p->flags, BM_STAGE3_FLAG_SCSI);
    be64_put(&p->image_len, imageLen);
    be64_put(&p->image_addr, SIPL_IMAGE_KERNEL_ADDR);
    return g_bytes_new_take(p, sizeof(*p));
}

/* A block pointer (spec/03 §2.1) to @count blocks from @blockno. */
static void
mkPutPtr(ScsiBlockPtr *ptr, guint64 blockno, guint blockSize, guint64 count)
{
    be64_put(&ptr->blockno, blockno);
    be16_put(&ptr->size, (guint16)blockSize);
    be16_put(&ptr->blockct, (guint16)(count - 1));
}

/*
 * The disk block @blockno as a wire structure. Wire structs are byte
 * arrays with alignment 1 (bios/wire/be.h), so any offset is valid.
 */
static void *
mkBlock(guint8 *disk, guint64 blockno, guint blockSize)
{
    return disk + blockno * blockSize;
}

/* Place data and segment tables of every entry after block 2. */
static guint64
mkLayout(GArray *entries, guint blockSize, guint64 maxPtr)
{
    guint64 next = 3;           /* 0 MBR, 1 program table, 2 comp. table */
    /* the last slot of a segment table chains to the next one */
    guint64 dataSlots = blockSize / sizeof(ScsiBlockPtr) - 1;

    for (guint i = 0; i < entries->len; i++) {
        MkEntry *e = &g_array_index(entries, MkEntry, i);
        guint64 ptrs;

        /* data on 4 KiB file offsets, like zipl's on a 4 KiB-block file
         * system: a reader can map it straight into page-aligned memory */
        next = roundUp(next, BM_DATA_ALIGN / blockSize);
        e->nData = roundUp(g_bytes_get_size(e->data), blockSize) / blockSize;
        ptrs = roundUp(e->nData, maxPtr) / maxPtr;
        e->nTables = roundUp(ptrs, dataSlots) / dataSlots;
        e->dataBlock = next;
        e->tableBlock = next + e->nData;
        next = e->tableBlock + e->nTables;
    }
    return next;
}

static void
mkWriteEntry(guint8 *disk, const MkEntry *e, guint blockSize, guint64 maxPtr)
{
    guint64 dataSlots = blockSize / sizeof(ScsiBlockPtr) - 1;
    guint64 left = e->nData;
    guint64 blk = e->dataBlock;
    gsize len;
    const guint8 *data = g_bytes_get_data(e->data, &len);

    memcpy(mkBlock(disk, e->dataBlock, blockSize), data, len);
    for (guint64 t = 0; t < e->nTables; t++) {
        ScsiBlockPtr *table = mkBlock(disk, e->tableBlock + t, blockSize);

        for (guint64 s = 0; s < dataSlots && left > 0; s++) {
            guint64 n = MIN(left, maxPtr);

            mkPutPtr(&table[s], blk, blockSize, n);
            blk += n;
            left -= n;
        }
        /* zipl: chain pointer in the last slot, zero in the final table */
        if (t + 1 < e->nTables) {
            mkPutPtr(&table[dataSlots], e->tableBlock + t + 1, blockSize, 1);
        }
    }
}

/*
 * Blocks 0-2 (spec/03 §2.2-2.4): the MBR, the program table with entry 0
 * (the default), and the component table of type IPL: @entries, then EXEC.
 */
static void
mkWriteBootmap(guint8 *disk, const GArray *entries, guint blockSize)
{
    ScsiMbr *mbr = mkBlock(disk, 0, blockSize);
    guint8 *pt = mkBlock(disk, 1, blockSize);
    ComponentHeader *hdr = mkBlock(disk, 2, blockSize);
    ComponentEntry *ce = (ComponentEntry *)(hdr + 1);
    ComponentEntry *exec = &ce[entries->len];

    memcpy(mbr->magic, ZIPL_MAGIC, sizeof(mbr->magic));
    be32_put(&mbr->version_id, ZIPL_MBR_VERSION);
    mkPutPtr(&mbr->pt, 1, blockSize, 1);

    memcpy(pt, ZIPL_MAGIC, strlen(ZIPL_MAGIC));
    mkPutPtr((ScsiBlockPtr *)(pt + PROGRAM_TABLE_ENTRY_OFF), 2, blockSize, 1);

    memcpy(hdr->magic, ZIPL_MAGIC, sizeof(hdr->magic));
    hdr->type = ZIPL_COMP_HEADER_IPL;
    for (guint i = 0; i < entries->len; i++) {
        const MkEntry *e = &g_array_index(entries, MkEntry, i);

        mkPutPtr(&ce[i].data, e->tableBlock, blockSize, 1);
        ce[i].component_type = e->type;
        if (e->type == ZIPL_COMP_ENTRY_SIGNATURE) {
            ce[i].compdat.sig_info.format = PKCS7_FORMAT;
            be32_put(&ce[i].compdat.sig_info.sig_len,
                     (guint32)g_bytes_get_size(e->data));
        } else {
            be64_put(&ce[i].compdat.load_addr, e->addr);
        }
    }
    exec->component_type = ZIPL_COMP_ENTRY_EXEC;
    be64_put(&exec->compdat.load_psw, SIPL_IMAGE_EXEC_PSW);
}

static bool
mkCheckBlockSize(guint blockSize, GError **error)
{
    if (blockSize != 512 && blockSize != 4096) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_INVALID,
                    _("Block size must be 512 or 4096, not %1$u"), blockSize);
        return false;
    }
    return true;
}

/**
 * siplImageBuild:
 * @def: what goes on the disk
 * @error: return location for a GError in SIPL_MKIMAGE_ERROR
 *
 * Returns: the raw disk image, or NULL with @error set.
 */
GBytes *
siplImageBuild(const siplImageDef *def, GError **error)
{
    g_autoptr(GArray) entries = g_array_new(FALSE, TRUE, sizeof(MkEntry));
    guint bs = def->blockSize;
    gsize kernelFileLen;
    guint64 parmAddr = 0, initrdAddr = 0, initrdLen = 0, end;
    g_autoptr(GBytes) params = NULL;
    g_autoptr(GBytes) parm = NULL;
    guint64 nBlocks, maxPtr;
    g_autofree guint8 *disk = NULL;

    g_array_set_clear_func(entries, mkEntryClear);
    if (!mkCheckBlockSize(bs, error)) {
        return NULL;
    }
    if (!def->stage3 || !def->kernel) {
        g_set_error_literal(error, SIPL_MKIMAGE_ERROR,
                            SIPL_MKIMAGE_ERROR_INVALID,
                            _("A stage3 loader and a kernel are required"));
        return NULL;
    }

    {
        g_autoptr(GBytes) heap = mkZeros(SIPL_IMAGE_HEAP_SIZE);
        g_autoptr(GBytes) stack = mkZeros(SIPL_IMAGE_STACK_SIZE);

        if (!mkAddLoad(entries, def, SIPL_IMAGE_COMP_HEAP,
                       SIPL_IMAGE_HEAP_ADDR, heap, error) ||
            !mkAddLoad(entries, def, SIPL_IMAGE_COMP_STACK,
                       SIPL_IMAGE_STACK_ADDR, stack, error) ||
            !mkAddLoad(entries, def, SIPL_IMAGE_COMP_STAGE3,
                       SIPL_IMAGE_STAGE3_ADDR, def->stage3, error)) {
            return NULL;
        }
    }
    if (roundUp(g_bytes_get_size(g_array_index(entries, MkEntry,
                                               entries->len - 1).data), bs) >
        BM_STAGE3_MAX) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_LAYOUT,
                    _("stage3 does not fit below the stack at 0x%1$llx"),
                    (unsigned long long)SIPL_IMAGE_STACK_ADDR);
        return NULL;
    }

    /*
     * zipl 2.16 places the parmline after the kernel *file*, trailer
     * included, and records that length as image_len (seen in its output).
     */
    kernelFileLen = g_bytes_get_size(def->kernel);
    end = SIPL_IMAGE_KERNEL_ADDR + kernelFileLen;
    if (def->parmline) {
        gsize n = strlen(def->parmline) + 1;

        parmAddr = roundUp(end, 4096);
        parm = g_bytes_new(def->parmline, n);
        end = parmAddr + n;
    }
    if (def->initrd) {
        g_autoptr(GBytes) payload = NULL;
        g_autoptr(GBytes) sig = NULL;

        /* only the payload length matters here; mkAddLoad re-splits */
        if (!mkSplit("initrd", def->initrd, true, &payload, &sig, error)) {
            return NULL;
        }
        initrdLen = g_bytes_get_size(payload);
        if (def->sclabs[SIPL_IMAGE_COMP_INITRD]) {
            initrdLen = roundUp(initrdLen +
                                MAX(def->sclabs[SIPL_IMAGE_COMP_INITRD]->len,
                                    SIPL_SCLAB_MIN_LEN), bs);
        }
        initrdAddr = def->initrdAddr ? def->initrdAddr
                                     : roundUp(end, 0x10000);
    }
    params = mkParams(parmAddr, initrdAddr, initrdLen, kernelFileLen);
    if (!mkAddLoad(entries, def, SIPL_IMAGE_COMP_PARAMS,
                   SIPL_IMAGE_PARAMS_ADDR, params, error) ||
        !mkAddLoad(entries, def, SIPL_IMAGE_COMP_KERNEL,
                   SIPL_IMAGE_KERNEL_ADDR, def->kernel, error) ||
        (parm && !mkAddLoad(entries, def, SIPL_IMAGE_COMP_PARMLINE,
                            parmAddr, parm, error)) ||
        (def->initrd && !mkAddLoad(entries, def, SIPL_IMAGE_COMP_INITRD,
                                   initrdAddr, def->initrd, error))) {
        return NULL;
    }
    if (sizeof(ComponentHeader) +
        (entries->len + 1) * sizeof(ComponentEntry) > bs) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_LAYOUT,
                    _("%1$u component entries do not fit a %2$u-byte "
                      "component table"), entries->len + 1, bs);
        return NULL;
    }

    if (def->maxPtrBlocks > BM_MAX_BLOCKCT) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_INVALID,
                    _("At most %1$d blocks fit one block pointer"),
                    BM_MAX_BLOCKCT);
        return NULL;
    }
    maxPtr = def->maxPtrBlocks ? def->maxPtrBlocks : BM_MAX_BLOCKCT;
    nBlocks = mkLayout(entries, bs, maxPtr);
    disk = g_malloc0(nBlocks * bs);
    mkWriteBootmap(disk, entries, bs);
    for (guint i = 0; i < entries->len; i++) {
        mkWriteEntry(disk, &g_array_index(entries, MkEntry, i), bs, maxPtr);
    }
    return g_bytes_new_take(g_steal_pointer(&disk), nBlocks * bs);
}

/**
 * siplImageWrite:
 * @def: what goes on the disk
 * @path: image file; replaced atomically (temp file, fsync, rename)
 * @error: return location for a GError in SIPL_MKIMAGE_ERROR
 *
 * Returns: true on success; on failure @path is unchanged.
 */
bool
siplImageWrite(const siplImageDef *def, const char *path, GError **error)
{
    g_autoptr(GBytes) image = siplImageBuild(def, error);
    g_autoptr(GError) err = NULL;
    gsize len;
    const guint8 *data;

    if (!image) {
        return false;
    }
    data = g_bytes_get_data(image, &len);
    if (!g_file_set_contents_full(path, (const char *)data, len,
                                  G_FILE_SET_CONTENTS_CONSISTENT |
                                  G_FILE_SET_CONTENTS_DURABLE, 0644, &err)) {
        g_set_error(error, SIPL_MKIMAGE_ERROR, SIPL_MKIMAGE_ERROR_IO,
                    _("Cannot write image '%1$s': %2$s"), path, err->message);
        return false;
    }
    return true;
}
