/* ma_analysis.c — the analysis pipeline (see ma_analysis.h). */
#include "ma_analysis.h"
#include "ma_dominators.h"
#include "ma_graph.h"
#include "ma_paths.h"

#include <stdlib.h>
#include <string.h>

void ma_analyze(ma_analysis *a, ma_dump *d, unsigned flags)
{
    memset(a, 0, sizeof *a);
    a->d = d;
    ma_graph *g = &d->g;
    ma_dominators(a);
    ma_paths(a);
    for (uint64_t v = 0; v < g->n; v++) {
        uint16_t f = g->flags[v];
        if (f & 1u /* MD_NODE_SYNTHETIC */) { a->synthetic++; continue; }
        a->objects++;
        a->bytes += g->size[v];
        if (f & MA_F_UNREACHABLE) {
            a->unreach_objects++;
            a->unreach_bytes += g->size[v];
            if (f & MA_F_UNREF) a->unref_objects++;
        }
    }
    for (uint64_t i = 0; i < d->nroots; i++)
        if (d->roots[i].node != MA_NONE) a->roots_resolved++;
    if (!(flags & MA_KEEP_REVERSE)) ma_graph_drop_reverse(g);
}

void ma_analysis_free(ma_analysis *a)
{
    free(a->idom);
    free(a->retained);
    free(a->dom_order);
    free(a->dom_end);
    free(a->bfs_parent);
    memset(a, 0, sizeof *a);
}

uint64_t ma_analysis_bytes(const ma_analysis *a)
{
    return a->d->g.n * (4 + 8 + 4 + 4 + 4);
}
