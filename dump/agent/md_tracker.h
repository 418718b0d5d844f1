/* md_tracker.h — the native allocation tracker: a sharded table of live blocks, per-site
 * counters and the live-heap accounting behind --at-peak.
 *
 * Modes (chosen once at start-up): off (default for Python: every interposed call is one
 * predictable branch and a tail call of the real function — about 0.5 ns a call, 1.19x on a
 * loop that does nothing but malloc and free), size accounting only (--at-peak
 * without --native: usable sizes are summed, no stacks, no table), and native (every block is
 * recorded with its allocation stack).
 *
 * Table: 64 shards, each an open-addressed array of 16-byte entries {address, requested size,
 * stack id} with linear probing and backward-shift deletion, grown by half at 80% load, so the
 * table costs 20-30 bytes per live block. A block's position comes from its 1 KiB region of
 * address space plus its offset there (md_tracker.c), so blocks allocated one after another
 * share table lines. Each shard has its own lock; counters are updated inside that lock (in
 * the calling thread's slot, see md_threads.h), which is what lets a snapshot taken with all
 * shard locks held see counters that reconcile exactly with the table.
 *
 * Hot path (native). malloc: (1) the shard and slot of the new block are computed and its table
 * line prefetched; (2) the stack id: the thread's stack cache is checked — sets of 4 recent
 * walks chosen by the interposer's frame and return address, a hit when every stack word the
 * walk depended on still holds its value — and on a miss the stack is walked (md_unwind.c: one
 * cached rule per frame, the saved rbp recorded only where a frame uses it, the hash computed
 * along the way) and interned (md_stacktab.c: one probe of a tagged index, one record compared);
 * (3) under the shard lock: insert, site delta, live-heap delta. free: the block header glibc is
 * about to read is prefetched, then under the lock: delete, site delta, live-heap delta.
 * Measured (TSC, per call, 2.6 GHz VM, `make bench` workloads): cc1 — about 680 cycles per
 * allocation, 490 of them for the stack (45% cache hits; a walk of ~21 frames ~480 cycles, an
 * intern ~240), 120 per free; the hash-map program — 355 per allocation (all cache hits), 450
 * per free (frees come in no address order: one cache miss each). `make bench` CPU ratios,
 * before → after this layout and cache: gcc 1.42× → 1.31×, hash map + tree 1.54× → 1.25×,
 * churn 3.0× (unchanged). What is left in gcc is memory latency: ~25 cycles per frame walked
 * (two dependent loads), two cache misses per intern, one per site-counter eviction.
 *
 * Reentrancy: md_t.guard is raised for the whole tracked section, so an allocation made by the
 * agent itself — or by a signal handler that interrupts the tracked section — goes straight to
 * the real allocator, untracked, and can never deadlock on a shard lock.
 */
#ifndef MD_TRACKER_H
#define MD_TRACKER_H

#include "md_spin.h"
#include "md_threads.h"

#include <stddef.h>
#include <stdint.h>

#define MD_SHARD_BITS 6
#define MD_SHARDS (1u << MD_SHARD_BITS)
#define MD_SIZE_BIG 0xffffffffu     /* size field saturates; the real size is the usable size */

typedef struct md_bent {
    uint64_t addr;          /* 0 = empty */
    uint32_t size;          /* requested size, MD_SIZE_BIG if it does not fit */
    uint32_t stack;         /* tracker stack id */
} md_bent;

typedef struct md_shard {
    md_spin lock;
    uint32_t cap, count;
    md_bent *tab;
    char pad[64 - sizeof(md_spin) - 8 - sizeof(md_bent *)];
} md_shard;

extern md_shard md_shards[MD_SHARDS];

/* Hot flag read by every interposed call: 0 = pass straight through. */
extern int md_hot;
extern int md_native;       /* full tracking */
extern int md_accounting;   /* live-heap accounting (native or --at-peak) */

void md_tracker_init(int native, int accounting, int depth);

/* Called by the interposers with md_t.guard raised. fp is the interposer's frame pointer. */
void md_track_alloc(void *p, size_t size, void *fp);
/* Removes p before it is freed; returns its recorded size (or usable size), 0 if unknown. */
void md_track_free(void *p);
/* realloc: forget old (keep its entry in *saved), later add new or restore old. */
int md_track_detach(void *p, md_bent *saved);
void md_track_restore(const md_bent *saved);

/* Allocation that the tracker never sees (agent-internal). */
void *md_tracker_malloc_untracked(size_t size);
void md_tracker_free_untracked(void *p);

/* Thread exit: publish the slot's deltas (takes shard 0's lock). */
void md_tracker_thread_exit(md_tslot *s);

/* Snapshot and fork(): take / drop every tracker lock in a fixed order. */
void md_tracker_lock_all(void);
void md_tracker_unlock_all(void);
/* In the child of fork(): fold the vanished threads' deltas in, then unlock. */
void md_tracker_fork_child(void);

/* Live-heap figures (approximate: per-thread deltas under 64 KiB are not yet published). */
int64_t md_tracker_live(void);
uint64_t md_tracker_hwm(void);
uint64_t md_tracker_overhead(void);  /* bytes of tracker memory */
uint64_t md_tracker_untracked_frees(void);
/* Entries in all shards (reads the table without locks: for the snapshot child). */
uint64_t md_tracker_count_entries(void);

#endif
