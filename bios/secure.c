/*
 * secure.c: the secure/audit half of the flow (secure.h)
 */
#include "secure.h"

#include "bootmap.h"
#include "util.h"
#include "wire/diag320.h"
#include "wire/diag508.h"
#include "wire/sclab.h"

static uint8_t secure_sig_buf[DIAG_508_MAX_SIG_LEN] __attribute__((aligned(8)));
static uint8_t secure_cert_buf[SECURE_CERT_BUF_SIZE];
static Diag508SigVerifBlock secure_svb __attribute__((aligned(8)));
static Diag320InstalledSubcodes secure_isb __attribute__((aligned(8)));

static int facility_fail(const SiplPlatform *p, const char *msg)
{
    bios_print(p, NULL, msg);
    return bios_panic(p, "Unable to boot in secure/audit mode");
}

/* DIAG 0x320 subcode 0 says RC 0x0001 and both subcodes the BIOS uses. */
static bool cert_store_usable(const SiplPlatform *p)
{
    uint64_t gaddr, rc = 0;
    uint32_t ism;

    bios_memset(&secure_isb, 0, sizeof(secure_isb));
    gaddr = p->buf_to_guest(p->opaque, &secure_isb, sizeof(secure_isb), 8);
    if (!gaddr ||
        p->diag(p->opaque, SIPL_DIAG_320, DIAG_320_SUBC_QUERY_ISM, gaddr,
                &rc) != SIPL_PGM_NONE || rc != DIAG_320_RC_OK) {
        return false;
    }
    p->buf_from_guest(p->opaque, &secure_isb, sizeof(secure_isb), gaddr);
    ism = be32_get(secure_isb.ism[0]);
    /* 07 D17: upstream accepts either bit; both subcodes are used */
    return (ism & DIAG_320_ISM_QUERY_VCSI) && (ism & DIAG_320_ISM_STORE_VC);
}

int secure_check_facilities(const SiplPlatform *p)
{
    SiplSclpInfo info = { 0 };
    uint64_t rc = 0;

    if (p->sclp_info(p->opaque, &info) != 0 || !info.els) {
        /* without ELS bytes 134.. are not filled: nothing is installed */
        info.fac134 = 0;
        info.fac_ipl = 0;
    }
    if (!(info.fac_ipl & SCLP_FAC_IPL_SIPL)) {
        return facility_fail(p, "Secure IPL Facility is not supported by the "
                                "hypervisor!");
    }
    if (p->diag(p->opaque, SIPL_DIAG_508, DIAG_508_SUBC_QUERY_SUBC, 0,
                &rc) != SIPL_PGM_NONE || !(rc & DIAG_508_SUBC_SIG_VERIF)) {
        return facility_fail(p, "Secure IPL extensions are not supported by "
                                "the hypervisor!");
    }
    /* no DIAG 0x320 unless cstore is announced: it would be a
     * specification exception (spec/02 §5.2) */
    if (!(info.fac134 & SCLP_FAC134_CERT_STORE) || !cert_store_usable(p)) {
        return facility_fail(p, "Certificate Store Facility is not supported "
                                "by the hypervisor!");
    }
    if (!(info.fac_ipl & SCLP_FAC_IPL_SCLAF)) {
        return facility_fail(p, "Secure IPL Code Loading Attributes Facility "
                                "is not supported by the hypervisor!");
    }
    return 0;
}

void secure_device_init(SecureState *st, SiplBootMode mode,
                        const CertsStoreInfo *store, IirbLists *lists)
{
    bios_memset(st, 0, sizeof(*st));
    st->mode = mode;
    st->store = *store;
    st->lists = lists;
    for (unsigned i = 0; i <= MAX_CERTIFICATES; i++) {
        st->cert_map[i] = -1;
    }
    iirb_init(lists);
}

int secure_signature(const SiplPlatform *p, SecureState *st,
                     const ComponentEntry *e, uint32_t block_size)
{
    uint32_t sig_len = be32_get(e->compdat.sig_info.sig_len);
    uint64_t gaddr, loaded = 0;
    int rc;

    if (st->sig_pending) {
        return SIPL_EINVAL;     /* two in a row: no message (spec/03 §3.2) */
    }
    if (e->compdat.sig_info.format != PKCS7_FORMAT) {
        bios_print(p, NULL, "Signature is not in DER format");
        return SIPL_EINVAL;
    }
    /* 07 D21: upstream has no bound; 0 would make the next LOAD unsigned */
    if (sig_len == 0) {
        bios_print(p, NULL, "Empty signature");
        return SIPL_EINVAL;
    }
    if (sig_len > DIAG_508_MAX_SIG_LEN) {
        bios_print(p, NULL, "Signature exceeds 4096 bytes");
        return SIPL_EINVAL;
    }
    gaddr = p->buf_to_guest(p->opaque, secure_sig_buf, sizeof(secure_sig_buf), 8);
    if (!gaddr) {
        return bios_panic(p, "Not enough memory to load the signature");
    }
    rc = bootmap_load_segments(p, block_size, &e->data, gaddr,
                               sizeof(secure_sig_buf), &loaded);
    if (rc == SIPL_ENOSPC) {
        bios_print(p, NULL, "Signature exceeds 4096 bytes");
        return SIPL_EINVAL;
    }
    if (rc) {
        return rc;
    }
    st->sig_pending = true;
    st->sig_len = sig_len;      /* from the entry, not the loaded length */
    return 0;
}

/* DIAG 0x508 (spec/03 §3.3). Returns true when RC 0x0001. */
static bool verify(const SiplPlatform *p, const SecureState *st, uint64_t addr,
                   uint64_t len, uint16_t *index, uint64_t *cert_len)
{
    uint64_t sig_gaddr, gaddr, rc = 0;

    sig_gaddr = p->buf_to_guest(p->opaque, secure_sig_buf, 0, 8);
    bios_memset(&secure_svb, 0, sizeof(secure_svb));  /* upstream: stack junk */
    be32_put(&secure_svb.length, SVB_LEN);
    be64_put(&secure_svb.comp_len, len);
    be64_put(&secure_svb.comp_addr, addr);
    be64_put(&secure_svb.sig_len, st->sig_len);
    be64_put(&secure_svb.sig_addr, sig_gaddr);
    gaddr = p->buf_to_guest(p->opaque, &secure_svb, sizeof(secure_svb), 8);
    if (!sig_gaddr || !gaddr ||
        p->diag(p->opaque, SIPL_DIAG_508, DIAG_508_SUBC_SIG_VERIF, gaddr,
                &rc) != SIPL_PGM_NONE || rc != DIAG_508_RC_OK) {
        return false;
    }
    p->buf_from_guest(p->opaque, &secure_svb, sizeof(secure_svb), gaddr);
    *index = (uint16_t)(secure_svb.cert_store_index + 1);  /* 0- to 1-origin */
    *cert_len = be64_get(secure_svb.cert_len);
    return true;
}

/* The IIRB certificate index for store index @index, fetching it once. */
static int cert_list_index(const SiplPlatform *p, SecureState *st,
                           uint16_t index, uint64_t svb_cert_len,
                           uint16_t *list_index)
{
    uint32_t room = SECURE_CERT_BUF_SIZE - st->cert_used, der_len = 0;
    int rc;

    if (index > st->store.total_vc_ct) {
        return SIPL_EPERM;      /* index the store never had (sipl) */
    }
    if (st->cert_map[index] >= 0) {
        *list_index = (uint16_t)st->cert_map[index];
        return 0;
    }
    /* 07 D18: the buffer advances by the SVB's cert_len; bound it too */
    if (svb_cert_len > room || st->lists->cert_ct >= MAX_CERT_ENTRIES) {
        return bios_panic(p, "Not enough memory to store certificates");
    }
    rc = certs_fetch(p, &st->store, index, secure_cert_buf + st->cert_used,
                     room, &der_len);
    if (rc == SIPL_ENOSPC) {
        return bios_panic(p, "Not enough memory to store certificates");
    }
    if (rc) {
        return rc;
    }
    st->cert_off[st->lists->cert_ct] = st->cert_used;
    *list_index = iirb_add_cert(st->lists, st->cert_used, svb_cert_len);
    st->cert_map[index] = (int16_t)*list_index;
    /* both lengths are equal from a conforming hypervisor; never let a
     * later certificate overwrite this one if they are not */
    st->cert_used += der_len > svb_cert_len ? der_len : (uint32_t)svb_cert_len;
    return 0;
}

static int signed_component(const SiplPlatform *p, SecureState *st,
                            uint64_t addr, uint64_t len,
                            IplDeviceComponentEntry *e)
{
    uint32_t cei = 0;
    uint16_t index = 0, list_index = 0;
    uint64_t cert_len = 0;
    int rc;

    st->signed_ct++;
    e->flags = S390_IPL_DEV_COMP_FLAG_SC;
    rc = sclab_check(p, st->mode, addr, len, &cei, &st->iiei, &st->sclab);
    be32_put(&e->cei, cei);
    if (rc) {
        return rc;
    }
    if (!verify(p, st, addr, len, &index, &cert_len)) {
        return mode_finding(p, st->mode, "Could not verify component");
    }
    rc = cert_list_index(p, st, index, cert_len, &list_index);
    if (rc == SIPL_EPERM) {
        bios_print(p, NULL, "Could not get certificate");
    }
    if (rc) {
        return rc;
    }
    be16_put(&e->cert_index, list_index);
    e->flags |= S390_IPL_DEV_COMP_FLAG_CSV;
    bios_print(p, NULL, "Verified component");
    return 0;
}

int secure_component(const SiplPlatform *p, SecureState *st, uint64_t addr,
                     uint64_t len)
{
    IplDeviceComponentEntry e;
    IirbLists *l = st->lists;
    int rc;

    bios_memset(&e, 0, sizeof(e));
    be64_put(&e.addr, addr);
    be64_put(&e.len, len);

    /* half-open intervals, once per intersecting signed entry (§5.2) */
    for (uint32_t i = 0; i < l->comp_ct; i++) {
        const IplDeviceComponentEntry *c = &l->comps.device_entries[i];
        uint64_t ca = be64_get(c->addr), cl = be64_get(c->len);

        if ((c->flags & S390_IPL_DEV_COMP_FLAG_SC) &&
            addr < ca + cl && ca < addr + len &&
            (rc = mode_finding(p, st->mode, "Component addresses overlap"))) {
            return rc;
        }
    }

    if (st->sig_pending) {
        rc = signed_component(p, st, addr, len, &e);
    } else {
        rc = 0;
        st->unsigned_ct++;
        if (addr < S390_UNSIGNED_MIN_ADDR) {
            be32_put(&e.cei, S390_CEI_INVALID_UNSIGNED_ADDR);
            rc = mode_finding(p, st->mode, "Load address for unsigned "
                                           "component is less than 0x2000");
        }
    }
    if (rc) {
        return rc;
    }
    st->sig_pending = false;
    return iirb_add_comp(p, l, &e);
}

/* Is the PSW address inside [addr, addr + len - 2] of a signed entry? */
static bool psw_in_signed(const IirbLists *l, uint64_t psw)
{
    uint64_t a = psw & PSW_MASK_SHORT_ADDR;

    for (uint32_t i = 0; i < l->comp_ct; i++) {
        const IplDeviceComponentEntry *c = &l->comps.device_entries[i];
        uint64_t ca = be64_get(c->addr), cl = be64_get(c->len);

        if ((c->flags & S390_IPL_DEV_COMP_FLAG_SC) && cl >= 2 &&
            a >= ca && a - ca <= cl - 2) {
            return true;
        }
    }
    return false;
}

/* spec/03 §5.3 checks 1-7; *cei collects the pseudo entry's bits. */
static int global_checks(const SiplPlatform *p, SecureState *st,
                         uint64_t exec_psw, uint32_t *cei)
{
    const SclabGlobal *g = &st->sclab;
    int rc;

#define FINDING(cond, set, msg) \
    do { \
        if (cond) { \
            set; \
            rc = mode_finding(p, st->mode, msg); \
            if (rc) { \
                return rc; \
            } \
        } \
    } while (0)

    FINDING(st->signed_ct == 0, st->iiei |= S390_IIEI_NO_SIGNED_COMP,
            "Secure boot is on, but components are not signed");
    FINDING(!g->any_valid, st->iiei |= S390_IIEI_NO_SCLAB,
            "No recognizable SCLAB");
    if (!g->have_global) {
        FINDING(true, st->iiei |= S390_IIEI_NO_GLOBAL_SCLAB,
                "Global SCLAB does not exist");
        return 0;               /* checks 4-7 skipped */
    }
    FINDING(!psw_in_signed(st->lists, exec_psw) ||
            !psw_in_signed(st->lists, g->load_psw),
            *cei |= S390_CEI_INVALID_LOAD_PSW, "Invalid PSW");
    FINDING(g->load_psw != exec_psw,
            *cei |= S390_CEI_UNMATCHED_SCLAB_LOAD_PSW,
            "Load PSW does not match with PSW in component");
    FINDING((g->flags & S390_SCLAB_FLAG_NUC) && st->unsigned_ct >= 1,
            st->iiei |= S390_IIEI_FOUND_UNSIGNED_COMP,
            "Unsigned components are not allowed");
    FINDING((g->flags & S390_SCLAB_FLAG_SC) &&
            (st->signed_ct != 1 || st->unsigned_ct != 0),
            st->iiei |= S390_IIEI_MORE_SIGNED_COMP,
            "Only one signed component is allowed");
#undef FINDING
    return 0;
}

int secure_finish_table(const SiplPlatform *p, SecureState *st,
                        uint64_t exec_psw)
{
    IplDeviceComponentEntry e;
    uint32_t cei = 0;
    int rc;

    if (st->sig_pending) {
        /* 07 D24: upstream drops it silently */
        bios_print(p, NULL, "Signature entry without component");
        return SIPL_EINVAL;
    }
    rc = global_checks(p, st, exec_psw, &cei);
    be16_put(&st->lists->comps.ipl_info_header.iiei, st->iiei);
    if (rc) {
        return rc;
    }
    /* 07 K13, K19: always appended, after the global checks */
    bios_memset(&e, 0, sizeof(e));
    be64_put(&e.addr, exec_psw);
    be32_put(&e.cei, cei);
    return iirb_add_comp(p, st->lists, &e);
}

int secure_store_certs(const SiplPlatform *p, SecureState *st, uint64_t base)
{
    IirbLists *l = st->lists;

    if (st->cert_used &&
        p->mem_write(p->opaque, base, secure_cert_buf, st->cert_used) != 0) {
        return bios_panic(p, "Not enough memory to store certificates");
    }
    for (uint32_t i = 0; i < l->cert_ct; i++) {
        be64_put(&l->certs.cert_entries[i].addr, base + st->cert_off[i]);
    }
    return 0;
}
