/* md_spin.c — the contended path of md_spin (see md_spin.h). */
#include "md_spin.h"

#include <sched.h>

void md_spin_slow(md_spin *l)
{
    for (unsigned n = 0;; n++) {
        if (__atomic_load_n(&l->v, __ATOMIC_RELAXED) == 0 &&
            !__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
            return;
        if (n < 64) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            sched_yield();
        }
    }
}
