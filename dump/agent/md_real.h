/* md_real.h — the real malloc family (the next definition after the agent's interposers) and
 * the side allocator for the two moments glibc's must not be called.
 *
 * 1. Start-up: dlsym(RTLD_NEXT, …) may itself call malloc/calloc before the real functions are
 *    known.
 * 2. Signal handlers: a handler that allocates while the thread it interrupted is inside glibc's
 *    malloc or free would deadlock on glibc's arena lock (which glibc takes whenever a process
 *    has more than one thread — and the agent's control thread makes every process so). The
 *    interposers mark the calls they make into glibc (md_t.in_real); a call that finds the mark
 *    set came from a handler that interrupted one, and is served here instead.
 * The side allocator is a bump allocator over a reserved region (1 GiB of address space, made
 * writable a megabyte at a time), async-signal-safe and lock-free. Its blocks carry their size in
 * a header; free() of one is ignored (such allocations are rare; the memory is not reused), and
 * glibc blocks freed from such a handler are queued and freed at the thread's next call.
 */
#ifndef MD_REAL_H
#define MD_REAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct md_real_fns {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    size_t (*usable)(void *);
} md_real_fns;

extern md_real_fns md_real;

/* Looks the functions up (idempotent). Returns 0, or -1 while a lookup is in progress on this
 * thread (the caller must use the side allocator). */
int md_real_resolve(void);

extern uintptr_t md_side_lo;            /* the side region: [md_side_lo, md_side_lo + size) */
#define MD_SIDE_SIZE (1ull << 30)

static inline int md_side_owns(const void *p)
{
    return (uintptr_t)p - md_side_lo < MD_SIDE_SIZE;
}

void *md_side_alloc(size_t size, size_t align);     /* zeroed; NULL when exhausted */
size_t md_side_size(const void *p);
uint64_t md_side_used(void);

#endif
