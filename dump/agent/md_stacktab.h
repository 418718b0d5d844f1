/* md_stacktab.h — interned native allocation stacks and their per-site counters (parent side).
 *
 * A stack is a list of raw return addresses, innermost first. Each distinct stack gets an id
 * (1, 2, …; 0 = unknown) and an entry holding its PCs and the global counters of allocations
 * made there (allocations, frees, bytes allocated, bytes freed). Lookups are lock-free; inserts
 * take one lock. Entries live in mmap'd chunks indexed by id, so the snapshot child can read
 * them from its frozen copy. Memory is never returned (stacks are few compared with blocks).
 */
#ifndef MD_STACKTAB_H
#define MD_STACKTAB_H

#include "md_spin.h"

#include <stdint.h>

typedef struct md_stackent {
    uint64_t hash;
    const uint64_t *pcs;
    uint32_t depth;
    uint32_t pad;
    uint64_t allocs, frees, bytes_allocated, bytes_freed;  /* published counters (atomic) */
} md_stackent;

extern md_spin md_stacktab_lock;

/* The id of this stack, interning it if new; 0 when out of memory. */
uint32_t md_stacktab_intern(const uint64_t *pcs, uint32_t depth);
/* Entry by id (0 is the "unknown site" entry, which always exists). NULL if out of range. */
md_stackent *md_stacktab_get(uint32_t id);
uint32_t md_stacktab_count(void);   /* ids 1..count are defined */
uint64_t md_stacktab_bytes(void);   /* memory used, for tracker.overhead */

/* Publishes counter deltas to an entry (atomic adds). */
void md_stacktab_add(uint32_t id, int64_t allocs, int64_t frees, int64_t ba, int64_t bf);

#endif
