/*
 * store_render.c: the rendered certificate store QEMU reads (spec/05 §8)
 *
 * Everything is done relative to the domain directory's descriptor
 * (openat and friends), so a rename of the state directory between steps
 * cannot redirect a write, and the directory can be fsync'd and locked.
 */
#include "store_render.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sipl_i18n.h"

#define SIPL_STORE_GEN_PREFIX "certs."
#define SIPL_STORE_LINK_TMP "certs.new"   /* not "certs.<number>" */
#define SIPL_STORE_TMP_SUFFIX ".new"      /* never ".pem" */
#define SIPL_STORE_DIR_MODE 0755
#define SIPL_STORE_FILE_MODE 0644

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


static void
siplStoreStep(void)
{
    if (siplStoreHook)
        siplStoreHook(++siplStoreHookStep, siplStoreHookOpaque);
}


static bool
siplStoreSysError(GError **error, const char *what, const char *path)
{
    int err = errno;

    g_set_error(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_IO,
                _("cannot %1$s '%2$s': %3$s"), what, path, g_strerror(err));
    return false;
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


/* "certs.<number>" -> number; -1 for anything else. */
static gint64
siplStoreGenNumber(const char *name)
{
    guint64 gen;

    if (!g_str_has_prefix(name, SIPL_STORE_GEN_PREFIX))
        return -1;
    if (!g_ascii_string_to_unsigned(name + strlen(SIPL_STORE_GEN_PREFIX), 10,
                                    0, G_MAXINT32, &gen, NULL))
        return -1;
    return (gint64)gen;
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
            return siplStoreSysError(error, "read link", dir);
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


/* Remove a generation directory and the regular files in it. */
static bool
siplStoreRemoveGen(int dfd, const char *name, GError **error)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *ent;
    bool ok = true;

    if (fd < 0)
        return errno == ENOENT ? true : siplStoreSysError(error, "open", name);
    if (!(d = fdopendir(fd))) {
        close(fd);
        return siplStoreSysError(error, "open", name);
    }
    while ((ent = readdir(d))) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), ent->d_name, 0) < 0 && errno != ENOENT) {
            ok = siplStoreSysError(error, "remove", ent->d_name);
            break;
        }
    }
    closedir(d);
    if (ok && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        ok = siplStoreSysError(error, "remove", name);
    return ok;
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
        if (fd >= 0)
            close(fd);
        return siplStoreSysError(error, "read directory", dir);
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
                return siplStoreSysError(error, "remove", name);
        } else if (!siplStoreRemoveGen(dfd, name, error)) {
            return false;
        }
        siplStoreStep();
    }
    if (doomed->len && fsync(dfd) < 0)
        return siplStoreSysError(error, "sync", dir);
    return true;
}


/* Whether generation @gen holds exactly the files @def renders. */
static bool
siplStoreGenMatches(int dfd, gint64 gen, const siplSecureBootDef *def)
{
    g_autofree char *name = g_strdup_printf(SIPL_STORE_GEN_PREFIX "%" G_GINT64_FORMAT, gen);
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    struct dirent *ent;
    guint count = 0;
    bool ok = true;

    if (fd < 0)
        return false;
    if (!(d = fdopendir(fd))) {
        close(fd);
        return false;
    }
    while (ok && (ent = readdir(d))) {
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0)
            count++;
    }
    ok = count == def->certs->len;
    for (guint i = 0; ok && i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);
        g_autofree char *file = siplSecureBootCertFileName(i, cert->name);
        int ffd = openat(dirfd(d), file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        gsize len = strlen(cert->pem);
        g_autofree char *buf = g_malloc(len + 1);
        ssize_t got;

        if (ffd < 0) {
            ok = false;
            break;
        }
        got = pread(ffd, buf, len + 1, 0);
        close(ffd);
        ok = got == (ssize_t)len && memcmp(buf, cert->pem, len) == 0;
    }
    closedir(d);
    return ok;
}


static bool
siplStoreWriteFile(int gendirfd, const char *name, const char *data,
                   GError **error)
{
    g_autofree char *tmp = g_strconcat(name, SIPL_STORE_TMP_SUFFIX, NULL);
    gsize len = strlen(data);
    gsize done = 0;
    int fd;

    fd = openat(gendirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                SIPL_STORE_FILE_MODE);
    if (fd < 0)
        return siplStoreSysError(error, "create", tmp);
    siplStoreStep();
    /* 0644 whatever the umask (spec/05 §8.3) */
    if (fchmod(fd, SIPL_STORE_FILE_MODE) < 0)
        goto error;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto error;
        done += n;
    }
    siplStoreStep();
    if (fsync(fd) < 0)
        goto error;
    siplStoreStep();
    if (close(fd) < 0) {
        fd = -1;
        goto error;
    }
    fd = -1;
    if (renameat(gendirfd, tmp, gendirfd, name) < 0)
        goto error;
    siplStoreStep();
    return true;

 error:
    siplStoreSysError(error, "write", tmp);
    if (fd >= 0)
        close(fd);
    unlinkat(gendirfd, tmp, 0);
    return false;
}


/* Steps 1-2 of spec/05 §8.2: the complete, synced, invisible generation. */
static bool
siplStoreWriteGen(int dfd, const char *genName, const siplSecureBootDef *def,
                  GError **error)
{
    int gendirfd;
    guint i;
    bool ok = true;

    if (mkdirat(dfd, genName, SIPL_STORE_DIR_MODE) < 0)
        return siplStoreSysError(error, "create", genName);
    siplStoreStep();
    gendirfd = openat(dfd, genName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (gendirfd < 0)
        return siplStoreSysError(error, "open", genName);
    if (fchmod(gendirfd, SIPL_STORE_DIR_MODE) < 0)
        ok = siplStoreSysError(error, "set the mode of", genName);

    for (i = 0; ok && i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);
        g_autofree char *file = siplSecureBootCertFileName(i, cert->name);

        ok = siplStoreWriteFile(gendirfd, file, cert->pem, error);
    }
    if (ok && fsync(gendirfd) < 0)
        ok = siplStoreSysError(error, "sync", genName);
    close(gendirfd);
    if (ok)
        siplStoreStep();
    return ok;
}


static bool
siplStoreCheckDef(const siplSecureBootDef *def, GError **error)
{
    guint i;

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


/* mkdir -p, each directory it creates 0755 whatever the umask: QEMU runs
 * as another user and must traverse them (spec/05 §8.3). */
static bool
siplStoreMkdirs(const char *path, GError **error)
{
    g_autofree char *parent = NULL;
    struct stat st;

    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return true;
        errno = ENOTDIR;
        return siplStoreSysError(error, "create", path);
    }
    parent = g_path_get_dirname(path);
    if (strcmp(parent, path) != 0 && !siplStoreMkdirs(parent, error))
        return false;
    if (mkdir(path, SIPL_STORE_DIR_MODE) < 0) {
        if (errno == EEXIST)
            return true;
        return siplStoreSysError(error, "create", path);
    }
    if (chmod(path, SIPL_STORE_DIR_MODE) < 0)
        return siplStoreSysError(error, "set the mode of", path);
    return true;
}


/* Create (0755 whatever the umask) and open the domain directory. */
static int
siplStoreOpenDomainDir(const char *stateDir, const char *dir, bool create,
                       GError **error)
{
    int fd;

    if (create) {
        if (!siplStoreMkdirs(stateDir, error))
            return -1;
        if (mkdir(dir, SIPL_STORE_DIR_MODE) == 0) {
            int parent;

            if (chmod(dir, SIPL_STORE_DIR_MODE) < 0) {
                siplStoreSysError(error, "set the mode of", dir);
                return -1;
            }
            /* make the new entry durable before anything links into it */
            if ((parent = open(stateDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
                fsync(parent);
                close(parent);
            }
        } else if (errno != EEXIST) {
            siplStoreSysError(error, "create", dir);
            return -1;
        }
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT || create)
            siplStoreSysError(error, "open", dir);
        return -1;
    }
    /* one writer per domain: the hook and the CLI may race */
    if (flock(fd, LOCK_EX) < 0) {
        siplStoreSysError(error, "lock", dir);
        close(fd);
        return -1;
    }
    return fd;
}


bool
siplStoreRender(const char *stateDir, const char *uuid,
                const siplSecureBootDef *def, unsigned int flags,
                GError **error)
{
    g_autofree char *dir = siplStoreDomainDir(stateDir, uuid, error);
    g_autofree char *genName = NULL;
    gint64 live;
    gint64 next = 0;
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
        if (flags & SIPL_STORE_RENDER_KEEP_PREVIOUS)
            ok = true;
        else
            ok = siplStoreRemoveOld(dfd, dir, live, -1, error);
        goto cleanup;
    }

    /* Past every generation on disk, live or left by a crash. */
    {
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *ent;

        if (!d) {
            if (fd >= 0)
                close(fd);
            siplStoreSysError(error, "read directory", dir);
            goto cleanup;
        }
        while ((ent = readdir(d)))
            next = MAX(next, siplStoreGenNumber(ent->d_name) + 1);
        closedir(d);
    }
    genName = g_strdup_printf(SIPL_STORE_GEN_PREFIX "%" G_GINT64_FORMAT, next);

    if (!siplStoreWriteGen(dfd, genName, def, error)) {
        siplStoreRemoveGen(dfd, genName, NULL);
        goto cleanup;
    }

    /* Step 3: one rename makes the new generation live. */
    unlinkat(dfd, SIPL_STORE_LINK_TMP, 0);
    if (symlinkat(genName, dfd, SIPL_STORE_LINK_TMP) < 0) {
        siplStoreSysError(error, "create link", SIPL_STORE_LINK_TMP);
        siplStoreRemoveGen(dfd, genName, NULL);
        goto cleanup;
    }
    siplStoreStep();
    if (renameat(dfd, SIPL_STORE_LINK_TMP, dfd, SIPL_STORE_CERTS_LINK) < 0) {
        siplStoreSysError(error, "replace link", SIPL_STORE_CERTS_LINK);
        unlinkat(dfd, SIPL_STORE_LINK_TMP, 0);
        siplStoreRemoveGen(dfd, genName, NULL);
        goto cleanup;
    }
    siplStoreStep();
    if (fsync(dfd) < 0) {
        siplStoreSysError(error, "sync", dir);
        goto cleanup;
    }
    siplStoreStep();

    /* Step 4: old generations, after the switch. */
    ok = siplStoreRemoveOld(dfd, dir, next,
                            (flags & SIPL_STORE_RENDER_KEEP_PREVIOUS) ? live : -1,
                            error);

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
        return siplStoreSysError(error, "remove", SIPL_STORE_CERTS_LINK);
    if (!siplStoreRemoveOld(dfd, dir, -1, -1, error))
        return false;
    if (rmdir(dir) < 0)
        return siplStoreSysError(error, "remove", dir);
    return true;
}


bool
siplStoreRemove(const char *stateDir, const char *uuid, GError **error)
{
    return siplStoreWithExisting(stateDir, uuid, siplStoreRemoveDir, error);
}
