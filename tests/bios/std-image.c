/*
 * std-image.c: a zipl --secure style SCSI bootmap for tests (std-image.h)
 */
#include "std-image.h"

#include <string.h>

#include "test-machine.h"

void std_resign(StdImage *s, unsigned cert3, unsigned certk)
{
    tm_make_sig(s->sig3, cert3, s->stage3, sizeof(s->stage3));
    tm_make_sig(s->sigk, certk, s->kernel, sizeof(s->kernel));
}

void std_image(StdImage *s, uint32_t bs)
{
    unsigned n = 0;

    memset(s, 0, sizeof(*s));
    s->bs = bs;
    img_fill(s->stage3, sizeof(s->stage3), 3);
    img_fill(s->kernel, sizeof(s->kernel), 7);
    img_fill(s->parm, sizeof(s->parm), 9);
    /* global SCLAB on stage3: OPSW|OLA, the EXEC PSW, its load address */
    img_sclab(s->stage3, sizeof(s->stage3), 0, 0x8000 | 0x4000, STAGE3_PSW,
              0xa000);
    /* the kernel's trailer as Linux's linker script writes it: flags 0 */
    img_sclab(s->kernel, sizeof(s->kernel), 0, 0, 0, 0);
    std_resign(s, 0, 1);

    s->c[n++] = (ImgComp){ .type = IMG_LOAD, .value = 0x2000,
                           .data = s->heap, .len = sizeof(s->heap) };
    s->c[n++] = (ImgComp){ .type = IMG_LOAD, .value = 0xf000,
                           .data = s->stack, .len = sizeof(s->stack) };
    s->idx_sig3 = (int)n;
    s->c[n++] = (ImgComp){ .type = IMG_SIG, .data = s->sig3,
                           .len = sizeof(s->sig3) };
    s->idx_stage3 = (int)n;
    s->c[n++] = (ImgComp){ .type = IMG_LOAD, .value = 0xa000,
                           .data = s->stage3, .len = sizeof(s->stage3) };
    s->c[n++] = (ImgComp){ .type = IMG_LOAD, .value = 0x9000,
                           .data = s->parm, .len = sizeof(s->parm) };
    s->idx_sigk = (int)n;
    s->c[n++] = (ImgComp){ .type = IMG_SIG, .data = s->sigk,
                           .len = sizeof(s->sigk) };
    s->idx_kernel = (int)n;
    s->c[n++] = (ImgComp){ .type = IMG_LOAD, .value = 0x10000,
                           .data = s->kernel, .len = sizeof(s->kernel) };
    s->idx_exec = (int)n;
    s->c[n++] = (ImgComp){ .type = IMG_EXEC, .value = STAGE3_PSW };
    s->n = n;
}

void std_write(StdImage *s)
{
    uint64_t table;

    img_begin(tm.disk[0], tm.disk_len[0], s->bs);
    table = img_table(s->c, s->n);
    img_finish(table, 0);
}
