/* df_text.c — memdiff's text report.
 *
 * Two dumps: before / after / change columns. Three or more: one column per interval (#1→#2,
 * #2→#3, …, at most DF_TEXT_INTERVALS of them; --json has them all) and the total, with steady
 * growth marked and ranked first. Sizes in binary units, counts with separators, signed changes
 * with an explicit sign; every list is cut at --top.
 */
#include "df_output.h"
#include "df_bykey.h"
#include "df_churn.h"
#include "df_report.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DF_TEXT_INTERVALS 8

/* sign then text, within MA_NUM_BUF (the numbers are far shorter) */
static char *signed_text(char *buf, const char *sign, const char *t)
{
    size_t ls = strlen(sign), lt = strnlen(t, MA_NUM_BUF - 1 - ls);
    memcpy(buf, sign, ls);
    memcpy(buf + ls, t, lt);
    buf[ls + lt] = 0;
    return buf;
}

/* "+1.50 KiB", "-512 B", "0 B" */
static char *sbytes(int64_t v, char *buf)
{
    char t[MA_NUM_BUF];
    return signed_text(buf, v > 0 ? "+" : "", ma_sbytes(v, t));
}

/* "+1,234", "-5", "0" */
static char *scount(int64_t v, char *buf)
{
    char t[MA_NUM_BUF];
    ma_count(v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v, t);
    return signed_text(buf, v > 0 ? "+" : v < 0 ? "-" : "", t);
}

static void format_time(uint64_t ns, char *buf, size_t len)
{
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, len, "unknown time");
}

static uint32_t shown_intervals(const df_run *r)
{
    return r->nint < DF_TEXT_INTERVALS ? r->nint : DF_TEXT_INTERVALS;
}

/* ---- header and totals ------------------------------------------------------------------------ */

static void header(const df_run *r, FILE *f)
{
    fprintf(f, "memdiff: ");
    for (uint32_t i = 0; i < r->ndumps; i++) fprintf(f, "%s%s", i ? " → " : "", r->files[i].path);
    fputc('\n', f);
    const df_file *first = &r->files[0];
    if (first->has_process) {
        fprintf(f, "  process   pid %" PRIu64 ", %s\n", first->pid, first->exe);
        if (*first->cmdline) fprintf(f, "  command   %s\n", first->cmdline);
        if (*first->python_version) fprintf(f, "  python    %s\n", first->python_version);
    }
    for (uint32_t i = 0; i < r->ndumps; i++) {
        const df_file *x = &r->files[i];
        char tb[64];
        if (i == 0 || !x->time_ns || !r->files[i - 1].time_ns) format_time(x->time_ns, tb, sizeof tb);
        else snprintf(tb, sizeof tb, "%.1f s after #%u", ((double)x->time_ns - (double)r->files[i - 1].time_ns) / 1e9, i);
        fprintf(f, "  #%-8u %s, %s", i + 1, x->path, tb);
        if (x->seq) fprintf(f, ", snapshot #%" PRIu64, x->seq);
        fprintf(f, "%s\n", x->complete ? "" : " (INCOMPLETE)");
    }
    for (uint32_t i = 0; i < r->warnings.n; i++) fprintf(f, "  WARNING   %s\n", r->warnings.v[i]);
}

/* Cells of one row, built left to right (each at most CELL bytes). */
#define CELL 256
typedef struct row {
    char cell[MA_TABLE_MAXCOLS][CELL];
    const char *ptr[MA_TABLE_MAXCOLS];
    int n;
} row;

static char *next_cell(row *x)
{
    if (x->n >= MA_TABLE_MAXCOLS) x->n = MA_TABLE_MAXCOLS - 1;    /* never: callers stay within */
    x->ptr[x->n] = x->cell[x->n];
    return x->cell[x->n++];
}

static void put(row *x, const char *s) { snprintf(next_cell(x), CELL, "%s", s); }

static void add_row(ma_table *t, row *x)
{
    ma_table_rowv(t, x->ptr, x->n);
    x->n = 0;
}

/* A value of one dump for the totals table: objects, bytes or RSS. */
static uint64_t total_of(const df_file *x, int what)
{
    return what == 0 ? x->objects : what == 1 ? x->bytes : x->rss;
}

static void put_value(row *x, uint64_t v, int what)
{
    char b[MA_NUM_BUF];
    put(x, what == 0 ? ma_count(v, b) : ma_bytes(v, b));
}

static void put_delta(row *x, int64_t v, int what)
{
    char b[MA_NUM_BUF];
    put(x, what == 0 ? scount(v, b) : sbytes(v, b));
}

static void totals(const df_run *r, FILE *f)
{
    char b[4][MA_NUM_BUF];
    uint32_t last = r->ndumps - 1, ni = shown_intervals(r);
    fprintf(f, "\nTotal change\n");
    int have_rss = 1;
    for (uint32_t i = 0; i < r->ndumps; i++) have_rss &= r->files[i].has_rss;
    /* two dumps: before, after, change; more: first, each interval's change, last, total */
    row h = {.n = 0};
    put(&h, "");
    if (r->nint == 1) {
        put(&h, "RIGHT:before");
        put(&h, "RIGHT:after");
        put(&h, "RIGHT:change");
    } else {
        put(&h, "RIGHT:#1");
        for (uint32_t j = 0; j < ni; j++) snprintf(next_cell(&h), CELL, "RIGHT:#%u→#%u", j + 1, j + 2);
        snprintf(next_cell(&h), CELL, "RIGHT:#%u", last + 1);
        put(&h, "RIGHT:total");
    }
    ma_table t;
    ma_table_initv(&t, h.ptr, h.n);
    static const char *const names[] = {"objects", "bytes", "RSS"};
    for (int what = 0; what < 3; what++) {
        row x = {.n = 0};
        put(&x, names[what]);
        if (what == 2 && !have_rss) {
            put(&x, "unknown");
            add_row(&t, &x);
            continue;
        }
        put_value(&x, total_of(&r->files[0], what), what);
        if (r->nint > 1)
            for (uint32_t j = 0; j < ni; j++)
                put_delta(&x, (int64_t)total_of(&r->files[j + 1], what) - (int64_t)total_of(&r->files[j], what), what);
        put_value(&x, total_of(&r->files[last], what), what);
        put_delta(&x, (int64_t)total_of(&r->files[last], what) - (int64_t)total_of(&r->files[0], what), what);
        add_row(&t, &x);
    }
    ma_table_print(&t, f, "  ");
    ma_table_free(&t);
    uint64_t nw = 0, nwb = 0, fr = 0, frb = 0;
    for (uint32_t j = 0; j < r->nint; j++) {
        nw += r->iv[j].new_objects;
        nwb += r->iv[j].new_bytes;
        fr += r->iv[j].freed_objects;
        frb += r->iv[j].freed_bytes;
    }
    fprintf(f, "  objects: %s new (%s), %s freed (%s)", ma_count(nw, b[0]), ma_bytes(nwb, b[1]), ma_count(fr, b[2]),
            ma_bytes(frb, b[3]));
    if (r->nint == 1) {
        fprintf(f, ", %s kept", ma_count(r->iv[0].kept, b[0]));
        if (r->iv[0].resized)
            fprintf(f, " (%s resized in place, %s)", ma_count(r->iv[0].resized, b[1]), sbytes(r->iv[0].resized_bytes, b[2]));
    } else {
        fprintf(f, ", summed over %u intervals", r->nint);
    }
    fputc('\n', f);
    if (ni < r->nint) fprintf(f, "  (%u intervals; the text shows the first %u, --json has all)\n", r->nint, ni);
}

/* ---- sources ---------------------------------------------------------------------------------- */

static void added_line(FILE *f, const char *title, const df_added *x, uint32_t n)
{
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF];
    fprintf(f, "       %-8s ", title);
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s%s × %s (%s)", i ? ", " : "", ma_count(x[i].count, b1), x[i].key, ma_bytes(x[i].bytes, b2));
    fputc('\n', f);
}

static void sources(const df_run *r, FILE *f)
{
    uint64_t *ord;
    uint64_t n = df_report_sources(r, &ord), rows = df_rows(r, n);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], note[160];
    uint32_t last = r->ndumps - 1;
    if (r->nint == 1) snprintf(note, sizeof note, "where the added memory accumulates; %" PRIu64 " of %" PRIu64, rows, n);
    else snprintf(note, sizeof note, "steady growth first: retained size at each dump; %" PRIu64 " of %" PRIu64, rows, n);
    fprintf(f, "\nGrowth sources (%s)\n", note);
    if (!n) fprintf(f, "  none: no structure's memory grew\n");
    for (uint64_t i = 0; i < rows; i++) {
        const df_source *s = &r->src[ord[i]];
        char hb[32];
        snprintf(hb, sizeof hb, "0x%" PRIx64, s->addr);
        fprintf(f, "  %" PRIu64 ". %s", i + 1, r->nint > 1 && df_source_steady(r, s) ? "steady: " : "");
        if (s->is_group) fprintf(f, "%s (root: the growth is spread over many objects it holds)\n", s->label);
        else if (s->new_in_found) fprintf(f, "%s at %s, new in %s\n", s->type, hb, r->files[s->found_in + 1].path);
        else fprintf(f, "%s at %s\n", s->type, hb);
        fprintf(f, "       %-8s ", "retained");
        for (uint32_t j = 0; j <= last; j++)
            fprintf(f, "%s%s", j ? " → " : "", s->present[j] || s->retained[j] ? ma_bytes(s->retained[j], b1) : "none");
        if (r->nint == 1) {
            fprintf(f, "  (growth %s: new minus freed objects under it)\n", sbytes(s->growth, b2));
        } else {
            fprintf(f, "  (");
            for (uint32_t j = 0; j < r->nint; j++)
                fprintf(f, "%s%s", j ? ", " : "", sbytes((int64_t)s->retained[j + 1] - (int64_t)s->retained[j], b2));
            fprintf(f, ")\n");
        }
        char *path = ma_path_join(s->path, s->npath);
        fprintf(f, "       %-8s %s\n", "path", path);
        free(path);
        if (s->task) fprintf(f, "       %-8s '%s' (asyncio)\n", "task", s->task);
        if (s->site_label) fprintf(f, "       %-8s %s\n", "site", s->site_label);
        if (s->added_count) {
            fprintf(f, "       %-8s %s new object%s, %s", "added", ma_count(s->added_count, b1), s->added_count == 1 ? "" : "s",
                    ma_bytes(s->added_bytes, b2));
            if (r->nint > 1) fprintf(f, " (in #%u→#%u)", s->found_in + 1, s->found_in + 2);
            fputc('\n', f);
            added_line(f, "types", s->added_types, s->nadded_types);
            /* a dump without allocation stacks has one site, "(no stack recorded)": say nothing */
            if (s->nadded_sites > 1 || (s->nadded_sites == 1 && strcmp(s->added_sites[0].key, "(no stack recorded)")))
                added_line(f, "sites", s->added_sites, s->nadded_sites);
        }
    }
    free(ord);
}

/* ---- growth by key ---------------------------------------------------------------------------- */

static void bykey(const df_run *r, df_kind kind, FILE *f)
{
    df_keyrow *rows;
    uint64_t n = df_report_keys(r, kind, &rows), shown = df_rows(r, n);
    char b[4][MA_NUM_BUF];
    static const char *const titles[DF_KINDS] = {"type", "allocation site", "root"};
    fprintf(f, "\nGrowth by %s (%" PRIu64 " of %" PRIu64 " that changed, %s)\n", titles[kind], shown, n,
            r->nint > 1 ? "steady growth first" : "by net bytes");
    if (!n) {
        fprintf(f, "  no change\n");
        free(rows);
        return;
    }
    ma_table t;
    if (r->nint == 1) {
        ma_table_init(&t, "RIGHT:net bytes", "RIGHT:net count", "RIGHT:new", "RIGHT:freed", "RIGHT:retained after",
                      df_kind_names[kind], NULL);
        for (uint64_t i = 0; i < shown; i++) {
            const df_keyrow *x = &rows[i];
            char nw[80], fr[80];
            snprintf(nw, sizeof nw, "%s (%s)", ma_count(x->new_count, b[0]), ma_bytes(x->new_bytes, b[1]));
            snprintf(fr, sizeof fr, "%s (%s)", ma_count(x->freed_count, b[0]), ma_bytes(x->freed_bytes, b[1]));
            ma_table_row(&t, sbytes(x->bytes_delta, b[2]), scount(x->count_delta, b[3]), nw, fr,
                         ma_bytes(df_tot(&r->tab[kind], x->key, 1)[DF_T_RETAINED], b[0]), df_key_text(r, kind, x->key),
                         NULL);
        }
    } else {
        uint32_t ni = shown_intervals(r);
        row h = {.n = 0};
        for (uint32_t j = 0; j < ni; j++) snprintf(next_cell(&h), CELL, "RIGHT:#%u→#%u", j + 1, j + 2);
        put(&h, "RIGHT:total");
        put(&h, "RIGHT:count");
        put(&h, "");
        put(&h, df_kind_names[kind]);
        ma_table_initv(&t, h.ptr, h.n);
        for (uint64_t i = 0; i < shown; i++) {
            const df_keyrow *x = &rows[i];
            row c = {.n = 0};
            for (uint32_t j = 0; j < ni; j++) put_delta(&c, df_key_delta(r, kind, x->key, j, 1), 1);
            put_delta(&c, x->bytes_delta, 1);
            put_delta(&c, x->count_delta, 0);
            put(&c, x->steady ? "steady" : "");
            put(&c, df_key_text(r, kind, x->key));
            add_row(&t, &c);
        }
    }
    ma_table_print(&t, f, "  ");
    ma_table_free(&t);
    free(rows);
}

/* ---- churn ------------------------------------------------------------------------------------ */

static void churn(const df_run *r, FILE *f)
{
    int have = 1;
    for (uint32_t i = 0; i < r->ndumps; i++) have &= r->files[i].has_counters;
    fprintf(f, "\nChurn (allocations and frees in between, from the per-site counters");
    if (!have) {
        fprintf(f, ")\n  no counters: %s\n", r->ndumps == 2 ? "a dump was taken without per-site counters (memdump run --native, or --python-sites)"
                                                          : "some dumps were taken without per-site counters (memdump run --native, or --python-sites)");
        return;
    }
    df_churnrow *rows;
    uint64_t n = df_report_churn(r, &rows), shown = df_rows(r, n);
    char b[5][MA_NUM_BUF];
    fprintf(f, "; %" PRIu64 " of %" PRIu64 " sites, by bytes allocated)\n", shown, n);
    if (!n) {
        fprintf(f, "  no allocations between the snapshots\n");
        free(rows);
        return;
    }
    ma_table t;
    ma_table_init(&t, "RIGHT:allocs", "RIGHT:frees", "RIGHT:allocated", "RIGHT:freed", "RIGHT:live change", "site", NULL);
    for (uint64_t i = 0; i < shown; i++) {
        const df_churnrow *x = &rows[i];
        ma_table_row(&t, ma_count(x->allocs, b[0]), ma_count(x->frees, b[1]), ma_bytes(x->bytes, b[2]),
                     ma_bytes(x->bytes_freed, b[3]), scount((int64_t)x->allocs - (int64_t)x->frees, b[4]),
                     df_key_text(r, DF_SITE, x->key), NULL);
    }
    ma_table_print(&t, f, "  ");
    ma_table_free(&t);
    free(rows);
}

void df_text(const df_run *r, FILE *f)
{
    header(r, f);
    totals(r, f);
    sources(r, f);
    for (int k = 0; k < DF_KINDS; k++)
        if (r->o.by & (1u << k)) bykey(r, (df_kind)k, f);
    churn(r, f);
}
