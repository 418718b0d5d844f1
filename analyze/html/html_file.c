/* html_file.c — the report's output file: an ma_outfile (ma_outfile.c), written through stdio.
 *
 * The report goes to a temporary file next to OUT, renamed over it when done, so whoever opens
 * OUT sees the previous report or the complete new one; a failure or a fatal signal removes it.
 * The file gets the permissions of an ordinary new file (0666 less the umask): a report is meant
 * to be shared, unlike a dump. The FILE the report is written through is opened on a duplicate of
 * the outfile's descriptor, so closing the FILE leaves the outfile's own descriptor for the fsync
 * and close that ma_outfile_commit does before the rename.
 */
#include "html_internal.h"
#include "ma_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ma_html *ma_html_open(const char *path, char *err, size_t errlen)
{
    if (!*path) {
        snprintf(err, errlen, "--html: empty output path");
        return NULL;
    }
    ma_html *h = ma_calloc(1, sizeof *h);
    if (ma_outfile_open(&h->out, path, err, errlen) < 0) {
        free(h);
        return NULL;
    }
    int fd = dup(h->out.fd);
    if (fd < 0 || !(h->f = fdopen(fd, "w"))) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        ma_html_abort(h);
        return NULL;
    }
    return h;
}

void ma_html_abort(ma_html *h)
{
    if (!h) return;
    if (h->f) fclose(h->f);
    ma_outfile_free(&h->out);
    free(h);
}

int hx_finish(ma_html *h, const char *what, const char *note, char *err, size_t errlen, FILE *summary)
{
    const char *why = NULL;
    int e = 0;
    if (fflush(h->f) != 0 || ferror(h->f)) { e = errno ? errno : EIO; why = "write"; }
    int rc = fclose(h->f);
    h->f = NULL;
    if (!why && rc != 0) { e = errno; why = "close"; }
    if (!why && ma_outfile_commit(&h->out, &why) < 0) e = errno;
    if (why) {
        snprintf(err, errlen, "--html %s: %s failed: %s", h->out.path, why, strerror(e));
        ma_html_abort(h);
        return -1;
    }
    if (summary) fprintf(summary, "%s: wrote %s (html%s%s)\n", what, h->out.path, note && *note ? ": " : "", note ? note : "");
    ma_html_abort(h);   /* only frees: the report is in place */
    return 0;
}
