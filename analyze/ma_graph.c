/* ma_graph.c — address lookups and lifetime of the graph arrays. */
#include "ma_graph.h"

#include <stdlib.h>

/* First index whose address is >= a. */
static uint64_t lower_bound(const ma_graph *g, uint64_t a)
{
    uint64_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (g->addr[mid] < a) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

ma_id ma_graph_find(const ma_graph *g, uint64_t addr)
{
    uint64_t i = lower_bound(g, addr);
    return i < g->n && g->addr[i] == addr ? (ma_id)i : MA_NONE;
}

ma_id ma_graph_find_containing(const ma_graph *g, uint64_t a)
{
    uint64_t i = lower_bound(g, a);
    if (i < g->n && g->addr[i] == a) return (ma_id)i;
    if (i == 0) return MA_NONE;
    i--;
    uint64_t end = g->addr[i] + g->size[i];
    return a < end ? (ma_id)i : MA_NONE;
}

void ma_graph_drop_reverse(ma_graph *g)
{
    free(g->in_off);
    free(g->in);
    g->in_off = NULL;
    g->in = NULL;
}

void ma_graph_free(ma_graph *g)
{
    free(g->addr);
    free(g->size);
    free(g->type);
    free(g->stack);
    free(g->flags);
    free(g->out_off);
    free(g->out);
    free(g->out_label);
    ma_graph_drop_reverse(g);
}

uint64_t ma_graph_bytes(const ma_graph *g)
{
    uint64_t b = g->n * (8 + 8 + 4 + 4 + 2) + (g->n + 1) * 8 + g->m * 4;
    if (g->out_label) b += g->m * 4;
    if (g->in_off) b += (g->n + 1) * 8 + g->m * 4;
    return b;
}
