/* ma_stacktree.h — allocation stacks merged into one tree (the data of a flame graph).
 *
 * Each live object contributes its bytes to every location of its allocation stack, outermost
 * (main) first down to the allocation site. Locations are merged by their displayed text, so
 * two return addresses on one line are one tree node. Node 0 is the root ("all"); nodes are
 * (parent, location) pairs found through a hash of those 8 bytes.
 */
#ifndef MA_STACKTREE_H
#define MA_STACKTREE_H

#include "ma_intern.h"
#include "ma_names.h"
#include "ma_types.h"

typedef struct ma_stree {
    uint32_t n;                 /* tree nodes, 0 = root */
    uint32_t *parent;           /* [n] */
    uint32_t *loc;              /* [n] id in locs (root: none) */
    uint64_t *bytes, *count;    /* [n] inclusive totals */
    uint32_t *child_off;        /* [n+1] children of v: child[child_off[v] .. child_off[v+1]) */
    uint32_t *child;            /*   sorted by bytes, largest first */
    ma_intern locs;             /* location texts */
} ma_stree;

/* Build from the analysis: every non-synthetic node counts at its allocation stack. */
void ma_stree_build(ma_stree *t, const ma_analysis *a, ma_names *nm);
void ma_stree_free(ma_stree *t);

#endif
