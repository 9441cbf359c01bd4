/*
 * secureboot_schema.h: validation against schemas/secureboot.rng
 *
 * The schema is compiled into libsipl (GResource) and compiled by libxml2
 * once per process.
 */
#ifndef SIPL_SECUREBOOT_SCHEMA_H
#define SIPL_SECUREBOOT_SCHEMA_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdbool.h>

/**
 * siplSecureBootSchemaValidate:
 * @doc: a document whose root is <secureBoot> in sipl's namespace
 * @error: return location for SIPL_SECUREBOOT_ERROR_SCHEMA (the first
 *         libxml2 message, with its line) or _INTERNAL (schema unusable)
 *
 * Returns: true when @doc is valid.
 */
bool siplSecureBootSchemaValidate(xmlDocPtr doc, GError **error);

/**
 * siplSecureBootSchemaText:
 *
 * Returns: (transfer none): the RelaxNG text compiled into the library.
 */
GBytes *siplSecureBootSchemaText(void);

#endif /* SIPL_SECUREBOOT_SCHEMA_H */
