/* ma_graph.h — queries on a loaded graph (ma_graph in ma_types.h). */
#ifndef MA_GRAPH_H
#define MA_GRAPH_H

#include "ma_types.h"

/* Node with exactly this address, or MA_NONE (binary search over the sorted addresses). */
ma_id ma_graph_find(const ma_graph *g, uint64_t addr);
/* Node whose [addr, addr+size) contains a (an interior pointer), or MA_NONE. Zero-sized nodes
 * contain only their own address. */
ma_id ma_graph_find_containing(const ma_graph *g, uint64_t a);

/* Release the reverse graph (in_off, in) once nothing needs it any more. */
void ma_graph_drop_reverse(ma_graph *g);
void ma_graph_free(ma_graph *g);

/* Bytes held by the graph's arrays right now. */
uint64_t ma_graph_bytes(const ma_graph *g);

static inline int ma_is_synthetic(const ma_graph *g, ma_id v)
{
    return (g->flags[v] & 1u /* MD_NODE_SYNTHETIC */) != 0;
}

/* Bytes a node counts for in totals and retained sizes: synthetic nodes are path elements. */
static inline uint64_t ma_node_bytes(const ma_graph *g, ma_id v)
{
    return ma_is_synthetic(g, v) ? 0 : g->size[v];
}

#endif
