/* ma_paths.h — shortest paths from the roots ("why is this alive").
 *
 * One multi-source breadth-first search from every root (in ROOT record order, so ties go to the
 * first root listed) records a parent per node; the path to any node is then read backwards in
 * time proportional to its length. Unreachable nodes get parents too, from a second search that
 * starts at the unreferenced unreachable nodes (the likely leak origins) and then at whatever is
 * left, so a leaked block's path shows the leaked structure that holds it.
 *
 * Paths can be as long as the graph (a linked list); printers show both ends and elide the middle.
 */
#ifndef MA_PATHS_H
#define MA_PATHS_H

#include "ma_types.h"

/* Fills a->bfs_parent. Needs the MA_F_UNREACHABLE / MA_F_UNREF flags (ma_dominators). */
void ma_paths(ma_analysis *a);

/* The nodes of v's path, first the root (or unreachable start) and last v. *len receives the
 * count; the array is malloc'd (free it). */
ma_id *ma_path(const ma_analysis *a, ma_id v, uint64_t *len);

/* Index of the first ROOT record targeting v, or UINT64_MAX when v is not a root. */
uint64_t ma_root_index(const ma_dump *d, ma_id v);

/* The label of the edge from -> to (the first such edge with a label), 0 if none. */
int32_t ma_edge_label(const ma_graph *g, ma_id from, ma_id to);

#endif
