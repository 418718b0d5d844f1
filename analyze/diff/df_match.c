/* df_match.c — object identity between two dumps (see df_match.h for the rule). */
#include "df_match.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

#define KIND_BITS (MD_NODE_SYNTHETIC | MD_NODE_PYOBJ | MD_NODE_NATIVE)

/* 1: same object; 0: not. Addresses are equal. */
static int same(const df_snap *a, ma_id u, const df_snap *b, ma_id v)
{
    const ma_graph *ga = &a->d.g, *gb = &b->d.g;
    if ((ga->flags[u] | gb->flags[v]) & MA_F_DUP) return 0;
    if ((ga->flags[u] & KIND_BITS) != (gb->flags[v] & KIND_BITS)) return 0;
    if (a->ident_type[ga->type[u]] != b->ident_type[gb->type[v]]) return 0;
    uint32_t sa = ga->stack[u], sb = gb->stack[v];
    if (sa && sb && a->ident_stack[sa] != b->ident_stack[sb]) return 0;
    if (ga->size[u] == gb->size[v]) return 1;
    return (ga->flags[u] & MD_NODE_PYOBJ) != 0;    /* resized in place */
}

void df_match_compute(df_match *m, const df_snap *a, const df_snap *b)
{
    const ma_graph *ga = &a->d.g, *gb = &b->d.g;
    uint64_t na = ga->n, nb = gb->n;
    memset(m, 0, sizeof *m);
    m->b2a = ma_malloc(nb ? nb : 1, sizeof *m->b2a);
    m->a2b = ma_malloc(na ? na : 1, sizeof *m->a2b);
    memset(m->b2a, 0xff, nb * sizeof *m->b2a);
    memset(m->a2b, 0xff, na * sizeof *m->a2b);
    uint64_t i = 0, j = 0;
    while (i < na && j < nb) {
        uint64_t x = ga->addr[i], y = gb->addr[j];
        if (x < y) { i++; continue; }
        if (y < x) { j++; continue; }
        if (same(a, (ma_id)i, b, (ma_id)j)) {
            m->b2a[j] = (ma_id)i;
            m->a2b[i] = (ma_id)j;
        }
        i++;
        j++;
    }
    df_interval *t = &m->t;
    for (uint64_t v = 0; v < nb; v++) {
        if (ma_is_synthetic(gb, (ma_id)v)) continue;
        ma_id u = m->b2a[v];
        if (u == MA_NONE) {
            t->new_objects++;
            t->new_bytes += gb->size[v];
        } else {
            t->kept++;
            if (ga->size[u] != gb->size[v]) {
                t->resized++;
                t->resized_bytes += (int64_t)gb->size[v] - (int64_t)ga->size[u];
            }
        }
    }
    for (uint64_t u = 0; u < na; u++) {
        if (ma_is_synthetic(ga, (ma_id)u) || m->a2b[u] != MA_NONE) continue;
        t->freed_objects++;
        t->freed_bytes += ga->size[u];
    }
}

void df_match_free(df_match *m)
{
    free(m->b2a);
    free(m->a2b);
    memset(m, 0, sizeof *m);
}
