/*
 * test-store-render.c: the rendered store (spec/05 §8.2, §8.3)
 *
 * Real files in a private temp dir; the crash test forks a writer that
 * SIGKILLs itself after step N of a render, for every N, and checks that
 * what QEMU would read is the old or the new store, complete, and that the
 * next render cleans up. SIGKILL kills the process, not the kernel: the
 * page cache survives, so a missing fsync (of a file, or of a directory
 * before or after the switch) cannot be caught here; store_gen.c and
 * siplStoreSwitch() keep them by construction, not by this test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "certgen.h"
#include "store_render.h"
#include "testutils.h"

#define UUID "c7a5fdbd-cdaf-9455-926a-d65c16db1809"

typedef struct {
    char *tmp;
    char *state;
    char *dir;
} StoreFixture;


static void
fixtureSetUp(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    f->tmp = certgen_tmpdir_new();
    f->state = g_build_filename(f->tmp, "state", NULL);
    f->dir = g_build_filename(f->state, UUID, NULL);
}


static void
fixtureTearDown(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    certgen_tmpdir_remove(f->tmp);
    g_free(f->tmp);
    g_free(f->state);
    g_free(f->dir);
}


static siplSecureBootDef *
makeDef(const char *const *tags)
{
    siplSecureBootDef *def = siplSecureBootDefNew(SIPL_MODE_SECURE);

    for (; *tags; tags++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *name = g_strdup_printf("%s.pem", *tags);
        const char *pem = siplTestCertPem(*tags);
        siplSecureBootCertDef *cert =
            siplSecureBootCertDefNew(pem, strlen(pem), name,
                                     SIPL_CERT_STATE_ACTIVE,
                                     SIPL_CERT_SOURCE_NONE, NULL, &err);

        g_assert_no_error(err);
        g_ptr_array_add(def->certs, cert);
    }
    return def;
}


/* What QEMU reads through <dir>/certs: "name\nPEM" per file, sorted;
 * NULL when there is no store. */
static char *
visibleStore(const char *dir)
{
    g_autofree char *certs = g_build_filename(dir, SIPL_STORE_CERTS_LINK, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(certs, 0, NULL);
    GString *out;
    const char *name;
    guint i;

    if (!d)
        return NULL;
    while ((name = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, siplTestCompareStr);
    out = g_string_new(NULL);
    for (i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(certs, names->pdata[i], NULL);
        g_autofree char *data = NULL;

        g_assert_true(g_file_get_contents(path, &data, NULL, NULL));
        g_string_append_printf(out, "%s\n%s", (char *)names->pdata[i], data);
    }
    return g_string_free(out, FALSE);
}


/* The same for a configuration. */
static char *
expectedStore(const siplSecureBootDef *def)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < def->certs->len; i++) {
        const siplSecureBootCertDef *cert = g_ptr_array_index(def->certs, i);
        g_autofree char *file = siplSecureBootCertFileName(i, cert->name);

        g_string_append_printf(out, "%s\n%s", file, cert->pem);
    }
    return g_string_free(out, FALSE);
}


static void
testRender(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "a", "b", "c", NULL };
    g_autoptr(siplSecureBootDef) def = makeDef(tags);
    g_autoptr(GError) err = NULL;
    g_autofree char *snap = NULL;
    g_autofree char *visible = NULL;
    g_autofree char *expected = expectedStore(def);
    g_autofree char *certs = siplStoreCertsPath(f->state, UUID, &err);
    mode_t old = umask(077);    /* modes must not depend on it */

    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    umask(old);
    g_assert_no_error(err);
    {
        g_autofree char *want = g_build_filename(f->dir, "certs", NULL);

        g_assert_cmpstr(certs, ==, want);
    }

    snap = siplTestSnapshot(f->dir);
    visible = visibleStore(f->dir);
    g_assert_cmpstr(visible, ==, expected);
    /* exactly the link, one generation, three .pem files; 0755/0644 */
    {
        g_auto(GStrv) lines = g_strsplit(snap, "\n", -1);

        g_assert_cmpuint(g_strv_length(lines), ==, 6);
        g_assert_cmpstr(lines[0], ==, "L certs -> certs.0");
        g_assert_cmpstr(lines[1], ==, "D certs.0 755");
        g_assert_true(g_str_has_prefix(lines[2], "F certs.0/00-a.pem 644 "));
        g_assert_true(g_str_has_prefix(lines[3], "F certs.0/01-b.pem 644 "));
        g_assert_true(g_str_has_prefix(lines[4], "F certs.0/02-c.pem 644 "));
    }
    {
        struct stat st;

        g_assert_cmpint(stat(f->dir, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 07777, ==, 0755);
        g_assert_cmpint(stat(f->state, &st), ==, 0);
        g_assert_cmpint(st.st_mode & 07777, ==, 0755);
    }
}


static void
testRerender(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tagsOld[] = { "a", "b", NULL };
    static const char *const tagsNew[] = { "b", "c", NULL };
    g_autoptr(siplSecureBootDef) oldDef = makeDef(tagsOld);
    g_autoptr(siplSecureBootDef) newDef = makeDef(tagsNew);
    g_autoptr(GError) err = NULL;
    g_autofree char *snap1 = NULL;
    g_autofree char *snap2 = NULL;
    g_autofree char *snap3 = NULL;
    g_autofree char *visible = NULL;
    g_autofree char *expected = expectedStore(newDef);

    g_assert_true(siplStoreRender(f->state, UUID, oldDef, 0, &err));
    snap1 = siplTestSnapshot(f->dir);
    /* same content: nothing written */
    g_assert_true(siplStoreRender(f->state, UUID, oldDef, 0, &err));
    snap2 = siplTestSnapshot(f->dir);
    g_assert_cmpstr(snap1, ==, snap2);

    /* a running domain keeps the previous generation ... */
    g_assert_true(siplStoreRender(f->state, UUID, newDef,
                                  SIPL_STORE_RENDER_KEEP_PREVIOUS, &err));
    g_assert_no_error(err);
    visible = visibleStore(f->dir);
    g_assert_cmpstr(visible, ==, expected);
    snap3 = siplTestSnapshot(f->dir);
    g_assert_nonnull(strstr(snap3, "L certs -> certs.1\n"));
    g_assert_nonnull(strstr(snap3, "D certs.0 755\n"));
    /* ... until it is pruned */
    g_assert_true(siplStorePrune(f->state, UUID, &err));
    g_free(snap3);
    snap3 = siplTestSnapshot(f->dir);
    g_assert_null(strstr(snap3, "certs.0"));
    g_assert_nonnull(strstr(snap3, "L certs -> certs.1\n"));

    /* without the flag old generations go right after the switch */
    g_assert_true(siplStoreRender(f->state, UUID, oldDef, 0, &err));
    g_free(snap3);
    snap3 = siplTestSnapshot(f->dir);
    g_assert_null(strstr(snap3, "certs.1"));
    g_assert_nonnull(strstr(snap3, "L certs -> certs.2\n"));

    /* An empty configuration is refused and the store left as it was
     * (changed on purpose: it used to render an empty generation, which
     * QEMU takes as normal mode without a word, 07 K11, while a config
     * could still say secure-boot=on, 07 D9). Normal mode renders
     * nothing; prune/undefine remove the store. */
    {
        g_autoptr(siplSecureBootDef) empty = siplSecureBootDefNew(SIPL_MODE_NORMAL);
        g_autofree char *vis = NULL;
        g_autofree char *want = expectedStore(oldDef);
        g_autofree char *snap4 = NULL;

        g_assert_false(siplStoreRender(f->state, UUID, empty, 0, &err));
        g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID);
        g_assert_cmpstr(err->message, ==,
                        "a certificate store needs at least one certificate: QEMU would boot a guest with an empty one in normal mode");
        g_clear_error(&err);
        vis = visibleStore(f->dir);
        g_assert_cmpstr(vis, ==, want);
        snap4 = siplTestSnapshot(f->dir);
        g_assert_cmpstr(snap4, ==, snap3);
    }

    g_assert_true(siplStoreRemove(f->state, UUID, &err));
    g_assert_no_error(err);
    g_assert_false(g_file_test(f->dir, G_FILE_TEST_EXISTS));
    g_assert_true(siplStoreRemove(f->state, UUID, &err));
    g_assert_true(siplStorePrune(f->state, UUID, &err));
    g_assert_no_error(err);
}


/* Two changes while the domain runs: the generation its QEMU read (the
 * one live before the first) survives the second, until the prune at the
 * stop (spec/05 §8.2 step 4). It used to go at the second change. */
static void
testKeepWhileRunning(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags0[] = { "a", NULL };
    static const char *const tags1[] = { "b", NULL };
    static const char *const tags2[] = { "c", NULL };
    g_autoptr(siplSecureBootDef) def0 = makeDef(tags0);
    g_autoptr(siplSecureBootDef) def1 = makeDef(tags1);
    g_autoptr(siplSecureBootDef) def2 = makeDef(tags2);
    g_autoptr(GError) err = NULL;
    g_autofree char *snap = NULL;

    g_assert_true(siplStoreRender(f->state, UUID, def0, 0, &err));
    g_assert_true(siplStoreRender(f->state, UUID, def1,
                                  SIPL_STORE_RENDER_KEEP_PREVIOUS, &err));
    g_assert_true(siplStoreRender(f->state, UUID, def2,
                                  SIPL_STORE_RENDER_KEEP_PREVIOUS, &err));
    g_assert_no_error(err);
    snap = siplTestSnapshot(f->dir);
    g_assert_nonnull(strstr(snap, "L certs -> certs.2\n"));
    g_assert_nonnull(strstr(snap, "D certs.0 755\n"));
    g_assert_nonnull(strstr(snap, "D certs.1 755\n"));

    g_assert_true(siplStorePrune(f->state, UUID, &err));
    g_assert_no_error(err);
    g_free(snap);
    snap = siplTestSnapshot(f->dir);
    g_assert_null(strstr(snap, "certs.0"));
    g_assert_null(strstr(snap, "certs.1"));
    g_assert_nonnull(strstr(snap, "L certs -> certs.2\n"));
}


typedef struct {
    StoreFixture *f;
    const siplSecureBootDef *def;
    GError *err;
} WaitingRender;

static gpointer
waitingRenderThread(gpointer data)
{
    WaitingRender *w = data;

    return GINT_TO_POINTER(siplStoreRender(w->f->state, UUID, w->def, 0, &w->err));
}


/* Whether a flock() request on inode @ino is blocked: /proc/locks marks
 * it "->" and names the file as MAJ:MIN:INODE. */
static bool
flockWaiting(ino_t ino)
{
    g_autofree char *locks = NULL;
    g_autofree char *tail = g_strdup_printf(":%lu ", (unsigned long)ino);
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents("/proc/locks", &locks, NULL, NULL))
        return false;
    lines = g_strsplit(locks, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (strstr(lines[i], "-> FLOCK") && strstr(lines[i], tail))
            return true;
    }
    return false;
}


/* A render that waited for the lock while the store was removed (an
 * undefine racing a start) writes a new store where QEMU looks. It used
 * to carry on in the removed directory and fail at its first mkdir. */
static void
testRemovedWhileWaiting(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tagsOld[] = { "a", NULL };
    static const char *const tagsNew[] = { "b", NULL };
    g_autoptr(siplSecureBootDef) oldDef = makeDef(tagsOld);
    g_autoptr(siplSecureBootDef) newDef = makeDef(tagsNew);
    g_autofree char *expected = expectedStore(newDef);
    g_autofree char *visible = NULL;
    g_autofree char *link = g_build_filename(f->dir, "certs", NULL);
    g_autofree char *gen = g_build_filename(f->dir, "certs.0", NULL);
    g_autofree char *file = g_build_filename(gen, "00-a.pem", NULL);
    g_autoptr(GError) err = NULL;
    WaitingRender w = { f, newDef, NULL };
    GThread *thread;
    struct stat st;
    int fd;
    guint i;

    g_assert_true(siplStoreRender(f->state, UUID, oldDef, 0, &err));
    g_assert_no_error(err);
    fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(flock(fd, LOCK_EX), ==, 0);
    g_assert_cmpint(fstat(fd, &st), ==, 0);

    thread = g_thread_new("render", waitingRenderThread, &w);
    for (i = 0; i < 500 && !flockWaiting(st.st_ino); i++)
        g_usleep(10 * 1000);
    g_assert_true(flockWaiting(st.st_ino));

    /* what siplStoreRemove() does under the lock */
    g_assert_cmpint(unlink(link), ==, 0);
    g_assert_cmpint(unlink(file), ==, 0);
    g_assert_cmpint(rmdir(gen), ==, 0);
    g_assert_cmpint(rmdir(f->dir), ==, 0);
    close(fd);

    g_assert_true(GPOINTER_TO_INT(g_thread_join(thread)));
    g_assert_no_error(w.err);
    visible = visibleStore(f->dir);
    g_assert_cmpstr(visible, ==, expected);
}


/* Refused renders change nothing. */
static void
testRefused(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "a", NULL };
    g_autoptr(siplSecureBootDef) def = makeDef(tags);
    g_autoptr(siplSecureBootDef) bad = makeDef(tags);
    g_autoptr(siplSecureBootDef) many = siplSecureBootDefNew(SIPL_MODE_SECURE);
    g_autoptr(GError) err = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *certs = g_build_filename(f->dir, "certs", NULL);
    siplSecureBootCertDef *cert;
    guint i;

    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    before = siplTestSnapshot(f->dir);

    cert = g_ptr_array_index(bad->certs, 0);
    g_free(cert->name);
    cert->name = g_strdup("../escape.pem");
    g_assert_false(siplStoreRender(f->state, UUID, bad, 0, &err));
    g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, "certificate name '../escape.pem' is invalid");
    g_clear_error(&err);

    for (i = 0; i < 65; i++)
        g_ptr_array_add(many->certs,
                        siplSecureBootCertDefCopy(g_ptr_array_index(def->certs, 0)));
    g_assert_false(siplStoreRender(f->state, UUID, many, 0, &err));
    g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, "65 certificates given; the store holds at most 64");
    g_clear_error(&err);

    g_assert_false(siplStoreRender(f->state, "not-a-uuid", def, 0, &err));
    g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, "'not-a-uuid' is not a domain UUID");
    g_clear_error(&err);

    g_assert_false(siplStoreRender("/var/lib/a,b", UUID, def, 0, &err));
    g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "state directory '/var/lib/a,b' must be an absolute path without commas");
    g_clear_error(&err);

    after = siplTestSnapshot(f->dir);
    g_assert_cmpstr(before, ==, after);

    /* "certs" that is not our link: refused, left alone */
    g_assert_true(siplStoreRemove(f->state, UUID, &err));
    g_assert_cmpint(g_mkdir_with_parents(certs, 0755), ==, 0);
    g_free(before);
    before = siplTestSnapshot(f->dir);
    g_assert_false(siplStoreRender(f->state, UUID, def, 0, &err));
    g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_CORRUPT);
    g_free(after);
    after = siplTestSnapshot(f->dir);
    g_assert_cmpstr(before, ==, after);
}


static mode_t
dirMode(const char *dir)
{
    struct stat st;

    g_assert_cmpint(stat(dir, &st), ==, 0);
    return st.st_mode & 07777;
}


/* A domain directory left 0700 (a writer killed between mkdir() and
 * chmod() under umask 077) is 0755 again after the next render, also
 * when that render has nothing to write. */
static void
testDirMode(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "a", NULL };
    g_autoptr(siplSecureBootDef) def = makeDef(tags);
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(g_mkdir_with_parents(f->state, 0755), ==, 0);
    g_assert_cmpint(mkdir(f->dir, 0700), ==, 0);
    g_assert_cmpint(chmod(f->dir, 0700), ==, 0);
    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(dirMode(f->dir), ==, 0755);

    g_assert_cmpint(chmod(f->dir, 0700), ==, 0);
    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpint(dirMode(f->dir), ==, 0755);
}


/* A live generation whose content matches but whose modes do not (a
 * file or the directory chmod'ed by hand, unreadable to QEMU's user) is
 * rewritten by the next render of the same configuration. It used to
 * count as rendered: nothing was written and QEMU could not read it. */
static void
testModeChanged(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "a", "b", NULL };
    g_autoptr(siplSecureBootDef) def = makeDef(tags);
    g_autoptr(GError) err = NULL;
    g_autofree char *expected = expectedStore(def);
    g_autofree char *file = g_build_filename(f->dir, "certs.0", "00-a.pem", NULL);
    g_autofree char *gen1 = g_build_filename(f->dir, "certs.1", NULL);
    g_autofree char *snap = NULL;
    g_autofree char *visible = NULL;

    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    g_assert_no_error(err);

    g_assert_cmpint(chmod(file, 0600), ==, 0);
    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    g_assert_no_error(err);
    snap = siplTestSnapshot(f->dir);
    g_assert_nonnull(strstr(snap, "L certs -> certs.1\n"));
    g_assert_nonnull(strstr(snap, "D certs.1 755\n"));
    g_assert_nonnull(strstr(snap, "F certs.1/00-a.pem 644 "));
    g_assert_nonnull(strstr(snap, "F certs.1/01-b.pem 644 "));
    g_assert_null(strstr(snap, "certs.0"));
    visible = visibleStore(f->dir);
    g_assert_cmpstr(visible, ==, expected);

    /* the generation directory too */
    g_assert_cmpint(chmod(gen1, 0700), ==, 0);
    g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
    g_assert_no_error(err);
    g_free(snap);
    snap = siplTestSnapshot(f->dir);
    g_assert_nonnull(strstr(snap, "L certs -> certs.2\n"));
    g_assert_nonnull(strstr(snap, "D certs.2 755\n"));
    g_assert_null(strstr(snap, "certs.1"));
    g_free(visible);
    visible = visibleStore(f->dir);
    g_assert_cmpstr(visible, ==, expected);

    /* and a store as rendered is still left alone */
    {
        g_autofree char *again = NULL;

        g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
        g_assert_no_error(err);
        again = siplTestSnapshot(f->dir);
        g_assert_cmpstr(again, ==, snap);
    }
}


/* A step after the switch fails (an old generation that cannot be
 * removed): SIPL_STORE_ERROR_SWITCHED, and QEMU reads the new store, so
 * callers know not to undo their change. */
static void
testLateFailure(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tagsOld[] = { "a", NULL };
    static const char *const tagsNew[] = { "b", NULL };
    g_autoptr(siplSecureBootDef) oldDef = makeDef(tagsOld);
    g_autoptr(siplSecureBootDef) newDef = makeDef(tagsNew);
    g_autoptr(GError) err = NULL;
    g_autofree char *sub = g_build_filename(f->dir, "certs.0", "sub", NULL);
    g_autofree char *visible = NULL;
    g_autofree char *expected = expectedStore(newDef);

    g_assert_true(siplStoreRender(f->state, UUID, oldDef, 0, &err));
    g_assert_cmpint(mkdir(sub, 0755), ==, 0);
    g_assert_false(siplStoreRender(f->state, UUID, newDef, 0, &err));
    g_assert_error(err, SIPL_STORE_ERROR, SIPL_STORE_ERROR_SWITCHED);
    /* a whole message per operation (STYLE.md) */
    g_assert_cmpstr(err->message, ==, "cannot remove file 'sub': Is a directory");
    visible = visibleStore(f->dir);
    g_assert_cmpstr(visible, ==, expected);
}


static void
killAtStep(unsigned int step, void *opaque)
{
    if (step == GPOINTER_TO_UINT(opaque))
        raise(SIGKILL);
}


/* Render @to over a store holding @from (NULL: none) in a child killed at
 * step @n. Returns true when the child finished (n beyond the last step). */
static bool
crashRender(StoreFixture *f, const siplSecureBootDef *to, unsigned int n)
{
    pid_t pid = fork();
    int status = 0;

    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        /* a kill right after mkdir() must not leave a 0700 directory */
        umask(077);
        siplStoreSetTestHook(killAtStep, GUINT_TO_POINTER(n));
        _exit(siplStoreRender(f->state, UUID, to, 0, NULL) ? 0 : 1);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    if (WIFSIGNALED(status)) {
        g_assert_cmpint(WTERMSIG(status), ==, SIGKILL);
        return false;
    }
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    return true;
}


static void
crashTest(StoreFixture *f, const siplSecureBootDef *from,
          const siplSecureBootDef *to)
{
    g_autofree char *expectOld = from ? expectedStore(from) : NULL;
    g_autofree char *expectNew = expectedStore(to);
    unsigned int n;
    unsigned int sawOld = 0;
    unsigned int sawNew = 0;

    for (n = 1; n < 1000; n++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *visible = NULL;
        g_autofree char *snap = NULL;
        bool done;

        /* start from a clean old store */
        g_assert_true(siplStoreRemove(f->state, UUID, &err));
        if (from)
            g_assert_true(siplStoreRender(f->state, UUID, from, 0, &err));
        g_assert_no_error(err);

        done = crashRender(f, to, n);
        visible = visibleStore(f->dir);
        if (g_strcmp0(visible, expectNew) == 0) {
            sawNew++;
        } else {
            g_assert_cmpstr(visible, ==, expectOld);
            sawOld++;
        }
        if (done)
            break;

        /* the next render recovers and leaves no debris */
        g_assert_true(siplStoreRender(f->state, UUID, to, 0, &err));
        g_assert_no_error(err);
        g_assert_cmpint(dirMode(f->dir), ==, 0755);
        g_free(visible);
        visible = visibleStore(f->dir);
        g_assert_cmpstr(visible, ==, expectNew);
        snap = siplTestSnapshot(f->dir);
        g_assert_null(strstr(snap, ".new"));
        /* exactly one generation left */
        g_assert_true(g_str_has_prefix(snap, "L certs -> certs."));
        g_assert_nonnull(strstr(snap, "\nD certs."));
        g_assert_null(strstr(strstr(snap, "\nD certs.") + 1, "\nD certs."));
    }
    g_assert_cmpuint(n, <, 1000);
    /* the switch happened part-way: both outcomes were seen */
    g_assert_cmpuint(sawOld, >, 0);
    g_assert_cmpuint(sawNew, >, 0);
    g_test_message("killed at %u steps: %u old, %u new", n - 1, sawOld, sawNew);
}


static void
testCrash(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tagsOld[] = { "a", "b", NULL };
    static const char *const tagsNew[] = { "c", "b", "d", NULL };
    g_autoptr(siplSecureBootDef) oldDef = makeDef(tagsOld);
    g_autoptr(siplSecureBootDef) newDef = makeDef(tagsNew);

    crashTest(f, oldDef, newDef);
}


/* The very first render: the store is absent or complete. */
static void
testCrashFirst(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "a", "c", NULL };
    g_autoptr(siplSecureBootDef) def = makeDef(tags);

    crashTest(f, NULL, def);
}


/* Whether a "<level>.sipl-new" (a level under construction) is in @dir. */
static bool
hasLevelDebris(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".sipl-new"))
            return true;
    }
    return false;
}


/* A first render under a state directory several levels of which do not
 * exist yet, killed at every step under umask 077: each level that
 * exists is 0755 at once (a level is renamed into place only once it is
 * 0755), and the next render finishes the tree and leaves no debris.
 * Each level has its own crash points now (one used to be made with no
 * step before the domain directory's, so a kill could not land between
 * its mkdir() and chmod(), where it was 0700 for ever). That each new
 * level's parent is fsync'd after it appears (a level lost in a power
 * cut takes the store with it) cannot be seen here: SIGKILL leaves the
 * page cache, as the header says; siplStoreMkdirs() keeps it by
 * construction. */
static void
testCrashStateDirs(StoreFixture *f, gconstpointer data G_GNUC_UNUSED)
{
    static const char *const tags[] = { "a", NULL };
    g_autoptr(siplSecureBootDef) def = makeDef(tags);
    g_autofree char *expected = expectedStore(def);
    g_autofree char *top = g_build_filename(f->tmp, "top", NULL);
    g_autofree char *mid = g_build_filename(top, "mid", NULL);
    const char *levels[4];
    bool sawDeepest[3] = { false, false, false };
    unsigned int n;
    guint i;

    g_free(f->state);
    g_free(f->dir);
    f->state = g_build_filename(mid, "state", NULL);
    f->dir = g_build_filename(f->state, UUID, NULL);
    levels[0] = top;
    levels[1] = mid;
    levels[2] = f->state;
    levels[3] = f->dir;

    for (n = 1; n < 1000; n++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *visible = NULL;
        mode_t old;
        bool done;

        certgen_tmpdir_remove(top);
        done = crashRender(f, def, n);
        /* the state levels at once; the domain directory may be 0700
         * until the next render, which re-checks it (testDirMode) */
        for (i = 0; i < G_N_ELEMENTS(levels); i++) {
            if (!g_file_test(levels[i], G_FILE_TEST_IS_DIR))
                break;
            if (i < G_N_ELEMENTS(levels) - 1)
                g_assert_cmpint(dirMode(levels[i]), ==, 0755);
        }
        /* killed while the state directory was being made: which
         * level was the deepest there */
        if (i > 0 && i < G_N_ELEMENTS(levels))
            sawDeepest[i - 1] = true;
        if (done)
            break;

        old = umask(077);
        g_assert_true(siplStoreRender(f->state, UUID, def, 0, &err));
        umask(old);
        g_assert_no_error(err);
        for (i = 0; i < G_N_ELEMENTS(levels); i++)
            g_assert_cmpint(dirMode(levels[i]), ==, 0755);
        g_assert_false(hasLevelDebris(f->tmp));
        g_assert_false(hasLevelDebris(top));
        g_assert_false(hasLevelDebris(mid));
        visible = visibleStore(f->dir);
        g_assert_cmpstr(visible, ==, expected);
    }
    g_assert_cmpuint(n, <, 1000);
    /* kills landed with only "top", "top/mid", "top/mid/state" made */
    for (i = 0; i < G_N_ELEMENTS(sawDeepest); i++)
        g_assert_true(sawDeepest[i]);
}


int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add("/store/render", StoreFixture, NULL, fixtureSetUp, testRender,
               fixtureTearDown);
    g_test_add("/store/rerender", StoreFixture, NULL, fixtureSetUp,
               testRerender, fixtureTearDown);
    g_test_add("/store/keep-while-running", StoreFixture, NULL, fixtureSetUp,
               testKeepWhileRunning, fixtureTearDown);
    g_test_add("/store/removed-while-waiting", StoreFixture, NULL,
               fixtureSetUp, testRemovedWhileWaiting, fixtureTearDown);
    g_test_add("/store/refused", StoreFixture, NULL, fixtureSetUp,
               testRefused, fixtureTearDown);
    g_test_add("/store/dir-mode", StoreFixture, NULL, fixtureSetUp,
               testDirMode, fixtureTearDown);
    g_test_add("/store/mode-changed", StoreFixture, NULL, fixtureSetUp,
               testModeChanged, fixtureTearDown);
    g_test_add("/store/late-failure", StoreFixture, NULL, fixtureSetUp,
               testLateFailure, fixtureTearDown);
    g_test_add("/store/crash", StoreFixture, NULL, fixtureSetUp, testCrash,
               fixtureTearDown);
    g_test_add("/store/crash-first", StoreFixture, NULL, fixtureSetUp,
               testCrashFirst, fixtureTearDown);
    g_test_add("/store/crash-state-dirs", StoreFixture, NULL, fixtureSetUp,
               testCrashStateDirs, fixtureTearDown);
    return g_test_run();
}
