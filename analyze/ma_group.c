/* ma_group.c — see ma_group.h. */
#include "ma_group.h"
#include "ma_graph.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

void ma_groups_compute(ma_groups *g, const ma_analysis *a, uint32_t ngroups, ma_key_fn key, void *ctx)
{
    const ma_graph *gr = &a->d->g;
    uint64_t n = gr->n;
    memset(g, 0, sizeof *g);
    g->n = ngroups;
    g->count = ma_calloc(ngroups + 1, sizeof *g->count);
    g->bytes = ma_calloc(ngroups + 1, sizeof *g->bytes);
    g->retained = ma_calloc(ngroups + 1, sizeof *g->retained);
    g->unref = ma_calloc(ngroups + 1, sizeof *g->unref);
    g->unref_bytes = ma_calloc(ngroups + 1, sizeof *g->unref_bytes);
    g->top = ma_malloc(ngroups + 1, sizeof *g->top);
    memset(g->top, 0xff, (ngroups + 1) * sizeof *g->top);
    uint32_t *k = ma_malloc(n ? n : 1, sizeof *k);
    for (uint64_t v = 0; v < n; v++) {
        uint32_t x = ma_is_synthetic(gr, (ma_id)v) ? MA_NONE : key(ctx, (ma_id)v);
        if (x >= ngroups) x = MA_NONE;
        k[v] = x;
        if (x == MA_NONE) continue;
        g->count[x]++;
        g->bytes[x] += gr->size[v];
        if (gr->flags[v] & MA_F_UNREF) {
            g->unref[x]++;
            g->unref_bytes[x] += gr->size[v];
        }
        if (g->top[x] == MA_NONE || a->retained[v] > a->retained[g->top[x]]) g->top[x] = (ma_id)v;
    }
    uint32_t *open_end = ma_calloc(ngroups + 1, sizeof *open_end);
    for (uint64_t p = 0; p < n; p++) {
        ma_id v = a->dom_order[p];
        uint32_t x = k[v];
        if (x == MA_NONE) continue;
        if (p >= open_end[x]) {
            g->retained[x] += a->retained[v];
            open_end[x] = a->dom_end[v];
        }
    }
    free(open_end);
    free(k);
}

static const ma_groups *sort_g;
static int sort_by_retained;

static int cmp_group(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    const uint64_t *s = sort_by_retained ? sort_g->retained : sort_g->bytes;
    const uint64_t *t = sort_by_retained ? sort_g->bytes : sort_g->retained;
    if (s[x] != s[y]) return s[x] > s[y] ? -1 : 1;
    if (t[x] != t[y]) return t[x] > t[y] ? -1 : 1;
    if (sort_g->count[x] != sort_g->count[y]) return sort_g->count[x] > sort_g->count[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

void ma_groups_sort(ma_groups *g, int by_retained)
{
    free(g->order);
    g->order = ma_malloc(g->n + 1, sizeof *g->order);
    g->norder = 0;
    for (uint32_t i = 0; i < g->n; i++)
        if (g->count[i]) g->order[g->norder++] = i;
    sort_g = g;
    sort_by_retained = by_retained;
    qsort(g->order, g->norder, sizeof *g->order, cmp_group);
}

void ma_groups_free(ma_groups *g)
{
    free(g->count);
    free(g->bytes);
    free(g->retained);
    free(g->unref);
    free(g->unref_bytes);
    free(g->top);
    free(g->order);
    memset(g, 0, sizeof *g);
}

/* min-heap on (score, then lower id wins ties so the order is deterministic) */
static int less(const uint64_t *score, ma_id x, ma_id y)
{
    return score[x] < score[y] || (score[x] == score[y] && x > y);
}

static void sift_down(ma_id *h, uint64_t n, uint64_t i, const uint64_t *score)
{
    for (;;) {
        uint64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && less(score, h[l], h[m])) m = l;
        if (r < n && less(score, h[r], h[m])) m = r;
        if (m == i) return;
        ma_id t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

uint64_t ma_top_nodes(const ma_analysis *a, const uint64_t *score, ma_accept_fn accept, void *ctx,
                      ma_id *out, uint64_t k)
{
    uint64_t n = a->d->g.n, cnt = 0;
    if (!k) return 0;
    for (uint64_t v = 0; v < n; v++) {
        if (!accept(ctx, (ma_id)v)) continue;
        if (cnt < k) {
            out[cnt++] = (ma_id)v;
            /* sift up */
            for (uint64_t i = cnt - 1; i > 0;) {
                uint64_t p = (i - 1) / 2;
                if (!less(score, out[i], out[p])) break;
                ma_id t = out[i]; out[i] = out[p]; out[p] = t;
                i = p;
            }
        } else if (less(score, out[0], (ma_id)v)) {
            out[0] = (ma_id)v;
            sift_down(out, cnt, 0, score);
        }
    }
    /* heap sort: repeatedly move the minimum to the end → descending order */
    for (uint64_t end = cnt; end > 1; end--) {
        ma_id t = out[0]; out[0] = out[end - 1]; out[end - 1] = t;
        sift_down(out, end - 1, 0, score);
    }
    return cnt;
}
