/* md_interpose.c — the malloc family, as seen by the program.
 *
 * Every function starts with the same test: when md_hot is 0 (no tracking and no accounting,
 * real functions known: the default for Python) it tail-calls the real allocator and nothing
 * else — the agent then adds nothing that could deadlock, so it adds no protection either, and
 * the program's allocations cost one load and one predictable branch more. Otherwise (md_hot
 * set) the real allocator is called with md_t.in_real set around the call. A call that finds
 * in_real already set comes from a signal handler that interrupted glibc's allocator on this
 * thread; calling glibc again could deadlock on its arena lock, so it is served by the side
 * allocator instead (md_real.h), and a glibc block it frees is queued on md_t.deferred and freed
 * after the interrupted call returns. A noinline slow path resolves the real functions (serving
 * dlsym's own allocations from the side allocator), and, unless this thread is already inside
 * the agent (md_t.guard), records the block.
 *
 * Stacks: the slow path gets the interposer's own frame address; the unwinder starts from the
 * return address stored there. MD_NO_TAIL keeps the interposer's frame alive during the slow
 * path (a tail call would pop it).
 *
 * A free (or realloc) that arrives while the thread is inside the agent — a signal handler that
 * interrupted the tracker — is queued the same way rather than bypassing the table, so the table
 * never keeps an entry for memory glibc has taken back.
 *
 * Order: a block is added to the table after the real allocation returns and removed before the
 * real free, so an address is never in the table while another thread may be given it.
 *
 * glibc 2.36 has no free_sized / free_aligned_sized (C23, glibc 2.39+); nothing can call them
 * here, so they are not interposed.
 */
#include "md_real.h"
#include "md_tls.h"
#include "md_tracker.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
#define MD_NO_TAIL() __asm__ volatile("" ::: "memory")
#define SLOW __attribute__((noinline))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

static inline int fast(void) { return __builtin_expect(!__atomic_load_n(&md_hot, __ATOMIC_RELAXED), 1); }

/* 1 when this call must not be recorded (or the real functions are not known yet). */
static inline int bypass(void) { return md_t.guard || md_t.agent || !md_accounting; }

SLOW static void flush_deferred(void);

static inline void enter(void)
{
    md_t.in_real = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void leave(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    md_t.in_real = 0;
    if (UNLIKELY(md_t.deferred != NULL) && !md_t.guard) flush_deferred();
}

/* End of a tracked section: frees queued meanwhile can now go through the tracker. */
static inline void unguard(void)
{
    md_t.guard--;
    if (UNLIKELY(md_t.deferred != NULL) && !md_t.guard) flush_deferred();
}

/* ---- re-entry from a signal handler (md_t.in_real set) ---------------------------------------- */

static void defer_free(void *p)
{
    if (!p || md_side_owns(p)) return;
    *(void **)p = md_t.deferred;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    md_t.deferred = p;
}

SLOW static void *reentrant_realloc(void *old, size_t n)
{
    void *p = md_side_alloc(n, 16);
    if (p && old) {
        size_t os = md_side_owns(old) ? md_side_size(old) : md_real.usable(old);
        memcpy(p, old, os < n ? os : n);
        defer_free(old);
    }
    return p;
}

/* ---- slow paths ------------------------------------------------------------------------------ */

SLOW static void *slow_malloc(size_t n, void *fp)
{
    if (md_real_resolve() < 0) return md_side_alloc(n, 16);
    if (bypass()) {
        enter();
        void *p = md_real.malloc(n);
        leave();
        return p;
    }
    md_t.guard++;
    enter();
    void *p = md_real.malloc(n);
    leave();
    if (p) md_track_alloc(p, n, fp);
    unguard();
    return p;
}

SLOW static void *slow_calloc(size_t n, size_t m, void *fp)
{
    size_t total;
    if (__builtin_mul_overflow(n, m, &total)) { errno = ENOMEM; return NULL; }
    if (md_real_resolve() < 0) return md_side_alloc(total, 16);
    int track = !bypass();
    if (track) md_t.guard++;
    enter();
    void *p = md_real.calloc(n, m);
    leave();
    if (track) {
        if (p) md_track_alloc(p, total, fp);
        unguard();
    }
    return p;
}

SLOW static void slow_free(void *p)
{
    if (!p || md_side_owns(p)) return;
    if (md_real_resolve() < 0) return;      /* cannot happen: p came from somewhere */
    if (md_t.guard && md_accounting) {
        /* inside the agent (or a signal handler that interrupted it): the block may be in the
         * table, which cannot be touched now; free it when the thread leaves the agent */
        defer_free(p);
        return;
    }
    int track = !bypass();
    if (track) {
        md_t.guard++;
        md_track_free(p);
    }
    enter();
    md_real.free(p);
    leave();
    if (track) unguard();
}

SLOW static void *slow_realloc(void *old, size_t n, void *fp)
{
    if (md_side_owns(old) || md_real_resolve() < 0) {
        void *p = md_real_resolve() < 0 ? md_side_alloc(n, 16) : slow_malloc(n, fp);
        if (p && old) {
            size_t os = md_side_size(old);
            memcpy(p, old, os < n ? os : n);
        }
        return p;
    }
    if (!old) return slow_malloc(n, fp);
    if (md_t.guard && md_accounting) {
        /* as in slow_free: copy into an untracked block, free the old one later */
        enter();
        void *p = md_real.malloc(n);
        leave();
        if (p) {
            size_t os = md_real.usable(old);
            memcpy(p, old, os < n ? os : n);
            defer_free(old);
        }
        return p;
    }
    if (bypass()) {
        enter();
        void *p = md_real.realloc(old, n);
        leave();
        return p;
    }
    md_t.guard++;
    md_bent saved;
    int had = md_track_detach(old, &saved);
    enter();
    void *p = md_real.realloc(old, n);
    leave();
    if (p) md_track_alloc(p, n, fp);
    else if (n != 0 && had) md_track_restore(&saved);   /* failed: the old block is still live */
    unguard();
    return p;
}

typedef enum { AL_MEMALIGN, AL_ALIGNED, AL_VALLOC, AL_PVALLOC } al_kind;

static void *real_aligned(al_kind k, size_t align, size_t n)
{
    void *p;
    enter();
    switch (k) {
    case AL_MEMALIGN: p = md_real.memalign(align, n); break;
    case AL_ALIGNED: p = md_real.aligned_alloc(align, n); break;
    case AL_VALLOC: p = md_real.valloc(n); break;
    default: p = md_real.pvalloc(n); break;
    }
    leave();
    return p;
}

static void *side_aligned(al_kind k, size_t align, size_t n)
{
    size_t a = k == AL_VALLOC || k == AL_PVALLOC ? 4096 : align;
    return (a & (a - 1)) ? NULL : md_side_alloc(n, a);
}

SLOW static void *slow_aligned(al_kind k, size_t align, size_t n, void *fp)
{
    if (md_real_resolve() < 0) return side_aligned(k, align, n);
    int track = !bypass();
    if (track) md_t.guard++;
    void *p = real_aligned(k, align, n);
    if (track) {
        if (p) md_track_alloc(p, n, fp);
        unguard();
    }
    return p;
}

SLOW static int slow_posix_memalign(void **out, size_t align, size_t n, void *fp)
{
    if (md_real_resolve() < 0 || md_t.in_real) {
        if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
        void *p = md_side_alloc(n, align);
        if (!p) return ENOMEM;
        *out = p;
        return 0;
    }
    int track = !bypass();
    if (track) md_t.guard++;
    enter();
    int rc = md_real.posix_memalign(out, align, n);
    leave();
    if (track) {
        if (rc == 0) md_track_alloc(*out, n, fp);
        unguard();
    }
    return rc;
}

EXPORT void free(void *p);

SLOW static void flush_deferred(void)
{
    for (;;) {
        void *list = md_t.deferred;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        md_t.deferred = NULL;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (!list) return;
        while (list) {
            void *next = *(void **)list;
            free(list);
            list = next;
        }
    }
}

/* ---- the exported family --------------------------------------------------------------------- */

EXPORT void *malloc(size_t n)
{
    if (fast()) return md_real.malloc(n);
    if (UNLIKELY(md_t.in_real)) return md_side_alloc(n, 16);
    void *p = slow_malloc(n, __builtin_frame_address(0));
    MD_NO_TAIL();
    return p;
}

EXPORT void free(void *p)
{
    if (fast() && !md_side_owns(p)) {
        md_real.free(p);
        return;
    }
    if (UNLIKELY(md_t.in_real)) { defer_free(p); return; }
    slow_free(p);
}

EXPORT void *calloc(size_t n, size_t m)
{
    if (fast()) return md_real.calloc(n, m);
    if (UNLIKELY(md_t.in_real)) {
        size_t total;
        return __builtin_mul_overflow(n, m, &total) ? NULL : md_side_alloc(total, 16);
    }
    void *p = slow_calloc(n, m, __builtin_frame_address(0));
    MD_NO_TAIL();
    return p;
}

EXPORT void *realloc(void *old, size_t n)
{
    if (fast() && !md_side_owns(old)) return md_real.realloc(old, n);
    if (UNLIKELY(md_t.in_real)) return reentrant_realloc(old, n);
    void *p = slow_realloc(old, n, __builtin_frame_address(0));
    MD_NO_TAIL();
    return p;
}

EXPORT void *reallocarray(void *old, size_t n, size_t m)
{
    size_t total;
    if (__builtin_mul_overflow(n, m, &total)) { errno = ENOMEM; return NULL; }
    if (fast() && !md_side_owns(old)) return md_real.realloc(old, total);
    if (UNLIKELY(md_t.in_real)) return reentrant_realloc(old, total);
    void *p = slow_realloc(old, total, __builtin_frame_address(0));
    MD_NO_TAIL();
    return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (fast()) return md_real.posix_memalign(out, align, n);
    int rc = slow_posix_memalign(out, align, n, __builtin_frame_address(0));
    MD_NO_TAIL();
    return rc;
}

#define ALIGNED_ENTRY(name, kind, align_expr, args)                                           \
    EXPORT void *name args                                                                     \
    {                                                                                          \
        if (fast()) return real_aligned(kind, align_expr, n);                                  \
        if (UNLIKELY(md_t.in_real)) return side_aligned(kind, align_expr, n);                  \
        void *p = slow_aligned(kind, align_expr, n, __builtin_frame_address(0));                \
        MD_NO_TAIL();                                                                          \
        return p;                                                                              \
    }

ALIGNED_ENTRY(memalign, AL_MEMALIGN, align, (size_t align, size_t n))
ALIGNED_ENTRY(aligned_alloc, AL_ALIGNED, align, (size_t align, size_t n))
ALIGNED_ENTRY(valloc, AL_VALLOC, 0, (size_t n))
ALIGNED_ENTRY(pvalloc, AL_PVALLOC, 0, (size_t n))

EXPORT size_t malloc_usable_size(void *p)
{
    if (!p) return 0;
    if (md_side_owns(p)) return md_side_size(p);
    if (md_real_resolve() < 0) return 0;
    return md_real.usable(p);
}
