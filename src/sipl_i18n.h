/*
 * sipl_i18n.h: gettext for libsipl and tools
 *
 * Messages are whole strings with positional arguments ("%1$s"), as
 * STYLE.md asks. gcc under -Wpedantic rejects "%1$s" in a checked format
 * ("ISO C does not support %n$ operand number formats") while POSIX printf
 * and GLib accept it, and there is no narrower switch. So under gcc _()
 * goes through a function without G_GNUC_FORMAT and formats are type
 * checked by the clang builds (build-fuzz, ASan checks) only.
 */
#ifndef SIPL_I18N_H
#define SIPL_I18N_H

#ifndef GETTEXT_PACKAGE
# define GETTEXT_PACKAGE "sipl"
#endif

#include <glib.h>
#include <glib/gi18n-lib.h>

#if !defined(__clang__)
static inline const char *
siplGettext(const char *msgid)
{
    return g_dgettext(GETTEXT_PACKAGE, msgid);
}
# undef _
# define _(String) siplGettext(String)
#endif

#endif /* SIPL_I18N_H */
