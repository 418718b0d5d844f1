/* df_run.c — the pairwise walk over the dumps of a memdiff run (see df_run.h). */
#include "df_run.h"
#include "df_bykey.h"
#include "df_churn.h"
#include "df_growth.h"
#include "df_match.h"
#include "df_snap.h"
#include "df_sources.h"
#include "ma_dump.h"
#include "ma_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void warn(df_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(df_run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) < 0) m = NULL;
    va_end(ap);
    if (!m) return;
    if (!r->o.quiet) fprintf(stderr, "%s: warning: %s\n", ma_progname, m);
    ma_strlist_add(&r->warnings, ma_strdup(m));
    free(m);
}

/* ---- each dump as it arrives ----------------------------------------------------------------- */

/* Checks a loaded dump and records what the report needs from it. Returns 0 or 1 (refused). */
static int arrive(df_run *r, df_snap *s, uint32_t i)
{
    if (s->load_rc < 0) {
        fprintf(stderr, "%s: %s\n", ma_progname, s->err);
        return 1;
    }
    df_snap_file(s, &r->files[i]);
    const df_file *f = &r->files[i], *first = &r->files[0];
    if (s->load_rc > 0) {
        r->incomplete = 1;
        warn(r, "%s", f->incomplete);
    }
    if (i > 0) {
        if (!f->has_process || !first->has_process) {
            warn(r, "%s has no PROCESS record: cannot check that it comes from the same process as %s",
                 f->has_process ? first->path : f->path, f->has_process ? f->path : first->path);
        } else if (f->pid != first->pid || strcmp(f->exe, first->exe)) {
            if (!r->o.force) {
                fprintf(stderr, "%s: %s and %s are not snapshots of one process (pid %llu, %s; pid %llu, %s);\n"
                        "  objects cannot be matched by address across processes. Use --force to compare them anyway.\n",
                        ma_progname, first->path, f->path, (unsigned long long)first->pid, first->exe,
                        (unsigned long long)f->pid, f->exe);
                return 1;
            }
            warn(r, "%s and %s are snapshots of different processes (--force): objects match by address only by chance",
                 first->path, f->path);
        }
        const df_file *prev = &r->files[i - 1];
        if ((f->time_ns && prev->time_ns && f->time_ns < prev->time_ns) ||
            (f->pid == prev->pid && f->seq && prev->seq && f->seq < prev->seq))
            warn(r, "%s was taken before %s: give the dumps in time order (growth reads backwards)", f->path,
                 prev->path);
    }
    df_snap_prepare(s, &r->keys, &r->o);
    df_bykey_totals(r->tab, &r->keys, s, i);
    df_churn_add(&r->churn, &r->keys, s, i);
    return 0;
}

/* ---- sources across intervals ----------------------------------------------------------------- */

static df_source *add_source(df_run *r)
{
    ma_grow((void **)&r->src, &r->srccap, r->nsrc + 1, sizeof *r->src);
    return &r->src[r->nsrc++];
}

/* Follow a source found in interval i back through the released dumps by object identity. */
static void trace_back(df_run *r, df_source *s, ma_id u, uint32_t i)
{
    /* u is the source's node in dump i (still loaded); dumps before it are in the past arrays */
    for (uint32_t j = i; j > 0 && u != MA_NONE; j--) {
        if (!r->past_prev[j] || u >= r->past_n[j]) return;
        u = r->past_prev[j][u];
        if (u == MA_NONE) return;
        s->retained[j - 1] = r->past_retained[j - 1][u];
        s->present[j - 1] = 1;
    }
}

static void interval_sources(df_run *r, const df_growth *g, const df_match *m, uint32_t i)
{
    const df_snap *b = g->b;
    /* known node sources: follow them into b */
    for (uint64_t x = 0; x < r->nsrc; x++) {
        df_source *s = &r->src[x];
        if (s->is_group || s->cur == MA_NONE) continue;
        s->cur = m->a2b[s->cur];
        if (s->cur != MA_NONE) {
            s->retained[i + 1] = b->a.retained[s->cur];
            s->present[i + 1] = 1;
        }
    }
    df_found *f;
    uint64_t nf = df_sources_find(g, &f);
    for (uint64_t k = 0; k < nf; k++) {
        int known = 0;
        for (uint64_t x = 0; x < r->nsrc && !known; x++) {
            const df_source *s = &r->src[x];
            known = f[k].node == MA_NONE ? s->is_group && s->group == f[k].group : !s->is_group && s->cur == f[k].node;
        }
        if (known) continue;
        df_source *s = add_source(r);
        df_source_describe(s, &f[k], g, &r->keys, r->ndumps, i);
        if (!s->is_group && i > 0) trace_back(r, s, m->b2a[f[k].node], i);
    }
    free(f);
}

/* ---- the walk --------------------------------------------------------------------------------- */

static void run_init(df_run *r, uint32_t n, const df_opts *o)
{
    memset(r, 0, sizeof *r);
    r->o = *o;
    r->ndumps = n;
    r->nint = n - 1;
    r->files = ma_calloc(n, sizeof *r->files);
    r->iv = ma_calloc(n, sizeof *r->iv);
    df_keys_init(&r->keys);
    for (int k = 0; k < DF_KINDS; k++) df_table_init(&r->tab[k], n);
    df_churn_init(&r->churn, n);
    r->past_retained = ma_calloc(n, sizeof *r->past_retained);
    r->past_prev = ma_calloc(n, sizeof *r->past_prev);
    r->past_n = ma_calloc(n, sizeof *r->past_n);
}

int df_run_all(df_run *r, const char *const *paths, uint32_t n, const df_opts *o)
{
    if (n < 2) {
        memset(r, 0, sizeof *r);
        fprintf(stderr, "%s: need at least two dumps to compare\n", ma_progname);
        return 1;
    }
    run_init(r, n, o);
    df_snap *pair[2];
    pair[0] = ma_calloc(1, sizeof **pair);
    pair[1] = ma_calloc(1, sizeof **pair);
    int rc = 0;
    df_snap_load_all(pair, paths, 2);
    if (arrive(r, pair[0], 0) || arrive(r, pair[1], 1)) { rc = 1; goto out; }
    int series = r->nint > 1;
    for (uint32_t i = 0; i < r->nint; i++) {
        df_snap *a = pair[0], *b = pair[1];
        df_match m;
        df_match_compute(&m, a, b);
        r->iv[i] = m.t;
        df_bykey_changes(r->tab, &r->keys, a, b, &m, i);
        df_growth g;
        df_growth_compute(&g, &r->keys, a, b, &m);
        interval_sources(r, &g, &m, i);
        df_growth_free(&g);
        if (series) {
            /* keep what following a later source back through a needs: 12 bytes per node */
            r->past_retained[i] = a->a.retained;
            a->a.retained = NULL;
            r->past_n[i] = a->d.g.n;
            r->past_prev[i + 1] = m.b2a;
            r->past_n[i + 1] = b->d.g.n;
            m.b2a = NULL;
        }
        df_match_free(&m);
        df_snap_free(a);
        pair[0] = b;
        pair[1] = a;
        if (i + 1 < r->nint) {
            df_snap_load(pair[1], paths[i + 2]);
            if (arrive(r, pair[1], i + 2)) { rc = 1; goto out; }
        }
    }
    /* retained sizes of root-group sources, from the DF_ROOT table */
    for (uint64_t x = 0; x < r->nsrc; x++) {
        df_source *s = &r->src[x];
        if (!s->is_group) continue;
        for (uint32_t j = 0; j < r->ndumps; j++) {
            const uint64_t *t = df_tot(&r->tab[DF_ROOT], s->group, j);
            s->retained[j] = t[DF_T_RETAINED];
            s->present[j] = t[DF_T_COUNT] > 0;
        }
    }
out:
    df_snap_free(pair[0]);
    df_snap_free(pair[1]);
    free(pair[0]);
    free(pair[1]);
    return rc;
}

int df_source_steady(const df_run *r, const df_source *s)
{
    for (uint32_t j = 0; j + 1 < r->ndumps; j++)
        if (s->retained[j + 1] <= s->retained[j]) return 0;
    return 1;
}

void df_run_free(df_run *r)
{
    for (uint32_t i = 0; i < r->ndumps; i++) {
        df_file_free(&r->files[i]);
        free(r->past_retained[i]);
        free(r->past_prev[i]);
    }
    free(r->files);
    free(r->iv);
    free(r->past_retained);
    free(r->past_prev);
    free(r->past_n);
    for (uint64_t x = 0; x < r->nsrc; x++) df_source_free(&r->src[x]);
    free(r->src);
    for (int k = 0; k < DF_KINDS; k++) df_table_free(&r->tab[k]);
    df_churn_free(&r->churn);
    df_keys_free(&r->keys);
    ma_strlist_free(&r->warnings);
    memset(r, 0, sizeof *r);
}
