/* export.c — the --export dispatcher and its output files (see export.h).
 *
 * The temporary file is created with mkstemp next to the final path: O_EXCL, so it can neither
 * follow a symlink nor reuse someone else's file, and in the same directory, so rename() is
 * atomic and a reader of OUT sees the previous file or the complete new one, never a part.
 * Permissions are those of an ordinary new file (0666 less the umask), set before any byte is
 * written. While temporary files exist, SIGINT, SIGTERM and SIGHUP remove them before the
 * signal takes its default effect, so an interrupted export leaves nothing behind either.
 */
#include "export.h"
#include "export_internal.h"
#include "ma_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct format {
    const char *name;
    ma_export_fn fn;
} format;

static const format formats[] = {
    {"pprof", ma_export_pprof},
    {"heapsnapshot", ma_export_heapsnapshot},
    {"sqlite", ma_export_sqlite},
    {NULL, NULL},
};

struct ma_export {
    const format *f;
    ma_export_out out;
};

/* ---- temporary files removed on a fatal signal ---- */

#define MAX_LIVE 16
static char *volatile live[MAX_LIVE];   /* temporary paths not yet renamed or removed */

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i]) unlink(live[i]);   /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

static void live_add(char *path)
{
    static int installed;
    if (!installed) {
        installed = 1;
        static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
        for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
            struct sigaction old, sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_signal;
            sigemptyset(&sa.sa_mask);
            /* leave alone a signal someone chose to ignore (nohup) or handle */
            if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL) sigaction(sigs[i], &sa, NULL);
        }
    }
    for (int i = 0; i < MAX_LIVE; i++)
        if (!live[i]) { live[i] = path; return; }
}

static void live_remove(const char *path)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] == path) live[i] = NULL;
}

const char *ma_export_formats(void) { return "pprof, heapsnapshot or sqlite"; }

static const format *find(const char *name)
{
    for (const format *f = formats; f->name; f++)
        if (!strcmp(f->name, name)) return f;
    return NULL;
}

int ma_export_valid(const char *format) { return find(format) != NULL; }

ma_export *ma_export_open(const char *fmt, const char *path, char *err, size_t errlen)
{
    const format *f = find(fmt);
    if (!f) {
        snprintf(err, errlen, "unknown export format '%s' (use %s)", fmt, ma_export_formats());
        return NULL;
    }
    if (!*path) {
        snprintf(err, errlen, "--export %s: empty output path", fmt);
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write %s: it is a directory", path);
        return NULL;
    }
    /* DIR/.BASE.XXXXXX */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    char *tmp = ma_sprintf("%.*s.%s.XXXXXX", (int)dirlen, path, slash ? slash + 1 : path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
        free(tmp);
        return NULL;
    }
    mode_t um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
        close(fd);
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    ma_export *x = ma_calloc(1, sizeof *x);
    x->f = f;
    x->out.path = path;
    x->out.tmp = tmp;
    x->out.fd = fd;
    live_add(tmp);
    return x;
}

void ma_export_abort(ma_export *x)
{
    if (!x) return;
    if (x->out.fd >= 0) close(x->out.fd);
    unlink(x->out.tmp);
    live_remove(x->out.tmp);
    free(x->out.tmp);
    free(x);
}

int ma_export_run(ma_export *x, ma_ctx *c, char *err, size_t errlen, FILE *summary)
{
    char why[512] = "", note[256] = "";
    int rc = x->f->fn(c, &x->out, why, sizeof why, note, sizeof note);
    if (rc == 0 && x->out.fd >= 0) {
        if (fsync(x->out.fd) < 0 && errno != EINVAL) {
            snprintf(why, sizeof why, "%s", strerror(errno));
            rc = -1;
        }
        if (close(x->out.fd) < 0 && rc == 0) {
            snprintf(why, sizeof why, "%s", strerror(errno));
            rc = -1;
        }
        x->out.fd = -1;
    }
    if (rc == 0 && x->out.fd < 0) {
        /* the exporter wrote through the path (SQLite): flush that file too */
        int fd = open(x->out.tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            (void)fsync(fd);
            close(fd);
        }
    }
    if (rc == 0 && rename(x->out.tmp, x->out.path) < 0) {
        snprintf(why, sizeof why, "cannot rename %s into place: %s", x->out.tmp, strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        snprintf(err, errlen, "--export %s %s: %s", x->f->name, x->out.path, why[0] ? why : "failed");
        ma_export_abort(x);
        return -1;
    }
    live_remove(x->out.tmp);
    if (summary) fprintf(summary, "memanalyze: wrote %s (%s%s%s)\n", x->out.path, x->f->name, note[0] ? ": " : "", note);
    free(x->out.tmp);
    free(x);
    return 0;
}
