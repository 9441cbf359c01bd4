/*
 * sipl_enum.c: enum <-> string tables
 */
#include "sipl_enum.h"

#include <string.h>

const char *
siplEnumToString(const char *const *table, unsigned int n, int value)
{
    if (value < 0 || (unsigned int)value >= n)
        return NULL;
    return table[value];
}


int
siplEnumFromString(const char *const *table, unsigned int n, const char *str)
{
    unsigned int i;

    if (!str)
        return -1;
    for (i = 0; i < n; i++) {
        if (strcmp(table[i], str) == 0)
            return (int)i;
    }
    return -1;
}
