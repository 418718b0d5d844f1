/* md_threads.h — the registry of the process's threads: ids, stack bounds, per-thread counters.
 *
 * pthread_create is interposed so every new thread registers itself (tid and stack bounds from
 * pthread_getattr_np) before running its start routine, and unregisters from a thread-specific
 * destructor when it exits. The registry is an array of slots in mmap'd chunks, claimed with a
 * compare-and-swap, so reading it never needs a lock: the snapshot child reads its frozen copy
 * to find each thread's stack and the counter deltas each thread has not yet published.
 */
#ifndef MD_THREADS_H
#define MD_THREADS_H

#include "md_unwind.h"

#include <stdint.h>
#include <sys/types.h>

#define MD_SITE_CACHE 16

/* Counter deltas for one allocation site, kept per thread so the hot path needs no atomics;
 * published to the site's global counters when evicted or when the thread exits. */
typedef struct md_site_delta {
    uint32_t stack;         /* tracker stack id, 0 = empty */
    uint32_t pad;
    int64_t allocs, frees, bytes_allocated, bytes_freed;
} md_site_delta;

/* One remembered allocation stack of this thread: the frame it was walked from (sp0), the
 * stack words the walk read (offsets from the interposer's frame, values) and the resulting
 * tracker stack id. Valid while those words still hold those values. */
#define MD_UCACHE 16
#define MD_UCACHE_WORDS 72
typedef struct md_ucache {
    uint64_t sp0;
    uint32_t n, id;         /* n = 0: empty */
    uint32_t off[MD_UCACHE_WORDS];
    uint64_t val[MD_UCACHE_WORDS];
} md_ucache;

typedef struct md_tslot {
    int state;              /* 0 free, 1 in use */
    pid_t tid;
    uint64_t stack_lo, stack_hi;    /* 0 = unknown */
    int64_t live_delta;     /* live-heap bytes not yet in the global counter */
    md_site_delta sites[MD_SITE_CACHE];
    md_ucache ucache[MD_UCACHE];    /* only ever used by the owning thread */
    md_rcache rcache;               /* likewise */
} md_tslot;

void md_threads_init(void);          /* constructor: registers the main thread */

md_tslot *md_threads_register(pid_t tid, uint64_t lo, uint64_t hi);
void md_threads_release(md_tslot *s);

/* Slots [0, md_threads_limit()) may be in use; md_threads_slot(i) returns NULL past allocated
 * chunks. Lock-free: safe in the snapshot child and in a signal handler. */
uint32_t md_threads_limit(void);
md_tslot *md_threads_slot(uint32_t i);
/* Stack bounds of thread tid if registered. Returns 0 when found. */
int md_threads_bounds(pid_t tid, uint64_t *lo, uint64_t *hi);

/* In the child of fork(): only the calling thread survives; drop the others' slots after their
 * deltas were folded in by the tracker. */
void md_threads_after_fork_child(void);

/* The registry's growth lock, for fork(): taken in prepare, dropped in parent and child. */
void md_threads_lock(void);
void md_threads_unlock(void);

#endif
