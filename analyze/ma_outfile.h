/* ma_outfile.h — an output file that appears complete or not at all (memanalyze --export and
 * --html, memdiff --html).
 *
 * The data goes to a temporary file DIR/.BASE.XXXXXX next to the final path DIR/BASE, which is
 * renamed over it only once complete; a failure, or SIGINT, SIGTERM or SIGHUP, removes it. See
 * ma_outfile.c for why it is done this way.
 *
 * Use: ma_outfile_open (before the long work, so a bad destination fails at once), write through
 * fd (or a FILE on a dup of it, or by name after closing fd and setting it to -1), then
 * ma_outfile_commit; ma_outfile_free in every case (it removes a file not committed). Not thread-safe: one thread manages the
 * files (the signal handler may run at any time, which the registry is built for).
 */
#ifndef MA_OUTFILE_H
#define MA_OUTFILE_H

#include <stddef.h>

typedef struct ma_outfile {
    char *path;             /* the final name (a copy), for messages and the rename */
    char *tmp;              /* the temporary file */
    int fd;                 /* open on tmp for writing; a writer that closes it sets -1 */
} ma_outfile;

/* Create the temporary file next to path, mode 0666 less the umask, and register it for removal
 * on a fatal signal. 0 on success; -1 with err set to "cannot write PATH: it is a directory" or
 * "cannot write PATH: strerror" and nothing left behind. path must not be empty (the callers
 * say so in their own words). */
int ma_outfile_open(ma_outfile *o, const char *path, char *err, size_t errlen);

/* Make the file durable and give it its final name: fsync and close fd if it is still open (else
 * fsync the file through its temporary name, best effort), then rename it over path. 0 on
 * success: the file is no longer temporary (tmp is freed and NULL; path stays for messages). -1
 * with errno set and *step naming what failed ("fsync", "close" or "rename"); the temporary file
 * is still there, for the caller's message, until ma_outfile_free. */
int ma_outfile_commit(ma_outfile *o, const char **step);

/* Free o's strings; if it was not committed, first close fd and remove the temporary file (and
 * unregister it). Harmless on a zeroed ma_outfile. */
void ma_outfile_free(ma_outfile *o);

#endif
