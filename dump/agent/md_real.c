/* md_real.c — lookup of the real allocator and the side allocator (see md_real.h). */
#include "md_real.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/mman.h>

#define STEP (1u << 20)

md_real_fns md_real;
uintptr_t md_side_lo = UINTPTR_MAX - MD_SIDE_SIZE;   /* owns nothing until reserved */
static uint64_t side_used;          /* bump offset (atomic) */
static uint64_t side_open;          /* bytes made writable so far */
static int side_state;              /* 0 none, 1 reserving, 2 ready, 3 failed */
static int resolving;
static int resolved;

static int side_reserve(void)
{
    int s = __atomic_load_n(&side_state, __ATOMIC_ACQUIRE);
    if (s == 2) return 0;
    if (s == 3) return -1;
    int z = 0;
    if (!__atomic_compare_exchange_n(&side_state, &z, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        while ((s = __atomic_load_n(&side_state, __ATOMIC_ACQUIRE)) == 1) {}
        return s == 2 ? 0 : -1;
    }
    void *p = mmap(NULL, MD_SIDE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        __atomic_store_n(&side_state, 3, __ATOMIC_RELEASE);
        return -1;
    }
    __atomic_store_n(&md_side_lo, (uintptr_t)p, __ATOMIC_RELEASE);
    __atomic_store_n(&side_state, 2, __ATOMIC_RELEASE);
    return 0;
}

/* Makes [0, end) of the region writable, a megabyte at a time. Racing callers may both call
 * mprotect on the same range, which is harmless. */
static int side_open_to(uint64_t end)
{
    uint64_t open = __atomic_load_n(&side_open, __ATOMIC_ACQUIRE);
    while (open < end) {
        uint64_t want = (end + STEP - 1) & ~(uint64_t)(STEP - 1);
        if (want > MD_SIDE_SIZE) return -1;
        if (mprotect((void *)(md_side_lo + open), want - open, PROT_READ | PROT_WRITE) != 0) return -1;
        if (__atomic_compare_exchange_n(&side_open, &open, want, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    return 0;
}

/* Each block is preceded by its size (8 bytes) so realloc and malloc_usable_size work. */
void *md_side_alloc(size_t size, size_t align)
{
    if (side_reserve() < 0) return NULL;
    if (align < 16) align = 16;
    if (size > MD_SIDE_SIZE / 2 || (align & (align - 1)) || align > STEP) return NULL;
    uint64_t cur = __atomic_load_n(&side_used, __ATOMIC_RELAXED), start, end;
    do {
        start = (cur + 8 + align - 1) & ~(uint64_t)(align - 1);
        end = start + size;
        if (end > MD_SIDE_SIZE) return NULL;
    } while (!__atomic_compare_exchange_n(&side_used, &cur, end, 1, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    if (side_open_to(end) < 0) return NULL;
    char *p = (char *)(md_side_lo + start);
    memcpy(p - 8, &size, 8);
    return p;       /* fresh anonymous pages are zero and never reused: calloc is satisfied */
}

size_t md_side_size(const void *p)
{
    size_t s;
    memcpy(&s, (const char *)p - 8, 8);
    return s;
}

uint64_t md_side_used(void) { return __atomic_load_n(&side_used, __ATOMIC_RELAXED); }

#define LOOK(field, name) md_real.field = (__typeof__(md_real.field))dlsym(RTLD_NEXT, name)

int md_real_resolve(void)
{
    if (__builtin_expect(__atomic_load_n(&resolved, __ATOMIC_ACQUIRE), 1)) return 0;
    if (resolving) return -1;
    resolving = 1;
    LOOK(malloc, "malloc");
    LOOK(free, "free");
    LOOK(calloc, "calloc");
    LOOK(realloc, "realloc");
    LOOK(memalign, "memalign");
    LOOK(posix_memalign, "posix_memalign");
    LOOK(aligned_alloc, "aligned_alloc");
    LOOK(valloc, "valloc");
    LOOK(pvalloc, "pvalloc");
    LOOK(usable, "malloc_usable_size");
    resolving = 0;
    if (!md_real.malloc || !md_real.free || !md_real.calloc || !md_real.realloc) return -1;
    __atomic_store_n(&resolved, 1, __ATOMIC_RELEASE);
    return 0;
}
