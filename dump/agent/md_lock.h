/* md_lock.h — a three-state futex lock (0 free, 1 held, 2 held with waiters).
 *
 * Used for the tracker's shards and tables instead of pthread_mutex_t because it is a single int
 * (cheap to embed per shard), inlines to one cmpxchg on the fast path, and can be taken by the
 * snapshot code and the atfork handlers in a fixed order without any glibc state. The snapshot
 * child never touches these locks: it reads the frozen copy of whatever they protected.
 */
#ifndef MD_LOCK_H
#define MD_LOCK_H

#include "md_sys.h"

typedef struct md_lock { int v; } md_lock;

#define MD_LOCK_INIT { 0 }

void md_lock_slow(md_lock *l);

static inline void md_lock_acquire(md_lock *l)
{
    int c = 0;
    if (__builtin_expect(__atomic_compare_exchange_n(&l->v, &c, 1, 0, __ATOMIC_ACQUIRE,
                                                     __ATOMIC_RELAXED), 1))
        return;
    md_lock_slow(l);
}

static inline int md_lock_try(md_lock *l)
{
    int c = 0;
    return __atomic_compare_exchange_n(&l->v, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void md_lock_release(md_lock *l)
{
    if (__builtin_expect(__atomic_exchange_n(&l->v, 0, __ATOMIC_RELEASE) == 2, 0))
        md_futex_wake(&l->v, 1, 0);
}

/* Forget the lock's state (the child of fork(), where the holder no longer exists). */
static inline void md_lock_reset(md_lock *l) { __atomic_store_n(&l->v, 0, __ATOMIC_RELAXED); }

#endif
