/* md_tracker.c — the live-block table, counters and live-heap accounting (see md_tracker.h).
 *
 * Layout: a block's 1 KiB region of address space is hashed (region number × φ·2^64): the top 6
 * bits pick the shard, the next ones a home position by multiply-shift ("fastrange", which works
 * for any capacity, so a shard can grow by 1.5× rather than 2× and stay between 53% and 80%
 * full); the block's offset in its region, in 16-byte units (0-63), is added to the home. Blocks
 * a program allocates one after another lie side by side in memory, so their entries land side
 * by side in the table and share cache lines and TLB entries, where a hash of each address made
 * every insertion a cache miss. Regions are small enough that the windows of different regions
 * overlap little and probe sequences stay short (with 4 KiB pages they clustered: 2.5× the
 * probes), and they still spread uniformly over shards and positions.
 *
 * Counters: each thread's slot caches deltas for 16 sites (direct-mapped by stack id); a
 * colliding site evicts the old one to the global counters with atomic adds. The live-heap byte
 * count is also kept as a per-thread delta, published to the global atomic counter once it
 * reaches 64 KiB either way, which is when the peak threshold and the high-water mark are
 * checked. Both updates happen inside the shard lock, so a snapshot holding every shard lock sees
 * them consistent with the table.
 */
#include "md_tracker.h"
#include "md_peak.h"
#include "md_real.h"
#include "md_stacktab.h"
#include "md_sys.h"
#include "md_tls.h"
#include "md_unwind.h"

#include <stdlib.h>
#include <string.h>

#define PUBLISH_BYTES (64 << 10)
#define MAX_DEPTH 128
#define INIT_CAP 256u

md_shard md_shards[MD_SHARDS] __attribute__((aligned(64)));
int md_hot = 1;
int md_native;
int md_accounting;
static uint32_t depth_max = 32;
static int64_t live_global;
static uint64_t hwm;
static uint64_t untracked_frees;
static uint64_t table_bytes;

#define REGION_BITS 10

_Static_assert(INIT_CAP >= 1u << (REGION_BITS - 4), "pos_of adds less than a region's slots to a home below cap");

static inline uint64_t region_hash(uint64_t a) { return (a >> REGION_BITS) * 0x9e3779b97f4a7c15ull; }
static inline md_shard *shard_of(uint64_t a) { return &md_shards[region_hash(a) >> (64 - MD_SHARD_BITS)]; }
static inline uint32_t pos_of(uint64_t a, uint32_t cap)
{
    uint32_t home = (uint32_t)(((unsigned __int128)(region_hash(a) << MD_SHARD_BITS) * cap) >> 64);
    uint32_t j = home + (uint32_t)((a & ((1u << REGION_BITS) - 1)) >> 4);
    return j >= cap ? j - cap : j;
}

void md_tracker_init(int native, int accounting, int depth)
{
    md_native = native;
    md_accounting = accounting || native;
    if (depth > 0) depth_max = depth > MAX_DEPTH ? MAX_DEPTH : (uint32_t)depth;
    __atomic_store_n(&md_hot, md_accounting, __ATOMIC_RELEASE);
}

/* Through the interposers with the guard raised: not recorded, and safe from signal handlers. */
void *md_tracker_malloc_untracked(size_t size)
{
    md_t.guard++;
    void *p = malloc(size);
    md_t.guard--;
    return p;
}

void md_tracker_free_untracked(void *p)
{
    md_t.guard++;
    free(p);
    md_t.guard--;
}

/* ---- counters ------------------------------------------------------------------------------ */

static void publish(md_site_delta *d)
{
    if (!d->stack) return;
    md_stacktab_add(d->stack - 1, d->allocs, d->frees, d->bytes_allocated, d->bytes_freed);
    memset(d, 0, sizeof *d);
}

static inline void site_add(md_tslot *s, uint32_t stack, int alloc, int64_t bytes)
{
    if (!s) {
        md_stacktab_add(stack, alloc, !alloc, alloc ? bytes : 0, alloc ? 0 : bytes);
        return;
    }
    md_site_delta *d = &s->sites[stack & (MD_SITE_CACHE - 1)];
    if (d->stack != stack + 1) {
        publish(d);
        d->stack = stack + 1;
    }
    if (alloc) { d->allocs++; d->bytes_allocated += bytes; }
    else { d->frees++; d->bytes_freed += bytes; }
}

static void note_hwm(uint64_t v)
{
    uint64_t cur = __atomic_load_n(&hwm, __ATOMIC_RELAXED);
    while (v > cur && !__atomic_compare_exchange_n(&hwm, &cur, v, 1, __ATOMIC_RELAXED,
                                                   __ATOMIC_RELAXED)) {}
}

/* Adds to the live heap; returns the new global figure if it crossed the peak threshold. */
static inline uint64_t live_add(md_tslot *s, int64_t bytes)
{
    int64_t d = bytes;
    if (s) {
        s->live_delta += bytes;
        if (s->live_delta < PUBLISH_BYTES && s->live_delta > -PUBLISH_BYTES) return 0;
        d = s->live_delta;
        s->live_delta = 0;
    }
    int64_t v = __atomic_add_fetch(&live_global, d, __ATOMIC_RELAXED);
    if (d > 0 && v > 0) {
        note_hwm((uint64_t)v);
        if ((uint64_t)v > __atomic_load_n(&md_peak_threshold, __ATOMIC_RELAXED)) return (uint64_t)v;
    }
    return 0;
}

int64_t md_tracker_live(void) { return __atomic_load_n(&live_global, __ATOMIC_RELAXED); }
uint64_t md_tracker_hwm(void) { return __atomic_load_n(&hwm, __ATOMIC_RELAXED); }
uint64_t md_tracker_untracked_frees(void) { return __atomic_load_n(&untracked_frees, __ATOMIC_RELAXED); }

uint64_t md_tracker_count_entries(void)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < MD_SHARDS; i++) n += md_shards[i].count;
    return n;
}

uint64_t md_tracker_overhead(void)
{
    return __atomic_load_n(&table_bytes, __ATOMIC_RELAXED) + md_stacktab_bytes() +
           md_unwind_bytes() + sizeof md_shards;
}

/* ---- the table ----------------------------------------------------------------------------- */

static int grow(md_shard *s)
{
    uint32_t ncap = s->cap ? s->cap + s->cap / 2 : INIT_CAP;
    ncap = (ncap + 255) & ~255u;                /* whole pages */
    md_bent *nt = md_map((size_t)ncap * sizeof *nt);
    if (!nt) return -1;
    for (uint32_t i = 0; i < s->cap; i++) {
        const md_bent *e = &s->tab[i];
        if (!e->addr) continue;
        uint32_t j = pos_of(e->addr, ncap);
        while (nt[j].addr) if (++j == ncap) j = 0;
        nt[j] = *e;
    }
    if (s->tab) md_unmap(s->tab, (size_t)s->cap * sizeof *s->tab);
    __atomic_add_fetch(&table_bytes, ((uint64_t)ncap - s->cap) * sizeof *nt, __ATOMIC_RELAXED);
    /* atomic stores: md_track_alloc reads both without the lock, only to prefetch (a stale
     * pair gives a wrong address, which a prefetch ignores: it never faults) */
    __atomic_store_n(&s->tab, nt, __ATOMIC_RELAXED);
    __atomic_store_n(&s->cap, ncap, __ATOMIC_RELAXED);
    return 0;
}

/* Inserts or overwrites; returns 1 and the previous entry when addr was already present
 * (its free was missed), 0 when new, -1 when the shard is full and cannot grow. */
static int ins(md_shard *s, const md_bent *e, md_bent *old)
{
    if ((uint64_t)(s->count + 1) * 5 > (uint64_t)s->cap * 4 && grow(s) < 0 && s->count + 1 >= s->cap)
        return -1;
    uint32_t j = pos_of(e->addr, s->cap);
    for (;;) {
        md_bent *t = &s->tab[j];
        if (!t->addr) {
            *t = *e;
            s->count++;
            return 0;
        }
        if (t->addr == e->addr) {
            *old = *t;
            *t = *e;
            return 1;
        }
        if (++j == s->cap) j = 0;
    }
}

static int del(md_shard *s, uint64_t addr, md_bent *out)
{
    if (!s->cap) return 0;
    uint32_t cap = s->cap, i = pos_of(addr, cap);
    for (;;) {
        if (s->tab[i].addr == addr) break;
        if (!s->tab[i].addr) return 0;
        if (++i == cap) i = 0;
    }
    *out = s->tab[i];
    /* backward-shift deletion: pull later members of the cluster into the hole when their
     * home slot does not lie cyclically in (hole, their position] */
    uint32_t k = i;
    for (;;) {
        if (++k == cap) k = 0;
        if (!s->tab[k].addr) break;
        uint32_t r = pos_of(s->tab[k].addr, cap);
        int stays = i <= k ? (i < r && r <= k) : (i < r || r <= k);
        if (stays) continue;
        s->tab[i] = s->tab[k];
        i = k;
    }
    s->tab[i].addr = 0;
    s->tab[i].size = s->tab[i].stack = 0;
    s->count--;
    return 1;
}

static inline int64_t ent_bytes(const md_bent *e)
{
    if (e->size != MD_SIZE_BIG) return e->size;
    return (int64_t)md_real.usable((void *)(uintptr_t)e->addr);
}

/* ---- allocation stacks --------------------------------------------------------------------- */

/* The tracker stack id of the current allocation. A per-thread cache remembers, for recent
 * walks, the frame they started from (sp0), the stack words they depended on and the resulting
 * id; if those words still hold the same values the walk would give the same stack, so its id is
 * reused without walking, hashing or interning — the common case in loops. Entries are grouped in
 * sets of UWAYS, the set chosen by sp0 and the interposer's return address: an allocation
 * wrapper (xmalloc, a GC's allocator) is entered at the same depth from many callers, and each
 * caller's path needs its own way. On a miss, an entry from the same frame that failed only at
 * its k-th word has usually seen the walk's outer frames: the stack words and return addresses
 * it recorded from there on are prefetched, so that the walk's chain of dependent loads finds
 * them in cache. The walk then goes into a free way or a victim picked by `salt` (the new
 * block's address: varied, and free). */
#define UWAYS 4
_Static_assert(MD_UCACHE % UWAYS == 0, "whole sets");

static uint32_t stack_id(void *fp, md_tslot *slot, uint64_t salt)
{
    uint64_t base = (uint64_t)(uintptr_t)fp, h;
    uint64_t pcs[MAX_DEPTH];
    if (!slot) {
        uint32_t d = md_unwind_capture(fp, md_t.stack_hi, pcs, depth_max, NULL, NULL, &h);
        return md_stacktab_intern_hashed(pcs, d, h);
    }
    const uint64_t *w = (const uint64_t *)(uintptr_t)base;
    uint64_t k = (base ^ w[1]) * 0x9e3779b97f4a7c15ull;     /* w[1]: the return address */
    md_ucache *set = &slot->ucache[(uint32_t)(k >> 40) % (MD_UCACHE / UWAYS) * UWAYS];
    md_ucache *e = NULL, *near = NULL;
    uint32_t near_at = 0;
    for (uint32_t j = 0; j < UWAYS; j++) {
        md_ucache *c = &set[j];
        if (!c->n) {
            if (!e) e = c;
            continue;
        }
        if (c->sp0 != base) continue;
        uint32_t i = 0;
        while (i < c->n && w[c->off[i] / 8] == c->val[i]) i++;
        if (i == c->n) return c->id;
        if (i > near_at) near = c, near_at = i;
    }
    if (near)
        for (uint32_t i = near_at; i < near->n; i++) {
            __builtin_prefetch(&w[near->off[i] / 8]);
            __builtin_prefetch(md_rcache_set(&slot->rcache, near->val[i]));
        }
    if (!e) e = &set[(salt >> 4) % UWAYS];
    e->n = 0;
    md_utrace tr = { 0, MD_UCACHE_WORDS, e->off, e->val };
    uint32_t d = md_unwind_capture(fp, md_t.stack_hi, pcs, depth_max, &tr, &slot->rcache, &h);
    uint32_t id = md_stacktab_intern_hashed(pcs, d, h);
    if (id && tr.n && tr.n <= MD_UCACHE_WORDS) {
        e->sp0 = base;
        e->id = id;
        e->n = tr.n;
    }
    return id;
}

/* ---- the hooks ----------------------------------------------------------------------------- */

void md_track_alloc(void *p, size_t size, void *fp)
{
    if (__builtin_expect(md_t.state != MD_T_READY, 0)) md_tls_ensure();
    md_tslot *slot = md_t.slot;
    uint64_t crossed;
    uint32_t stack = 0;
    if (!md_native) {
        crossed = live_add(slot, (int64_t)md_real.usable(p));
    } else {
        uint64_t a = (uint64_t)(uintptr_t)p;
        md_shard *s = shard_of(a);
        /* start loading the entry's table line now: the stack walk hides the miss */
        md_bent *t = __atomic_load_n(&s->tab, __ATOMIC_RELAXED);
        if (t) __builtin_prefetch(&t[pos_of(a, __atomic_load_n(&s->cap, __ATOMIC_RELAXED))], 1);
        stack = stack_id(fp, slot, a);
        md_bent e = { a, size >= MD_SIZE_BIG ? MD_SIZE_BIG : (uint32_t)size, stack }, old;
        int64_t bytes = ent_bytes(&e);
        md_spin_acquire(&s->lock);
        int r = ins(s, &e, &old);
        if (r < 0) {
            md_spin_release(&s->lock);
            return;
        }
        if (r == 1) {
            int64_t ob = ent_bytes(&old);
            site_add(slot, old.stack, 0, ob);
            live_add(slot, -ob);
        }
        site_add(slot, stack, 1, bytes);
        crossed = live_add(slot, bytes);
        md_spin_release(&s->lock);
    }
    if (__builtin_expect(crossed != 0, 0)) {
        volatile void *keep = p;    /* the new block stays visible on this stack to the snapshot */
        md_peak_crossed(crossed, stack);
        (void)keep;
    }
}

void md_track_free(void *p)
{
    if (__builtin_expect(md_t.state != MD_T_READY, 0)) md_tls_ensure();
    md_tslot *slot = md_t.slot;
    if (!md_native) {
        live_add(slot, -(int64_t)md_real.usable(p));
        return;
    }
    uint64_t a = (uint64_t)(uintptr_t)p;
    md_shard *s = shard_of(a);
    md_bent e;
    /* glibc's free reads the block's header next: its cache miss overlaps the table's */
    __builtin_prefetch((const char *)p - 8, 1);
    md_spin_acquire(&s->lock);
    if (del(s, a, &e)) {
        int64_t b = ent_bytes(&e);
        site_add(slot, e.stack, 0, b);
        live_add(slot, -b);
    } else {
        __atomic_add_fetch(&untracked_frees, 1, __ATOMIC_RELAXED);
    }
    md_spin_release(&s->lock);
}

int md_track_detach(void *p, md_bent *saved)
{
    memset(saved, 0, sizeof *saved);
    if (!md_native) {
        saved->addr = (uint64_t)(uintptr_t)p;
        md_track_free(p);
        return 1;
    }
    if (__builtin_expect(md_t.state != MD_T_READY, 0)) md_tls_ensure();
    uint64_t a = (uint64_t)(uintptr_t)p;
    md_shard *s = shard_of(a);
    md_spin_acquire(&s->lock);
    int found = del(s, a, saved);
    if (found) {
        int64_t b = ent_bytes(saved);
        site_add(md_t.slot, saved->stack, 0, b);
        live_add(md_t.slot, -b);
    }
    md_spin_release(&s->lock);
    return found;
}

void md_track_restore(const md_bent *saved)
{
    if (!saved->addr) return;
    if (!md_native) {
        live_add(md_t.slot, (int64_t)md_real.usable((void *)(uintptr_t)saved->addr));
        return;
    }
    md_shard *s = shard_of(saved->addr);
    md_bent old;
    md_spin_acquire(&s->lock);
    if (ins(s, saved, &old) >= 0) {
        int64_t b = ent_bytes(saved);
        site_add(md_t.slot, saved->stack, 1, b);
        live_add(md_t.slot, b);
    }
    md_spin_release(&s->lock);
}

/* ---- threads, snapshots, fork ---------------------------------------------------------------- */

static void flush_slot(md_tslot *s)
{
    for (int i = 0; i < MD_SITE_CACHE; i++) publish(&s->sites[i]);
    if (s->live_delta) {
        int64_t v = __atomic_add_fetch(&live_global, s->live_delta, __ATOMIC_RELAXED);
        if (v > 0) note_hwm((uint64_t)v);
        s->live_delta = 0;
    }
}

void md_tracker_thread_exit(md_tslot *s)
{
    md_spin_acquire(&md_shards[0].lock);
    flush_slot(s);
    md_spin_release(&md_shards[0].lock);
}

void md_tracker_lock_all(void)
{
    md_spin_acquire(&md_stacktab_lock);
    md_spin_acquire(&md_unwind_lock);
    for (uint32_t i = 0; i < MD_SHARDS; i++) md_spin_acquire(&md_shards[i].lock);
}

void md_tracker_unlock_all(void)
{
    for (uint32_t i = MD_SHARDS; i-- > 0;) md_spin_release(&md_shards[i].lock);
    md_spin_release(&md_unwind_lock);
    md_spin_release(&md_stacktab_lock);
}

void md_tracker_fork_child(void)
{
    uint32_t n = md_threads_limit();
    for (uint32_t i = 0; i < n; i++) {
        md_tslot *s = md_threads_slot(i);
        if (s && s->state == 1 && s != md_t.slot) flush_slot(s);
    }
    md_threads_after_fork_child();
    for (uint32_t i = 0; i < MD_SHARDS; i++) md_spin_reset(&md_shards[i].lock);
    md_spin_reset(&md_unwind_lock);
    md_spin_reset(&md_stacktab_lock);
}
