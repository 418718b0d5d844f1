/* md_tls.h — the agent's per-thread state, in initial-exec TLS.
 *
 * initial-exec because the interposed malloc reads it on every call: it compiles to one
 * %fs-relative load, and unlike the general dynamic model it never calls __tls_get_addr (which
 * may itself allocate). The agent is loaded at start-up (LD_PRELOAD), so static TLS is available.
 * Kept tiny; the bulky per-thread data (counter caches) lives in the thread's registry slot.
 */
#ifndef MD_TLS_H
#define MD_TLS_H

#include <stdint.h>

typedef struct md_tslot md_tslot;

enum { MD_T_NEW = 0, MD_T_READY = 1, MD_T_DEAD = 2 };

typedef struct md_tls {
    int in_real;            /* inside a call to glibc's allocator (see md_real.h) */
    int guard;              /* > 0: inside the agent; malloc calls pass straight through */
    void *deferred;         /* glibc blocks freed by a signal handler, freed at the next call */
    int state;              /* MD_T_* */
    int agent;              /* an agent thread: its allocations are never recorded */
    md_tslot *slot;         /* registry slot, NULL before registration and after exit */
    uint64_t stack_hi;      /* top of this thread's stack, 0 = unknown */
} md_tls;

extern __thread md_tls md_t __attribute__((tls_model("initial-exec")));

/* Registers the calling thread if it is not yet (lazy path for threads the agent did not see
 * start). Must be called with md_t.guard raised. */
void md_tls_ensure(void);

#endif
