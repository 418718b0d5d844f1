/* md_spin.h — a test-and-test-and-set spinlock for the tracker's short critical sections.
 *
 * The tracker takes a shard lock twice per malloc/free pair; a futex lock needs an atomic
 * instruction both to take and to release it (to learn whether to wake a waiter), and those
 * locked instructions were three quarters of the tracker's own cost. This lock releases with a
 * plain store. Sections are a few dozen instructions, so a waiter spins briefly and then yields
 * the CPU (the holder may have been preempted); it never sleeps on a futex.
 */
#ifndef MD_SPIN_H
#define MD_SPIN_H

typedef struct md_spin { int v; } md_spin;

#define MD_SPIN_INIT { 0 }

void md_spin_slow(md_spin *l);

static inline void md_spin_acquire(md_spin *l)
{
    if (__builtin_expect(!__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE), 1)) return;
    md_spin_slow(l);
}

static inline int md_spin_try(md_spin *l)
{
    return __atomic_load_n(&l->v, __ATOMIC_RELAXED) == 0 &&
           !__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE);
}

static inline void md_spin_release(md_spin *l) { __atomic_store_n(&l->v, 0, __ATOMIC_RELEASE); }

static inline void md_spin_reset(md_spin *l) { __atomic_store_n(&l->v, 0, __ATOMIC_RELAXED); }

#endif
