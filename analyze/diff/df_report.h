/* df_report.h — the rows memdiff shows, ranked, shared by the text and JSON outputs.
 *
 * Ranking rules ("largest first"):
 *   - with two dumps: sources by growth, keys by net bytes, churn by bytes allocated;
 *   - with three or more: anything that grew in every interval ("steady": its retained size for
 *     a source, its bytes for a key) ranks above everything that did not, then by the change from
 *     the first dump to the last. A one-off spike — up in one interval, flat or down in another —
 *     therefore ranks below steady growth however large it is.
 * Keys are listed only when their count or bytes changed in some interval; churn only for sites
 * with allocations or frees in between. Ties go to the lower key id (first seen), so the order
 * is deterministic.
 */
#ifndef DF_REPORT_H
#define DF_REPORT_H

#include "df_run.h"

typedef struct df_keyrow {
    df_kind kind;
    uint32_t key;
    int64_t count_delta, bytes_delta;   /* first dump → last */
    uint64_t new_count, new_bytes, freed_count, freed_bytes;    /* summed over the intervals */
    int64_t resized_bytes;
    int steady;
} df_keyrow;

typedef struct df_churnrow {
    uint32_t key;
    uint64_t allocs, frees, bytes, bytes_freed;     /* first dump → last */
} df_churnrow;

extern const char *const df_kind_names[DF_KINDS];   /* "type", "site", "root" */

const char *df_key_text(const df_run *r, df_kind kind, uint32_t key);
/* The change of a key over interval j (count or bytes). */
int64_t df_key_delta(const df_run *r, df_kind kind, uint32_t key, uint32_t j, int bytes);

uint64_t df_report_keys(const df_run *r, df_kind kind, df_keyrow **out);
uint64_t df_report_churn(const df_run *r, df_churnrow **out);
/* Indices into r->src, ranked. */
uint64_t df_report_sources(const df_run *r, uint64_t **out);

/* Rows to show: min(--top, available). */
static inline uint64_t df_rows(const df_run *r, uint64_t available)
{
    return r->o.top && r->o.top < available ? r->o.top : available;
}

#endif
