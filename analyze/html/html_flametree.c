/* html_flametree.c — a tree of frames cut down to the report's budget (html_internal.h).
 *
 * Best-first from the root: a max-heap of kept frames keyed by weight; the heaviest is opened
 * next, adding its heaviest children — at most HX_FLAME_FAN, none below HX_MIN_SHARE of the
 * root's weight — and one "N more" frame for the rest of them, until max_nodes frames are kept.
 * Children lists come sorted heaviest first, so the frames shown under a parent are a prefix of
 * its children and the folded ones the suffix (fold_first says where it starts).
 *
 * Both reports' flame graphs also share the shape of their data (hx_flame_write): columns over
 * the kept frames, a folded frame carrying the sums of the siblings it stands for.
 */
#include "html_internal.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

static uint32_t add(hx_fsel *s, uint32_t *cap, uint32_t node, uint32_t parent)
{
    if (s->n == *cap) {
        uint64_t c = *cap;
        ma_grow((void **)&s->node, &c, (uint64_t)s->n + 1, sizeof *s->node);
        s->parent = ma_realloc(s->parent, c, sizeof *s->parent);
        s->folded = ma_realloc(s->folded, c, sizeof *s->folded);
        s->fold_first = ma_realloc(s->fold_first, c, sizeof *s->fold_first);
        *cap = (uint32_t)c;
    }
    s->node[s->n] = node;
    s->parent[s->n] = parent;
    s->folded[s->n] = 0;
    s->fold_first[s->n] = 0;
    return s->n++;
}

void hx_fsel_build(hx_fsel *s, const hx_ftree *t, uint32_t max_nodes)
{
    memset(s, 0, sizeof *s);
    uint32_t cap = 0;
    if (!t->n || max_nodes < 2) {
        if (t->n) add(s, &cap, 0, 0);
        return;
    }
    uint64_t min_w = (uint64_t)((double)t->w[0] * HX_MIN_SHARE);
    uint32_t *heap = ma_malloc(max_nodes, sizeof *heap);  /* selection indices */
    uint32_t hn = 0;
    add(s, &cap, 0, 0);
    heap[hn++] = 0;
    while (hn && s->n + 2 <= max_nodes) {
        uint32_t top = heap[0];
        heap[0] = heap[--hn];
        for (uint32_t i = 0;;) {
            uint32_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < hn && t->w[s->node[heap[l]]] > t->w[s->node[heap[m]]]) m = l;
            if (r < hn && t->w[s->node[heap[r]]] > t->w[s->node[heap[m]]]) m = r;
            if (m == i) break;
            uint32_t x = heap[i]; heap[i] = heap[m]; heap[m] = x;
            i = m;
        }
        uint32_t v = s->node[top];
        uint32_t first = t->child_off[v], nch = t->child_off[v + 1] - first;
        uint32_t keep = 0;
        while (keep < nch && keep < HX_FLAME_FAN && t->w[t->child[first + keep]] >= min_w && t->w[t->child[first + keep]])
            keep++;
        uint32_t budget = max_nodes - s->n;
        if (keep + (keep < nch) > budget) keep = budget - 1;
        for (uint32_t k = 0; k < keep; k++) {
            uint32_t c = t->child[first + k];
            uint32_t si = add(s, &cap, c, top);
            if (t->child_off[c + 1] > t->child_off[c]) {
                /* sift up */
                uint32_t i = hn++;
                heap[i] = si;
                while (i > 0) {
                    uint32_t up = (i - 1) / 2;
                    if (t->w[s->node[heap[up]]] >= t->w[s->node[heap[i]]]) break;
                    uint32_t x = heap[i]; heap[i] = heap[up]; heap[up] = x;
                    i = up;
                }
            }
        }
        if (keep < nch) {
            uint32_t si = add(s, &cap, UINT32_MAX, top);
            s->folded[si] = nch - keep;
            s->fold_first[si] = keep;
        }
    }
    free(heap);
}

void hx_fsel_free(hx_fsel *s)
{
    free(s->node);
    free(s->parent);
    free(s->folded);
    free(s->fold_first);
    memset(s, 0, sizeof *s);
}

uint32_t hx_fsel_more(const hx_fsel *s, uint32_t i, ma_intern *strs)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%u more", s->folded[i]);
    return hx_s(strs, buf);
}

void hx_flame_write(hx_json *j, const hx_ftree *t, const hx_fsel *s, const hx_fcol *cols, int ncols)
{
    hx_obj(j, "flame");
    hx_u64(j, "budget", HX_FLAME_NODES);
    hx_u64(j, "frames", t->n);
    hx_u32s(j, "parent", s->parent, s->n);
    uint64_t *sum = ma_malloc(s->n ? s->n : 1, sizeof *sum);
    for (int c = 0; c < ncols; c++) {
        if (!cols[c].w) {
            hx_i64s(j, cols[c].key, cols[c].v, s->n);
            continue;
        }
        for (uint32_t i = 0; i < s->n; i++) {
            uint32_t v = s->node[i];
            if (v != UINT32_MAX) {
                sum[i] = cols[c].w[v];
                continue;
            }
            uint32_t p = s->node[s->parent[i]];     /* a folded frame: its siblings' total */
            sum[i] = 0;
            for (uint32_t k = t->child_off[p] + s->fold_first[i]; k < t->child_off[p + 1]; k++) sum[i] += cols[c].w[t->child[k]];
        }
        hx_u64s(j, cols[c].key, sum, s->n);
    }
    free(sum);
    hx_end(j);
}
