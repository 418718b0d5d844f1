/* md_lock.c — the contended path of md_lock (see md_lock.h): spin briefly, since critical
 * sections are a few dozen instructions, then sleep on the futex marking the lock contended. */
#include "md_lock.h"

void md_lock_slow(md_lock *l)
{
    for (int i = 0; i < 100; i++) {
        int c = 0;
        if (__atomic_load_n(&l->v, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&l->v, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    int c = __atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        md_futex_wait(&l->v, 2, -1, 0);
        c = __atomic_exchange_n(&l->v, 2, __ATOMIC_ACQUIRE);
    }
}
