/* ma_dominators.c — Lengauer-Tarjan over the super-root (see ma_dominators.h).
 *
 * Work arrays are indexed by DFS number ("dfn"): dfn 0 is the super-root, the reachable nodes
 * follow, then the garbage root and the unreachable nodes. vertex[i] maps a dfn back to a node id
 * (or MA_SUPER / MA_GARBAGE).
 */
#include "ma_dominators.h"
#include "ma_graph.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct lt {
    const ma_graph *g;
    uint32_t *dfn;          /* [n] node → dfn, MA_NONE = not visited yet */
    ma_id *vertex;          /* [N] dfn → node */
    uint32_t *parent;       /* [N] dfn → DFS parent's dfn */
    uint32_t k;             /* vertices numbered so far */
    ma_id *stk_v;           /* DFS stack: node and next out-edge to try */
    uint64_t *stk_e;
} lt;

/* Iterative DFS from start, whose DFS parent has dfn pdfn. */
static void dfs(lt *t, ma_id start, uint32_t pdfn)
{
    const ma_graph *g = t->g;
    uint64_t sp = 0;
    t->dfn[start] = t->k;
    t->vertex[t->k] = start;
    t->parent[t->k] = pdfn;
    t->k++;
    t->stk_v[sp] = start;
    t->stk_e[sp] = g->out_off[start];
    sp++;
    while (sp) {
        ma_id v = t->stk_v[sp - 1];
        uint64_t e = t->stk_e[sp - 1];
        uint64_t end = g->out_off[v + 1];
        while (e < end && t->dfn[g->out[e]] != MA_NONE) e++;
        if (e == end) { sp--; continue; }
        ma_id w = g->out[e];
        t->stk_e[sp - 1] = e + 1;
        t->dfn[w] = t->k;
        t->vertex[t->k] = w;
        t->parent[t->k] = t->dfn[v];
        t->k++;
        t->stk_v[sp] = w;
        t->stk_e[sp] = g->out_off[w];
        sp++;
    }
}

/* Unreachable: not numbered by the DFS from the roots. Unreferenced: no in-edge but self-loops. */
static void flag_nodes(ma_graph *g, const uint32_t *dfn)
{
    for (uint64_t v = 0; v < g->n; v++) {
        uint16_t f = g->flags[v] & (uint16_t)~(MA_F_UNREACHABLE | MA_F_UNREF);
        if (dfn[v] == MA_NONE) f |= MA_F_UNREACHABLE;
        int referenced = 0;
        for (uint64_t e = g->in_off[v]; e < g->in_off[v + 1] && !referenced; e++)
            if (g->in[e] != v) referenced = 1;
        if (!referenced) f |= MA_F_UNREF;
        g->flags[v] = f;
    }
}

/* EVAL with iterative path compression over the forest given by ancestor[]. */
static inline uint32_t eval(uint32_t v, uint32_t *ancestor, uint32_t *label, const uint32_t *semi,
                            uint32_t *stk)
{
    if (ancestor[v] == MA_NONE) return v;
    uint64_t sp = 0;
    uint32_t x = v;
    while (ancestor[ancestor[x]] != MA_NONE) {
        stk[sp++] = x;
        x = ancestor[x];
    }
    while (sp) {
        uint32_t y = stk[--sp];
        uint32_t a = ancestor[y];
        if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
        ancestor[y] = ancestor[a];
    }
    return label[v];
}

void ma_dominators(ma_analysis *a)
{
    ma_graph *g = &a->d->g;
    const ma_dump *d = a->d;
    uint64_t n = g->n, N = n + 2;
    lt t = {.g = g};
    t.dfn = ma_malloc(n, sizeof *t.dfn);
    memset(t.dfn, 0xff, n * sizeof *t.dfn);
    t.vertex = ma_malloc(N, sizeof *t.vertex);
    t.parent = ma_malloc(N, sizeof *t.parent);
    t.stk_v = ma_malloc(n, sizeof *t.stk_v);
    t.stk_e = ma_malloc(n, sizeof *t.stk_e);

    /* 1. DFS numbering: super-root, roots in ROOT order, then the garbage root. */
    t.vertex[0] = MA_SUPER;
    t.parent[0] = MA_NONE;
    t.k = 1;
    for (uint64_t i = 0; i < d->nroots; i++) {
        ma_id v = d->roots[i].node;
        if (v != MA_NONE && t.dfn[v] == MA_NONE) dfs(&t, v, 0);
    }
    a->reach_nodes = t.k - 1;
    flag_nodes(g, t.dfn);
    uint32_t gdfn = MA_NONE;
    if (a->reach_nodes < n) {
        gdfn = t.k;
        t.vertex[t.k] = MA_GARBAGE;
        t.parent[t.k] = 0;
        t.k++;
        for (uint64_t v = 0; v < n; v++)
            if (t.dfn[v] == MA_NONE && (g->flags[v] & MA_F_UNREF)) dfs(&t, (ma_id)v, gdfn);
        for (uint64_t v = 0; v < n; v++)
            if (t.dfn[v] == MA_NONE) dfs(&t, (ma_id)v, gdfn);
    }
    free(t.stk_v);
    free(t.stk_e);
    uint32_t k = t.k;

    /* 2. semidominators and (partial) idoms, in reverse preorder */
    uint32_t *semi = ma_malloc(k, sizeof *semi);
    uint32_t *label = ma_malloc(k, sizeof *label);
    uint32_t *ancestor = ma_malloc(k, sizeof *ancestor);
    uint32_t *idom = ma_malloc(k, sizeof *idom);
    uint32_t *bhead = ma_malloc(k, sizeof *bhead);
    uint32_t *bnext = ma_malloc(k, sizeof *bnext);
    uint32_t *cstk = ma_malloc(k, sizeof *cstk);
    for (uint32_t i = 0; i < k; i++) {
        semi[i] = label[i] = i;
        ancestor[i] = bhead[i] = MA_NONE;
    }
    for (uint32_t i = k - 1; i >= 1; i--) {
        ma_id w = t.vertex[i];
        uint32_t p = t.parent[i];
        if (w == MA_GARBAGE || (g->flags[w] & MA_F_ROOT)) {
            semi[i] = 0;                        /* an edge from the super-root: dfn 0 is minimal */
        } else if (p == gdfn) {
            semi[i] = gdfn;                     /* the garbage root precedes all its region */
        } else {
            for (uint64_t e = g->in_off[w]; e < g->in_off[w + 1]; e++) {
                uint32_t j = t.dfn[g->in[e]];
                if (j >= gdfn && i < gdfn) continue;    /* garbage → live edge: ignored */
                uint32_t u = eval(j, ancestor, label, semi, cstk);
                if (semi[u] < semi[i]) semi[i] = semi[u];
            }
        }
        bnext[i] = bhead[semi[i]];
        bhead[semi[i]] = i;
        ancestor[i] = p;
        for (uint32_t v = bhead[p]; v != MA_NONE; v = bnext[v]) {
            uint32_t u = eval(v, ancestor, label, semi, cstk);
            idom[v] = semi[u] < semi[v] ? u : p;
        }
        bhead[p] = MA_NONE;
    }
    idom[0] = MA_NONE;
    for (uint32_t i = 1; i < k; i++)
        if (idom[i] != semi[i]) idom[i] = idom[idom[i]];
    free(ancestor);
    free(bhead);
    free(bnext);
    free(cstk);
    free(t.dfn);
    free(t.parent);

    /* 3. node-space idom and retained sizes (post-order sums in reverse preorder) */
    a->idom = ma_malloc(n, sizeof *a->idom);
    a->retained = ma_malloc(n, sizeof *a->retained);
    for (uint64_t v = 0; v < n; v++) a->retained[v] = ma_node_bytes(g, (ma_id)v);
    for (uint32_t i = 1; i < k; i++) {
        ma_id w = t.vertex[i];
        if (w < n) a->idom[w] = t.vertex[idom[i]];
    }
    for (uint32_t i = k - 1; i >= 1; i--) {
        ma_id w = t.vertex[i], p = t.vertex[idom[i]];
        if (w < n && p < n) a->retained[p] += a->retained[w];
    }

    /* 4. the dominator tree in preorder: subtree node counts, then positions handed out to
     *    children in preorder (each child reserves a range as large as its subtree) */
    uint32_t *cnt = semi, *next = label;
    for (uint32_t i = 0; i < k; i++) cnt[i] = t.vertex[i] < n ? 1 : 0;
    for (uint32_t i = k - 1; i >= 1; i--) cnt[idom[i]] += cnt[i];
    a->dom_order = ma_malloc(n, sizeof *a->dom_order);
    a->dom_end = ma_malloc(n, sizeof *a->dom_end);
    next[0] = 0;
    for (uint32_t i = 1; i < k; i++) {
        uint32_t pos = next[idom[i]];
        next[idom[i]] += cnt[i];
        ma_id w = t.vertex[i];
        if (w < n) {
            a->dom_order[pos] = w;
            a->dom_end[w] = pos + cnt[i];
            next[i] = pos + 1;
        } else {
            next[i] = pos;                      /* the garbage root holds no position */
        }
    }
    free(semi);
    free(label);
    free(idom);
    free(t.vertex);
}
