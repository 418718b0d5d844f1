/* memdump.h — the public C API of the memdump agent.
 *
 * A program running under `memdump run` (libmemdump.so preloaded) can take a heap snapshot at a
 * point of its choosing. Link nothing: declare the function weak and test it, so the program also
 * runs without memdump:
 *
 *     #include <memdump.h>
 *     if (memdump_snapshot) memdump_snapshot("before.dump");
 *
 * (or look it up with dlsym(RTLD_DEFAULT, "memdump_snapshot")).
 */
#ifndef MEMDUMP_H
#define MEMDUMP_H

#ifdef __cplusplus
extern "C" {
#endif

/* Takes a snapshot of the calling process and writes it to `path` (relative paths are relative
 * to the current directory; NULL or "" = the default name <dir>/<prog>.<pid>.<n>.dump).
 * Synchronous: returns when the file is complete (renamed into place, mode 0600) or the attempt
 * failed. The program itself is paused only for the copy-on-write fork (milliseconds); the
 * calling thread waits for the whole dump.
 *
 * Returns 0, or -1 with errno set: EEXIST (path exists: never overwritten), EACCES/EROFS/ENOENT
 * (cannot create the file), ENOSPC/EDQUOT (disk full), ETIMEDOUT (the snapshot exceeded its
 * deadline, MEMDUMP_TIMEOUT), EAGAIN (agent not initialized, or a safe point could not be
 * reached), ENOMEM, EIO (other failure; the agent prints the reason on stderr). */
int memdump_snapshot(const char *path) __attribute__((weak));

#ifdef __cplusplus
}
#endif

#endif
