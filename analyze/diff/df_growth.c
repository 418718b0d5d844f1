/* df_growth.c — added and freed bytes per dominator subtree (see df_growth.h). */
#include "df_growth.h"
#include "ma_graph.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

/* Post-order sum over the dominator tree: children come after their parent in preorder, so
 * walking the preorder backwards adds every subtree into its parent after it is complete. */
static void subtree_sums(const ma_analysis *a, uint64_t *sum)
{
    uint64_t n = a->d->g.n;
    for (uint64_t p = n; p-- > 0;) {
        ma_id v = a->dom_order[p];
        ma_id up = a->idom[v];
        if (up < n) sum[up] += sum[v];
    }
}

typedef struct topsum {
    const df_snap *s;
    const uint64_t *sum;
    int64_t *group;
    int sign;
} topsum;

static void on_top(void *ctx, ma_id v, uint64_t pos)
{
    topsum *t = ctx;
    (void)pos;
    t->group[t->s->root_key[v]] += t->sign * (int64_t)t->sum[v];
}

void df_growth_compute(df_growth *g, const df_keys *k, df_snap *a, df_snap *b, const df_match *m)
{
    const ma_graph *ga = &a->d.g, *gb = &b->d.g;
    memset(g, 0, sizeof *g);
    g->a = a;
    g->b = b;
    g->m = m;
    g->add_b = ma_calloc(gb->n ? gb->n : 1, sizeof *g->add_b);
    g->rem_a = ma_calloc(ga->n ? ga->n : 1, sizeof *g->rem_a);
    for (uint64_t v = 0; v < gb->n; v++) {
        if (ma_is_synthetic(gb, (ma_id)v)) continue;
        ma_id u = m->b2a[v];
        if (u == MA_NONE) g->add_b[v] = gb->size[v];
        else if (gb->size[v] > ga->size[u]) g->add_b[v] = gb->size[v] - ga->size[u];
    }
    for (uint64_t u = 0; u < ga->n; u++) {
        if (ma_is_synthetic(ga, (ma_id)u)) continue;
        ma_id v = m->a2b[u];
        if (v == MA_NONE) g->rem_a[u] = ga->size[u];
        else if (ga->size[u] > gb->size[v]) g->rem_a[u] = ga->size[u] - gb->size[v];
    }
    subtree_sums(&b->a, g->add_b);
    subtree_sums(&a->a, g->rem_a);

    g->ngroups = k->names[DF_ROOT].n;
    g->group = ma_calloc(g->ngroups + 1, sizeof *g->group);
    topsum tb = {b, g->add_b, g->group, 1}, ta = {a, g->rem_a, g->group, -1};
    ma_each_top_level(&b->a, 1, on_top, &tb);
    ma_each_top_level(&a->a, 1, on_top, &ta);
    for (uint32_t x = 0; x < g->ngroups; x++)
        if (g->group[x] > 0) g->positive += g->group[x];
}

void df_growth_free(df_growth *g)
{
    free(g->add_b);
    free(g->rem_a);
    free(g->group);
    memset(g, 0, sizeof *g);
}
