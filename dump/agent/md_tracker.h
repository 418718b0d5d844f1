/* md_tracker.h — the native allocation tracker: a sharded table of live blocks, per-site
 * counters and the live-heap accounting behind --at-peak.
 *
 * Modes (chosen once at start-up): off (default for Python: every interposed call is one
 * predictable branch, then the real function with a thread-local "inside glibc" flag set around
 * it — about 2 ns a call, see md_interpose.c for why the flag is needed), size accounting only (--at-peak
 * without --native: usable sizes are summed, no stacks, no table), and native (every block is
 * recorded with its allocation stack).
 *
 * Table: 64 shards, each an open-addressed array of 16-byte entries {address, requested size,
 * stack id} with linear probing and backward-shift deletion, grown by half at 80% load, so the
 * table costs 20-30 bytes per live block. Each shard has its own lock; counters are updated
 * inside that lock (in the calling thread's slot, see md_threads.h), which is what lets a
 * snapshot taken with all shard locks held see counters that reconcile exactly with the table.
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

#define MD_SHARDS 64u
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
