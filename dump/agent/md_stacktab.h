/* md_stacktab.h — interned native allocation stacks and their per-site counters (parent side).
 *
 * A stack is a list of raw return addresses, innermost first. Each distinct stack gets an id
 * (1, 2, …; 0 = unknown) and an entry holding its PCs and the global counters of allocations
 * made there (allocations, frees, bytes allocated, bytes freed). Lookups are lock-free; inserts
 * take one lock. Entries live in mmap'd chunks indexed by id, so the snapshot child can read
 * them from its frozen copy. Memory is never returned (stacks are few compared with blocks).
 *
 * The hash of a stack is defined here, step by step, so that the unwinder can compute it along
 * its walk (where the multiplications hide behind the walk's loads) and hand it to
 * md_stacktab_intern_hashed: interning then costs a probe and one comparison of the PCs.
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

/* md_stackhash: h = SEED; h = step(h, pc) for each pc, innermost first; final(h, depth). */
#define MD_STACKHASH_SEED 0x9e3779b97f4a7c15ull
static inline uint64_t md_stackhash_step(uint64_t h, uint64_t pc)
{
    h ^= pc;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}
static inline uint64_t md_stackhash_final(uint64_t h, uint32_t depth)
{
    h ^= depth;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return h ? h : 1;
}

/* The id of this stack, interning it if new; 0 when out of memory. */
uint32_t md_stacktab_intern(const uint64_t *pcs, uint32_t depth);
/* The same with the stack's md_stackhash already computed. */
uint32_t md_stacktab_intern_hashed(const uint64_t *pcs, uint32_t depth, uint64_t hash);
/* Entry by id (0 is the "unknown site" entry, which always exists). NULL if out of range. */
md_stackent *md_stacktab_get(uint32_t id);
uint32_t md_stacktab_count(void);   /* ids 1..count are defined */
uint64_t md_stacktab_bytes(void);   /* memory used, for tracker.overhead */

/* Publishes counter deltas to an entry (atomic adds). */
void md_stacktab_add(uint32_t id, int64_t allocs, int64_t frees, int64_t ba, int64_t bf);

#endif
