/* ma_dominators.h — dominator tree and retained sizes.
 *
 * A node d dominates v when every path from the roots to v passes through d; the retained size
 * of d is what would be freed if d went away: the sizes of all nodes it dominates. The graph gets
 * one virtual super-root (MA_SUPER) with an edge to every root, so "dominated" means "kept alive
 * only through". Unreachable nodes are not dropped: a virtual garbage root (MA_GARBAGE, a child of
 * the super-root) gets an edge to each unreferenced unreachable node (no inbound edge but its
 * own) and then to the lowest-address node of each remaining unreachable cycle, so leaked blocks
 * get retained sizes too, relative to the leak's likely origin. Edges from unreachable nodes into
 * reachable ones are ignored: garbage pointing at live objects must not change who keeps the
 * live objects alive.
 *
 * Algorithm: Lengauer-Tarjan with path compression ("simple" version, O(m log n)): an iterative
 * DFS numbering (explicit stack: a 10-million-long list must not overflow the C stack),
 * semidominators in reverse preorder with an iterative EVAL/COMPRESS, buckets as linked lists in
 * arrays, and the final idom fix-up in preorder. Cooper-Harvey-Kennedy is avoided on purpose: its
 * iteration count degrades badly on deep cyclic graphs. Semi-NCA would be a little simpler but has
 * a quadratic worst case when the dominator tree is a long chain.
 *
 * Retained sizes need no tree walk: an immediate dominator always precedes its children in DFS
 * preorder, so adding each node's retained size to its idom in reverse preorder is a post-order
 * sum. The same trick lays out the dominator tree in preorder (dom_order/dom_end), which makes
 * subtree queries ("is v under d", "largest child") array scans.
 */
#ifndef MA_DOMINATORS_H
#define MA_DOMINATORS_H

#include "ma_types.h"

/* Fills a->idom, a->retained, a->dom_order, a->dom_end, a->reach_nodes and the node flags
 * MA_F_UNREACHABLE and MA_F_UNREF. Needs the reverse graph. */
void ma_dominators(ma_analysis *a);

#endif
