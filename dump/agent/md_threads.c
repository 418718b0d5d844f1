/* md_threads.c — thread registry and the pthread_create interposer (see md_threads.h).
 *
 * Slots live in chunks of 256, allocated with mmap on demand (at most 256 chunks). A thread
 * claims a free slot with a compare-and-swap from 0 to 1 on its state; `limit` is a high-water
 * mark bounding scans. Chunk pointers are published before `limit` moves past them.
 *
 * The main thread's stack top comes from /proc/self/maps ([stack]) at start-up; other threads
 * ask pthread_getattr_np in their own wrapper before the start routine runs. Threads the agent
 * did not see start (created before it loaded, or by raw clone) register lazily on their first
 * tracked allocation, using pthread_getattr_np from there.
 */
#include "md_threads.h"
#include "md_agent.h"
#include "md_tls.h"
#include "md_tracker.h"
#include "md_sys.h"
#include "md_maps.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>

#define CHUNK_SLOTS 256u
#define MAX_CHUNKS 256u

__thread md_tls md_t __attribute__((tls_model("initial-exec")));

static md_tslot *chunks[MAX_CHUNKS];
static uint32_t limit;              /* slots [0, limit) may be in use */
static md_lock grow_lock = MD_LOCK_INIT;
static pthread_key_t exit_key;
static int key_ok;

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static create_fn real_create;

uint32_t md_threads_limit(void) { return __atomic_load_n(&limit, __ATOMIC_ACQUIRE); }

md_tslot *md_threads_slot(uint32_t i)
{
    if (i / CHUNK_SLOTS >= MAX_CHUNKS) return NULL;
    md_tslot *c = __atomic_load_n(&chunks[i / CHUNK_SLOTS], __ATOMIC_ACQUIRE);
    return c ? &c[i % CHUNK_SLOTS] : NULL;
}

static int claim(md_tslot *s)
{
    int z = 0;
    return __atomic_compare_exchange_n(&s->state, &z, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

md_tslot *md_threads_register(pid_t tid, uint64_t lo, uint64_t hi)
{
    md_tslot *s = NULL;
    uint32_t n = md_threads_limit();
    for (uint32_t i = 0; i < n && !s; i++) {
        md_tslot *c = md_threads_slot(i);
        if (c && __atomic_load_n(&c->state, __ATOMIC_RELAXED) == 0 && claim(c)) s = c;
    }
    while (!s) {
        md_lock_acquire(&grow_lock);
        uint32_t cur = md_threads_limit();
        if (cur / CHUNK_SLOTS >= MAX_CHUNKS) { md_lock_release(&grow_lock); return NULL; }
        if (!chunks[cur / CHUNK_SLOTS]) {
            md_tslot *c = md_map(CHUNK_SLOTS * sizeof(md_tslot));
            if (!c) { md_lock_release(&grow_lock); return NULL; }
            __atomic_store_n(&chunks[cur / CHUNK_SLOTS], c, __ATOMIC_RELEASE);
        }
        md_tslot *c = md_threads_slot(cur);
        __atomic_store_n(&limit, cur + 1, __ATOMIC_RELEASE);
        md_lock_release(&grow_lock);
        if (claim(c)) s = c;
    }
    s->tid = tid;
    s->stack_lo = lo;
    s->stack_hi = hi;
    s->live_delta = 0;
    memset(s->sites, 0, sizeof s->sites);
    for (int i = 0; i < MD_UCACHE; i++) s->ucache[i].n = 0;
    memset(s->rcache.pc, 0, sizeof s->rcache.pc);
    return s;
}

void md_threads_release(md_tslot *s)
{
    s->tid = 0;
    __atomic_store_n(&s->state, 0, __ATOMIC_RELEASE);
}

int md_threads_bounds(pid_t tid, uint64_t *lo, uint64_t *hi)
{
    uint32_t n = md_threads_limit();
    for (uint32_t i = 0; i < n; i++) {
        md_tslot *s = md_threads_slot(i);
        if (s && __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == 1 && s->tid == tid && s->stack_hi) {
            *lo = s->stack_lo;
            *hi = s->stack_hi;
            return 0;
        }
    }
    return -1;
}

/* Stack bounds of the calling (non-main) thread; allocates inside glibc, so guard is raised. */
static void self_bounds(uint64_t *lo, uint64_t *hi)
{
    pthread_attr_t a;
    *lo = *hi = 0;
    if (pthread_getattr_np(pthread_self(), &a) != 0) return;
    void *addr;
    size_t size;
    if (pthread_attr_getstack(&a, &addr, &size) == 0) {
        *lo = (uint64_t)(uintptr_t)addr;
        *hi = *lo + size;
    }
    pthread_attr_destroy(&a);
}

static void on_thread_exit(void *v)
{
    md_tslot *s = v;
    md_t.guard++;
    md_tracker_thread_exit(s);
    md_t.slot = NULL;
    md_t.state = MD_T_DEAD;
    md_threads_release(s);
    md_t.guard--;
}

static void register_self(uint64_t lo, uint64_t hi)
{
    md_tslot *s = md_threads_register(md_gettid(), lo, hi);
    md_t.slot = s;
    md_t.stack_hi = hi;
    md_t.state = MD_T_READY;
    if (s && key_ok) pthread_setspecific(exit_key, s);
}

void md_tls_ensure(void)
{
    if (md_t.state != MD_T_NEW) return;
    uint64_t lo, hi;
    if (md_gettid() == md_g.pid) {
        if (md_maps_main_stack(&lo, &hi) < 0) lo = hi = 0;
    } else {
        self_bounds(&lo, &hi);
    }
    /* a thread made by a raw clone() shares glibc's idea of "self" with its creator: bounds that
     * do not contain our own stack pointer are not ours, and an unknown top of stack limits the
     * unwinder to the first frame instead of letting it read someone else's stack */
    uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    if (sp < lo || sp >= hi) lo = hi = 0;
    register_self(lo, hi);
}

void md_threads_init(void)
{
    real_create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    key_ok = pthread_key_create(&exit_key, on_thread_exit) == 0;
    md_t.guard++;
    md_tls_ensure();
    md_t.guard--;
}

void md_threads_lock(void) { md_lock_acquire(&grow_lock); }
void md_threads_unlock(void) { md_lock_release(&grow_lock); }

void md_threads_after_fork_child(void)
{
    uint32_t n = md_threads_limit();
    pid_t me = md_gettid();
    for (uint32_t i = 0; i < n; i++) {
        md_tslot *s = md_threads_slot(i);
        if (!s || s->state != 1) continue;
        if (s == md_t.slot) s->tid = me;
        else md_threads_release(s);
    }
}

/* ---- the interposer ----------------------------------------------------------------------- */

typedef struct start_arg {
    void *(*fn)(void *);
    void *arg;
} start_arg;

static void *thread_start(void *p)
{
    start_arg sa = *(start_arg *)p;
    md_t.guard++;
    md_tracker_free_untracked(p);
    uint64_t lo, hi;
    self_bounds(&lo, &hi);
    register_self(lo, hi);
    md_t.guard--;
    return sa.fn(sa.arg);
}

__attribute__((visibility("default")))
int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (!real_create) real_create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    if (!real_create) return EAGAIN;
    if (!md_g.ready || md_g.cfg.disabled) return real_create(th, attr, fn, arg);
    start_arg *sa = md_tracker_malloc_untracked(sizeof *sa);
    if (!sa) return real_create(th, attr, fn, arg);
    sa->fn = fn;
    sa->arg = arg;
    int rc = real_create(th, attr, thread_start, sa);
    if (rc != 0) md_tracker_free_untracked(sa);
    return rc;
}
