/* memanalyze.c — command-line entry point of the snapshot analyzer.
 *
 * Loads a dump (ma_load), analyzes it (ma_analyze: dominators, retained sizes, paths), then runs
 * views (analyze/views/): the default report, or the views the options ask for, as text or as
 * one JSON object. --check validates a dump without analyzing it (analyze/check.c).
 *
 * Exit status: 0 success; 1 the file could not be analyzed (missing, unreadable, not a dump,
 * nothing readable); 2 bad usage; 3 the dump is incomplete or damaged and the report covers only
 * what could be read before the damage (a warning says where).
 */
#include "check.h"
#include "export/export.h"
#include "html/html.h"
#include "ma_analysis.h"
#include "ma_dump.h"
#include "ma_load.h"
#include "ma_mem.h"
#include "ma_names.h"
#include "views/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fputs("usage: memanalyze [options] FILE.dump\n"
          "\n"
          "What is using memory, who keeps it alive, where it was allocated, what leaked.\n"
          "Without options: a report (header, memory totals, top dominators, suspects, types,\n"
          "allocation sites, leaks).\n"
          "\n"
          "Views (combine freely; each replaces the default report):\n"
          "  --by KEY           memory grouped by type|site|function|file|line|module|root\n"
          "  --stacks           allocation stacks merged into a tree (a text flame graph)\n"
          "  --collapsed        stacks as 'frame;frame;frame bytes' lines for flamegraph.pl/speedscope\n"
          "  --paths ADDR|TYPE  why is it alive: shortest path from a root, with edge labels\n"
          "  --leaks            unreachable native blocks by allocation stack (and Python garbage)\n"
          "  --suspects         large dominators followed down to where memory accumulates\n"
          "  --dominators, --types, --sites, --summary   one section of the report\n"
          "  --stats            time and memory the analysis took\n"
          "  --variables        Python: each live frame's locals and module globals, by retained size\n"
          "  --tasks            Python: memory retained by each asyncio task, where it is suspended\n"
          "  --c-held           Python: objects whose refcount is not explained (held from C)\n"
          "\n"
          "Export (repeatable; unless a view is also asked for, nothing else is printed):\n"
          "  --export pprof FILE.pb.gz    allocation sites as a pprof heap profile (go tool pprof)\n"
          "  --export heapsnapshot FILE   the object graph as a V8 heap snapshot for Chrome\n"
          "                               DevTools and memlab (name it *.heapsnapshot)\n"
          "  --export sqlite FILE.db      nodes, edges, roots, types, sites, frames and dominators\n"
          "                               as SQLite tables (README has example queries)\n"
          "  --html FILE.html             a self-contained interactive report: overview, dominator\n"
          "                               tree, allocation flame graph, tables, why-alive paths\n"
          "\n"
          "Options:\n"
          "  --json             one JSON object instead of text (schema in README)\n"
          "  --top N            rows per list (default 10 in the report, 25 for a view, 100 in\n"
          "                     JSON; 0 = all)\n"
          "  --min-percent P    --stacks: fold branches below P% of the total (default 0.5)\n"
          "  --debug-dir DIR    also look for debug files in DIR (and DIR/.build-id/xx/….debug);\n"
          "                     repeatable\n"
          "  -q, --quiet        no warnings on stderr\n"
          "  --check            validate the dump and print its record counts\n"
          "  -h, --help         this help\n"
          "\n"
          "Exit status: 0 ok, 1 cannot analyze the file, 2 usage, 3 incomplete dump (the report\n"
          "covers what was read before the damage).\n", f);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define MAX_VIEWS 16
#define MAX_DIRS 32
#define MAX_EXPORTS 8

int main(int argc, char **argv)
{
    const char *file = NULL;
    int check = 0, json = 0, quiet = 0, no_system = 0, top_set = 0;
    const ma_view *views[MAX_VIEWS];
    int nviews = 0;
    const char *dirs[MAX_DIRS];
    size_t ndirs = 0;
    ma_opts o = {.top = 10, .min_percent = 0.5};
    const char *exp_fmt[MAX_EXPORTS], *exp_path[MAX_EXPORTS];
    int nexports = 0;
    const char *html_path = NULL;

#define NEED_ARG() do { if (i + 1 >= argc) { \
        fprintf(stderr, "memanalyze: %s needs an argument\n", a); return 2; } } while (0)
#define ADD_VIEW(name) do { const ma_view *v_ = ma_view_find(name); int dup_ = 0; \
        for (int k_ = 0; k_ < nviews; k_++) dup_ |= views[k_] == v_; \
        if (!dup_ && nviews < MAX_VIEWS) views[nviews++] = v_; } while (0)

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) check = 1;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--no-system-debug")) no_system = 1;   /* tests: ignore /usr/lib/debug */
        else if (!strcmp(a, "--top")) {
            NEED_ARG();
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end || argv[i][0] == '-' || !argv[i][0]) {
                fprintf(stderr, "memanalyze: --top wants a number, not '%s'\n", argv[i]);
                return 2;
            }
            o.top = v;
            top_set = 1;
        } else if (!strcmp(a, "--min-percent")) {
            NEED_ARG();
            char *end;
            o.min_percent = strtod(argv[++i], &end);
            if (*end || o.min_percent < 0 || o.min_percent > 100) {
                fprintf(stderr, "memanalyze: --min-percent wants 0..100, not '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--by")) {
            NEED_ARG();
            o.by = argv[++i];
            if (!ma_by_valid(o.by)) {
                fprintf(stderr, "memanalyze: --by %s: use type, site, function, file, line, module or root\n", o.by);
                return 2;
            }
            ADD_VIEW("by");
        } else if (!strcmp(a, "--paths")) {
            NEED_ARG();
            o.paths = argv[++i];
            ADD_VIEW("paths");
        } else if (!strcmp(a, "--debug-dir")) {
            NEED_ARG();
            if (ndirs < MAX_DIRS) dirs[ndirs++] = argv[++i];
            else i++;
        } else if (!strcmp(a, "--export")) {
            if (i + 2 >= argc) {
                fprintf(stderr, "memanalyze: --export needs a format (%s) and an output file\n", ma_export_formats());
                return 2;
            }
            if (!ma_export_valid(argv[i + 1])) {
                fprintf(stderr, "memanalyze: --export %s: unknown format (use %s)\n", argv[i + 1], ma_export_formats());
                return 2;
            }
            if (nexports == MAX_EXPORTS) {
                fprintf(stderr, "memanalyze: at most %d --export options\n", MAX_EXPORTS);
                return 2;
            }
            exp_fmt[nexports] = argv[++i];
            exp_path[nexports++] = argv[++i];
        } else if (!strcmp(a, "--html")) {
            NEED_ARG();
            html_path = argv[++i];
        } else if (!strcmp(a, "--stacks")) ADD_VIEW("stacks");
        else if (!strcmp(a, "--collapsed")) ADD_VIEW("collapsed");
        else if (!strcmp(a, "--leaks")) ADD_VIEW("leaks");
        else if (!strcmp(a, "--suspects")) ADD_VIEW("suspects");
        else if (!strcmp(a, "--dominators")) ADD_VIEW("dominators");
        else if (!strcmp(a, "--types")) ADD_VIEW("types");
        else if (!strcmp(a, "--sites")) ADD_VIEW("sites");
        else if (!strcmp(a, "--summary")) ADD_VIEW("summary");
        else if (!strcmp(a, "--stats")) ADD_VIEW("stats");
        else if (!strcmp(a, "--variables")) ADD_VIEW("variables");
        else if (!strcmp(a, "--tasks")) ADD_VIEW("tasks");
        else if (!strcmp(a, "--c-held")) ADD_VIEW("c_held");
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "memanalyze: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (file) {
            fprintf(stderr, "memanalyze: more than one file given ('%s' and '%s')\n", file, a);
            return 2;
        } else file = a;
    }
    if (!file) { usage(stderr); return 2; }
    if (check) return md_check_file(file, stdout, stderr);
    int only_stats = nviews == 1 && views[0] == ma_view_find("stats");
    if (!top_set) o.top = json ? 100 : (nviews && !only_stats) ? 25 : 10;
    for (int k = 0; k < nviews; k++)
        if (json && views[k] == ma_view_find("collapsed")) {
            fprintf(stderr, "memanalyze: --collapsed is a text format; it cannot be combined with --json\n");
            return 2;
        }

    /* exports: create their temporary files first, so a bad destination fails before the work */
    char err[1024];
    ma_export *exports[MAX_EXPORTS];
    for (int k = 0; k < nexports; k++) {
        exports[k] = ma_export_open(exp_fmt[k], exp_path[k], err, sizeof err);
        if (!exports[k]) {
            fprintf(stderr, "memanalyze: %s\n", err);
            for (int x = 0; x < k; x++) ma_export_abort(exports[x]);
            return 1;
        }
    }
    ma_html *html = NULL;
    if (html_path && !(html = ma_html_open(html_path, err, sizeof err))) {
        fprintf(stderr, "memanalyze: %s\n", err);
        for (int k = 0; k < nexports; k++) ma_export_abort(exports[k]);
        return 1;
    }

    double t0 = now();
    ma_dump d;
    ma_dump_init(&d);
    int rc = ma_load(&d, file, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "memanalyze: %s\n", err);
        for (int k = 0; k < nexports; k++) ma_export_abort(exports[k]);
        ma_html_abort(html);
        ma_dump_free(&d);
        return 1;
    }
    if (rc > 0 && !quiet) {
        char *m = ma_load_summary(&d);
        fprintf(stderr, "memanalyze: warning: %s\n", m);
        free(m);
    }
    double t1 = now();
    ma_analysis a;
    ma_analyze(&a, &d, 0);
    double t2 = now();

    ma_names *nm = ma_names_open(&d, dirs, ndirs, no_system, quiet ? NULL : stderr);
    ma_json j;
    ma_ctx c = {.d = &d, .a = &a, .nm = nm, .o = &o, .out = stdout, .t_load = t1 - t0, .t_analyze = t2 - t1};
    int exp_failed = 0;
    for (int k = 0; k < nexports; k++)
        if (ma_export_run(exports[k], &c, err, sizeof err, quiet ? NULL : stderr) < 0) {
            fprintf(stderr, "memanalyze: %s\n", err);
            exp_failed = 1;
        }
    if (html && ma_html_analyze(html, &c, err, sizeof err, quiet ? NULL : stderr) < 0) {
        fprintf(stderr, "memanalyze: %s\n", err);
        exp_failed = 1;
    }
    if ((nexports || html_path) && nviews == 0 && !json) {
        /* export only: no report */
    } else if (json) {
        ma_json_init(&j, stdout);
        c.j = &j;
        ma_json_obj(&j, NULL);
        if (nviews == 0) {
            for (int k = 0; ma_report_json[k]; k++) ma_report_json[k]->json(&c);
        } else {
            ma_view_header.json(&c);
            ma_view_summary.json(&c);
            for (int k = 0; k < nviews; k++)
                if (views[k] != &ma_view_summary) views[k]->json(&c);
            ma_view_warnings.json(&c);
        }
        ma_json_end(&j);
    } else if (nviews == 0) {
        for (int k = 0; ma_report_text[k]; k++) ma_report_text[k]->text(&c);
    } else {
        int collapsed_only = nviews == 1 && views[0] == &ma_view_collapsed;
        if (!collapsed_only) ma_view_header.text(&c);
        for (int k = 0; k < nviews; k++) views[k]->text(&c);
    }
    fflush(stdout);
    int out_err = ferror(stdout);
    ma_ctx_free(&c);
    ma_names_close(nm);
    ma_analysis_free(&a);
    ma_dump_free(&d);
    if (out_err) {
        fprintf(stderr, "memanalyze: error writing the report\n");
        return 1;
    }
    if (exp_failed) return 1;
    return rc > 0 ? 3 : 0;
}
