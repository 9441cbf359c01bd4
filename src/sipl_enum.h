/*
 * sipl_enum.h: enum <-> string tables (libvirt's VIR_ENUM_DECL/IMPL)
 *
 * SIPL_ENUM_IMPL static-asserts that the table has exactly one string per
 * value below _LAST, so adding a value without its string fails to build.
 */
#ifndef SIPL_ENUM_H
#define SIPL_ENUM_H

#include <glib.h>

/**
 * siplEnumToString:
 * @table: the strings, indexed by value
 * @n: number of entries in @table
 * @value: the value to look up
 *
 * Returns: the string of @value, or NULL when @value is out of range.
 */
const char *siplEnumToString(const char *const *table, unsigned int n,
                             int value);

/**
 * siplEnumFromString:
 * @table: the strings, indexed by value
 * @n: number of entries in @table
 * @str: the string to look up (may be NULL)
 *
 * Returns: the value whose string equals @str exactly, or -1.
 */
int siplEnumFromString(const char *const *table, unsigned int n,
                       const char *str);

#define SIPL_ENUM_DECL(name) \
    const char *name##TypeToString(int type); \
    int name##TypeFromString(const char *str)

#define SIPL_ENUM_IMPL(name, lastValue, ...) \
    static const char *const name##TypeList[] = { __VA_ARGS__ }; \
    const char *name##TypeToString(int type) \
    { \
        return siplEnumToString(name##TypeList, \
                                G_N_ELEMENTS(name##TypeList), type); \
    } \
    int name##TypeFromString(const char *str) \
    { \
        return siplEnumFromString(name##TypeList, \
                                  G_N_ELEMENTS(name##TypeList), str); \
    } \
    G_STATIC_ASSERT(G_N_ELEMENTS(name##TypeList) == (lastValue))

#endif /* SIPL_ENUM_H */
