/* ma_outfile.c — output files written under a temporary name and renamed into place (see
 * ma_outfile.h).
 *
 * mkstemp creates DIR/.BASE.XXXXXX with O_EXCL, so it can neither follow a symlink nor reuse
 * someone else's file, and in the final path's own directory, so rename() is atomic: whoever opens
 * the path sees the previous file or the complete new one, never a part. Reports and exports are
 * meant to be shared, unlike dumps, so the file gets the permissions of an ordinary new file
 * (0666 less the umask), set before any byte is written.
 *
 * Interrupted runs leave nothing behind either. Every live temporary file (memanalyze may have
 * several exports and a report at once) is in one registry, a fixed array of pointers that the
 * main code only ever sets whole: the one signal handler, installed for SIGINT, SIGTERM and
 * SIGHUP on the first open, reads it without locks or allocation and unlinks each path (unlink is
 * async-signal-safe). It then hands the signal on: to the plain handler that was there before
 * (which cleans up its own things and ends the process), or else to the default action, by
 * restoring it and re-raising, so the exit status still says "killed by SIGTERM". A signal the
 * program ignores (nohup) or handles with SA_SIGINFO is left alone.
 *
 * The order of steps keeps the registry safe at every instant: a path is registered right after
 * mkstemp, unregistered only after its rename or unlink, and freed after that; a signal in between
 * unlinks a name that no longer exists, which is harmless.
 */
#include "ma_outfile.h"
#include "ma_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LIVE 32     /* more than memanalyze's 8 exports and a report; beyond it a file is
                         * still removed on failure, only not on a signal */

static char *volatile live[MAX_LIVE];   /* temporary paths not yet renamed or removed */
static void (*chained[NSIG])(int);      /* the plain handler each signal had before ours */

static void on_signal(int sig)
{
    int saved = errno;
    for (int i = 0; i < MAX_LIVE; i++) {
        char *p = live[i];
        if (p) unlink(p);
    }
    errno = saved;
    if (sig > 0 && sig < NSIG && chained[sig]) {
        chained[sig](sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install(void)
{
    static int installed;
    if (installed) return;
    installed = 1;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) || old.sa_handler == SIG_IGN) continue;
        if (old.sa_handler != SIG_DFL) chained[sigs[i]] = old.sa_handler;
        sigaction(sigs[i], &sa, NULL);
    }
}

static void live_add(char *path)
{
    install();
    for (int i = 0; i < MAX_LIVE; i++)
        if (!live[i]) { live[i] = path; return; }
}

static void live_remove(const char *path)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] == path) live[i] = NULL;
}

int ma_outfile_open(ma_outfile *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: it is a directory", path);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    char *tmp = ma_sprintf("%.*s.%s.XXXXXX", (int)dirlen, path, slash ? slash + 1 : path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    live_add(tmp);
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        live_remove(tmp);
        free(tmp);
        return -1;
    }
    o->path = ma_strdup(path);
    o->tmp = tmp;
    o->fd = fd;
    return 0;
}


int ma_outfile_commit(ma_outfile *o, const char **step)
{
    if (o->fd >= 0) {
        int fd = o->fd;
        o->fd = -1;
        if (fsync(fd) < 0 && errno != EINVAL) {
            int e = errno;
            close(fd);
            *step = "fsync";
            errno = e;
            return -1;
        }
        if (close(fd) < 0) {
            *step = "close";
            return -1;
        }
    } else {
        /* the writer used the name (SQLite): flush that file too */
        int fd = open(o->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            (void)fsync(fd);
            close(fd);
        }
    }
    if (rename(o->tmp, o->path) < 0) {
        *step = "rename";
        return -1;
    }
    live_remove(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return 0;
}

void ma_outfile_free(ma_outfile *o)
{
    if (o->fd >= 0) close(o->fd);
    o->fd = -1;
    if (o->tmp) {
        unlink(o->tmp);
        live_remove(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    free(o->path);
    o->path = NULL;
}
