/* df_growth.h — how much each object's dominated memory grew between two dumps.
 *
 * Growth is measured in allocations, not in retained sizes: under a node v of dump b (its
 * dominator subtree), add(v) is the bytes of objects that are new in b (plus the growth of
 * objects resized in place); under the same object in dump a, rem(u) is the bytes of objects
 * that were freed by b (plus in-place shrinking). growth(v) = add(v) − rem(u), or add(v) when v
 * is new. Both are post-order sums over a dominator tree, so computing them is linear.
 *
 * Why not "retained after − retained before": retained sizes move when ownership moves. If a
 * long-lived object is handed from one owner to another, the new owner's retained size jumps
 * though nothing was allocated, and a new head node prepended to an old linked list "retains"
 * the whole old list. Counting only new and freed objects puts growth where memory was allocated
 * and kept; objects that merely changed hands are not growth. Summed over everything, growth is
 * exactly the change in live bytes.
 *
 * Root groups. Dominator trees of real programs have thousands of top-level nodes (each slot of
 * a global array, each stack slot is its own root), so the first level of the descent groups the
 * top-level objects by root key (ma_root_keys, slots of one global merged): the growth of a group
 * is the added bytes under its top-level objects in b minus the freed bytes under its top-level
 * objects in a. Root keys are names, so they compare across dumps.
 */
#ifndef DF_GROWTH_H
#define DF_GROWTH_H

#include "df_match.h"
#include "df_types.h"

typedef struct df_growth {
    df_snap *a, *b;
    const df_match *m;
    uint64_t *add_b;            /* [n_b] */
    uint64_t *rem_a;            /* [n_a] */
    int64_t *group;             /* [ngroups] growth per root key */
    uint32_t ngroups;
    int64_t positive;           /* sum of the positive group growths */
} df_growth;

void df_growth_compute(df_growth *g, const df_keys *k, df_snap *a, df_snap *b, const df_match *m);
void df_growth_free(df_growth *g);

static inline int64_t df_growth_of(const df_growth *g, ma_id v)
{
    ma_id u = g->m->b2a[v];
    return (int64_t)g->add_b[v] - (u == MA_NONE ? 0 : (int64_t)g->rem_a[u]);
}

#endif
