/*
 * report-parser.h: reads the IPL report from guest memory the way Linux's
 * arch/s390/boot/ipl_report.c does (spec/04 §4), written from the spec
 * tables and independent of bios/.
 */
#ifndef SIPL_TEST_REPORT_PARSER_H
#define SIPL_TEST_REPORT_PARSER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ParsedComp {
    uint64_t addr, len;
    uint8_t flags;
    uint16_t cert_index;
    uint32_t cei;
} ParsedComp;

typedef struct ParsedReport {
    bool accepted;          /* Linux would use it: both blocks visited */
    uint32_t iplb;          /* from lowcore 0x14 */
    uint64_t start, end;
    bool comps_first;       /* block order */
    uint16_t iiei;
    unsigned ncomp;
    ParsedComp comp[200];
    unsigned ncert;
    struct { uint64_t addr, len; } cert[80];
} ParsedReport;

/**
 * report_parse: parse from @mem (@mem_len bytes of guest memory).
 * Returns: r->accepted.
 */
bool report_parse(const uint8_t *mem, uint64_t mem_len, ParsedReport *r);

#endif /* SIPL_TEST_REPORT_PARSER_H */
