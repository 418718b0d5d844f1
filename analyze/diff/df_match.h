/* df_match.h — which objects of dump a are still there in dump b.
 *
 * Matching rule. Two nodes are the same object when they have the same address, the same type
 * (same raw name and kind), the same size and the same kind of node (synthetic, Python, native
 * bits), and — when both record an allocation stack — the same stack (same return addresses, or
 * for Python frames the same function, file and line). One refinement: a Python object whose
 * size changed but which matches on everything else is the same object, resized in place (a list
 * or dict keeps its address when its item table grows, and the table is counted in its size); its
 * size difference counts as new (or freed) bytes, not as a new object.
 *
 * Address reuse. An address only says where an object lives, not which object it is: when the
 * program frees an object and later allocates another at the same address, the two dumps show one
 * address with, in general, a different type, size or stack — that is one object freed and one
 * new, never a match. When the replacement has the same type, size and stack it cannot be told
 * apart from the original and counts as kept: that is exactly the churn a snapshot cannot see,
 * which is why memdiff also reports the agent's allocation counters. Nodes whose address repeats
 * within one dump (MA_F_DUP, a corrupt file) never match.
 *
 * Cost: one merge over the two sorted address arrays, O(n_a + n_b), 4 bytes per node of each dump.
 */
#ifndef DF_MATCH_H
#define DF_MATCH_H

#include "df_types.h"

typedef struct df_match {
    ma_id *b2a;                 /* [n_b] the same object in a, or MA_NONE: new in b */
    ma_id *a2b;                 /* [n_a] the same object in b, or MA_NONE: freed */
    df_interval t;              /* totals: kept (resized included), new, freed; synthetic excluded */
} df_match;

void df_match_compute(df_match *m, const df_snap *a, const df_snap *b);
void df_match_free(df_match *m);

#endif
