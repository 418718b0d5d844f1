/* df_churn.c — per-site counters of each dump (see df_churn.h). */
#include "df_churn.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

void df_churn_init(df_churn *c, uint32_t ndumps)
{
    memset(c, 0, sizeof *c);
    c->ndumps = ndumps;
}

void df_churn_free(df_churn *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}

static void fit(df_churn *c, uint32_t nkeys)
{
    if (nkeys <= c->nkeys) return;
    if (nkeys > c->cap) {
        uint64_t cap = c->cap ? c->cap : 64;
        while (cap < nkeys) cap *= 2;
        c->v = ma_realloc(c->v, cap * c->ndumps * DF_K_N, sizeof *c->v);
        c->cap = cap;
    }
    memset(c->v + (uint64_t)c->nkeys * c->ndumps * DF_K_N, 0,
           (uint64_t)(nkeys - c->nkeys) * c->ndumps * DF_K_N * sizeof *c->v);
    c->nkeys = nkeys;
}

void df_churn_add(df_churn *c, const df_keys *k, const df_snap *s, uint32_t i)
{
    fit(c, k->names[DF_SITE].n);
    const ma_dump *d = &s->d;
    for (uint64_t x = 0; x < d->ncounters; x++) {
        const ma_counter *ct = &d->counters[x];
        uint32_t st = ct->stack <= d->nstacks ? ct->stack : 0;
        uint64_t *r = df_ctr(c, s->site_key[st], i);
        r[DF_K_ALLOCS] += ct->allocs;
        r[DF_K_FREES] += ct->frees;
        r[DF_K_BYTES] += ct->bytes_allocated;
        r[DF_K_BYTES_FREED] += ct->bytes_freed;
    }
}
