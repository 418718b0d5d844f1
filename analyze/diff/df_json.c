/* df_json.c — memdiff --json: one object, stable schema (README documents it).
 *
 *   {
 *     "memdiff": 1,
 *     "files":   [{file, complete, incomplete, pid, exe, time_ns, seq, objects, bytes, rss}],
 *     "summary": {objects_delta, bytes_delta, rss_delta,            first dump → last
 *                 objects_before, objects_after, bytes_before, bytes_after, rss_before, rss_after,
 *                 new_objects, new_bytes, freed_objects, freed_bytes,   summed over intervals
 *                 kept_objects, resized_objects, resized_bytes,         last interval
 *                 per_interval: [{objects_delta, bytes_delta, rss_delta, new_objects, new_bytes,
 *                                 freed_objects, freed_bytes}]},
 *     "sources": [{label, type, group, addr, path: [..], site: {function, file, line} | null,
 *                  site_label, task, retained_before, retained_after, growth, new, steady,
 *                  retained: [per dump], found_in, added: {objects, bytes,
 *                  types: [{key, count, bytes}], sites: [{key, count, bytes}]}}],
 *     "growth":  [{kind, key, count_delta, bytes_delta, new_count, new_bytes, freed_count,
 *                  freed_bytes, resized_bytes, retained_before, retained_after, steady,
 *                  per_interval: [{count_delta, bytes_delta}]}],
 *     "churn":   [{function, file, line, site, allocs, frees, bytes, bytes_freed,
 *                  per_interval: [{allocs, frees, bytes}]}],
 *     "warnings": ["..."]
 *   }
 *
 * Sizes are integer bytes; unknown values are null (rss when a dump has no ALLOCATOR record,
 * site when a node has no allocation stack). "before"/"after" are the first and the last dump.
 * Every list is sorted largest first (the ranking of df_report.h: with three or more dumps,
 * steady growth first) and cut at --top (default 100; per kind for "growth"). "growth" holds the
 * kinds --by selects (type and site by default), merged into one list sorted by bytes_delta;
 * "churn" is empty when the dumps carry no counters (neither --native nor --python-sites).
 *
 * The pieces the HTML report's data shares (files, summary, a source, a growth row's deltas) are
 * public (df_output.h), so the report and --json describe a run in the same words.
 */
#include "df_output.h"
#include "df_bykey.h"
#include "df_churn.h"
#include "df_report.h"
#include "ma_json.h"
#include "ma_mem.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void df_json_files(const df_run *r, ma_json *j)
{
    ma_json_arr(j, "files");
    for (uint32_t i = 0; i < r->ndumps; i++) {
        const df_file *x = &r->files[i];
        ma_json_obj(j, NULL);
        ma_json_str(j, "file", x->path);
        ma_json_bool(j, "complete", x->complete);
        ma_json_str(j, "incomplete", x->incomplete);
        if (x->has_process) {
            ma_json_u64(j, "pid", x->pid);
            ma_json_str(j, "exe", x->exe);
            ma_json_u64(j, "time_ns", x->time_ns);
        } else {
            ma_json_null(j, "pid");
            ma_json_null(j, "exe");
            ma_json_null(j, "time_ns");
        }
        ma_json_u64(j, "seq", x->seq);
        ma_json_u64(j, "objects", x->objects);
        ma_json_u64(j, "bytes", x->bytes);
        if (x->has_rss) ma_json_u64(j, "rss", x->rss);
        else ma_json_null(j, "rss");
        ma_json_end(j);
    }
    ma_json_end(j);
}

static void rss_delta(ma_json *j, const char *key, const df_file *a, const df_file *b)
{
    if (a->has_rss && b->has_rss) ma_json_i64(j, key, (int64_t)b->rss - (int64_t)a->rss);
    else ma_json_null(j, key);
}

void df_json_summary(const df_run *r, ma_json *j)
{
    const df_file *a = &r->files[0], *z = &r->files[r->ndumps - 1];
    uint64_t nw = 0, nwb = 0, fr = 0, frb = 0;
    for (uint32_t i = 0; i < r->nint; i++) {
        nw += r->iv[i].new_objects;
        nwb += r->iv[i].new_bytes;
        fr += r->iv[i].freed_objects;
        frb += r->iv[i].freed_bytes;
    }
    const df_interval *lastiv = &r->iv[r->nint - 1];
    ma_json_obj(j, "summary");
    ma_json_i64(j, "objects_delta", (int64_t)z->objects - (int64_t)a->objects);
    ma_json_i64(j, "bytes_delta", (int64_t)z->bytes - (int64_t)a->bytes);
    rss_delta(j, "rss_delta", a, z);
    ma_json_u64(j, "objects_before", a->objects);
    ma_json_u64(j, "objects_after", z->objects);
    ma_json_u64(j, "bytes_before", a->bytes);
    ma_json_u64(j, "bytes_after", z->bytes);
    if (a->has_rss) ma_json_u64(j, "rss_before", a->rss); else ma_json_null(j, "rss_before");
    if (z->has_rss) ma_json_u64(j, "rss_after", z->rss); else ma_json_null(j, "rss_after");
    ma_json_u64(j, "new_objects", nw);
    ma_json_u64(j, "new_bytes", nwb);
    ma_json_u64(j, "freed_objects", fr);
    ma_json_u64(j, "freed_bytes", frb);
    ma_json_u64(j, "kept_objects", lastiv->kept);
    ma_json_u64(j, "resized_objects", lastiv->resized);
    ma_json_i64(j, "resized_bytes", lastiv->resized_bytes);
    ma_json_arr(j, "per_interval");
    for (uint32_t i = 0; i < r->nint; i++) {
        const df_file *p = &r->files[i], *q = &r->files[i + 1];
        ma_json_obj(j, NULL);
        ma_json_i64(j, "objects_delta", (int64_t)q->objects - (int64_t)p->objects);
        ma_json_i64(j, "bytes_delta", (int64_t)q->bytes - (int64_t)p->bytes);
        rss_delta(j, "rss_delta", p, q);
        ma_json_u64(j, "new_objects", r->iv[i].new_objects);
        ma_json_u64(j, "new_bytes", r->iv[i].new_bytes);
        ma_json_u64(j, "freed_objects", r->iv[i].freed_objects);
        ma_json_u64(j, "freed_bytes", r->iv[i].freed_bytes);
        ma_json_end(j);
    }
    ma_json_end(j);
    ma_json_end(j);
}

static void added(ma_json *j, const char *key, const df_added *x, uint32_t n)
{
    ma_json_arr(j, key);
    for (uint32_t i = 0; i < n; i++) {
        ma_json_obj(j, NULL);
        ma_json_str(j, "key", x[i].key);
        ma_json_u64(j, "count", x[i].count);
        ma_json_u64(j, "bytes", x[i].bytes);
        ma_json_end(j);
    }
    ma_json_end(j);
}

void df_json_source(const df_run *r, const df_source *s, ma_json *j)
{
    uint32_t last = r->ndumps - 1;
    ma_json_obj(j, NULL);
    ma_json_str(j, "label", s->label);
    ma_json_str(j, "type", s->type);
    ma_json_bool(j, "group", s->is_group);
    if (s->is_group) {
        ma_json_null(j, "addr");
    } else {
        char hb[32];
        snprintf(hb, sizeof hb, "0x%" PRIx64, s->addr);
        ma_json_str(j, "addr", hb);
    }
    ma_json_arr(j, "path");
    for (uint32_t k = 0; k < s->npath; k++) ma_json_str(j, NULL, s->path[k]);
    ma_json_end(j);
    if (s->site_label) {
        ma_json_obj(j, "site");
        ma_json_str(j, "function", s->site_function);
        ma_json_str(j, "file", s->site_file);
        ma_json_u64(j, "line", s->site_line);
        ma_json_end(j);
    } else {
        ma_json_null(j, "site");
    }
    ma_json_str(j, "site_label", s->site_label);
    ma_json_str(j, "task", s->task);
    ma_json_u64(j, "retained_before", s->retained[0]);
    ma_json_u64(j, "retained_after", s->retained[last]);
    ma_json_i64(j, "growth", s->growth);
    ma_json_bool(j, "new", !s->is_group && !s->present[0]);
    ma_json_bool(j, "steady", df_source_steady(r, s));
    ma_json_arr(j, "retained");
    for (uint32_t k = 0; k <= last; k++) ma_json_u64(j, NULL, s->retained[k]);
    ma_json_end(j);
    ma_json_u64(j, "found_in", s->found_in);
    ma_json_obj(j, "added");
    ma_json_u64(j, "objects", s->added_count);
    ma_json_u64(j, "bytes", s->added_bytes);
    added(j, "types", s->added_types, s->nadded_types);
    added(j, "sites", s->added_sites, s->nadded_sites);
    ma_json_end(j);
    ma_json_end(j);
}

static void sources(const df_run *r, ma_json *j)
{
    uint64_t *ord;
    uint64_t n = df_report_sources(r, &ord), rows = df_rows(r, n);
    ma_json_arr(j, "sources");
    for (uint64_t i = 0; i < rows; i++) {
        df_json_source(r, &r->src[ord[i]], j);
    }
    ma_json_end(j);
    free(ord);
}

void df_json_keyrow(const df_run *r, const df_keyrow *x, ma_json *j)
{
    ma_json_str(j, "key", df_key_text(r, x->kind, x->key));
    ma_json_i64(j, "count_delta", x->count_delta);
    ma_json_i64(j, "bytes_delta", x->bytes_delta);
    ma_json_u64(j, "new_count", x->new_count);
    ma_json_u64(j, "new_bytes", x->new_bytes);
    ma_json_u64(j, "freed_count", x->freed_count);
    ma_json_u64(j, "freed_bytes", x->freed_bytes);
}

static int series_sort;

static int cmp_merged(const void *x, const void *y)
{
    const df_keyrow *p = x, *q = y;
    if (series_sort && p->steady != q->steady) return p->steady ? -1 : 1;
    if (p->bytes_delta != q->bytes_delta) return p->bytes_delta > q->bytes_delta ? -1 : 1;
    if (p->count_delta != q->count_delta) return p->count_delta > q->count_delta ? -1 : 1;
    if (p->kind != q->kind) return p->kind < q->kind ? -1 : 1;
    return p->key < q->key ? -1 : p->key > q->key;
}

static void growth(const df_run *r, ma_json *j)
{
    df_keyrow *all = NULL;
    uint64_t n = 0, cap = 0;
    for (int k = 0; k < DF_KINDS; k++) {
        if (!(r->o.by & (1u << k))) continue;
        df_keyrow *rows;
        uint64_t m = df_report_keys(r, (df_kind)k, &rows), keep = df_rows(r, m);
        if (keep) {
            ma_grow((void **)&all, &cap, n + keep, sizeof *all);
            memcpy(all + n, rows, keep * sizeof *rows);
            n += keep;
        }
        free(rows);
    }
    series_sort = r->nint > 1;
    if (n > 1) qsort(all, n, sizeof *all, cmp_merged);
    uint32_t last = r->ndumps - 1;
    ma_json_arr(j, "growth");
    for (uint64_t i = 0; i < n; i++) {
        const df_keyrow *x = &all[i];
        const df_table *t = &r->tab[x->kind];
        ma_json_obj(j, NULL);
        ma_json_str(j, "kind", df_kind_names[x->kind]);
        df_json_keyrow(r, x, j);
        ma_json_i64(j, "resized_bytes", x->resized_bytes);
        ma_json_u64(j, "retained_before", df_tot(t, x->key, 0)[DF_T_RETAINED]);
        ma_json_u64(j, "retained_after", df_tot(t, x->key, last)[DF_T_RETAINED]);
        ma_json_bool(j, "steady", x->steady);
        ma_json_arr(j, "per_interval");
        for (uint32_t k = 0; k < r->nint; k++) {
            ma_json_obj(j, NULL);
            ma_json_i64(j, "count_delta", df_key_delta(r, x->kind, x->key, k, 0));
            ma_json_i64(j, "bytes_delta", df_key_delta(r, x->kind, x->key, k, 1));
            ma_json_end(j);
        }
        ma_json_end(j);
        ma_json_end(j);
    }
    ma_json_end(j);
    free(all);
}

static void churn(const df_run *r, ma_json *j)
{
    df_churnrow *rows;
    uint64_t n = df_report_churn(r, &rows), shown = df_rows(r, n);
    ma_json_arr(j, "churn");
    for (uint64_t i = 0; i < shown; i++) {
        const df_churnrow *x = &rows[i];
        const df_siteinfo *si = &r->keys.site[x->key];
        ma_json_obj(j, NULL);
        ma_json_str(j, "function", si->function);
        ma_json_str(j, "file", si->file);
        ma_json_u64(j, "line", si->line);
        ma_json_str(j, "site", si->label);
        ma_json_u64(j, "allocs", x->allocs);
        ma_json_u64(j, "frees", x->frees);
        ma_json_u64(j, "bytes", x->bytes);
        ma_json_u64(j, "bytes_freed", x->bytes_freed);
        ma_json_arr(j, "per_interval");
        for (uint32_t k = 0; k < r->nint; k++) {
            ma_json_obj(j, NULL);
            ma_json_u64(j, "allocs", df_ctr_delta(&r->churn, x->key, k, k + 1, DF_K_ALLOCS));
            ma_json_u64(j, "frees", df_ctr_delta(&r->churn, x->key, k, k + 1, DF_K_FREES));
            ma_json_u64(j, "bytes", df_ctr_delta(&r->churn, x->key, k, k + 1, DF_K_BYTES));
            ma_json_end(j);
        }
        ma_json_end(j);
        ma_json_end(j);
    }
    ma_json_end(j);
    free(rows);
}

void df_json(const df_run *r, FILE *f)
{
    ma_json j;
    ma_json_init(&j, f);
    ma_json_obj(&j, NULL);
    ma_json_u64(&j, "memdiff", 1);
    df_json_files(r, &j);
    df_json_summary(r, &j);
    sources(r, &j);
    growth(r, &j);
    churn(r, &j);
    ma_json_arr(&j, "warnings");
    for (uint32_t i = 0; i < r->warnings.n; i++) ma_json_str(&j, NULL, r->warnings.v[i]);
    ma_json_end(&j);
    ma_json_end(&j);
}
