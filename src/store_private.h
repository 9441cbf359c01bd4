/*
 * store_private.h: what store_render.c shares with store_gen.c
 *
 * store_render.c owns the domain directory (paths, lock, the "certs"
 * link, pruning); store_gen.c writes, compares and removes one
 * generation directory inside it (spec/05 §8.2 steps 1-2).
 */
#ifndef SIPL_STORE_PRIVATE_H
#define SIPL_STORE_PRIVATE_H

#include <errno.h>

#include "store_render.h"

#define SIPL_STORE_GEN_PREFIX "certs."
#define SIPL_STORE_LINK_TMP "certs.new"   /* not "certs.<number>" */
#define SIPL_STORE_TMP_SUFFIX ".new"      /* never ".pem" */
#define SIPL_STORE_DIR_MODE 0755
#define SIPL_STORE_FILE_MODE 0644

/* SIPL_STORE_ERROR_IO with a whole message (STYLE.md); the last argument
 * is g_strerror(errno). Returns false. */
bool siplStoreSysError(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The usual case: @fmt has '%1$s' for @path and '%2$s' for errno. */
#define SIPL_STORE_SYS_ERROR(error, fmt, path) \
    siplStoreSysError(error, fmt, path, g_strerror(errno))

/* The test hook's next step (siplStoreSetTestHook()). */
void siplStoreStep(void);

/* "certs.<number>" -> number; -1 for anything else. */
gint64 siplStoreGenNumber(const char *name);

/* The next generation number in the domain directory @dfd: past every
 * one on disk, live or left by a crash. */
bool siplStoreGenNext(int dfd, const char *dir, gint64 *next, GError **error);

/* Write generation @genName of @def, complete and synced, not yet live. On
 * failure the caller removes it with siplStoreGenRemove(). */
bool siplStoreGenWrite(int dfd, const char *genName,
                       const siplSecureBootDef *def, GError **error);

/* Whether generation @gen holds exactly the files @def renders, with the
 * types and modes a render gives them. */
bool siplStoreGenMatches(int dfd, gint64 gen, const siplSecureBootDef *def);

/* Remove a generation directory and the files in it; missing is fine. */
bool siplStoreGenRemove(int dfd, const char *name, GError **error);

#endif /* SIPL_STORE_PRIVATE_H */
