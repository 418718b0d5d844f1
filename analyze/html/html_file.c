/* html_file.c — the report's output file: a temporary file next to OUT, renamed over it when done.
 *
 * mkstemp creates DIR/.BASE.XXXXXX with O_EXCL, so it can neither follow a symlink nor reuse
 * someone else's file, and in OUT's own directory, so rename() is atomic: whoever opens OUT sees
 * the previous report or the complete new one. The file gets the permissions of an ordinary new
 * file (0666 less the umask): a report is meant to be shared, unlike a dump. While it exists,
 * SIGINT, SIGTERM and SIGHUP remove it before taking their default effect (unless the program
 * ignores or handles them), so an interrupted run leaves nothing behind.
 */
#include "html_internal.h"
#include "ma_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *volatile live;     /* the temporary file while it exists (one report per run) */

static void on_signal(int sig)
{
    if (live) unlink(live);     /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void watch(char *tmp)
{
    static int installed;
    live = tmp;
    if (installed) return;
    installed = 1;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) sigaction(sigs[i], &sa, NULL);
    }
}

ma_html *ma_html_open(const char *path, char *err, size_t errlen)
{
    if (!*path) {
        snprintf(err, errlen, "--html: empty output path");
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: it is a directory", path);
        return NULL;
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    char *tmp = ma_sprintf("%.*s.%s.XXXXXX", (int)dirlen, path, slash ? slash + 1 : path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        free(tmp);
        return NULL;
    }
    mode_t um = umask(0);
    umask(um);
    FILE *f = NULL;
    if (fchmod(fd, 0666 & ~um) < 0 || !(f = fdopen(fd, "w"))) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    ma_html *h = ma_calloc(1, sizeof *h);
    h->path = ma_strdup(path);
    h->tmp = tmp;
    h->f = f;
    watch(tmp);
    return h;
}

static void release(ma_html *h)
{
    live = NULL;
    free(h->path);
    free(h->tmp);
    free(h);
}

void ma_html_abort(ma_html *h)
{
    if (!h) return;
    if (h->f) fclose(h->f);
    unlink(h->tmp);
    release(h);
}

int hx_finish(ma_html *h, const char *what, const char *note, char *err, size_t errlen, FILE *summary)
{
    const char *why = NULL;
    int e = 0;
    if (fflush(h->f) != 0 || ferror(h->f)) { e = errno ? errno : EIO; why = "write"; }
    else if (fsync(fileno(h->f)) < 0 && errno != EINVAL) { e = errno; why = "fsync"; }
    int rc = fclose(h->f);
    h->f = NULL;
    if (!why && rc != 0) { e = errno; why = "close"; }
    if (!why && rename(h->tmp, h->path) < 0) { e = errno; why = "rename"; }
    if (why) {
        snprintf(err, errlen, "--html %s: %s failed: %s", h->path, why, strerror(e));
        unlink(h->tmp);
        release(h);
        return -1;
    }
    if (summary) fprintf(summary, "%s: wrote %s (html%s%s)\n", what, h->path, note && *note ? ": " : "", note ? note : "");
    release(h);
    return 0;
}
