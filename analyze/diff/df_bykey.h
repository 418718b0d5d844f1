/* df_bykey.h — growth by type, by allocation site and by root.
 *
 * For each key of a kind (df_types.h) and each dump: the count, bytes and retained size of the
 * objects under that key (ma_groups_compute, so the retained size of a group never counts a byte
 * twice); for each interval: the objects that were new, freed or resized in place (df_match.h).
 * Types and sites are part of an object's identity, so for them "count in b − count in a" is
 * exactly "new − freed"; an object can change root (one list handing it to another), so for roots
 * the totals tell how much each root holds and new/freed tell where allocations happened.
 */
#ifndef DF_BYKEY_H
#define DF_BYKEY_H

#include "df_match.h"
#include "df_types.h"

void df_table_init(df_table *t, uint32_t ndumps);
void df_table_free(df_table *t);
/* Give every key the run knows (k->names[kind].n) a zeroed row. */
void df_table_fit(df_table *t, uint32_t nkeys);

static inline uint64_t *df_tot(const df_table *t, uint32_t key, uint32_t dump)
{
    return t->tot + ((uint64_t)key * t->ndumps + dump) * DF_T_N;
}
static inline int64_t *df_chg(const df_table *t, uint32_t key, uint32_t interval)
{
    return t->chg + ((uint64_t)key * t->nint + interval) * DF_C_N;
}

/* Totals of dump number i, for every kind. */
void df_bykey_totals(df_table tab[DF_KINDS], const df_keys *k, const df_snap *s, uint32_t i);
/* New, freed and resized objects of interval i (a = dump i, b = dump i+1), for every kind. */
void df_bykey_changes(df_table tab[DF_KINDS], const df_keys *k, const df_snap *a, const df_snap *b,
                      const df_match *m, uint32_t i);

#endif
