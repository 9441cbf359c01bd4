/*
 * virt-fixture.h: helpers shared by the libvirt test-driver tests
 * (test-virt-glue.c, test-virt-set.c)
 */
#ifndef SIPL_TEST_VIRT_FIXTURE_H
#define SIPL_TEST_VIRT_FIXTURE_H

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <string.h>

#include "certgen.h"
#include "secureboot_conf.h"
#include "virt_glue.h"

/* The domain called @name (or by UUID or id); no error allowed. */
static inline virDomainPtr
virt_lookup(virConnectPtr conn, const char *name)
{
    g_autoptr(GError) error = NULL;
    virDomainPtr dom = siplVirtLookupDomain(conn, name, &error);

    g_assert_no_error(error);
    return dom;
}

/* virDomainGetXMLDesc() as a g_free()able string. */
static inline char *
dom_xml(virDomainPtr dom, unsigned int flags)
{
    char *x = virDomainGetXMLDesc(dom, flags);
    char *ret;

    g_assert_nonnull(x);
    ret = g_strdup(x);
    free(x);
    return ret;
}

/* The domain XML (@flags) must still be @before. */
static inline void
assert_dom_xml_is(virDomainPtr dom, unsigned int flags, const char *before)
{
    g_autofree char *after = dom_xml(dom, flags);

    g_assert_cmpstr(after, ==, before);
}

/* A @mode configuration with one real P-256 certificate "@name.pem". */
static inline siplSecureBootDef *
virt_make_def(siplSecureBootMode mode, const char *name,
              siplSecureBootCertSource source_type, const char *source)
{
    g_autoptr(GError) error = NULL;
    CertGenSpec spec = { .key_type = CERTGEN_P256, .cn = name };
    g_autoptr(CertGenCert) cg = certgen_new(&spec);
    g_autofree char *fname = g_strdup_printf("%s.pem", name);
    siplSecureBootDef *def = siplSecureBootDefNew(mode);
    siplSecureBootCertDef *cert;

    cert = siplSecureBootCertDefNew(cg->der, cg->der_len, fname,
                                    SIPL_CERT_STATE_ACTIVE,
                                    source_type, source, &error);
    g_assert_no_error(error);
    g_ptr_array_add(def->certs, cert);
    return def;
}

/* "test:///ABS/PATH" of virtdata/node.xml, for after g_test_init(): a
 * relative path would be a host name (spec/05 §6). */
static inline char *
virt_node_uri(void)
{
    g_autofree char *rel = g_test_build_filename(G_TEST_DIST, "virtdata",
                                                 "node.xml", NULL);
    g_autofree char *node = g_canonicalize_filename(rel, NULL);

    return g_strdup_printf("test://%s", node);
}

static inline int
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The entry names of @d (NULL: none), sorted, for directory snapshots. */
static inline GPtrArray *
dir_names_sorted(GDir *d)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    while (d && (ent = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(ent));
    g_ptr_array_sort(names, compare_names);
    return names;
}

#endif /* SIPL_TEST_VIRT_FIXTURE_H */
