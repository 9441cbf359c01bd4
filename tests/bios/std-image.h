/*
 * std-image.h: the component table zipl --secure writes for a SCSI disk
 * (spec/04 §2.4), with SCLABs as spec/03 §4.3 derives them, for tests to
 * boot as it is or to change one thing in.
 */
#ifndef SIPL_TEST_STD_IMAGE_H
#define SIPL_TEST_STD_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "bootmap-writer.h"

#define STD_MAX 24

typedef struct StdImage {
    uint32_t bs;
    uint8_t heap[0x4000], stack[0x1000], stage3[0x2000], parm[0x1000];
    uint8_t kernel[0x4000];
    uint8_t sig3[12], sigk[12];
    ImgComp c[STD_MAX];
    unsigned n;
    int idx_sig3, idx_stage3, idx_sigk, idx_kernel, idx_exec;
} StdImage;

/* Builds the table (not yet written): stage3 signed by cert 0 with the
 * global SCLAB, kernel signed by cert 1 with a non-global one. */
void std_image(StdImage *s, uint32_t bs);

/* Re-signs stage3 / kernel after a test changed their bytes. */
void std_resign(StdImage *s, unsigned cert3, unsigned certk);

/* Writes it to tm's disk 0 as program-table entry 0. */
void std_write(StdImage *s);

#endif /* SIPL_TEST_STD_IMAGE_H */
