/* df_report.c — ranked rows (see df_report.h). */
#include "df_report.h"
#include "df_bykey.h"
#include "df_churn.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

const char *const df_kind_names[DF_KINDS] = {"type", "site", "root"};

const char *df_key_text(const df_run *r, df_kind kind, uint32_t key)
{
    if (kind == DF_SITE) return key < r->keys.names[DF_SITE].n ? r->keys.site[key].label : "?";
    return key < r->keys.names[kind].n ? r->keys.names[kind].str[key] : "?";
}

int64_t df_key_delta(const df_run *r, df_kind kind, uint32_t key, uint32_t j, int bytes)
{
    const df_table *t = &r->tab[kind];
    if (key >= t->nkeys) return 0;
    int f = bytes ? DF_T_BYTES : DF_T_COUNT;
    return (int64_t)df_tot(t, key, j + 1)[f] - (int64_t)df_tot(t, key, j)[f];
}

/* qsort has no context argument: the comparators read these (memdiff is single-threaded here) */
static const df_run *sort_run;

static int cmp_keyrow(const void *x, const void *y)
{
    const df_keyrow *p = x, *q = y;
    if (sort_run->nint > 1 && p->steady != q->steady) return p->steady ? -1 : 1;
    if (p->bytes_delta != q->bytes_delta) return p->bytes_delta > q->bytes_delta ? -1 : 1;
    if (p->count_delta != q->count_delta) return p->count_delta > q->count_delta ? -1 : 1;
    return p->key < q->key ? -1 : p->key > q->key;
}

uint64_t df_report_keys(const df_run *r, df_kind kind, df_keyrow **out)
{
    const df_table *t = &r->tab[kind];
    df_keyrow *rows = ma_malloc(t->nkeys ? t->nkeys : 1, sizeof *rows);
    uint64_t n = 0;
    for (uint32_t k = 0; k < t->nkeys; k++) {
        df_keyrow row = {.kind = kind, .key = k, .steady = 1};
        int changed = 0;
        for (uint32_t j = 0; j < r->nint; j++) {
            int64_t db = df_key_delta(r, kind, k, j, 1), dc = df_key_delta(r, kind, k, j, 0);
            changed |= db != 0 || dc != 0;
            if (db <= 0) row.steady = 0;
            const int64_t *c = df_chg(t, k, j);
            row.new_count += (uint64_t)c[DF_C_NEW];
            row.new_bytes += (uint64_t)c[DF_C_NEW_BYTES];
            row.freed_count += (uint64_t)c[DF_C_FREED];
            row.freed_bytes += (uint64_t)c[DF_C_FREED_BYTES];
            row.resized_bytes += c[DF_C_RESIZED];
        }
        if (!changed) continue;
        row.count_delta = (int64_t)df_tot(t, k, r->ndumps - 1)[DF_T_COUNT] - (int64_t)df_tot(t, k, 0)[DF_T_COUNT];
        row.bytes_delta = (int64_t)df_tot(t, k, r->ndumps - 1)[DF_T_BYTES] - (int64_t)df_tot(t, k, 0)[DF_T_BYTES];
        rows[n++] = row;
    }
    sort_run = r;
    if (n > 1) qsort(rows, n, sizeof *rows, cmp_keyrow);
    *out = rows;
    return n;
}

static int cmp_churn(const void *x, const void *y)
{
    const df_churnrow *p = x, *q = y;
    if (p->bytes != q->bytes) return p->bytes > q->bytes ? -1 : 1;
    if (p->allocs != q->allocs) return p->allocs > q->allocs ? -1 : 1;
    return p->key < q->key ? -1 : p->key > q->key;
}

uint64_t df_report_churn(const df_run *r, df_churnrow **out)
{
    const df_churn *c = &r->churn;
    df_churnrow *rows = ma_malloc(c->nkeys ? c->nkeys : 1, sizeof *rows);
    uint64_t n = 0;
    uint32_t last = r->ndumps - 1;
    for (uint32_t k = 0; k < c->nkeys; k++) {
        df_churnrow row = {k, df_ctr_delta(c, k, 0, last, DF_K_ALLOCS), df_ctr_delta(c, k, 0, last, DF_K_FREES),
                           df_ctr_delta(c, k, 0, last, DF_K_BYTES), df_ctr_delta(c, k, 0, last, DF_K_BYTES_FREED)};
        if (row.allocs || row.frees) rows[n++] = row;
    }
    if (n > 1) qsort(rows, n, sizeof *rows, cmp_churn);
    *out = rows;
    return n;
}

static int cmp_source(const void *x, const void *y)
{
    const df_source *p = &sort_run->src[*(const uint64_t *)x], *q = &sort_run->src[*(const uint64_t *)y];
    if (sort_run->nint > 1) {
        int sp = df_source_steady(sort_run, p), sq = df_source_steady(sort_run, q);
        if (sp != sq) return sp ? -1 : 1;
        uint32_t last = sort_run->ndumps - 1;
        int64_t tp = (int64_t)p->retained[last] - (int64_t)p->retained[0];
        int64_t tq = (int64_t)q->retained[last] - (int64_t)q->retained[0];
        if (tp != tq) return tp > tq ? -1 : 1;
    }
    if (p->growth != q->growth) return p->growth > q->growth ? -1 : 1;
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

uint64_t df_report_sources(const df_run *r, uint64_t **out)
{
    uint64_t *o = ma_malloc(r->nsrc ? r->nsrc : 1, sizeof *o);
    for (uint64_t i = 0; i < r->nsrc; i++) o[i] = i;
    sort_run = r;
    if (r->nsrc > 1) qsort(o, r->nsrc, sizeof *o, cmp_source);
    *out = o;
    return r->nsrc;
}
