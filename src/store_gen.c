/*
 * store_gen.c: one generation of the rendered store (spec/05 §8.2)
 *
 * A generation is a directory "certs.<n>" of "NN-<name>.pem" files inside
 * the domain directory, written beside the live one and made live by
 * store_render.c. Everything is relative to directory descriptors.
 */
#include "store_private.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sipl_i18n.h"


bool
siplStoreSysError(GError **error, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, SIPL_STORE_ERROR, SIPL_STORE_ERROR_IO, msg);
    return false;
}



gint64
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


bool
siplStoreGenRemove(int dfd, const char *name, GError **error)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *ent;
    bool ok = true;

    if (fd < 0 && errno == ENOENT)
        return true;
    if (fd < 0 || !(d = fdopendir(fd))) {
        ok = SIPL_STORE_SYS_ERROR(error, _("cannot open directory '%1$s': %2$s"), name);
        if (fd >= 0)
            close(fd);
        return ok;
    }
    while ((ent = readdir(d))) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), ent->d_name, 0) < 0 && errno != ENOENT) {
            ok = SIPL_STORE_SYS_ERROR(error, _("cannot remove file '%1$s': %2$s"),
                                      ent->d_name);
            break;
        }
    }
    closedir(d);
    if (ok && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        ok = SIPL_STORE_SYS_ERROR(error, _("cannot remove directory '%1$s': %2$s"), name);
    return ok;
}


bool
siplStoreGenMatches(int dfd, gint64 gen, const siplSecureBootDef *def)
{
    g_autofree char *name = g_strdup_printf(SIPL_STORE_GEN_PREFIX "%" G_GINT64_FORMAT, gen);
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *ent;
    struct stat st;
    guint count = 0;
    bool ok = true;

    if (fd < 0)
        return false;
    /* A generation chmod'ed by hand (0700: QEMU, another user, could not
     * scan it) is not what a render writes: rewrite it. */
    if (fstat(fd, &st) < 0 || (st.st_mode & 07777) != SIPL_STORE_DIR_MODE ||
        !(d = fdopendir(fd))) {
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
        /* O_NONBLOCK: a FIFO under that name must not hang the render */
        int ffd = openat(dirfd(d), file,
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        gsize len = strlen(cert->pem);
        g_autofree char *buf = g_malloc(len + 1);
        ssize_t got;

        if (ffd < 0) {
            ok = false;
            break;
        }
        /* Same content is not enough: a file chmod'ed by hand (0600:
         * unreadable to QEMU's user) or not a regular file gets
         * rewritten (spec/05 §8.3). */
        if (fstat(ffd, &st) < 0 || !S_ISREG(st.st_mode) ||
            (st.st_mode & 07777) != SIPL_STORE_FILE_MODE) {
            close(ffd);
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


/* Create "<name>.new" (0644 whatever the umask, spec/05 §8.3) and write
 * @data; the descriptor stays open for siplStoreGenWrite() to sync. */
static int
siplStoreWriteTemp(int gendirfd, const char *tmp, const char *data,
                   GError **error)
{
    gsize len = strlen(data);
    gsize done = 0;
    int fd = openat(gendirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                    O_CLOEXEC, SIPL_STORE_FILE_MODE);

    if (fd < 0) {
        SIPL_STORE_SYS_ERROR(error, _("cannot create file '%1$s': %2$s"), tmp);
        return -1;
    }
    siplStoreStep();
    if (fchmod(fd, SIPL_STORE_FILE_MODE) < 0) {
        SIPL_STORE_SYS_ERROR(error, _("cannot set the mode of '%1$s': %2$s"), tmp);
        close(fd);
        return -1;
    }
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            SIPL_STORE_SYS_ERROR(error, _("cannot write file '%1$s': %2$s"), tmp);
            close(fd);
            return -1;
        }
        done += n;
    }
    siplStoreStep();
    return fd;
}


/* Steps 1-2 of spec/05 §8.2: the complete, synced, invisible generation.
 * Every file is written, then each fsync'd, then each renamed, then the
 * directory fsync'd once: each file is durable before its rename, as
 * before, but create-write-fsync-rename one file at a time cost a journal
 * commit per file (64 of them; 250-400 ms under disk load). On failure
 * the caller removes the generation, temp files and all. */
bool
siplStoreGenWrite(int dfd, const char *genName, const siplSecureBootDef *def,
                  GError **error)
{
    guint n = def->certs->len;
    g_autofree int *fds = g_new(int, n);
    g_auto(GStrv) names = g_new0(char *, n + 1);
    guint opened = 0;
    guint i;
    int gendirfd;
    bool ok = true;

    if (mkdirat(dfd, genName, SIPL_STORE_DIR_MODE) < 0)
        return SIPL_STORE_SYS_ERROR(error, _("cannot create directory '%1$s': %2$s"), genName);
    siplStoreStep();
    gendirfd = openat(dfd, genName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (gendirfd < 0)
        return SIPL_STORE_SYS_ERROR(error, _("cannot open directory '%1$s': %2$s"), genName);
    if (fchmod(gendirfd, SIPL_STORE_DIR_MODE) < 0)
        ok = SIPL_STORE_SYS_ERROR(error, _("cannot set the mode of '%1$s': %2$s"), genName);

    for (i = 0; ok && i < n; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);
        g_autofree char *tmp = NULL;

        names[i] = siplSecureBootCertFileName(i, cert->name);
        tmp = g_strconcat(names[i], SIPL_STORE_TMP_SUFFIX, NULL);
        if ((fds[i] = siplStoreWriteTemp(gendirfd, tmp, cert->pem, error)) < 0)
            ok = false;
        else
            opened++;
    }
    /* Start writeback of every file before the first fsync: delayed
     * allocation then lands in one journal transaction, which the first
     * fsync commits, instead of one commit per fsync. A hint; fsync still
     * makes each file durable and reports any error. */
    for (i = 0; ok && i < n; i++)
        sync_file_range(fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
    for (i = 0; ok && i < n; i++) {
        if (fsync(fds[i]) < 0)
            ok = SIPL_STORE_SYS_ERROR(error, _("cannot sync file '%1$s': %2$s"), names[i]);
        else
            siplStoreStep();
    }
    for (i = 0; i < opened; i++) {
        if (close(fds[i]) < 0 && ok)
            ok = SIPL_STORE_SYS_ERROR(error, _("cannot close file '%1$s': %2$s"), names[i]);
    }
    for (i = 0; ok && i < n; i++) {
        g_autofree char *tmp = g_strconcat(names[i], SIPL_STORE_TMP_SUFFIX, NULL);

        if (renameat(gendirfd, tmp, gendirfd, names[i]) < 0)
            ok = siplStoreSysError(error, _("cannot rename '%1$s' to '%2$s': %3$s"),
                                   tmp, names[i], g_strerror(errno));
        else
            siplStoreStep();
    }
    if (ok && fsync(gendirfd) < 0)
        ok = SIPL_STORE_SYS_ERROR(error, _("cannot sync directory '%1$s': %2$s"), genName);
    close(gendirfd);
    if (ok)
        siplStoreStep();
    return ok;
}


bool
siplStoreGenNext(int dfd, const char *dir, gint64 *next, GError **error)
{
    int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *ent;

    if (!d) {
        SIPL_STORE_SYS_ERROR(error, _("cannot read directory '%1$s': %2$s"), dir);
        if (fd >= 0)
            close(fd);
        return false;
    }
    *next = 0;
    while ((ent = readdir(d)))
        *next = MAX(*next, siplStoreGenNumber(ent->d_name) + 1);
    closedir(d);
    return true;
}
