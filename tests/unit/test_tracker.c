/* test_tracker.c — the agent's live-block table (dump/agent/md_tracker.c), on its own.
 *
 * The table's layout puts the blocks of one 1 KiB region side by side, which is what makes
 * sequential allocation cheap and also what could go wrong: long clusters, probe windows that
 * wrap around the end of a shard, backward-shift deletion across them, growth. So md_tracker.c
 * is compiled into this test (its statics visible) with the rest of the agent stubbed out — a
 * stack is an id derived from the call, a block is any 16-byte-aligned address, never touched —
 * and driven through md_track_alloc/free/detach/restore with address patterns that stress each
 * of those: dense small blocks, one block per page, random addresses, frees in random and
 * reverse order. After each phase every shard is checked against a reference (every live
 * address found, every freed one gone, counts equal) and against the invariant lookups rely on
 * (no empty slot between an entry and its home), and the per-site counters the snapshot reads
 * must reconcile with the table.
 */
#include "../../dump/agent/md_tracker.c"
#include "../../dump/agent/md_spin.c"
#include "../../dump/agent/md_sys.c"

#include "check.h"

#include <malloc.h>
#include <stdlib.h>

/* ---- the rest of the agent, stubbed ------------------------------------------------------- */

__thread md_tls md_t __attribute__((tls_model("initial-exec")));
static md_tslot the_slot;
md_real_fns md_real;
uint64_t md_peak_threshold = UINT64_MAX;
md_spin md_stacktab_lock = MD_SPIN_INIT;
md_spin md_unwind_lock = MD_SPIN_INIT;
static int64_t site_allocs, site_frees;
static uint32_t next_stack;

void md_tls_ensure(void)
{
    md_t.slot = &the_slot;
    md_t.state = MD_T_READY;
}
uint32_t md_threads_limit(void) { return 1; }
md_tslot *md_threads_slot(uint32_t i) { return i == 0 ? &the_slot : NULL; }
void md_threads_after_fork_child(void) {}
void md_peak_crossed(uint64_t live, uint32_t stack) { (void)live; (void)stack; }
uint64_t md_stacktab_bytes(void) { return 0; }
uint64_t md_unwind_bytes(void) { return 0; }
void md_stacktab_add(uint32_t id, int64_t allocs, int64_t frees, int64_t ba, int64_t bf)
{
    (void)id; (void)ba; (void)bf;
    site_allocs += allocs;
    site_frees += frees;
}
/* No trace: the stack cache never holds an entry, every allocation "walks". */
uint32_t md_unwind_capture(void *fp, uint64_t stack_hi, uint64_t *pcs, uint32_t max, md_utrace *tr,
                           md_rcache *rc, uint64_t *hash)
{
    (void)fp; (void)stack_hi; (void)rc;
    if (tr) tr->n = 0;
    if (max) pcs[0] = 0x400000 + next_stack;
    *hash = next_stack;
    return max ? 1 : 0;
}
uint32_t md_stacktab_intern_hashed(const uint64_t *pcs, uint32_t depth, uint64_t hash)
{
    (void)pcs; (void)depth;
    return 1 + (uint32_t)(hash % 37);       /* 37 sites: more than the slot's 16-entry cache */
}

/* ---- reference and checks ------------------------------------------------------------------- */

static const md_bent *find(uint64_t a)
{
    md_shard *s = shard_of(a);
    if (!s->cap) return NULL;
    for (uint32_t j = pos_of(a, s->cap);; j = j + 1 == s->cap ? 0 : j + 1) {
        if (s->tab[j].addr == a) return &s->tab[j];
        if (!s->tab[j].addr) return NULL;
    }
}

/* Every shard: its count matches its entries, load stays at most 80%, and no entry has an
 * empty slot between its home and where it sits (a lookup would stop there and miss it). */
static int table_sound(void)
{
    for (uint32_t i = 0; i < MD_SHARDS; i++) {
        const md_shard *s = &md_shards[i];
        uint32_t n = 0;
        if ((uint64_t)s->count * 5 > (uint64_t)s->cap * 4) return 0;
        for (uint32_t k = 0; k < s->cap; k++) {
            uint64_t a = s->tab[k].addr;
            if (!a) continue;
            n++;
            if (shard_of(a) != s) return 0;
            for (uint32_t j = pos_of(a, s->cap); j != k; j = j + 1 == s->cap ? 0 : j + 1)
                if (!s->tab[j].addr) return 0;
        }
        if (n != s->count) return 0;
    }
    return 1;
}

typedef struct blk { uint64_t addr; uint32_t size; int live; } blk;

static int all_present(const blk *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const md_bent *e = find(b[i].addr);
        if (b[i].live != (e != NULL)) return 0;
        if (e && e->size != b[i].size) return 0;
    }
    return 1;
}

static uint64_t live_count(const blk *b, size_t n)
{
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) c += b[i].live;
    return c;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

__attribute__((noinline)) static void alloc_all(blk *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        next_stack = (uint32_t)(i % 101);
        md_track_alloc((void *)(uintptr_t)b[i].addr, b[i].size, __builtin_frame_address(0));
        b[i].live = 1;
    }
}

static void free_some(blk *b, size_t n, int pct, int reverse)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        if (!b[i].live || (int)(next_rand() % 100) >= pct) continue;
        md_track_free((void *)(uintptr_t)b[i].addr);
        b[i].live = 0;
    }
}

static void shuffle(blk *b, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = next_rand() % i;
        blk t = b[i - 1];
        b[i - 1] = b[j];
        b[j] = t;
    }
}

/* One pattern: allocate, free in random order, free the rest in reverse, checking as it goes. */
static void pattern(const char *name, blk *b, size_t n)
{
    char what[160];
    uint64_t before = md_tracker_count_entries();
    alloc_all(b, n);
    snprintf(what, sizeof what, "%s: %zu blocks inserted, all found, table sound", name, n);
    CHECK(all_present(b, n) && table_sound() && md_tracker_count_entries() == before + n, what);
    shuffle(b, n);
    free_some(b, n, 60, 0);
    snprintf(what, sizeof what, "%s: 60%% freed in random order, the rest all found", name);
    CHECK(all_present(b, n) && table_sound() && md_tracker_count_entries() == before + live_count(b, n),
          what);
    free_some(b, n, 100, 1);
    snprintf(what, sizeof what, "%s: all freed in reverse order, table back to where it was", name);
    CHECK(all_present(b, n) && table_sound() && md_tracker_count_entries() == before, what);
}

int main(void)
{
    md_real.usable = malloc_usable_size;
    md_tracker_init(1, 0, 32);
    size_t n = 200000;
    blk *b = calloc(n, sizeof *b);
    if (!b) return 1;

    /* dense: 32-byte blocks back to back, 32 per region: full windows, long clusters */
    for (size_t i = 0; i < n; i++) b[i] = (blk){ 0x55550000a010ull + 32 * (uint64_t)i, 24, 0 };
    pattern("dense 32-byte blocks", b, n);
    /* mixed sizes back to back, as a program's heap grows */
    uint64_t a = 0x7f0000000010ull;
    for (size_t i = 0; i < n; i++) {
        uint32_t sz = 16 + (uint32_t)(next_rand() % 200);
        b[i] = (blk){ a, sz, 0 };
        a += ((sz + 8 + 15) & ~15ull) < 32 ? 32 : ((sz + 8 + 15) & ~15ull);
    }
    pattern("mixed-size blocks back to back", b, n);
    /* one block per page, and one per 1 KiB region */
    for (size_t i = 0; i < 50000; i++) b[i] = (blk){ 0x10000010ull + 4096 * (uint64_t)i, 4000, 0 };
    pattern("one 4000-byte block per page", b, 50000);
    for (size_t i = 0; i < 50000; i++) b[i] = (blk){ 0x20000010ull + 1024 * (uint64_t)i, 1000, 0 };
    pattern("one block per 1 KiB region", b, 50000);
    /* scattered over a terabyte: i × an odd constant mod 2^36 is a permutation, so distinct */
    for (size_t i = 0; i < n; i++)
        b[i] = (blk){ 0x100000000000ull + (((uint64_t)i * 0x9e3779b97f4a7c15ull) & ((1ull << 36) - 1)) * 16, 64, 0 };
    pattern("scattered addresses", b, n);

    /* the same address allocated twice (its free was missed): replaced, counted once */
    blk d[2] = { { 0x30000010ull, 40, 0 }, { 0x30000050ull, 56, 0 } };
    alloc_all(d, 2);
    next_stack = 7;
    md_track_alloc((void *)(uintptr_t)d[0].addr, 100, __builtin_frame_address(0));
    const md_bent *e = find(d[0].addr);
    CHECK(e && e->size == 100 && md_tracker_count_entries() == 2, "allocated again without a free: entry replaced");

    /* realloc: detach forgets the block and hands its entry back; restore puts it back as it was */
    md_bent saved;
    uint32_t stack = find(d[1].addr)->stack;
    CHECK(md_track_detach((void *)(uintptr_t)d[1].addr, &saved) == 1 && !find(d[1].addr) &&
          saved.addr == d[1].addr && saved.size == 56, "detach removes the block and returns its entry");
    md_track_restore(&saved);
    e = find(d[1].addr);
    CHECK(e && e->size == 56 && e->stack == stack && md_tracker_count_entries() == 2,
          "restore puts it back with its size and stack");
    CHECK(md_track_detach((void *)(uintptr_t)0x40000010ull, &saved) == 0, "detach of an unknown block finds nothing");
    uint64_t missed = md_tracker_untracked_frees();
    md_track_free((void *)(uintptr_t)0x40000010ull);
    CHECK_EQ_U(md_tracker_untracked_frees(), missed + 1, "a free of an unknown block is counted");
    md_track_free((void *)(uintptr_t)d[0].addr);
    md_track_free((void *)(uintptr_t)d[1].addr);
    CHECK(md_tracker_count_entries() == 0 && table_sound(), "empty again");

    /* what the snapshot reads: per-site counters reconcile with the table once published */
    md_tracker_thread_exit(&the_slot);
    CHECK_EQ_U((uint64_t)(site_allocs - site_frees), md_tracker_count_entries(),
               "site counters: allocations - frees = entries");
    CHECK(md_tracker_overhead() >= sizeof md_shards, "overhead counts the tables");
    free(b);
    return check_done();
}
