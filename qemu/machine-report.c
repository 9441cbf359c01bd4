/*
 * machine-report.c: the IIRB a guest left behind (see machine-report.h)
 */
#include "machine-report.h"

#include <string.h>

#include "../bios/wire/iirb.h"

G_DEFINE_QUARK(sipl-machine-report-error-quark, machine_report_error)

/**
 * machine_report_free:
 * @report: a report, or NULL
 */
void
machine_report_free(MachineReport *report)
{
    if (!report) {
        return;
    }
    g_array_unref(report->components);
    g_array_unref(report->certs);
    g_free(report);
}

static void
machine_report_components(MachineReport *r, const uint8_t *blk, uint32_t len)
{
    IplInfoBlockHeader hdr;

    memcpy(&hdr, blk, sizeof(hdr));
    r->iiei = be16_get(hdr.iiei);
    r->has_components = true;
    /* entries bounded by the block's own length */
    for (uint32_t off = sizeof(hdr);
         off + sizeof(IplDeviceComponentEntry) <= len;
         off += sizeof(IplDeviceComponentEntry)) {
        IplDeviceComponentEntry e;
        MachineReportComponent c;

        memcpy(&e, blk + off, sizeof(e));
        c.addr = be64_get(e.addr);
        c.len = be64_get(e.len);
        c.flags = e.flags;
        c.cert_index = be16_get(e.cert_index);
        c.cei = be32_get(e.cei);
        g_array_append_val(r->components, c);
    }
}

static bool
machine_report_certs(MachineReport *r, const uint8_t *blk, uint32_t len,
                     const GuestMem *mem, GError **error)
{
    r->has_certs = true;
    for (uint32_t off = sizeof(IplInfoBlockHeader);
         off + sizeof(IplSignatureCertificateEntry) <= len;
         off += sizeof(IplSignatureCertificateEntry)) {
        IplSignatureCertificateEntry e;
        MachineReportCert c = { 0 };
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
        g_autofree uint8_t *der = NULL;

        memcpy(&e, blk + off, sizeof(e));
        c.addr = be64_get(e.addr);
        c.len = be64_get(e.len);
        if (c.len > CERT_DER_MAX_LEN ||
            !guestmem_range_ok(mem, c.addr, c.len)) {
            g_set_error(error, MACHINE_REPORT_ERROR,
                        MACHINE_REPORT_ERROR_CERT,
                        "IPL report certificate %u (0x%" G_GINT64_MODIFIER
                        "x, %" G_GUINT64_FORMAT " bytes) is not in guest "
                        "memory", r->certs->len, c.addr, c.len);
            return false;
        }
        der = g_malloc(c.len ? c.len : 1);
        guestmem_read(mem, c.addr, der, c.len);
        g_checksum_update(sum, der, c.len);
        g_strlcpy(c.fingerprint, g_checksum_get_string(sum),
                  sizeof(c.fingerprint));
        g_array_append_val(r->certs, c);
    }
    return true;
}

/**
 * machine_report_parse:
 * @iirb: the raw IIRB (machine_iirb())
 * @mem: guest memory holding the certificates it points at
 * @error: return location for a GError in MACHINE_REPORT_ERROR
 *
 * Blocks are visited while a whole header and the whole block fit before
 * the report's end (spec/04 §4.2; the strict test Linux uses is not
 * copied, so an empty trailing certificate block is still seen — sipl's
 * BIOS never writes one last, 07 D22).
 *
 * Returns: the report, or NULL with @error set.
 */
MachineReport *
machine_report_parse(GBytes *iirb, const GuestMem *mem, GError **error)
{
    g_autoptr(MachineReport) r = g_new0(MachineReport, 1);
    gsize size;
    const uint8_t *data = g_bytes_get_data(iirb, &size);
    IplInfoReportBlockHeader hdr;
    uint32_t end;

    r->components = g_array_new(FALSE, TRUE, sizeof(MachineReportComponent));
    r->certs = g_array_new(FALSE, TRUE, sizeof(MachineReportCert));
    if (size < sizeof(hdr)) {
        g_set_error(error, MACHINE_REPORT_ERROR,
                    MACHINE_REPORT_ERROR_MALFORMED,
                    "IPL report shorter than its header");
        return NULL;
    }
    memcpy(&hdr, data, sizeof(hdr));
    end = be32_get(hdr.len);
    if (end < sizeof(hdr) || end > size) {
        g_set_error(error, MACHINE_REPORT_ERROR,
                    MACHINE_REPORT_ERROR_MALFORMED,
                    "IPL report length %u is invalid", end);
        return NULL;
    }
    for (uint32_t off = sizeof(hdr);
         off + sizeof(IplInfoBlockHeader) <= end;) {
        IplInfoBlockHeader bh;
        uint32_t blen;

        memcpy(&bh, data + off, sizeof(bh));
        blen = be32_get(bh.len);
        /* a block must cover its header and end inside the report */
        if (blen < sizeof(bh) || blen > end - off) {
            g_set_error(error, MACHINE_REPORT_ERROR,
                        MACHINE_REPORT_ERROR_MALFORMED,
                        "IPL report block at offset %u has length %u", off,
                        blen);
            return NULL;
        }
        if (bh.type == IPL_INFO_BLOCK_TYPE_COMPONENTS) {
            machine_report_components(r, data + off, blen);
        } else if (bh.type == IPL_INFO_BLOCK_TYPE_CERTIFICATES &&
                   !machine_report_certs(r, data + off, blen, mem, error)) {
            return NULL;
        }
        off += blen;
    }
    return g_steal_pointer(&r);
}
