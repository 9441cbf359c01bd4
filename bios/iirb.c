/*
 * iirb.c: component/certificate lists and the IIRB (iirb.h), spec/03 §8
 */
#include "iirb.h"

#include "util.h"

void iirb_init(IirbLists *l)
{
    bios_memset(l, 0, sizeof(*l));
    be32_put(&l->comps.ipl_info_header.len, sizeof(IplInfoBlockHeader));
    l->comps.ipl_info_header.type = IPL_INFO_BLOCK_TYPE_COMPONENTS;
    be32_put(&l->certs.ipl_info_header.len, sizeof(IplInfoBlockHeader));
    l->certs.ipl_info_header.type = IPL_INFO_BLOCK_TYPE_CERTIFICATES;
}

int iirb_add_comp(const SiplPlatform *p, IirbLists *l,
                  const IplDeviceComponentEntry *e)
{
    if (l->comp_ct >= MAX_COMP_ENTRIES) {
        bios_print(p, NULL,
                   "Warning: only 127 component entries are supported");
        return bios_panic(p, "The device component list has reached its "
                             "maximum capacity");
    }
    l->comps.device_entries[l->comp_ct++] = *e;
    be32_put(&l->comps.ipl_info_header.len,
             sizeof(IplInfoBlockHeader) +
             l->comp_ct * sizeof(IplDeviceComponentEntry));
    return 0;
}

uint16_t iirb_add_cert(IirbLists *l, uint64_t addr, uint64_t len)
{
    IplSignatureCertificateEntry *c = &l->certs.cert_entries[l->cert_ct];

    be64_put(&c->addr, addr);
    be64_put(&c->len, len);
    l->cert_ct++;
    be32_put(&l->certs.ipl_info_header.len,
             sizeof(IplInfoBlockHeader) +
             l->cert_ct * sizeof(IplSignatureCertificateEntry));
    return (uint16_t)(l->cert_ct - 1);
}

int iirb_build(const SiplPlatform *p, const IirbLists *l, uint32_t iplb_len,
               uint8_t *out, uint32_t *out_len)
{
    IplInfoReportBlockHeader hdr;
    uint32_t clen = be32_get(l->comps.ipl_info_header.len);
    uint32_t klen = be32_get(l->certs.ipl_info_header.len);
    const void *first = &l->comps, *second = &l->certs;
    uint32_t flen = clen, slen = klen;

    if (iplb_len % 8) {
        return bios_panic(p, "IPL parameter block length field value is not "
                             "multiple of 8 bytes");
    }
    if (sizeof(hdr) + clen + klen > IIRB_MAX_LEN) {
        return bios_panic(p, "Not enough space to hold all components and "
                             "certificates in IIRB");
    }
    /*
     * 07 D22: Linux's walk (block + 16 < end) never visits a bare 16-byte
     * block that ends the report, and then ignores the whole report; the
     * component block is never empty (K19), so an empty certificate block
     * goes first. Otherwise upstream's order: components, certificates.
     */
    if (l->cert_ct == 0) {
        first = &l->certs;
        flen = klen;
        second = &l->comps;
        slen = clen;
    }
    bios_memset(&hdr, 0, sizeof(hdr));
    be32_put(&hdr.len, sizeof(hdr) + clen + klen);
    bios_memcpy(out, &hdr, sizeof(hdr));
    bios_memcpy(out + sizeof(hdr), first, flen);
    bios_memcpy(out + sizeof(hdr) + flen, second, slen);
    *out_len = sizeof(hdr) + clen + klen;
    return 0;
}
