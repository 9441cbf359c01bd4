/*
 * store_render.c: the rendered certificate store QEMU reads (spec/05 §8)
 *
 * Everything is done relative to the domain directory's descriptor
 * (openat and friends), so a rename of the state directory between steps
 * cannot redirect a write, and the directory can be fsync'd and locked.
 */
#include "store_private.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sipl_i18n.h"

static siplStoreTestHook siplStoreHook;
static void *siplStoreHookOpaque;
static unsigned int siplStoreHookStep;

GQuark
siplStoreErrorQuark(void)
{
    return g_quark_from_static_string("sipl-store-error-quark");
}


void
siplStoreSetTestHook(siplStoreTestHook hook, void *opaque)
{
    siplStoreHook = hook;
    siplStoreHookOpaque = opaque;
    siplStoreHookStep = 0;
}


void
siplStoreStep(void)
{
    if (siplStoreHook)
        siplStoreHook(++siplStoreHookStep, siplStoreHookOpaque);
}


char *
siplStoreDomainDir(const char *stateDir, const char *uuid, GError **error)
{
    g_autofree char *lower = NULL;

    if (!stateDir)
        stateDir = SIPL_STORE_DEFAULT_STATE_DIR;
    if (!g_path_is_absolute(stateDir) || strchr(stateDir, ',')) {
        g_set_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID,
                    _("state directory '%1$s' must be an absolute path without commas"),
                    stateDir);
        return NULL;
    }
    /* The UUID becomes a path component: only the canonical form. */
    if (!uuid || !g_uuid_string_is_valid(uuid)) {
        g_set_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID,
                    _("'%1$s' is not a domain UUID"), uuid ? uuid : "");
        return NULL;
    }
    lower = g_ascii_strdown(uuid, -1);
    return g_build_filename(stateDir, lower, NULL);
}


char *
siplStoreCertsPath(const char *stateDir, const char *uuid, GError **error)
{
    g_autofree char *dir = siplStoreDomainDir(stateDir, uuid, error);

    if (!dir)
        return NULL;
    return g_build_filename(dir, SIPL_STORE_CERTS_LINK, NULL);
}


/* The live generation, -1 when there is no "certs" yet. */
static bool
siplStoreLiveGen(int dfd, const char *dir, gint64 *gen, GError **error)
{
    char target[64];
    ssize_t len = readlinkat(dfd, SIPL_STORE_CERTS_LINK, target,
                             sizeof(target) - 1);

    *gen = -1;
    if (len < 0) {
        if (errno == ENOENT)
            return true;
        if (errno == EINVAL)
            len = 0;        /* not a symlink: reported below */
        else
            return SIPL_STORE_SYS_ERROR(error, _("cannot read the link in '%1$s': %2$s"), dir);
    }
    target[len] = '\0';
    if ((*gen = siplStoreGenNumber(target)) < 0) {
        g_set_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_CORRUPT,
                    _("'%1$s/%2$s' is not a link to a certificate generation"),
                    dir, SIPL_STORE_CERTS_LINK);
        return false;
    }
    return true;
}


/* Remove every generation except @keep1/@keep2 (-1: none), and a stale
 * temporary link. */
static bool
siplStoreRemoveOld(int dfd, const char *dir, gint64 keep1, gint64 keep2,
                   GError **error)
{
    g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func(g_free);
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    struct dirent *ent;
    guint i;

    if (fd < 0 || !(d = fdopendir(fd))) {
        bool ok = SIPL_STORE_SYS_ERROR(error, _("cannot read directory '%1$s': %2$s"), dir);

        if (fd >= 0)
            close(fd);
        return ok;
    }
    while ((ent = readdir(d))) {
        gint64 gen = siplStoreGenNumber(ent->d_name);

        if ((gen >= 0 && gen != keep1 && gen != keep2) ||
            strcmp(ent->d_name, SIPL_STORE_LINK_TMP) == 0)
            g_ptr_array_add(doomed, g_strdup(ent->d_name));
    }
    closedir(d);

    for (i = 0; i < doomed->len; i++) {
        const char *name = doomed->pdata[i];

        if (strcmp(name, SIPL_STORE_LINK_TMP) == 0) {
            if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                return SIPL_STORE_SYS_ERROR(error, _("cannot remove link '%1$s': %2$s"), name);
        } else if (!siplStoreGenRemove(dfd, name, error)) {
            return false;
        }
        siplStoreStep();
    }
    /* No fsync: a removal lost in a crash leaves debris the next render
     * or prune removes, never a store QEMU could read. */
    return true;
}


static bool
siplStoreCheckDef(const siplSecureBootDef *def, GError **error)
{
    guint i;

    /* An empty store is QEMU's normal mode, silently (07 K11); spec/05
     * §8.2 wants 1 to 64 files. Normal mode renders nothing instead. */
    if (def->certs->len == 0) {
        g_set_error_literal(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID,
                            _("a certificate store needs at least one certificate: QEMU would boot a guest with an empty one in normal mode"));
        return false;
    }
    if (def->certs->len > SIPL_SECUREBOOT_MAX_CERTS) {
        g_set_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID,
                    _("%1$u certificates given; the store holds at most %2$u"),
                    def->certs->len, (guint)SIPL_SECUREBOOT_MAX_CERTS);
        return false;
    }
    for (i = 0; i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);

        /* the name becomes a file name: no '/', no "..", ends in .pem */
        if (!siplSecureBootCertNameIsValid(cert->name) || !cert->pem) {
            g_set_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID,
                        _("certificate name '%1$s' is invalid"),
                        cert->name ? cert->name : "");
            return false;
        }
    }
    return true;
}


/* The name a state directory level is built under before it appears
 * (siplStoreMkdirs()): not "<name>.new", which a user's own directory
 * beside it might well be called. */
#define SIPL_STORE_MKDIR_SUFFIX ".sipl-new"

/* Fsync the directory @path, so an entry just made in it is durable. */
static bool
siplStoreSyncDir(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = true;

    if (fd < 0 || fsync(fd) < 0)
        ok = SIPL_STORE_SYS_ERROR(error, _("cannot sync directory '%1$s': %2$s"), path);
    if (fd >= 0)
        close(fd);
    return ok;
}


/* mkdir -p for the state directory, each level it creates 0755 whatever
 * the umask: QEMU runs as another user and must traverse them (spec/05
 * §8.3). Unlike the domain directory, a level is not re-chmod'ed at the
 * next render, since it may be a directory of the user's; so a level
 * never appears with the wrong mode: it is made under a temporary name,
 * chmod'ed, then renamed into place. A crash leaves at most an empty
 * "<level>.sipl-new", which the next render renames into place. The
 * parent is fsync'd after each rename: a level lost in a power cut would
 * take the store a later fsync'd render put under it. */
static bool
siplStoreMkdirs(const char *path, GError **error)
{
    g_autofree char *trimmed = g_strdup(path);
    g_autofree char *parent = NULL;
    g_autofree char *tmp = NULL;
    size_t len = strlen(trimmed);
    struct stat st;
    int fd;

    /* "/a/b/" must not become the level "/a/b/.sipl-new" */
    while (len > 1 && trimmed[len - 1] == '/')
        trimmed[--len] = '\0';
    path = trimmed;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        errno = ENOTDIR;
        return SIPL_STORE_SYS_ERROR(error, _("cannot create directory '%1$s': %2$s"), path);
    }
    parent = g_path_get_dirname(path);
    if (strcmp(parent, path) != 0 && !siplStoreMkdirs(parent, error))
        return false;
    /* "/a/b/.." exists once "/a/b" does */
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return true;

    tmp = g_strconcat(path, SIPL_STORE_MKDIR_SUFFIX, NULL);
    /* EEXIST: left by a crash, or another render is making the same
     * level; either way it is ours to finish */
    if (mkdir(tmp, SIPL_STORE_DIR_MODE) < 0 && errno != EEXIST)
        return SIPL_STORE_SYS_ERROR(error, _("cannot create directory '%1$s': %2$s"), tmp);
    siplStoreStep();
    /* fchmod() through O_NOFOLLOW: a symlink planted under that name
     * must not make us chmod its target */
    if ((fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        fchmod(fd, SIPL_STORE_DIR_MODE) < 0 || rename(tmp, path) < 0) {
        int saved = errno;

        if (fd >= 0)
            close(fd);

        /* Another render finished the level first (made 0755 the same
         * way); its fsync may still be under way, so sync here too. */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rmdir(tmp);
            return siplStoreSyncDir(parent, error);
        }
        return siplStoreSysError(error, _("cannot create directory '%1$s' from '%2$s': %3$s"),
                                 path, tmp, g_strerror(saved));
    }
    close(fd);
    if (!siplStoreSyncDir(parent, error))
        return false;
    siplStoreStep();
    return true;
}


/* Whether @fd, locked, is still the directory @dir names: a writer that
 * waited for the lock while siplStoreRemove() held it has a removed
 * directory, in which nothing can be created any more. */
static bool
siplStoreStillNamed(int fd, const char *dir)
{
    struct stat held;
    struct stat named;

    return fstat(fd, &held) == 0 && lstat(dir, &named) == 0 &&
           held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}


/* siplStoreOpenDomainDir() without the check that the locked directory
 * is still there. */
static int
siplStoreOpenDomainDirOnce(const char *stateDir, const char *dir, bool create,
                           GError **error)
{
    struct stat st;
    int fd;

    if (create) {
        if (!siplStoreMkdirs(stateDir, error))
            return -1;
        if (mkdir(dir, SIPL_STORE_DIR_MODE) == 0) {
            int parent;

            siplStoreStep();
            /* make the new entry durable before anything links into it */
            if ((parent = open(stateDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
                fsync(parent);
                close(parent);
            }
        } else if (errno != EEXIST) {
            SIPL_STORE_SYS_ERROR(error, _("cannot create directory '%1$s': %2$s"), dir);
            return -1;
        }
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT || create)
            SIPL_STORE_SYS_ERROR(error, _("cannot open directory '%1$s': %2$s"), dir);
        return -1;
    }
    /* one writer per domain: the hook and the CLI may race */
    if (flock(fd, LOCK_EX) < 0) {
        SIPL_STORE_SYS_ERROR(error, _("cannot lock directory '%1$s': %2$s"), dir);
        close(fd);
        return -1;
    }
    /* On every render, not only after mkdir: a writer killed between
     * mkdir() and a chmod() under umask 077 would leave it 0700 for ever,
     * and QEMU (another user) could not reach the store (spec/05 §8.3). */
    if (create && (fstat(fd, &st) < 0 ||
                   ((st.st_mode & 07777) != SIPL_STORE_DIR_MODE &&
                    fchmod(fd, SIPL_STORE_DIR_MODE) < 0))) {
        SIPL_STORE_SYS_ERROR(error, _("cannot set the mode of '%1$s': %2$s"), dir);
        close(fd);
        return -1;
    }
    return fd;
}


/* How often a writer starts over after losing the directory to a
 * concurrent removal (each round waits for that removal's lock). */
#define SIPL_STORE_OPEN_TRIES 4

/* Open and lock the domain directory; with @create, create it first and
 * make it 0755 whatever the umask. -1 without @error set: no store (only
 * without @create). */
static int
siplStoreOpenDomainDir(const char *stateDir, const char *dir, bool create,
                       GError **error)
{
    guint i;

    for (i = 0; i < SIPL_STORE_OPEN_TRIES; i++) {
        int fd = siplStoreOpenDomainDirOnce(stateDir, dir, create, error);

        if (fd < 0 || siplStoreStillNamed(fd, dir))
            return fd;
        /* removed meanwhile: start over, which without @create finds
         * no store or the one a writer made since */
        close(fd);
    }
    errno = ESTALE;
    SIPL_STORE_SYS_ERROR(error, _("cannot open directory '%1$s': %2$s"), dir);
    return -1;
}


/* Step 3 of spec/05 §8.2: one rename makes generation @genName live. */
static bool
siplStoreSwitch(int dfd, const char *dir, const char *genName, GError **error)
{
    /* The new generation's entry must be durable before a link names it;
     * the same fsync after the rename would not order the two. */
    if (fsync(dfd) < 0)
        return SIPL_STORE_SYS_ERROR(error, _("cannot sync directory '%1$s': %2$s"), dir);
    siplStoreStep();
    unlinkat(dfd, SIPL_STORE_LINK_TMP, 0);
    if (symlinkat(genName, dfd, SIPL_STORE_LINK_TMP) < 0)
        return SIPL_STORE_SYS_ERROR(error, _("cannot create link '%1$s': %2$s"),
                                    SIPL_STORE_LINK_TMP);
    siplStoreStep();
    if (renameat(dfd, SIPL_STORE_LINK_TMP, dfd, SIPL_STORE_CERTS_LINK) < 0) {
        SIPL_STORE_SYS_ERROR(error, _("cannot replace link '%1$s': %2$s"),
                             SIPL_STORE_CERTS_LINK);
        unlinkat(dfd, SIPL_STORE_LINK_TMP, 0);
        return false;
    }
    siplStoreStep();
    return true;
}


bool
siplStoreRender(const char *stateDir, const char *uuid,
                const siplSecureBootDef *def, unsigned int flags,
                GError **error)
{
    g_autofree char *dir = siplStoreDomainDir(stateDir, uuid, error);
    g_autofree char *genName = NULL;
    g_autoptr(GError) late = NULL;
    gint64 live;
    gint64 next;
    int dfd;
    bool ok = false;

    if (!dir || !siplStoreCheckDef(def, error))
        return false;
    if ((dfd = siplStoreOpenDomainDir(stateDir ? stateDir : SIPL_STORE_DEFAULT_STATE_DIR,
                                        dir, true, error)) < 0)
        return false;

    if (!siplStoreLiveGen(dfd, dir, &live, error))
        goto cleanup;

    /* Already what QEMU should read: write nothing (the hook renders at
     * every start). Prune only when no QEMU may be scanning. */
    if (live >= 0 && siplStoreGenMatches(dfd, live, def)) {
        next = live;
    } else {
        if (!siplStoreGenNext(dfd, dir, &next, error))
            goto cleanup;
        genName = g_strdup_printf(SIPL_STORE_GEN_PREFIX "%" G_GINT64_FORMAT, next);
        if (!siplStoreGenWrite(dfd, genName, def, error) ||
            !siplStoreSwitch(dfd, dir, genName, error)) {
            siplStoreGenRemove(dfd, genName, NULL);
            goto cleanup;
        }
        if (fsync(dfd) < 0)
            SIPL_STORE_SYS_ERROR(&late, _("cannot sync directory '%1$s': %2$s"), dir);
        else
            siplStoreStep();
    }

    /* Step 4: old generations, after the switch, and only when no QEMU
     * of the domain runs. Which generation a running QEMU read is known
     * only to QEMU: keeping just the one live before this render lost it
     * at the second change while the domain ran. */
    if (!late && !(flags & SIPL_STORE_RENDER_KEEP_PREVIOUS))
        siplStoreRemoveOld(dfd, dir, next, -1, &late);
    if (late) {
        /* QEMU already reads @def: callers must not undo their change */
        g_set_error_literal(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_SWITCHED,
                            late->message);
        goto cleanup;
    }
    ok = true;

 cleanup:
    close(dfd);
    return ok;
}


/* What siplStorePrune() and siplStoreRemove() do to a locked store. */
typedef bool (*siplStoreDirFunc)(int dfd, const char *dir, GError **error);


/* Open and lock the domain's existing store and run @func on it; a domain
 * without a store has nothing to clean up, which is success. */
static bool
siplStoreWithExisting(const char *stateDir, const char *uuid,
                      siplStoreDirFunc func, GError **error)
{
    g_autofree char *dir = siplStoreDomainDir(stateDir, uuid, error);
    g_autoptr(GError) local = NULL;
    int dfd;
    bool ok;

    if (!dir)
        return false;
    if ((dfd = siplStoreOpenDomainDir(NULL, dir, false, &local)) < 0) {
        if (!local)
            return true;    /* no store */
        g_propagate_error(error, g_steal_pointer(&local));
        return false;
    }
    ok = func(dfd, dir, error);
    close(dfd);
    return ok;
}


static bool
siplStorePruneDir(int dfd, const char *dir, GError **error)
{
    gint64 live;

    return siplStoreLiveGen(dfd, dir, &live, error) &&
           siplStoreRemoveOld(dfd, dir, live, -1, error);
}


bool
siplStorePrune(const char *stateDir, const char *uuid, GError **error)
{
    return siplStoreWithExisting(stateDir, uuid, siplStorePruneDir, error);
}


static bool
siplStoreRemoveDir(int dfd, const char *dir, GError **error)
{
    /* the link first, so no reader ever sees a half-removed generation */
    if (unlinkat(dfd, SIPL_STORE_CERTS_LINK, 0) < 0 && errno != ENOENT)
        return SIPL_STORE_SYS_ERROR(error, _("cannot remove link '%1$s': %2$s"),
                                    SIPL_STORE_CERTS_LINK);
    if (!siplStoreRemoveOld(dfd, dir, -1, -1, error))
        return false;
    if (rmdir(dir) < 0)
        return SIPL_STORE_SYS_ERROR(error, _("cannot remove directory '%1$s': %2$s"), dir);
    return true;
}


bool
siplStoreRemove(const char *stateDir, const char *uuid, GError **error)
{
    return siplStoreWithExisting(stateDir, uuid, siplStoreRemoveDir, error);
}
