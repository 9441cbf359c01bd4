/*
 * diag.c: shared helpers of the DIAG handlers
 */
#include "diag.h"

/**
 * diag_exception_name:
 * Returns: the word sipl-diag prints after "exception=", or NULL for
 * DIAG_EXC_NONE.
 */
const char *
diag_exception_name(DiagException exc)
{
    switch (exc) {
    case DIAG_EXC_PRIVILEGED:
        return "privileged";
    case DIAG_EXC_SPECIFICATION:
        return "specification";
    case DIAG_EXC_ADDRESSING:
        return "addressing";
    case DIAG_EXC_NONE:
        break;
    }
    return NULL;
}
