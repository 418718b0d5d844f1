/* df_bykey.c — per-key totals and changes (see df_bykey.h). */
#include "df_bykey.h"
#include "df_snap.h"
#include "ma_graph.h"
#include "ma_group.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

void df_table_init(df_table *t, uint32_t ndumps)
{
    memset(t, 0, sizeof *t);
    t->ndumps = ndumps;
    t->nint = ndumps ? ndumps - 1 : 0;
}

void df_table_free(df_table *t)
{
    free(t->tot);
    free(t->chg);
    memset(t, 0, sizeof *t);
}

void df_table_fit(df_table *t, uint32_t nkeys)
{
    if (nkeys <= t->nkeys) return;
    if (nkeys > t->cap) {
        uint64_t cap = t->cap ? t->cap : 64;
        while (cap < nkeys) cap *= 2;
        t->tot = ma_realloc(t->tot, cap * t->ndumps * DF_T_N, sizeof *t->tot);
        t->chg = ma_realloc(t->chg, cap * (t->nint ? t->nint : 1) * DF_C_N, sizeof *t->chg);
        t->cap = cap;
    }
    uint64_t old = t->nkeys;
    memset(t->tot + old * t->ndumps * DF_T_N, 0, (nkeys - old) * t->ndumps * DF_T_N * sizeof *t->tot);
    memset(t->chg + old * t->nint * DF_C_N, 0, (nkeys - old) * t->nint * DF_C_N * sizeof *t->chg);
    t->nkeys = nkeys;
}

typedef struct keyctx { const df_snap *s; df_kind kind; } keyctx;

static uint32_t key_fn(void *ctx, ma_id v)
{
    const keyctx *k = ctx;
    return df_key_of(k->s, k->kind, v);
}

void df_bykey_totals(df_table tab[DF_KINDS], const df_keys *k, const df_snap *s, uint32_t i)
{
    for (int kind = 0; kind < DF_KINDS; kind++) {
        df_table *t = &tab[kind];
        df_table_fit(t, k->names[kind].n);
        keyctx kc = {s, (df_kind)kind};
        ma_groups gr;
        ma_groups_compute(&gr, &s->a, k->names[kind].n, key_fn, &kc);
        for (uint32_t x = 0; x < gr.n; x++) {
            if (!gr.count[x]) continue;
            uint64_t *r = df_tot(t, x, i);
            r[DF_T_COUNT] = gr.count[x];
            r[DF_T_BYTES] = gr.bytes[x];
            r[DF_T_RETAINED] = gr.retained[x];
        }
        ma_groups_free(&gr);
    }
}

void df_bykey_changes(df_table tab[DF_KINDS], const df_keys *k, const df_snap *a, const df_snap *b,
                      const df_match *m, uint32_t i)
{
    const ma_graph *ga = &a->d.g, *gb = &b->d.g;
    for (int kind = 0; kind < DF_KINDS; kind++) df_table_fit(&tab[kind], k->names[kind].n);
    for (uint64_t v = 0; v < gb->n; v++) {
        if (ma_is_synthetic(gb, (ma_id)v)) continue;
        ma_id u = m->b2a[v];
        if (u != MA_NONE && ga->size[u] == gb->size[v]) continue;
        for (int kind = 0; kind < DF_KINDS; kind++) {
            int64_t *c = df_chg(&tab[kind], df_key_of(b, (df_kind)kind, (ma_id)v), i);
            if (u == MA_NONE) {
                c[DF_C_NEW]++;
                c[DF_C_NEW_BYTES] += (int64_t)gb->size[v];
            } else {
                c[DF_C_RESIZED] += (int64_t)gb->size[v] - (int64_t)ga->size[u];
            }
        }
    }
    for (uint64_t u = 0; u < ga->n; u++) {
        if (ma_is_synthetic(ga, (ma_id)u) || m->a2b[u] != MA_NONE) continue;
        for (int kind = 0; kind < DF_KINDS; kind++) {
            int64_t *c = df_chg(&tab[kind], df_key_of(a, (df_kind)kind, (ma_id)u), i);
            c[DF_C_FREED]++;
            c[DF_C_FREED_BYTES] += (int64_t)ga->size[u];
        }
    }
}
