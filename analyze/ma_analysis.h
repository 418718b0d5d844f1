/* ma_analysis.h — run the whole analysis of a loaded dump: dominators, retained sizes, paths,
 * totals. This is the entry point memanalyze, memdiff and the exporters share: load with
 * ma_load (ma_load.h), then ma_analyze, then read the arrays and totals in ma_analysis
 * (ma_types.h) or use the views.
 */
#ifndef MA_ANALYSIS_H
#define MA_ANALYSIS_H

#include "ma_types.h"

#define MA_KEEP_REVERSE 1u  /* keep d->g.in_off/in after the analysis (default: released) */

void ma_analyze(ma_analysis *a, ma_dump *d, unsigned flags);
void ma_analysis_free(ma_analysis *a);

/* Bytes held by the analysis arrays (not counting the graph). */
uint64_t ma_analysis_bytes(const ma_analysis *a);

/* Iterate the dominator-tree children of the node at preorder position pos:
 *   for (uint64_t c = pos + 1; c < a->dom_end[a->dom_order[pos]]; c = a->dom_end[a->dom_order[c]])
 * and the top-level nodes (children of the super-root) with parent_end = reach_nodes, or those of
 * the garbage root from reach_nodes to n. */
#endif
