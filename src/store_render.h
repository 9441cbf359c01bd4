/*
 * store_render.h: the rendered certificate store QEMU reads (spec/05 §8)
 *
 * One persistent directory per domain UUID (spec/05 §8.1):
 *
 *   <stateDir>/<uuid>/
 *       certs -> certs.<gen>         the path given as boot-certs.0.path
 *       certs.<gen>/NN-<name>        one PEM certificate per file
 *
 * A render writes generation gen+1 beside the live one (every file as
 * "<file>.new", then an fsync of each, then the renames), fsyncs it and
 * the domain directory, renames a new symlink over "certs", fsyncs the
 * domain directory again, and only then removes old generations (spec/05
 * §8.2). A crash at any point leaves "certs" naming a complete
 * generation, the old or the new one; the next render removes the debris.
 * Only the finished "NN-<name>" files (all ending in .pem) ever exist in
 * a directory "certs" names. Directories are 0755 and files 0644 whatever
 * the umask (spec/05 §8.3), the domain directory re-checked at every
 * render; a level of the state directory that a render creates appears
 * only once it is 0755, and is fsync'd into its parent. Renders of one
 * domain are serialised by flock() on its directory.
 */
#ifndef SIPL_STORE_RENDER_H
#define SIPL_STORE_RENDER_H

#include <glib.h>
#include <stdbool.h>

#include "secureboot_conf.h"

#define SIPL_STORE_DEFAULT_STATE_DIR "/var/lib/sipl/domains"
#define SIPL_STORE_CERTS_LINK "certs"

#define SIPL_STORE_ERROR (siplStoreErrorQuark())
GQuark siplStoreErrorQuark(void);

typedef enum {
    SIPL_STORE_ERROR_INVALID,   /* bad UUID, state dir, name or count */
    SIPL_STORE_ERROR_IO,        /* a system call failed (message says which) */
    SIPL_STORE_ERROR_CORRUPT,   /* "certs" is not a symlink to a generation */
    SIPL_STORE_ERROR_SWITCHED,  /* the store already holds the new
                                 * certificates; a step after the switch
                                 * failed (message says which) */
} siplStoreErrorCode;

typedef enum {
    /* The domain runs: remove no old generation, since its QEMU read
     * one of them or may still be scanning it (spec/05 §8.2 step 4).
     * Prune them with siplStorePrune() once the domain is stopped. */
    SIPL_STORE_RENDER_KEEP_PREVIOUS = 1 << 0,
} siplStoreRenderFlags;

/**
 * siplStoreDomainDir:
 * @stateDir: (nullable): the state directory; NULL for
 *            SIPL_STORE_DEFAULT_STATE_DIR. Must be absolute and free of
 *            commas (the path goes into a QEMU option, spec/05 §8.1).
 * @uuid: the domain UUID, canonical 36-character form
 * @error: return location for SIPL_STORE_ERROR_INVALID
 *
 * Returns: "<stateDir>/<uuid lowercased>", or NULL with @error set.
 */
char *siplStoreDomainDir(const char *stateDir, const char *uuid,
                         GError **error);

/**
 * siplStoreCertsPath:
 * @stateDir: (nullable): as for siplStoreDomainDir()
 * @uuid: the domain UUID
 * @error: return location for SIPL_STORE_ERROR_INVALID
 *
 * Returns: "<domain dir>/certs", the boot-certs.0.path value, or NULL.
 */
char *siplStoreCertsPath(const char *stateDir, const char *uuid,
                         GError **error);

/**
 * siplStoreRender:
 * @stateDir: (nullable): as for siplStoreDomainDir()
 * @uuid: the domain UUID
 * @def: the configuration; its certificates are written in order. Callers
 *       validate it first (siplSecureBootDefValidate()); Render itself
 *       only refuses what would be unsafe on disk (names, count) and an
 *       empty store, which QEMU would take as normal mode without a word
 *       (07 K11): normal mode renders nothing.
 * @flags: siplStoreRenderFlags
 * @error: return location for a SIPL_STORE_ERROR
 *
 * Makes the store hold exactly @def's certificates. When the live
 * generation already does, with the types and modes a render gives them,
 * nothing is written. A failure before the
 * switch leaves the live store unchanged and removes the partial
 * generation; one after it (syncing the domain directory, removing old
 * generations) is SIPL_STORE_ERROR_SWITCHED: the store holds @def.
 *
 * Returns: true on success, false with @error set.
 */
bool siplStoreRender(const char *stateDir, const char *uuid,
                     const siplSecureBootDef *def, unsigned int flags,
                     GError **error);

/**
 * siplStorePrune:
 * @stateDir: (nullable): as for siplStoreDomainDir()
 * @uuid: the domain UUID
 * @error: return location for a SIPL_STORE_ERROR
 *
 * Removes every generation but the live one, and leftovers of a crashed
 * render. Call when no QEMU of the domain runs. A missing store is fine.
 *
 * Returns: true on success, false with @error set.
 */
bool siplStorePrune(const char *stateDir, const char *uuid, GError **error);

/**
 * siplStoreRemove:
 * @stateDir: (nullable): as for siplStoreDomainDir()
 * @uuid: the domain UUID
 * @error: return location for a SIPL_STORE_ERROR
 *
 * Removes the domain's store directory (at undefine, spec/05 §8.5). A
 * missing store is fine.
 *
 * Returns: true on success, false with @error set.
 */
bool siplStoreRemove(const char *stateDir, const char *uuid, GError **error);

/**
 * siplStoreTestHook:
 * @step: 1, 2, ... counted over each render in this process
 * @opaque: as given to siplStoreSetTestHook()
 *
 * Called after every step that changes the disk. Tests only: the crash
 * test raises SIGKILL at step N for every N.
 */
typedef void (*siplStoreTestHook)(unsigned int step, void *opaque);

/**
 * siplStoreSetTestHook:
 * @hook: (nullable): the hook, NULL to remove it
 * @opaque: passed to @hook
 *
 * Tests only; not thread-safe. Resets the step counter.
 */
void siplStoreSetTestHook(siplStoreTestHook hook, void *opaque);

#endif /* SIPL_STORE_RENDER_H */
