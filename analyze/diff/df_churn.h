/* df_churn.h — allocations and frees between dumps, from the agent's per-site counters.
 *
 * A snapshot sees what is alive; a site that allocates and frees a million short-lived buffers
 * between two snapshots looks unchanged. The native tracker keeps, per allocation stack, the
 * number of allocations and frees and their bytes since tracking began (COUNTER records; frees
 * are charged to the site that allocated the block). Differences of these counters between two
 * dumps are the traffic of each site in between, even when its net change is zero. Counters are
 * keyed by merged allocation site (df_types.h), like growth by site.
 */
#ifndef DF_CHURN_H
#define DF_CHURN_H

#include "df_types.h"

void df_churn_init(df_churn *c, uint32_t ndumps);
void df_churn_free(df_churn *c);
/* Add the COUNTER records of dump number i. */
void df_churn_add(df_churn *c, const df_keys *k, const df_snap *s, uint32_t i);

static inline uint64_t *df_ctr(const df_churn *c, uint32_t key, uint32_t dump)
{
    return c->v + ((uint64_t)key * c->ndumps + dump) * DF_K_N;
}

/* Change of counter field f of key between dumps i and j (j > i); counters only grow, so a
 * decrease (a counter reset, or dumps out of order) reads as 0. */
static inline uint64_t df_ctr_delta(const df_churn *c, uint32_t key, uint32_t i, uint32_t j, int f)
{
    if (key >= c->nkeys) return 0;
    uint64_t x = df_ctr(c, key, i)[f], y = df_ctr(c, key, j)[f];
    return y > x ? y - x : 0;
}

#endif
