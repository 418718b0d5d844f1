/* html_diff.c — memdiff --html: the report of a run over two or more dumps (see html.h).
 *
 * Everything comes from the finished df_run (analyze/diff/df_run.h) and its ranked rows
 * (df_report.h), the same rows memdiff's text and JSON print, in the same order. The overview is
 * plain HTML, growth sources first — what grew, how much it retains in each dump (a sparkline
 * with three or more dumps), the path that keeps it, what was added under it — then the total
 * change and the dumps. The data ("kind": "diff") holds:
 *
 *   files, summary     as memdiff --json has them (summary: first dump → last)
 *   sources            every growth source, ranked, as memdiff --json has them (not cut at --top)
 *   growth             {type, site, root}: per-key rows (HX_ROWS each) with the key's bytes and
 *                      count in every dump and its new/freed totals
 *   churn              allocations and frees per site between the first and last dump, and per
 *                      interval (from the agent's counters)
 *   flame              the growth flame graph: allocation stacks weighted by bytes added plus
 *                      bytes freed, each frame carrying both (html_diffflame.c)
 *   strings            texts of the flame graph's frames
 */
#include "html_internal.h"
#include "diff/df_bykey.h"
#include "diff/df_churn.h"
#include "diff/df_output.h"
#include "diff/df_report.h"
#include "diff/df_run.h"
#include "ma_mem.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *base(const char *path)
{
    if (!path) return "(dump)";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int64_t delta(uint64_t a, uint64_t b) { return (int64_t)b - (int64_t)a; }

/* ---- the overview (plain HTML) -------------------------------------------------------------- */

static void header_bar(FILE *f, const df_run *r)
{
    fputs("<header class=\"top\"><div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\"></span>memdiff</div>"
          "<div class=\"what\"><h1>", f);
    for (uint32_t i = 0; i < r->ndumps; i++) {
        if (i) fputs(" \xe2\x86\x92 ", f);
        hx_esc(f, base(r->files[i].path));
    }
    fputs("</h1><div class=\"meta\">", f);
    const df_file *a = &r->files[0];
    if (a->has_process) {
        fprintf(f, "pid %" PRIu64 " · ", a->pid);
        hx_esc(f, base(a->exe));
        if (*a->python_version) {
            fputs(" · Python ", f);
            hx_esc(f, a->python_version);
        }
    }
    fprintf(f, " · %u dumps</div></div></header>\n", r->ndumps);
}

static void tabs(FILE *f)
{
    static const char *const t[][2] = {{"overview", "Growth sources"}, {"flame", "Growth by stack"}, {"types", "Types"},
                                       {"sites", "Sites"}, {"roots", "Roots"}, {"churn", "Churn"}};
    fputs("<nav class=\"tabs js-only\" role=\"tablist\" aria-label=\"Report views\">", f);
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        fprintf(f, "<a role=\"tab\" id=\"tab-%s\" href=\"#%s\" aria-controls=\"%s\"%s>%s</a>", t[i][0], t[i][0], t[i][0],
                i ? " tabindex=\"-1\"" : " aria-selected=\"true\"", t[i][1]);
    fputs("</nav>\n", f);
}

static void stat_signed(FILE *f, const char *title, const char *id, int64_t d, uint64_t before, uint64_t after, int bytes)
{
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF];
    fprintf(f, "<div class=\"stat\" id=\"%s\"><div class=\"k\">%s</div><div class=\"v %s\">", id, title,
            d > 0 ? "up" : d < 0 ? "down" : "");
    if (bytes) hx_sbytes(f, d);
    else fprintf(f, "<span class=\"c\" data-count=\"%" PRId64 "\">%s%s</span>", d, d > 0 ? "+" : d < 0 ? "\xe2\x88\x92" : "",
                 ma_count(d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d, b1));
    fprintf(f, "</div><div class=\"sub\">%s \xe2\x86\x92 %s</div></div>", bytes ? ma_bytes(before, b1) : ma_count(before, b1),
            bytes ? ma_bytes(after, b2) : ma_count(after, b2));
}

static void source_html(FILE *f, const df_run *r, const df_source *s, uint64_t rank)
{
    uint32_t last = r->ndumps - 1;
    int steady = df_source_steady(r, s), series = r->nint > 1, isnew = !s->is_group && !s->present[0];
    fprintf(f, "<li data-rank=\"%" PRIu64 "\" class=\"%s\" tabindex=\"0\"><div class=\"head\">", rank,
            series && !steady ? "spike" : "");
    /* the headline: with a series, how much more it retains at the end than at the start (the
     * ranking of df_report.h); with two dumps, the growth found under it */
    fprintf(f, "<span class=\"growth up\" title=\"%s\">", series ? "retained in the last dump minus the first" :
            "bytes added under it minus bytes freed");
    hx_sbytes(f, series ? (int64_t)s->retained[last] - (int64_t)s->retained[0] : s->growth);
    fputs("</span><b>", f);
    hx_esc(f, s->is_group ? s->label : s->type);
    fputs("</b>", f);
    if (!s->is_group) fprintf(f, " <span class=\"mono dim\">0x%" PRIx64 "</span>", s->addr);
    else fputs(" <span class=\"dim\">(root group: growth spread over many objects)</span>", f);
    if (series) fputs(steady ? " <span class=\"badge\">steady</span>" : " <span class=\"badge new\">not steady</span>", f);
    if (isnew) fputs(" <span class=\"badge new\">new</span>", f);
    fputs("</div><div class=\"ret\">retained ", f);
    for (uint32_t k = 0; k <= last; k++) {
        if (k) fputs(" \xe2\x86\x92 ", f);
        if (s->present[k] || s->is_group) hx_bytes(f, s->retained[k]);
        else fputs("<span class=\"dim\">absent</span>", f);
    }
    if (series) {
        fputc(' ', f);
        hx_sparkline(f, s->retained, r->ndumps, "retained size in each dump");
    }
    fputs("</div>", f);
    fputs("<ol class=\"path\">", f);
    for (uint32_t k = 0; k < s->npath; k++) {
        fputs(k == 0 ? "<li class=\"root\">" : strncmp(s->path[k], "\xe2\x80\xa6 ", 4) ? "<li>" : "<li class=\"gap\">", f);
        hx_esc(f, s->path[k]);
        fputs("</li>", f);
    }
    fputs("</ol>", f);
    fputs("<div class=\"added\">", f);
    char b[MA_NUM_BUF];
    fprintf(f, "%s new objects (", ma_count(s->added_count, b));
    hx_bytes(f, s->added_bytes);
    fprintf(f, ") in #%u\xe2\x86\x92#%u", s->found_in + 1, s->found_in + 2);
    for (uint32_t k = 0; k < s->nadded_types && k < 3; k++) {
        fprintf(f, "%s%s \xc3\x97 ", k ? ", " : ": ", ma_count(s->added_types[k].count, b));
        hx_esc(f, s->added_types[k].key);
    }
    if (s->site_label) {
        fputs("<br>allocated at <span class=\"mono\">", f);
        hx_esc(f, s->site_label);
        fputs("</span>", f);
    }
    if (s->task) {
        fputs("<br>in asyncio task ", f);
        hx_esc(f, s->task);
    }
    fputs("</div></li>", f);
}

static void change_table(FILE *f, const df_run *r)
{
    const df_file *x = r->files;
    uint32_t n = r->ndumps;
    fputs("<table class=\"change\"><thead><tr><th></th>", f);
    for (uint32_t i = 0; i < n; i++) {
        if (i) fprintf(f, "<th>#%u\xe2\x86\x92#%u</th>", i, i + 1);
        fprintf(f, "<th>#%u</th>", i + 1);
    }
    fputs("<th>total</th>", f);
    if (n >= 3) fputs("<th>trend</th>", f);
    fputs("</tr></thead><tbody>", f);
    static const char *const names[3] = {"objects", "bytes", "RSS"};
    for (int what = 0; what < 3; what++) {
        uint64_t v[64], *vals = n <= 64 ? v : ma_malloc(n, sizeof *vals);
        int known = 1;
        for (uint32_t i = 0; i < n; i++) {
            vals[i] = what == 0 ? x[i].objects : what == 1 ? x[i].bytes : x[i].rss;
            if (what == 2 && !x[i].has_rss) known = 0;
        }
        if (known) {
            fprintf(f, "<tr id=\"total-%s\"><td>%s</td>", what == 0 ? "objects" : what == 1 ? "bytes" : "rss", names[what]);
            for (uint32_t i = 0; i < n; i++) {
                if (i) {
                    fputs("<td>", f);
                    if (what == 0) {
                        int64_t d = delta(vals[i - 1], vals[i]);
                        char b[MA_NUM_BUF];
                        fprintf(f, "<span class=\"c %s\" data-count=\"%" PRId64 "\">%s%s</span>", d > 0 ? "up" : d < 0 ? "down" : "", d,
                                d > 0 ? "+" : d < 0 ? "\xe2\x88\x92" : "", ma_count(d < 0 ? (uint64_t)-d : (uint64_t)d, b));
                    } else {
                        hx_sbytes(f, delta(vals[i - 1], vals[i]));
                    }
                    fputs("</td>", f);
                }
                fputs("<td>", f);
                if (what == 0) hx_count(f, vals[i]); else hx_bytes(f, vals[i]);
                fputs("</td>", f);
            }
            fputs("<td><b>", f);
            int64_t d = delta(vals[0], vals[n - 1]);
            if (what == 0) {
                char b[MA_NUM_BUF];
                fprintf(f, "<span class=\"c %s\" data-count=\"%" PRId64 "\">%s%s</span>", d > 0 ? "up" : d < 0 ? "down" : "", d,
                        d > 0 ? "+" : d < 0 ? "\xe2\x88\x92" : "", ma_count(d < 0 ? (uint64_t)-d : (uint64_t)d, b));
            } else {
                hx_sbytes(f, d);
            }
            fputs("</b></td>", f);
            if (n >= 3) {
                fputs("<td>", f);
                hx_sparkline(f, vals, n, names[what]);
                fputs("</td>", f);
            }
            fputs("</tr>", f);
        }
        if (vals != v) free(vals);
    }
    fputs("</tbody></table>\n", f);
}

static void files_table(FILE *f, const df_run *r)
{
    fputs("<table class=\"change files\"><thead><tr><th>#</th><th>dump</th><th>taken</th><th>objects</th><th>bytes</th>"
          "<th>RSS</th></tr></thead><tbody>", f);
    for (uint32_t i = 0; i < r->ndumps; i++) {
        const df_file *x = &r->files[i];
        char t[64];
        hx_time(x->time_ns, t, sizeof t);
        fprintf(f, "<tr><td>#%u</td><td class=\"mono\">", i + 1);
        hx_esc(f, x->path);
        fprintf(f, "%s</td><td>%s", x->complete ? "" : " (incomplete)", t);
        if (x->seq) fprintf(f, ", snapshot #%" PRIu64, x->seq);
        fputs("</td><td>", f);
        hx_count(f, x->objects);
        fputs("</td><td>", f);
        hx_bytes(f, x->bytes);
        fputs("</td><td>", f);
        if (x->has_rss) hx_bytes(f, x->rss); else fputs("—", f);
        fputs("</td></tr>", f);
    }
    fputs("</tbody></table>\n", f);
}

static void overview(FILE *f, const df_run *r)
{
    const df_file *a = &r->files[0], *z = &r->files[r->ndumps - 1];
    uint64_t nwb = 0, frb = 0;
    for (uint32_t i = 0; i < r->nint; i++) {
        nwb += r->iv[i].new_bytes;
        frb += r->iv[i].freed_bytes;
    }
    fputs("<section id=\"overview\" class=\"view\" aria-label=\"Growth sources\">\n", f);
    if (r->warnings.n) {
        fputs("<div class=\"warn\" role=\"note\"><strong>Warnings</strong><ul>", f);
        for (uint32_t i = 0; i < r->warnings.n; i++) {
            fputs("<li>", f);
            hx_esc(f, r->warnings.v[i]);
            fputs("</li>", f);
        }
        fputs("</ul></div>\n", f);
    }
    fputs("<div class=\"stats\">", f);
    stat_signed(f, "Live heap", "d-bytes", delta(a->bytes, z->bytes), a->bytes, z->bytes, 1);
    stat_signed(f, "Objects", "d-objects", delta(a->objects, z->objects), a->objects, z->objects, 0);
    if (a->has_rss && z->has_rss) stat_signed(f, "Resident memory (RSS)", "d-rss", delta(a->rss, z->rss), a->rss, z->rss, 1);
    fputs("<div class=\"stat\" id=\"d-turnover\"><div class=\"k\">Allocated in between</div><div class=\"v\">", f);
    hx_bytes(f, nwb);
    fputs("</div><div class=\"sub\">in new objects; ", f);
    hx_bytes(f, frb);
    fputs(" freed</div></div></div>\n", f);

    uint64_t *ord;
    uint64_t n = df_report_sources(r, &ord);
    fprintf(f, "<h2>Growth sources <small>%s</small></h2>\n",
            r->nint > 1 ? "where the added memory accumulates; steady growth (up in every interval) first"
                        : "where the added memory accumulates, largest growth first");
    if (!n) fputs("<p class=\"dim\">None: no structure gained memory.</p>\n", f);
    else fputs("<ol class=\"sources\">", f);
    for (uint64_t i = 0; i < n; i++) source_html(f, r, &r->src[ord[i]], i);
    if (n) fputs("</ol>\n", f);
    free(ord);

    fputs("<h2>Total change</h2>\n<div class=\"hscroll\">", f);
    change_table(f, r);
    fputs("</div>\n<h2>Dumps</h2>\n<div class=\"hscroll\">", f);
    files_table(f, r);
    fputs("</div>\n", f);
    fputs("<noscript><p class=\"warn\">The growth flame graph and the tables need JavaScript; the numbers above are "
          "complete without it.</p></noscript>\n</section>\n", f);
}

/* ---- data --------------------------------------------------------------------------------------- */

static void sources_json(const df_run *r, hx_json *j)
{
    uint64_t *ord;
    uint64_t n = df_report_sources(r, &ord);
    hx_arr(j, "sources");
    for (uint64_t i = 0; i < n; i++) df_json_source(r, &r->src[ord[i]], j);
    hx_end(j);
    free(ord);
}

static void growth_json(const df_run *r, hx_json *j)
{
    hx_obj(j, "growth");
    for (int k = 0; k < DF_KINDS; k++) {
        df_keyrow *rows;
        uint64_t n = df_report_keys(r, (df_kind)k, &rows), shown = n < HX_ROWS ? n : HX_ROWS;
        const df_table *t = &r->tab[k];
        hx_obj(j, df_kind_names[k]);
        hx_u64(j, "total", n);
        hx_arr(j, "rows");
        for (uint64_t i = 0; i < shown; i++) {
            const df_keyrow *x = &rows[i];
            hx_obj(j, NULL);
            df_json_keyrow(r, x, j);
            hx_bool(j, "steady", x->steady);
            hx_arr(j, "bytes");
            for (uint32_t d = 0; d < r->ndumps; d++) hx_u64(j, NULL, df_tot(t, x->key, d)[DF_T_BYTES]);
            hx_end(j);
            hx_arr(j, "count");
            for (uint32_t d = 0; d < r->ndumps; d++) hx_u64(j, NULL, df_tot(t, x->key, d)[DF_T_COUNT]);
            hx_end(j);
            hx_arr(j, "retained");
            for (uint32_t d = 0; d < r->ndumps; d++) hx_u64(j, NULL, df_tot(t, x->key, d)[DF_T_RETAINED]);
            hx_end(j);
            hx_end(j);
        }
        hx_end(j);
        hx_end(j);
        free(rows);
    }
    hx_end(j);
}

static void churn_json(const df_run *r, hx_json *j)
{
    df_churnrow *rows;
    uint64_t n = df_report_churn(r, &rows), shown = n < HX_ROWS ? n : HX_ROWS;
    hx_obj(j, "churn");
    hx_u64(j, "total", n);
    int counters = 0;
    for (uint32_t i = 0; i < r->ndumps; i++) counters |= r->files[i].has_counters;
    hx_bool(j, "counters", counters);
    hx_arr(j, "rows");
    for (uint64_t i = 0; i < shown; i++) {
        const df_churnrow *x = &rows[i];
        hx_obj(j, NULL);
        hx_str(j, "site", r->keys.site[x->key].label);
        hx_u64(j, "allocs", x->allocs);
        hx_u64(j, "frees", x->frees);
        hx_u64(j, "bytes", x->bytes);
        hx_u64(j, "bytes_freed", x->bytes_freed);
        hx_arr(j, "per_interval");
        for (uint32_t k = 0; k < r->nint; k++) hx_u64(j, NULL, df_ctr_delta(&r->churn, x->key, k, k + 1, DF_K_BYTES));
        hx_end(j);
        hx_end(j);
    }
    hx_end(j);
    hx_end(j);
    free(rows);
}

int ma_html_diff(ma_html *h, const df_run *r, char *err, size_t errlen, FILE *summary)
{
    FILE *f = h->f;
    char title[256], note[160] = "";
    snprintf(title, sizeof title, "memdiff · %s → %s", base(r->files[0].path), base(r->files[r->ndumps - 1].path));
    hx_page_begin(f, title, "diff");
    header_bar(f, r);
    tabs(f);
    fputs("<div class=\"layout\"><main id=\"main\">\n", f);
    overview(f, r);
    static const char *const views[] = {"flame", "types", "sites", "roots", "churn"};
    for (size_t i = 0; i < sizeof views / sizeof *views; i++)
        fprintf(f, "<section id=\"%s\" class=\"view js-only\" hidden></section>\n", views[i]);
    fputs("</main>\n<aside id=\"details\" class=\"js-only\" aria-label=\"Details\" aria-live=\"polite\"></aside></div>\n", f);

    ma_intern strs;
    ma_intern_init(&strs);
    hx_s(&strs, "");
    hx_json j;
    hx_json_open(&j, f);
    hx_obj(&j, NULL);
    hx_str(&j, "kind", "diff");
    hx_u64(&j, "version", 1);
    hx_u64(&j, "ndumps", r->ndumps);
    df_json_files(r, &j);
    df_json_summary(r, &j);
    sources_json(r, &j);
    growth_json(r, &j);
    churn_json(r, &j);
    hx_diffflame_json(r, &j, &strs, note, sizeof note);
    hx_arr(&j, "warnings");
    for (uint32_t i = 0; i < r->warnings.n; i++) hx_str(&j, NULL, r->warnings.v[i]);
    hx_end(&j);
    hx_strings(&j, "strings", &strs);
    hx_end(&j);
    hx_json_close(&j, f);
    hx_page_end(f, "diff");
    ma_intern_free(&strs);
    return hx_finish(h, "memdiff", note, err, errlen, summary);
}
