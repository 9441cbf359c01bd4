/*
 * machine-report.h: the IIRB a guest left behind, read the way Linux reads
 * its IPL report (spec/04 §4.2): bounded walk over length-prefixed blocks,
 * unknown types skipped, any order accepted.
 */
#ifndef SIPL_QEMU_MACHINE_REPORT_H
#define SIPL_QEMU_MACHINE_REPORT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "guestmem.h"

#define MACHINE_REPORT_ERROR (machine_report_error_quark())
GQuark machine_report_error_quark(void);

typedef enum {
    MACHINE_REPORT_ERROR_MALFORMED,     /* header or block lengths wrong */
    MACHINE_REPORT_ERROR_CERT,          /* certificate outside guest memory */
} MachineReportErrorCode;

typedef struct MachineReportComponent {
    uint64_t addr;
    uint64_t len;
    uint8_t flags;
    uint16_t cert_index;
    uint32_t cei;
} MachineReportComponent;

typedef struct MachineReportCert {
    uint64_t addr;
    uint64_t len;
    char fingerprint[65];       /* SHA-256 of the DER, lower-case hex */
} MachineReportCert;

typedef struct MachineReport {
    uint16_t iiei;
    bool has_components;        /* a type-2 block was found */
    bool has_certs;             /* a type-1 block was found */
    GArray *components;         /* MachineReportComponent, report order */
    GArray *certs;              /* MachineReportCert, report order */
} MachineReport;

MachineReport *machine_report_parse(GBytes *iirb, const GuestMem *mem,
                                    GError **error);
void machine_report_free(MachineReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MachineReport, machine_report_free)

#endif /* SIPL_QEMU_MACHINE_REPORT_H */
