/* ma_paths.c — multi-source BFS and path extraction (see ma_paths.h). */
#include "ma_paths.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct bfs {
    const ma_graph *g;
    ma_id *parent;
    uint64_t *seen;         /* bitmap */
    ma_id *queue;
    uint64_t head, tail;
} bfs;

static inline int seen(const bfs *b, ma_id v) { return (b->seen[v >> 6] >> (v & 63)) & 1; }
static inline void mark(bfs *b, ma_id v) { b->seen[v >> 6] |= 1ull << (v & 63); }

static void push_start(bfs *b, ma_id v)
{
    if (seen(b, v)) return;
    mark(b, v);
    b->parent[v] = MA_NONE;
    b->queue[b->tail++] = v;
}

static void run(bfs *b)
{
    const ma_graph *g = b->g;
    while (b->head < b->tail) {
        ma_id v = b->queue[b->head++];
        for (uint64_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
            ma_id w = g->out[e];
            if (seen(b, w)) continue;
            mark(b, w);
            b->parent[w] = v;
            b->queue[b->tail++] = w;
        }
    }
}

void ma_paths(ma_analysis *a)
{
    const ma_dump *d = a->d;
    const ma_graph *g = &d->g;
    uint64_t n = g->n;
    bfs b = {.g = g};
    b.parent = ma_malloc(n, sizeof *b.parent);
    b.seen = ma_calloc((n + 63) / 64, sizeof *b.seen);
    b.queue = ma_malloc(n, sizeof *b.queue);
    for (uint64_t i = 0; i < d->nroots; i++)
        if (d->roots[i].node != MA_NONE) push_start(&b, d->roots[i].node);
    run(&b);
    if (b.tail < n) {
        for (uint64_t v = 0; v < n; v++)
            if ((g->flags[v] & (MA_F_UNREACHABLE | MA_F_UNREF)) == (MA_F_UNREACHABLE | MA_F_UNREF))
                push_start(&b, (ma_id)v);
        run(&b);
        for (uint64_t v = 0; v < n && b.tail < n; v++)
            if (!seen(&b, (ma_id)v)) {
                push_start(&b, (ma_id)v);
                run(&b);
            }
    }
    free(b.seen);
    free(b.queue);
    a->bfs_parent = b.parent;
}

ma_id *ma_path(const ma_analysis *a, ma_id v, uint64_t *len)
{
    uint64_t k = 0, cap = 16;
    ma_id *p = ma_malloc(cap, sizeof *p);
    /* a parent chain never repeats (BFS tree), so this ends within n steps */
    for (ma_id x = v; x != MA_NONE; x = a->bfs_parent[x]) {
        ma_grow((void **)&p, &cap, k + 1, sizeof *p);
        p[k++] = x;
    }
    for (uint64_t i = 0; i < k / 2; i++) {
        ma_id t = p[i];
        p[i] = p[k - 1 - i];
        p[k - 1 - i] = t;
    }
    *len = k;
    return p;
}

uint64_t ma_root_index(const ma_dump *d, ma_id v)
{
    if (!(d->g.flags[v] & MA_F_ROOT)) return UINT64_MAX;
    for (uint64_t i = 0; i < d->nroots; i++)
        if (d->roots[i].node == v) return i;
    return UINT64_MAX;
}

int32_t ma_edge_label(const ma_graph *g, ma_id from, ma_id to)
{
    if (!g->out_label) return 0;
    for (uint64_t e = g->out_off[from]; e < g->out_off[from + 1]; e++)
        if (g->out[e] == to && g->out_label[e]) return g->out_label[e];
    return 0;
}
