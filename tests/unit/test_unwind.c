/* test_unwind.c — the agent's stack capture (md_unwind.c, md_cfi.c) and stack interning
 * (md_stacktab.c), compiled into this test on their own.
 *
 * Capture: from the top of a chain of calls, some functions compiled with frame pointers and
 * some without (as in any -O2 program), md_unwind_capture must give exactly the return
 * addresses glibc's backtrace() (libgcc's DWARF unwinder) gives, with the rules read from
 * .eh_frame (libunwind is not loaded here). Its hash must be the stack table's hash of the same
 * addresses. Its trace — the words the walk depended on — must hold only return addresses when
 * no frame uses its saved rbp, be the same for the same path from the same stack depth (what
 * lets the tracker reuse a stack id without walking), and differ when a return address differs.
 *
 * Interning: thousands of stacks of every depth get distinct ids, the same ids again on a
 * second pass (through several index growths), and md_stacktab_get gives their PCs back.
 */
#include "../../dump/agent/md_unwind.c"
#include "../../dump/agent/md_cfi.c"
#include "../../dump/agent/md_stacktab.c"
#include "../../dump/agent/md_spin.c"
#include "../../dump/agent/md_sys.c"

#include "check.h"

#include <execinfo.h>
#include <pthread.h>
#include <stdlib.h>

#define NOFP __attribute__((noinline, optimize("omit-frame-pointer")))
#define FP __attribute__((noinline, optimize("no-omit-frame-pointer")))

static uint64_t stack_hi;
static md_rcache rc;

typedef struct shot {
    uint64_t pcs[16], bt[20], ret;
    uint32_t depth, nbt;
    uint64_t hash;
    uint32_t off[64];
    uint64_t val[64];
    md_utrace tr;
} shot;

static volatile int sink;

/* Stands for an interposer: compiled with a frame pointer, captures its callers. */
FP static void take(shot *s, uint32_t max)
{
    s->tr = (md_utrace){ 0, 64, s->off, s->val };
    s->depth = md_unwind_capture(__builtin_frame_address(0), stack_hi, s->pcs, max, &s->tr, &rc,
                                 &s->hash);
    s->ret = (uint64_t)(uintptr_t)__builtin_return_address(0);
    void *bt[20];
    int nbt = backtrace(bt, 20);
    /* backtrace() starts with itself under some runtimes (a sanitizer's wrapper): keep what
     * follows this function's own frame, the frame whose return address the compiler knows */
    int k = 0;
    while (k < nbt && (uint64_t)(uintptr_t)bt[k] != s->ret) k++;
    s->nbt = 0;
    for (int i = k; i < nbt; i++) s->bt[s->nbt++] = (uint64_t)(uintptr_t)bt[i];
    sink++;
}

/* A chain: c3 → c2 → c1 → take, alternating frame pointers; the arrays on the way make frames
 * of different sizes. */
NOFP static void c1(shot *s, uint32_t max)
{
    volatile char pad[40];
    pad[0] = 1;
    take(s, max);
    sink += pad[0];
}
FP static void c2(shot *s, uint32_t max)
{
    volatile char pad[200];
    pad[0] = 2;
    c1(s, max);
    sink += pad[0];
}
NOFP static void c3(shot *s, uint32_t max)
{
    volatile char pad[1000];
    pad[0] = 3;
    c2(s, max);
    sink += pad[0];
}
NOFP static void n1(shot *s, uint32_t max) { take(s, max); sink++; }
NOFP static void n2(shot *s, uint32_t max) { n1(s, max); sink++; }
NOFP static void n3(shot *s, uint32_t max) { n2(s, max); sink++; }

/* bt[0] is the return address the compiler gives (__builtin_return_address), the rest what
 * backtrace() found above it. */
static int matches_backtrace(const shot *s, uint32_t want)
{
    if (s->depth != want || s->nbt < want) return 0;
    for (uint32_t i = 0; i < want; i++)
        if (s->pcs[i] != s->bt[i]) return 0;
    return 1;
}

static int only_return_addresses(const shot *s)
{
    if (s->tr.n == 0 || s->tr.n > s->tr.cap) return 0;
    for (uint32_t i = 0; i < s->tr.n; i++) {
        int found = 0;
        for (uint32_t k = 0; k < s->depth + 1 && k < s->nbt; k++) found |= s->val[i] == s->bt[k];
        found |= s->val[i] == s->ret;
        if (!found) return 0;
    }
    return 1;
}

static int same_trace(const shot *a, const shot *b)
{
    if (a->tr.n != b->tr.n || a->tr.n > a->tr.cap) return 0;
    for (uint32_t i = 0; i < a->tr.n; i++)
        if (a->off[i] != b->off[i] || a->val[i] != b->val[i]) return 0;
    return 1;
}

static void captures(void)
{
    shot a, s[2], c, d;
    c3(&a, 4);
    CHECK(matches_backtrace(&a, 4), "mixed frames: the 4 return addresses backtrace() gives");
    CHECK(md_stacktab_intern(a.pcs, a.depth) == md_stacktab_intern_hashed(a.pcs, a.depth, a.hash),
          "the hash computed along the walk is the stack table's");
    /* 3 frames: the chain only (the compiler may give each call of c3 its own return address) */
    for (int i = 0; i < 2; i++) c3(&s[i], 3);
    CHECK(matches_backtrace(&s[0], 3) && same_trace(&s[0], &s[1]),
          "same path from the same depth: same words");
    n3(&c, 3);
    CHECK(matches_backtrace(&c, 3), "frames without frame pointers: the 3 return addresses");
    CHECK(only_return_addresses(&c), "no frame uses rbp: the trace holds only return addresses");
    CHECK(c.tr.n == 3, "the trace stops at the depth limit: 3 words for 3 frames");
    n1(&d, 3);
    CHECK(matches_backtrace(&d, 3) && d.pcs[0] == c.pcs[0] && d.pcs[1] != c.pcs[1] &&
          !same_trace(&c, &d), "another caller: another return address, another trace");
    c3(&d, 1);
    CHECK(d.depth == 1 && d.pcs[0] == a.pcs[0], "depth limit 1: the first return address only");
    shot e;
    c3(&e, 12);
    CHECK(e.depth >= 5 && e.depth <= 12 && e.nbt >= 5, "deeper: past the chain into main");
    uint32_t agree = 0;
    while (agree < e.depth && agree < e.nbt && e.pcs[agree] == e.bt[agree]) agree++;
    CHECK(agree >= 5, "deeper: the chain and main's caller agree with backtrace()");
    uint64_t saved = stack_hi;
    stack_hi = 0;
    c3(&d, 4);
    stack_hi = saved;
    CHECK(d.depth == 1 && d.pcs[0] == a.pcs[0], "unknown stack bounds: only the first frame");
}

static void interning(void)
{
    enum { N = 20000 };
    static uint64_t pcs[N][8];
    static uint32_t ids[N];
    uint64_t x = 88172645463325252ull;
    for (uint32_t i = 0; i < N; i++) {
        pcs[i][0] = 0x400000 + 4 * (uint64_t)i;         /* distinct by their first PC */
        for (uint32_t k = 1; k < 8; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            pcs[i][k] = 0x400000 + (x % 64) * 4;        /* few distinct callers */
        }
    }
    uint32_t before = md_stacktab_count(), bad = 0;
    for (uint32_t i = 0; i < N; i++) ids[i] = md_stacktab_intern(pcs[i], 1 + i % 8);
    for (uint32_t i = 0; i < N; i++) bad += ids[i] == 0 || md_stacktab_intern(pcs[i], 1 + i % 8) != ids[i];
    CHECK_EQ_U(bad, 0, "20000 stacks: the same id on the second pass");
    CHECK_EQ_U(md_stacktab_count(), before + N, "20000 stacks: 20000 ids");
    for (uint32_t i = 0; i < N; i++) {
        const md_stackent *e = md_stacktab_get(ids[i]);
        bad += !e || e->depth != 1 + i % 8 || memcmp(e->pcs, pcs[i], e->depth * 8) != 0;
    }
    CHECK_EQ_U(bad, 0, "md_stacktab_get gives each stack's PCs back");
    uint32_t p = md_stacktab_intern(pcs[0], 3), q = md_stacktab_intern(pcs[0], 4);
    CHECK(p && q && p != q && p != ids[0], "a prefix is a different stack");
    /* two stacks given the same hash (as a collision would): still told apart by their PCs */
    uint64_t u[3] = { 0x1111, 0x2222, 0x3333 }, v[3] = { 0x9999, 0x2222, 0x3333 };
    uint32_t iu = md_stacktab_intern_hashed(u, 3, 42), iv = md_stacktab_intern_hashed(v, 3, 42);
    CHECK(iu && iv && iu != iv && md_stacktab_intern_hashed(u, 3, 42) == iu &&
          md_stacktab_intern_hashed(v, 3, 42) == iv, "equal hashes, different PCs: different ids");
    CHECK(md_stacktab_get(0) && md_stacktab_get(0)->depth == 0, "id 0 is the unknown site");
    md_stacktab_add(ids[5], 3, 1, 300, 100);
    const md_stackent *e = md_stacktab_get(ids[5]);
    CHECK(e->allocs == 3 && e->frees == 1 && e->bytes_allocated == 300 && e->bytes_freed == 100,
          "counters add up");
}

int main(void)
{
    pthread_attr_t at;
    void *lo;
    size_t sz;
    if (pthread_getattr_np(pthread_self(), &at) != 0 || pthread_attr_getstack(&at, &lo, &sz) != 0)
        return 1;
    stack_hi = (uint64_t)(uintptr_t)lo + sz;
    pthread_attr_destroy(&at);
    void *warm[4];
    backtrace(warm, 4);             /* loads libgcc before the first comparison */
    captures();
    interning();
    return check_done();
}
