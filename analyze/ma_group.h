/* ma_group.h — aggregate nodes by a key: count, bytes and retained size per group.
 *
 * Every "by X" table (types, sites, files, lines, modules, roots, leaks) is this one computation
 * with a different key function. Synthetic nodes are never counted (they are path elements).
 *
 * Retained size of a group is the memory freed if every member went away, counted without
 * double counting: the sum of retained sizes of the members that have no other member above
 * them in the dominator tree. One pass over the dominator tree in preorder does it: a member
 * inside the subtree range of the last counted member of its group is already included.
 */
#ifndef MA_GROUP_H
#define MA_GROUP_H

#include "ma_types.h"

typedef uint32_t (*ma_key_fn)(void *ctx, ma_id v);    /* group id, or MA_NONE to leave v out */

typedef struct ma_groups {
    uint32_t n;
    uint64_t *count, *bytes, *retained;
    uint64_t *unref;            /* members flagged MA_F_UNREF */
    uint64_t *unref_bytes;
    ma_id *top;                 /* member with the largest retained size (MA_NONE if empty) */
    uint32_t *order;            /* after ma_groups_sort: group ids, largest first */
    uint32_t norder;            /* non-empty groups in order */
} ma_groups;

void ma_groups_compute(ma_groups *g, const ma_analysis *a, uint32_t ngroups, ma_key_fn key, void *ctx);
/* Sort non-empty groups by bytes (by_retained = 0) or retained size, descending; ties by id. */
void ma_groups_sort(ma_groups *g, int by_retained);
void ma_groups_free(ma_groups *g);

/* The top k nodes by score among those accepted, largest first (k bounded; heap selection).
 * Returns the count found; out must hold k entries. */
typedef int (*ma_accept_fn)(void *ctx, ma_id v);
uint64_t ma_top_nodes(const ma_analysis *a, const uint64_t *score, ma_accept_fn accept, void *ctx,
                      ma_id *out, uint64_t k);

#endif
