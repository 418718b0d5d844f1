/* export.c — the --export dispatcher (see export.h).
 *
 * Each export writes one output file, an ma_outfile (ma_outfile.c): a temporary file next to
 * OUT, created at ma_export_open and renamed over OUT when the exporter succeeds; a failure or a
 * fatal signal removes it. The exporter gets the open file and reports "why" it failed; this file
 * adds the format and path to the message and makes the file durable and visible.
 */
#include "export.h"
#include "export_internal.h"
#include "ma_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
    ma_outfile out;
};

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
    ma_export *x = ma_calloc(1, sizeof *x);
    x->f = f;
    if (ma_outfile_open(&x->out, path, err, errlen) < 0) {
        free(x);
        return NULL;
    }
    return x;
}

void ma_export_abort(ma_export *x)
{
    if (!x) return;
    ma_outfile_free(&x->out);
    free(x);
}

int ma_export_run(ma_export *x, ma_ctx *c, char *err, size_t errlen, FILE *summary)
{
    char why[512] = "", note[256] = "";
    const char *step = NULL;
    int rc = x->f->fn(c, &x->out, why, sizeof why, note, sizeof note);
    if (rc == 0 && ma_outfile_commit(&x->out, &step) < 0) {
        if (!strcmp(step, "rename"))
            snprintf(why, sizeof why, "cannot rename %s into place: %s", x->out.tmp, strerror(errno));
        else
            snprintf(why, sizeof why, "%s", strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        snprintf(err, errlen, "--export %s %s: %s", x->f->name, x->out.path, why[0] ? why : "failed");
        ma_export_abort(x);
        return -1;
    }
    if (summary) fprintf(summary, "memanalyze: wrote %s (%s%s%s)\n", x->out.path, x->f->name, note[0] ? ": " : "", note);
    ma_export_abort(x);     /* only frees: the file is in place */
    return 0;
}
