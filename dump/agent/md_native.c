/* md_native.c — nodes, edges, roots and counters of the native heap (see md_native.h).
 *
 * 1. Copy the tracker's live entries out of the frozen shards, sort them and build the block
 *    index (md_blockindex.h).
 * 2. One NODE per block in address order, followed by its edges: every aligned word within the
 *    requested size that points into another live block. A per-target stamp array removes
 *    duplicate edges from one node (exactly, in O(1) per hit).
 * 3. Roots: each known thread stack (the snapshotting thread's from its stack pointer at the
 *    clone; other threads' whole stacks, since their stack pointers cannot be known without
 *    stopping them — stale slots below the live part may retain extra blocks, never hide one);
 *    the main thread's static TLS; each writable PT_LOAD segment of every module except the
 *    agent itself; the registers of a thread that took a fatal signal. In glibc's own data, a
 *    value that equals a chunk-header position (block + usable size − 8) is malloc's bookkeeping
 *    pointing at the next (free or top) chunk, not a reference to the block, and is ignored.
 * 4. COUNTER records: the tracker's published counters plus every live thread's unpublished
 *    deltas, so allocs − frees equals the number of live blocks exactly when the snapshot was
 *    taken with the tracker's locks held.
 * Every read of target memory is preceded by a readability check, so a garbage pointer in a
 * table caught mid-update (fatal path) costs a warning, not the dump.
 */
#include "md_native.h"
#include "md_blockindex.h"
#include "md_child_int.h"
#include "md_cxx.h"
#include "md_fmt.h"
#include "md_modules.h"
#include "md_snapctx.h"
#include "md_stacktab.h"
#include "md_threads.h"
#include "md_tracker.h"

#include <string.h>
#include <ucontext.h>

#define CHECK_EVERY 4096

extern const char *volatile md_child_phase;

typedef struct emit {
    md_child *c;
    const md_snap_ctx *ctx;
    const md_modtab *mods;
    md_blockindex ix;
    uint32_t *stamp;        /* per block: generation of the last edge/root group that hit it */
    uint32_t gen;
    uint32_t *stack_map;    /* tracker stack id -> dump STACK id + 1 */
    uint32_t nstacks;
    md_native_out *out;
    int deadline_hit;
} emit;

/* malloc_usable_size without trusting the chunk header: glibc's would follow a garbage size field
 * (a table caught mid-update by a fatal signal) to a wild address. glibc layout (x86-64): the
 * size field is the word before the block; bit 1 marks an mmapped chunk (16 bytes of header),
 * otherwise the usable size runs into the next chunk's first word. 0 when it does not check out. */
static md_child *usable_c;
static uint64_t usable_of(const md_blk *b)
{
    if (!md_child_readable(usable_c, b->addr - 16, 16)) return 0;
    uint64_t f = ((const uint64_t *)(uintptr_t)b->addr)[-1];
    uint64_t sz = f & ~7ull;
    if (sz < 32 || (sz & 15) || sz > (1ull << 46)) return 0;
    uint64_t usable = (f & 2) ? sz - 16 : sz - 8;
    if (!md_child_readable(usable_c, b->addr, usable)) return 0;
    return usable;
}

static uint32_t dump_stack(emit *e, uint32_t tid)
{
    if (tid > e->nstacks) return 0;
    if (e->stack_map[tid]) return e->stack_map[tid] - 1;
    md_stackent *se = md_stacktab_get(tid);
    uint32_t frames[128];
    uint32_t d = 0;
    if (se && tid != 0) {
        uint32_t depth = se->depth > 128 ? 128 : se->depth;
        if (md_child_readable(e->c, (uint64_t)(uintptr_t)se->pcs, depth * 8ull))
            for (uint32_t i = 0; i < depth; i++) {
                uint32_t f = md_child_frame_native(e->c, se->pcs[i]);
                if (f) frames[d++] = f;
            }
    }
    uint32_t id = md_child_stack(e->c, frames, d);
    e->stack_map[tid] = id + 1;
    return id;
}

/* ---- 1. collect ---------------------------------------------------------------------------- */

static int collect(emit *e)
{
    md_child *c = e->c;
    size_t n = 0;
    for (uint32_t s = 0; s < MD_SHARDS; s++) {
        const md_shard *sh = &md_shards[s];
        if (sh->tab && md_child_readable(c, (uint64_t)(uintptr_t)sh->tab, (uint64_t)sh->cap * 16))
            n += sh->cap < sh->count ? sh->cap : sh->count;
    }
    md_blk *b = md_child_alloc(c, (n + 1) * sizeof *b);
    md_blk *tmp = md_child_alloc(c, (n + 1) * sizeof *tmp);
    if (!b || !tmp) return -1;
    size_t k = 0;
    for (uint32_t s = 0; s < MD_SHARDS && k < n; s++) {
        const md_shard *sh = &md_shards[s];
        if (!sh->tab || !md_child_readable(c, (uint64_t)(uintptr_t)sh->tab, (uint64_t)sh->cap * 16))
            continue;
        for (uint32_t i = 0; i < sh->cap && k < n; i++) {
            const md_bent *t = &sh->tab[i];
            if (!t->addr) continue;
            md_blk *o = &b[k];
            o->addr = t->addr;
            o->size32 = t->size;
            o->stack = t->stack;
            uint64_t sz = t->size;
            if (t->size == MD_SIZE_BIG) sz = usable_of(o);
            o->end = t->addr + (sz ? sz : 1);
            k++;
        }
    }
    if (md_blockindex_build(&e->ix, c, b, k, tmp) < 0) return -1;
    e->stamp = md_child_alloc(c, (e->ix.n + 1) * sizeof *e->stamp);
    e->nstacks = md_stacktab_count();
    e->stack_map = md_child_alloc(c, ((size_t)e->nstacks + 1) * sizeof *e->stack_map);
    return e->stamp && e->stack_map ? 0 : -1;
}

/* ---- 2. nodes and edges ---------------------------------------------------------------------- */

static int nodes(emit *e)
{
    md_child *c = e->c;
    md_writer *w = c->w;
    md_cxx *cxx = md_cxx_new(c, e->mods, e->ctx->cxx_ti_vtables);
    for (size_t i = 0; i < e->ix.n; i++) {
        const md_blk *b = &e->ix.b[i];
        if ((i % CHECK_EVERY) == 0 && md_child_time_left_ns(c) < 0) {
            e->deadline_hit = 1;
            md_child_warn(c, "deadline reached after %zu of %zu blocks; the rest are missing", i,
                          e->ix.n);
            return 0;
        }
        uint64_t size = b->size32 == MD_SIZE_BIG ? b->end - b->addr : b->size32;
        int readable = md_child_readable(c, b->addr, size ? size : 1);
        uint32_t type = 0;
        if (readable && size >= 16) type = md_cxx_type(cxx, *(const uint64_t *)(uintptr_t)b->addr);
        md_node nd;
        memset(&nd, 0, sizeof nd);
        nd.addr = b->addr;
        nd.size = size;
        nd.type = type;
        nd.stack = dump_stack(e, b->stack);
        nd.flags = MD_NODE_NATIVE;
        nd.usable_size = readable ? usable_of(b) : 0;
        if (md_w_node(w, &nd) < 0) return -1;
        e->out->blocks++;
        e->out->bytes += size;
        if (!readable) continue;
        uint32_t g = ++e->gen;
        const uint64_t *p = (const uint64_t *)(uintptr_t)b->addr;
        size_t words = (size_t)(size / 8);
        for (size_t k = 0; k < words; k++) {
            long j = md_blockindex_find(&e->ix, p[k]);
            if (j < 0 || (size_t)j == i || e->stamp[j] == g) continue;
            e->stamp[j] = g;
            if (md_w_edge(w, e->ix.b[j].addr, MD_LABEL_NONE) < 0) return -1;
            e->out->edges++;
        }
    }
    return 0;
}

/* ---- 3. roots ------------------------------------------------------------------------------ */

typedef struct rootscan {
    uint32_t kind;
    uint32_t label;
    int libc;               /* skip chunk-header positions */
} rootscan;

static int scan_range(emit *e, const rootscan *rs, uint64_t lo, uint64_t hi)
{
    md_child *c = e->c;
    lo = (lo + 7) & ~7ull;
    hi &= ~7ull;
    if (hi <= lo) return 0;
    uint32_t g = ++e->gen;
    /* scan mapping by mapping so an unmapped hole only skips itself */
    uint64_t a = lo;
    while (a < hi) {
        long mi = md_maps_find(&c->maps, a);
        if (mi < 0) {
            long k = 0;   /* next mapping above a */
            size_t l = 0, h = c->maps.n;
            while (l < h) { size_t m = (l + h) / 2; if (c->maps.e[m].lo <= a) l = m + 1; else h = m; }
            k = (long)l;
            if ((size_t)k >= c->maps.n || c->maps.e[k].lo >= hi) break;
            a = c->maps.e[k].lo;
            continue;
        }
        const md_map_ent *me = &c->maps.e[mi];
        uint64_t end = me->hi < hi ? me->hi : hi;
        if ((me->flags & MD_MAP_R) && !(me->flags & MD_MAP_SPECIAL)) {
            for (uint64_t s = a; s < end; s += 8) {
                uint64_t v = *(const uint64_t *)(uintptr_t)s;
                long j = md_blockindex_find(&e->ix, v);
                if (j < 0 || e->stamp[j] == g) continue;
                const md_blk *b = &e->ix.b[j];
                if (rs->libc && v + 8 == b->addr + usable_of(b)) continue;
                e->stamp[j] = g;
                md_root r = { rs->kind, b->addr, rs->label, s };
                if (md_w_root(c->w, &r) < 0) return -1;
                e->out->roots++;
            }
        }
        a = end;
    }
    return 0;
}

static uint32_t label(md_child *c, const char *fmt, int tid, const char *name)
{
    char buf[160];
    size_t n = md_fmt(buf, sizeof buf, fmt, tid, name);
    return md_child_string(c, buf, n);
}

static int thread_roots(emit *e)
{
    md_child *c = e->c;
    const md_snap_ctx *ctx = e->ctx;
    for (uint32_t i = 0; i < ctx->nthreads; i++) {
        const md_pre_thread *t = &ctx->threads[i];
        uint64_t lo = t->stack_lo, hi = t->stack_hi;
        if (t->flags & MD_THREAD_MAIN) {
            for (size_t k = 0; k < c->maps.n; k++)
                if (c->maps.e[k].flags & MD_MAP_STACK) { lo = c->maps.e[k].lo; hi = c->maps.e[k].hi; }
        }
        if (t->flags & MD_THREAD_SNAPSHOT) {
            if (!hi || ctx->snap_sp < lo || ctx->snap_sp >= hi) continue;   /* agent thread */
            lo = ctx->snap_sp;
        }
        if (!hi) continue;
        e->out->stack_bytes += hi - lo;
        rootscan rs = { MD_ROOT_STACK, label(c, (t->flags & MD_THREAD_MAIN) ? "thread %d (main%s)"
                                             : "thread %d (%s)", t->tid,
                                             (t->flags & MD_THREAD_MAIN) ? "" : t->name), 0 };
        if (scan_range(e, &rs, lo, hi) < 0) return -1;
        if ((t->flags & MD_THREAD_MAIN) && ctx->main_tp && ctx->tls_static_size) {
            rootscan tls = { MD_ROOT_STACK, label(c, "thread %d (main%s) TLS", t->tid, ""), 0 };
            if (scan_range(e, &tls, ctx->main_tp - ctx->tls_static_size, ctx->main_tp + 2048) < 0)
                return -1;
        }
    }
    if (ctx->opts.uctx) {
        const ucontext_t *uc = ctx->opts.uctx;
        uint32_t lab = label(c, "registers of thread %d%s", ctx->snap_tid, "");
        uint32_t g = ++e->gen;
        for (int r = 0; r < NGREG; r++) {
            uint64_t v = (uint64_t)uc->uc_mcontext.gregs[r];
            long j = md_blockindex_find(&e->ix, v);
            if (j < 0 || e->stamp[j] == g) continue;
            e->stamp[j] = g;
            md_root rr = { MD_ROOT_REGISTER, e->ix.b[j].addr, lab, 0 };
            if (md_w_root(c->w, &rr) < 0) return -1;
            e->out->roots++;
        }
    }
    return 0;
}

static int global_roots(emit *e)
{
    for (uint32_t i = 0; i < e->mods->n; i++) {
        const md_mod *m = &e->mods->m[i];
        if (m->is_self) continue;
        rootscan rs = { MD_ROOT_GLOBAL, m->path_str, m->is_libc };
        for (uint32_t k = 0; k < m->nwseg; k++)
            if (scan_range(e, &rs, m->wseg_lo[k], m->wseg_hi[k]) < 0) return -1;
    }
    return 0;
}

/* ---- 4. counters --------------------------------------------------------------------------- */

typedef struct ctr { int64_t a, f, ba, bf; } ctr;

static int counters(emit *e)
{
    md_child *c = e->c;
    uint32_t n = e->nstacks;
    ctr *t = md_child_alloc(c, ((size_t)n + 1) * sizeof *t);
    if (!t) return 0;
    for (uint32_t id = 0; id <= n; id++) {
        const md_stackent *se = md_stacktab_get(id);
        if (!se) continue;
        t[id].a = (int64_t)se->allocs;
        t[id].f = (int64_t)se->frees;
        t[id].ba = (int64_t)se->bytes_allocated;
        t[id].bf = (int64_t)se->bytes_freed;
    }
    uint32_t lim = md_threads_limit();
    for (uint32_t i = 0; i < lim; i++) {
        const md_tslot *s = md_threads_slot(i);
        if (!s || s->state != 1) continue;
        for (int k = 0; k < MD_SITE_CACHE; k++) {
            const md_site_delta *d = &s->sites[k];
            if (!d->stack || d->stack - 1 > n) continue;
            ctr *x = &t[d->stack - 1];
            x->a += d->allocs;
            x->f += d->frees;
            x->ba += d->bytes_allocated;
            x->bf += d->bytes_freed;
        }
    }
    for (uint32_t id = 0; id <= n; id++) {
        if (!t[id].a && !t[id].f) continue;
        md_counter r = { dump_stack(e, id), (uint64_t)t[id].a, (uint64_t)t[id].f,
                         (uint64_t)t[id].ba, (uint64_t)t[id].bf };
        if (md_w_counter(c->w, &r) < 0) return -1;
        e->out->counter_allocs += t[id].a;
        e->out->counter_frees += t[id].f;
    }
    return 0;
}

int md_native_emit(md_child *c, const md_snap_ctx *ctx, const md_modtab *mods, md_native_out *out)
{
    emit e;
    memset(&e, 0, sizeof e);
    usable_c = c;
    e.c = c;
    e.ctx = ctx;
    e.mods = mods;
    e.out = out;
    md_child_phase = "collecting live blocks";
    if (collect(&e) < 0) {
        md_child_warn(c, "not enough memory to index the live blocks; no native graph");
        return 0;
    }
    out->live_blocks = e.ix.n;
    for (size_t i = 0; i < e.ix.n; i++)
        out->live_bytes += e.ix.b[i].size32 == MD_SIZE_BIG ? e.ix.b[i].end - e.ix.b[i].addr
                                                            : e.ix.b[i].size32;
    if (ctx->opts.trigger_stack) out->trigger_stack = dump_stack(&e, ctx->opts.trigger_stack);
    md_child_phase = "scanning blocks";
    if (nodes(&e) < 0) return -1;
    if (e.deadline_hit) return 0;
    md_child_phase = "scanning thread stacks";
    if (thread_roots(&e) < 0) return -1;
    md_child_phase = "scanning module data";
    if (global_roots(&e) < 0) return -1;
    md_child_phase = "writing counters";
    if (counters(&e) < 0) return -1;
    return 0;
}

void md_native_stack_bytes(md_child *c, const md_snap_ctx *ctx, md_native_out *out)
{
    for (uint32_t i = 0; i < ctx->nthreads; i++) {
        const md_pre_thread *t = &ctx->threads[i];
        if (t->flags & MD_THREAD_MAIN) {
            for (size_t k = 0; k < c->maps.n; k++)
                if (c->maps.e[k].flags & MD_MAP_STACK) out->stack_bytes += c->maps.e[k].hi - c->maps.e[k].lo;
        } else if (t->stack_hi > t->stack_lo) {
            out->stack_bytes += t->stack_hi - t->stack_lo;
        }
    }
}
