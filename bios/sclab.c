/*
 * sclab.c: per-component SCLAB checks (sclab.h), spec/03 §4, §5.1
 */
#include "sclab.h"

#include "wire/bootmap.h"
#include "wire/iirb.h"
#include "wire/sclab.h"

/* Records @bit in *@cei, then hands @msg to the mode handler (§5). */
static int cei_finding(const SiplPlatform *p, SiplBootMode mode,
                       uint32_t *cei, uint32_t bit, const char *msg)
{
    *cei |= bit;
    return mode_finding(p, mode, msg);
}

/* Checks 1-3: locator and length. Returns 1 when the SCLAB at *@sclab_addr
 * may be read, 0 when the checks end here, or SIPL_EHALT. */
static int sclab_locate(const SiplPlatform *p, SiplBootMode mode,
                        uint64_t addr, uint64_t len, uint32_t *cei,
                        uint64_t *sclab_addr)
{
    SclabOriginLocator loc;
    uint64_t end = addr + len;
    uint16_t sclab_len;
    int rc;

    if (len < sizeof(loc)) {
        rc = cei_finding(p, mode, cei, S390_CEI_INVALID_SCLAB,
                         "Signed component too short to contain SCLAB locator");
        return rc ? rc : 0;
    }
    if (p->mem_read(p->opaque, end - sizeof(loc), &loc, sizeof(loc)) != 0 ||
        be32_get(loc.magic) != ZIPL_MAGIC_WORD) {
        rc = cei_finding(p, mode, cei, S390_CEI_INVALID_SCLAB,
                         "Magic does not match. SCLAB does not exist");
        return rc ? rc : 0;
    }
    sclab_len = be16_get(loc.len);
    /*
     * Upstream bounds len only from below (spec/03 §4.1), so an SCLAB may
     * start before the component; that is kept. A start below address 0
     * cannot be read at all and counts as an invalid length (sipl).
     */
    if (sclab_len < S390_SCLAB_MIN_LEN || sclab_len > end) {
        rc = cei_finding(p, mode, cei,
                         S390_CEI_INVALID_SCLAB_LEN | S390_CEI_INVALID_SCLAB,
                         "Invalid SCLAB length");
        return rc ? rc : 0;
    }
    *sclab_addr = end - sclab_len;
    return 1;
}

int sclab_check(const SiplPlatform *p, SiplBootMode mode, uint64_t addr,
                uint64_t len, uint32_t *cei, uint16_t *iiei, SclabGlobal *g)
{
    SecureCodeLoadingAttributesBlock sclab;
    uint64_t sclab_addr = 0, load_psw, load_addr;
    uint16_t flags;
    bool opsw, ola;
    int rc;

    rc = sclab_locate(p, mode, addr, len, cei, &sclab_addr);
    if (rc <= 0) {
        return rc;
    }
    if (p->mem_read(p->opaque, sclab_addr, &sclab, sizeof(sclab)) != 0) {
        /* unreachable while the locator was readable: same memory */
        rc = cei_finding(p, mode, cei,
                         S390_CEI_INVALID_SCLAB_LEN | S390_CEI_INVALID_SCLAB,
                         "Invalid SCLAB length");
        return rc;
    }
    /* checks 4-8 never set INVALID_SCLAB: the SCLAB is recognizable */
    g->any_valid = true;
    flags = be16_get(sclab.flags);
    load_psw = be64_get(sclab.load_psw);
    load_addr = be64_get(sclab.load_addr);
    opsw = flags & S390_SCLAB_FLAG_OPSW;
    ola = flags & S390_SCLAB_FLAG_OLA;

    if (sclab.format != S390_SCLAB_FORMAT_0 &&
        (rc = cei_finding(p, mode, cei, S390_CEI_INVALID_SCLAB_FORMAT,
                          "Format-0 SCLAB is not being used"))) {
        return rc;
    }
    if (!opsw && load_psw != 0 &&
        (rc = cei_finding(p, mode, cei, S390_CEI_SCLAB_LOAD_PSW_NOT_ZERO,
                          "Load PSW is not zero when Override PSW bit is zero"))) {
        return rc;
    }
    if (opsw) {
        if (g->have_global) {
            *iiei |= S390_IIEI_MORE_GLOBAL_SCLAB;
            rc = mode_finding(p, mode, "More than one global SCLAB");
            if (rc) {
                return rc;
            }
        }
        /* the newer global SCLAB replaces the remembered one (07 K14) */
        g->have_global = true;
        g->flags = flags;
        g->load_psw = load_psw;
        if (!ola &&
            (rc = cei_finding(p, mode, cei, S390_CEI_SCLAB_OLA_NOT_ONE,
                              "OLA flag is not set to one in the global SCLAB"))) {
            return rc;
        }
    }
    if (!ola && load_addr != 0 &&
        (rc = cei_finding(p, mode, cei, S390_CEI_SCLAB_LOAD_ADDR_NOT_ZERO,
                          "Load Address is not zero when OLA flag is zero"))) {
        return rc;
    }
    if (ola && load_addr != addr &&
        (rc = cei_finding(p, mode, cei, S390_CEI_UNMATCHED_SCLAB_LOAD_ADDR,
                          "Load Address does not match with component load address"))) {
        return rc;
    }
    if ((flags & S390_SCLAB_FLAG_NUC) && !opsw &&
        (rc = cei_finding(p, mode, cei, S390_CEI_NUC_NOT_IN_GLOBAL_SCLAB,
                          "NUC bit is set, but not in the global SCLAB"))) {
        return rc;
    }
    if ((flags & S390_SCLAB_FLAG_SC) && !opsw &&
        (rc = cei_finding(p, mode, cei, S390_CEI_SC_NOT_IN_GLOBAL_SCLAB,
                          "SC bit is set, but not in the global SCLAB"))) {
        return rc;
    }
    return 0;
}
