/* memdiff.c — command-line entry point: what grew between snapshots of one process, and where
 * the growth comes from.
 *
 * All the work is in analyze/diff/ (df_run.h describes the walk over the dumps) on top of the
 * analysis library memanalyze uses (loading, dominators, paths, names): this file parses the
 * options, runs the comparison and prints the report as text or JSON.
 *
 * Exit status: 0 success; 1 a dump could not be read (missing, not a dump, nothing readable) or
 * the dumps come from different processes (without --force); 2 bad usage; 3 a dump is incomplete
 * or damaged and the comparison covers only what could be read (a warning says where).
 */
#include "diff/df_output.h"
#include "diff/df_run.h"
#include "html/html.h"
#include "ma_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: memdiff [options] A.dump B.dump [C.dump ...]\n"
          "\n"
          "What grew between snapshots of one process, and where the growth comes from. Give the\n"
          "dumps in the order they were taken. The report shows:\n"
          "  - the total change in objects, bytes and RSS;\n"
          "  - growth sources: the structures where the added memory accumulates (found by\n"
          "    descending the dominator tree along the growth), with their retained size before\n"
          "    and after, the path from a root that keeps them, their allocation site, and the\n"
          "    types and sites of what was added under them;\n"
          "  - growth by type and by allocation site: new, freed and net objects and bytes;\n"
          "  - churn: allocations and frees per site in between, from the agent's counters, even\n"
          "    when the net change is zero (needs native tracking: memdump run --native).\n"
          "With three or more dumps, every change has one column per interval, and what grew in\n"
          "every interval (steady growth) ranks above one-off spikes.\n"
          "\n"
          "Objects match between dumps by address, type and size (and allocation stack when both\n"
          "dumps have one); an address reused by another object counts as one freed and one new.\n"
          "\n"
          "Options:\n"
          "  --by KEY        growth tables to show: type, site, root (repeatable or comma-\n"
          "                  separated; default: type,site)\n"
          "  --top N         rows per list (default 10, 100 with --json; 0 = all)\n"
          "  --json          one JSON object instead of text (schema in README)\n"
          "  --html FILE     write a self-contained interactive report (growth sources, a flame\n"
          "                  graph colored by growth, trends, churn) instead of the text report\n"
          "                  (with --json, as well as the JSON)\n"
          "  --force         compare dumps of different processes (matching by address is then\n"
          "                  meaningless; totals and by-type/site tables still are)\n"
          "  --debug-dir DIR also look for debug files in DIR; repeatable\n"
          "  -q, --quiet     no warnings on stderr\n"
          "  -h, --help      this help\n"
          "\n"
          "Exit status: 0 ok, 1 cannot compare (unreadable dump, different processes), 2 usage,\n"
          "3 a dump is incomplete (the comparison covers what was read before the damage).\n", f);
}

static int parse_by(const char *s, unsigned *by)
{
    static const char *const names[] = {"type", "site", "root"};
    const char *p = s;
    while (*p) {
        size_t len = strcspn(p, ",");
        int found = 0;
        for (int k = 0; k < 3; k++)
            if (len == strlen(names[k]) && !strncmp(p, names[k], len)) {
                *by |= 1u << k;
                found = 1;
            }
        if (!found) return -1;
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

#define MAX_DIRS 32

int main(int argc, char **argv)
{
    ma_progname = "memdiff";
    df_opts o = {0};
    const char **files = calloc((size_t)argc, sizeof *files);
    const char *dirs[MAX_DIRS];
    int nfiles = 0, top_set = 0;
    const char *html_path = NULL;
    size_t ndirs = 0;
    if (!files) return 1;

#define NEED_ARG() do { if (i + 1 >= argc) { \
        fprintf(stderr, "memdiff: %s needs an argument\n", a); free(files); return 2; } } while (0)

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); free(files); return 0; }
        else if (!strcmp(a, "--json")) o.json = 1;
        else if (!strcmp(a, "--force")) o.force = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) o.quiet = 1;
        else if (!strcmp(a, "--no-system-debug")) o.no_system_debug = 1;   /* tests */
        else if (!strcmp(a, "--top")) {
            NEED_ARG();
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end || argv[i][0] == '-' || !argv[i][0]) {
                fprintf(stderr, "memdiff: --top wants a number, not '%s'\n", argv[i]);
                free(files);
                return 2;
            }
            o.top = v;
            top_set = 1;
        } else if (!strcmp(a, "--by")) {
            NEED_ARG();
            if (parse_by(argv[++i], &o.by) < 0) {
                fprintf(stderr, "memdiff: --by %s: use type, site or root (or a comma-separated list)\n", argv[i]);
                free(files);
                return 2;
            }
        } else if (!strcmp(a, "--html")) {
            NEED_ARG();
            html_path = argv[++i];
        } else if (!strcmp(a, "--debug-dir")) {
            NEED_ARG();
            if (ndirs < MAX_DIRS) dirs[ndirs++] = argv[++i];
            else i++;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "memdiff: unknown option '%s'\n", a);
            usage(stderr);
            free(files);
            return 2;
        } else {
            files[nfiles++] = a;
        }
    }
    if (nfiles < 2) {
        fprintf(stderr, nfiles ? "memdiff: need at least two dumps to compare\n" : "");
        usage(stderr);
        free(files);
        return 2;
    }
    if (!o.by) o.by = 1u << DF_TYPE | 1u << DF_SITE;
    if (!top_set) o.top = o.json ? 100 : 10;
    o.debug_dirs = dirs;
    o.ndirs = ndirs;

    char err[1024];
    ma_html *html = NULL;
    if (html_path && !(html = ma_html_open(html_path, err, sizeof err))) {
        fprintf(stderr, "memdiff: %s\n", err);
        free(files);
        return 1;
    }
    df_run r;
    int rc = df_run_all(&r, files, (uint32_t)nfiles, &o);
    if (rc == 0 && html && ma_html_diff(html, &r, err, sizeof err, o.quiet ? NULL : stderr) < 0) {
        fprintf(stderr, "memdiff: %s\n", err);
        rc = 1;
    } else if (rc != 0) {
        ma_html_abort(html);
    }
    if (rc == 0) {
        if (o.json) df_json(&r, stdout);
        else if (!html_path) df_text(&r, stdout);
    }
    fflush(stdout);
    int out_err = ferror(stdout);
    int incomplete = r.incomplete;
    df_run_free(&r);
    free(files);
    if (rc) return 1;
    if (out_err) {
        fprintf(stderr, "memdiff: error writing the report\n");
        return 1;
    }
    return incomplete ? 3 : 0;
}
