/* py_sites.c — --python-sites: allocator hooks that remember where each live object was made.
 *
 * Hooks sit on the OBJ domain (PyObject_Malloc: every object's own block) and are called by
 * CPython with the GIL held, so the tables below have exactly one writer at a time and need no
 * lock. The MEM domain (item arrays, dict tables) is not hooked: no node starts there.
 *
 * Per allocation the hook walks the current thread's _PyInterpreterFrame chain (up to `depth`
 * frames, innermost first), reducing it to (code object, instruction index) pairs — no line
 * numbers, no strings: those are computed in the snapshot child, once per distinct trace. The
 * pairs are hashed while walking and interned in a trace table; the live table then maps the
 * block's address to the trace id and the block's requested size. Frees clear the entry, reallocs
 * move it and keep its site. Code objects in traces get one strong reference each, so a trace never
 * points to a freed code object (they are few: one per function that ever allocated).
 *
 * Counters: each trace also counts, since the hooks went in, the blocks allocated there and the
 * blocks of those freed since (wherever the free happens: a free is attributed to the trace that
 * allocated the block), with their requested sizes — the COUNTER records of FORMAT.md §3.12,
 * written by the child (py_counters.c). The sizes are exact: the live table keeps each block's
 * requested size next to its trace (see there), so a free knows what it gives back. A realloc is
 * neither an allocation nor a free: the block keeps its trace, and only its bytes move
 * (bytes_freed += old size, bytes_allocated += new size), so "allocs" counts the objects made at a
 * line even when building one resizes it (str formatting, _PyTuple_Resize). Blocks allocated
 * with no Python frame on the thread (start-up, C threads), blocks allocated before the hooks
 * went in, and blocks the table cannot hold (not 16-byte aligned; no memory for it) are neither
 * tracked nor counted, and their frees count nowhere either. So for every trace allocs - frees
 * is exactly its live tracked blocks, and bytes_allocated - bytes_freed their requested bytes;
 * the child checks the sum against the live table (the pysites.* statistics, py_counters.h).
 * Counting adds no cache miss to an allocation (the trace entry was just compared) and, to a
 * free, the line of the block's trace entry (hot when the site is busy).
 *
 * Free lists: CPython recycles list, dict, tuple and float objects without calling the allocator,
 * so a recycled object would keep the site of its first life. With the hooks on, those free lists
 * are emptied and kept empty (tuple and float: their counters are set to "full", so nothing is
 * pushed and nothing is popped; list and dict: a tp_dealloc wrapper takes back and frees an object
 * the moment it lands on the list). Every object is then allocated where it is created. The cost
 * is part of the measured --python-sites overhead.
 *
 * Memory: 4 bytes per 16 bytes of the regions objects live in (see the live table), plus 64 bytes
 * per trace and 16 per frame of it. All of it is private mmap'd memory, never the allocator being
 * hooked. The snapshot child reads these tables in its copy of the process.
 */
#include "py_sites.h"
#include "py_core.h"
#include "py_frames.h"
#include "py_maps.h"
#include "py_vec.h"
#include "py_walk.h"

#include <internal/pycore_floatobject.h>
#include <internal/pycore_list.h>
#include <internal/pycore_tuple.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define DEPTH_MAX 128

typedef struct region_ent { uint64_t region; uint32_t *side; } region_ent;
/* One trace: its key (hash, frames at off), and its counters, in one cache line — the allocation
 * that looks the trace up counts in the line it just compared. */
typedef struct trace_ent {
    uint64_t hash;
    uint32_t off, depth;
    pysites_ctr n;
    uint64_t pad_[2];
} trace_ent;
_Static_assert(sizeof(trace_ent) == 64, "a trace entry is one cache line");

struct pysites {
    PyMemAllocatorEx orig;
    region_ent *regions;        /* region -> side array */
    uint64_t reg_mask, nregions;
    char *side_next;            /* bump allocation of side arrays */
    size_t side_left, side_bytes;
    uint64_t live_n;            /* tracked live blocks */
    uint64_t unaligned;         /* blocks not tracked: not 16-byte aligned */
    trace_ent *traces;          /* by id - 1 */
    uint32_t ntraces, trace_cap;
    uint64_t *frames;           /* (code, index) pairs, flattened */
    uint64_t nframes, frame_cap;
    uint32_t *thash;            /* trace ids by hash, 0 = empty */
    uint64_t thash_mask;
    uint64_t *codes;            /* code objects we hold a reference to (a set) */
    uint64_t codes_mask, ncodes;
    int depth;
};

static struct pysites S;
static int installed, freelists_done;

/* ---- private memory (the parent may not use the hooked allocator, nor need malloc) ---------- */

static void *grow(void *p, size_t old, size_t want)
{
    void *q = p ? mremap(p, old, want, MREMAP_MAYMOVE)
                : mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return q == MAP_FAILED ? NULL : q;
}

static inline uint64_t hptr(uint64_t p) { return (p >> 4) * 0x9E3779B97F4A7C15ull; }

/* ---- the live table ----------------------------------------------------------------------------
 *
 * Two levels, for locality: the address space is cut into 16 KiB regions, and each region that
 * ever held a tracked block gets a side array of 1024 32-bit words, one per 16-byte slot (blocks
 * are 16-byte aligned, so two live blocks never share a slot; a block that is not is left
 * untracked). Consecutive objects of one pymalloc pool share a side array, and their words are
 * neighbours in it, so the common case touches one cache line already in cache; a global hash
 * keyed by block address would miss on almost every allocation and free. Regions are found
 * through a small direct-mapped cache, then an open-addressed table. Side arrays are carved from
 * large mappings and never returned.
 *
 * A block's first slot holds (trace << 5) | code. Its requested size n is the code itself when
 * n <= 16; otherwise the block owns its second slot too (it covers bytes 16..31 of the block, and
 * n > 16), and code SZ_1 says the size is there; from 2^27 bytes on (then n > 32) code SZ_2 says
 * it is split over the second and third slots. Such size words are (27 bits << 5) | SZ_WORD, so a
 * lookup that lands on one (an address inside a block, not its start) finds no trace. So the size
 * costs nothing for the smallest blocks and, for the rest, one more store to the word next to the
 * first (almost always in the same cache line); frees clear the size words with the first slot,
 * so a slot is non-zero exactly while it belongs to a tracked live block.
 */

#define REGION_SHIFT 14
#define SLOT_SHIFT 4
#define SLOTS (1u << (REGION_SHIFT - SLOT_SHIFT))
#define RCACHE 256

static region_ent rcache[RCACHE];

static uint32_t *new_side(void)
{
    const size_t chunk = (size_t)64 << 20;
    if (S.side_left < SLOTS * sizeof(uint32_t)) {
        void *p = grow(NULL, 0, chunk);
        if (!p)
            return NULL;
        S.side_next = p;
        S.side_left = chunk;
        S.side_bytes += chunk;
    }
    uint32_t *side = (uint32_t *)S.side_next;
    S.side_next += SLOTS * sizeof(uint32_t);
    S.side_left -= SLOTS * sizeof(uint32_t);
    return side;
}

static int regions_grow(void)
{
    uint64_t n = S.reg_mask ? (S.reg_mask + 1) * 2 : 4096;
    region_ent *t = grow(NULL, 0, n * sizeof *t);
    if (!t)
        return -1;
    for (uint64_t i = 0; S.regions && i <= S.reg_mask; i++) {
        if (!S.regions[i].side)
            continue;
        uint64_t h = S.regions[i].region * 0x9E3779B97F4A7C15ull >> 24;
        while (t[h & (n - 1)].side) h++;
        t[h & (n - 1)] = S.regions[i];
    }
    if (S.regions)
        munmap(S.regions, (S.reg_mask + 1) * sizeof *S.regions);
    S.regions = t;
    S.reg_mask = n - 1;
    return 0;
}

static uint32_t *region_side(const struct pysites *s, uint64_t r)
{
    if (!s->regions)
        return NULL;
    for (uint64_t h = r * 0x9E3779B97F4A7C15ull >> 24;; h++) {
        const region_ent *e = &s->regions[h & s->reg_mask];
        if (!e->side)
            return NULL;
        if (e->region == r)
            return e->side;
    }
}

/* The slot of block p; with create, its region's side array is made when missing. */
static inline uint32_t *slot(uint64_t p, int create)
{
    uint64_t r = p >> REGION_SHIFT;
    region_ent *c = &rcache[r & (RCACHE - 1)];
    if (c->region == r && c->side)
        return &c->side[(p >> SLOT_SHIFT) & (SLOTS - 1)];
    uint32_t *side = region_side(&S, r);
    if (!side) {
        if (!create)
            return NULL;
        if ((S.nregions + 1) * 2 > S.reg_mask + 1 && regions_grow())
            return NULL;
        if (!(side = new_side()))
            return NULL;
        uint64_t h = r * 0x9E3779B97F4A7C15ull >> 24;
        while (S.regions[h & S.reg_mask].side) h++;
        S.regions[h & S.reg_mask] = (region_ent){r, side};
        S.nregions++;
    }
    c->region = r;
    c->side = side;
    return &side[(p >> SLOT_SHIFT) & (SLOTS - 1)];
}

#define CODE_BITS 5
#define CODE_MASK 31u
#define SZ_1 17u                    /* size in the next slot */
#define SZ_2 18u                    /* size in the next two slots, low bits first */
#define SZ_WORD 31u                 /* a size word (never a block's first slot) */
#define WORD_BITS 27
#define TRACE_MAX ((1u << (32 - CODE_BITS)) - 1)

/* Slot k of the block whose first slot is e (at p): the next word of the same side array, unless
 * the block crosses into the next region (only large blocks can). */
static inline uint32_t *slot_k(uint32_t *e, uint64_t p, unsigned k, int create)
{
    if (((p >> SLOT_SHIFT) & (SLOTS - 1)) + k < SLOTS)
        return e + k;
    return slot(p + ((uint64_t)k << SLOT_SHIFT), create);
}

static inline uint64_t take(uint32_t *e, uint64_t p);

/* Record block p (n bytes) as allocated at trace (non-zero). Returns 0, or -1 when the block
 * cannot be tracked (not 16-byte aligned; no memory for a side array). */
static inline int live_put(uint64_t p, uint32_t trace, uint64_t n)
{
    if (p & ((1u << SLOT_SHIFT) - 1)) {
        S.unaligned++;
        return -1;
    }
    uint32_t *e = slot(p, 1);
    if (!e)
        return -1;
    if (*e) {
        /* a block whose free we never saw (cannot happen while every free of the domain comes
         * through h_free): count its free now, so that the counters stay exact */
        uint32_t ot = *e >> CODE_BITS;
        if ((*e & CODE_MASK) <= SZ_2 && ot && ot <= S.ntraces) {
            uint64_t on = take(e, p);
            S.traces[ot - 1].n.frees++;
            S.traces[ot - 1].n.bytes_freed += on;
            S.live_n--;
        }
        *e = 0;
    }
    uint32_t code = n <= 16 ? (uint32_t)n : n < ((uint64_t)1 << WORD_BITS) ? SZ_1 : SZ_2;
    if (code == SZ_1 || code == SZ_2) {
        uint32_t *w1 = slot_k(e, p, 1, 1);
        if (!w1)
            return -1;
        *w1 = (uint32_t)(n & ((1u << WORD_BITS) - 1)) << CODE_BITS | SZ_WORD;
        if (code == SZ_2) {
            uint32_t *w2 = slot_k(e, p, 2, 1);
            if (!w2) {
                *w1 = 0;
                return -1;
            }
            *w2 = (uint32_t)((n >> WORD_BITS) & ((1u << WORD_BITS) - 1)) << CODE_BITS | SZ_WORD;
        }
    }
    *e = trace << CODE_BITS | code;
    S.live_n++;
    return 0;
}

/* The size recorded in block p's slots (first slot e, non-zero); clears its size words. */
static inline uint64_t take(uint32_t *e, uint64_t p)
{
    uint32_t code = *e & CODE_MASK;
    if (code <= 16)
        return code;
    uint64_t n = 0;
    uint32_t *w1 = slot_k(e, p, 1, 0);
    if (w1) {
        n = *w1 >> CODE_BITS;
        *w1 = 0;
    }
    if (code == SZ_2) {
        uint32_t *w2 = slot_k(e, p, 2, 0);
        if (w2) {
            n |= (uint64_t)(*w2 >> CODE_BITS) << WORD_BITS;
            *w2 = 0;
        }
    }
    return n;
}

/* Forget block p: its trace (0 when not tracked), and its size in *n. */
static inline uint32_t live_del(uint64_t p, uint64_t *n)
{
    uint32_t *e = slot(p, 0);
    if (!e || !*e || (*e & CODE_MASK) > SZ_2)
        return 0;                   /* not tracked (or not a block's start: a bad free) */
    uint32_t t = *e >> CODE_BITS;
    *n = take(e, p);
    *e = 0;
    S.live_n--;
    return t;
}

/* Child: the trace of the block starting at p, 0 if none (or p is not a block's start). */
static uint32_t live_get(const struct pysites *s, uint64_t p)
{
    uint32_t *side = region_side(s, p >> REGION_SHIFT);
    uint32_t v = side ? side[(p >> SLOT_SHIFT) & (SLOTS - 1)] : 0;
    return (v & CODE_MASK) <= SZ_2 ? v >> CODE_BITS : 0;
}

/* ---- traces ------------------------------------------------------------------------------------ */

static void hold_code(uint64_t code)
{
    if ((S.ncodes + 1) * 2 > S.codes_mask + 1) {
        uint64_t n = S.codes_mask ? (S.codes_mask + 1) * 2 : 1024;
        uint64_t *t = grow(NULL, 0, n * 8);
        if (!t)
            return;
        for (uint64_t i = 0; S.codes && i <= S.codes_mask; i++)
            if (S.codes[i]) {
                uint64_t h = hptr(S.codes[i]) >> 20;
                while (t[h & (n - 1)]) h++;
                t[h & (n - 1)] = S.codes[i];
            }
        if (S.codes)
            munmap(S.codes, (S.codes_mask + 1) * 8);
        S.codes = t;
        S.codes_mask = n - 1;
    }
    for (uint64_t h = hptr(code) >> 20;; h++) {
        uint64_t *e = &S.codes[h & S.codes_mask];
        if (*e == code)
            return;
        if (!*e) {
            *e = code;
            S.ncodes++;
            Py_INCREF((PyObject *)(uintptr_t)code);
            return;
        }
    }
}

static int thash_grow(void)
{
    uint64_t n = S.thash_mask ? (S.thash_mask + 1) * 2 : 4096;
    uint32_t *t = grow(NULL, 0, n * 4);
    if (!t)
        return -1;
    for (uint32_t id = 1; id <= S.ntraces; id++) {
        uint64_t h = S.traces[id - 1].hash;
        while (t[h & (n - 1)]) h++;
        t[h & (n - 1)] = id;
    }
    if (S.thash)
        munmap(S.thash, (S.thash_mask + 1) * 4);
    S.thash = t;
    S.thash_mask = n - 1;
    return 0;
}

static uint32_t intern_trace(const uint64_t *fr, uint32_t depth, uint64_t hash)
{
    for (uint64_t h = hash;; h++) {
        uint32_t id = S.thash[h & S.thash_mask];
        if (!id)
            break;
        const trace_ent *t = &S.traces[id - 1];
        if (t->hash == hash && t->depth == depth &&
            memcmp(S.frames + t->off, fr, depth * 2 * sizeof(uint64_t)) == 0)
            return id;
    }
    /* new trace */
    if (S.ntraces >= TRACE_MAX)
        return 0;
    if (S.ntraces == S.trace_cap) {
        uint32_t cap = S.trace_cap ? S.trace_cap * 2 : 4096;
        trace_ent *t = grow(S.traces, (size_t)S.trace_cap * sizeof *t, (size_t)cap * sizeof *t);
        if (!t)
            return 0;
        S.traces = t;
        S.trace_cap = cap;
    }
    if (S.nframes + 2 * depth > S.frame_cap) {
        uint64_t cap = S.frame_cap ? S.frame_cap * 2 : 65536;
        while (cap < S.nframes + 2 * depth) cap *= 2;
        uint64_t *f = grow(S.frames, S.frame_cap * 8, cap * 8);
        if (!f)
            return 0;
        S.frames = f;
        S.frame_cap = cap;
    }
    if ((uint64_t)(S.ntraces + 1) * 2 > S.thash_mask + 1 && thash_grow())
        return 0;
    for (uint32_t i = 0; i < depth; i++)
        hold_code(fr[2 * i]);
    trace_ent *t = &S.traces[S.ntraces];
    t->hash = hash;
    t->off = (uint32_t)S.nframes;
    t->depth = depth;
    memset(&t->n, 0, sizeof t->n);
    memcpy(S.frames + S.nframes, fr, depth * 2 * sizeof(uint64_t));
    S.nframes += 2 * depth;
    uint32_t id = ++S.ntraces;
    uint64_t h = hash;
    while (S.thash[h & S.thash_mask]) h++;
    S.thash[h & S.thash_mask] = id;
    return id;
}

/* The current thread's Python traceback, interned. */
static uint32_t current_trace(void)
{
    PyThreadState *ts = _PyThreadState_GET();
    if (!ts || !ts->cframe)
        return 0;
    uint64_t fr[2 * DEPTH_MAX];
    uint32_t d = 0;
    uint64_t h = 0x243F6A8885A308D3ull;
    for (_PyInterpreterFrame *f = ts->cframe->current_frame; f && d < (uint32_t)S.depth; f = f->previous) {
        PyCodeObject *co = f->f_code;
        _Py_CODEUNIT *code0 = _PyCode_CODE(co);
        if (f->owner != FRAME_OWNED_BY_GENERATOR && f->prev_instr < code0 + co->_co_firsttraceable)
            continue;           /* incomplete frame (still being set up) */
        uint64_t idx = (uint64_t)(f->prev_instr - code0);
        fr[2 * d] = PA(co);
        fr[2 * d + 1] = idx;
        h = (h ^ PA(co)) * 0x9E3779B97F4A7C15ull;
        h = (h ^ idx) * 0xC2B2AE3D27D4EB4Full;
        d++;
    }
    if (!d)
        return 0;
    h ^= h >> 29;
    return intern_trace(fr, d, h);
}

/* ---- the hooks ------------------------------------------------------------------------------------ */

/* A new block p of n bytes: tracked and counted at the current trace, if there is one. */
static inline void on_alloc(void *p, uint64_t n)
{
    uint32_t t = current_trace();
    if (!t || live_put(PA(p), t, n))
        return;
    trace_ent *te = &S.traces[t - 1];
    te->n.allocs++;
    te->n.bytes_allocated += n;
}

/* Hooks put in before Py_Initialize (preinit) empty the free lists at the first allocation once
 * the interpreter is up — before any object could come off one with no allocation — rather than
 * when the agent's control thread gets to init, a few milliseconds later. GIL held. */
static void freelists_off(void);

static inline void freelists_check(void)
{
    if (__builtin_expect(!freelists_done, 0) && Py_IsInitialized()) {
        freelists_done = 1;
        freelists_off();
    }
}

static void *h_malloc(void *ctx, size_t n)
{
    (void)ctx;
    freelists_check();
    void *p = S.orig.malloc(S.orig.ctx, n);
    if (p)
        on_alloc(p, n);
    return p;
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    freelists_check();
    void *p = S.orig.calloc(S.orig.ctx, nelem, elsize);
    if (p)
        on_alloc(p, (uint64_t)nelem * elsize);      /* no overflow: the allocation succeeded */
    return p;
}

/* A realloc keeps the block's trace and moves only its bytes (see the top of the file); an
 * untracked block becomes a new allocation at the current trace. On failure (NULL) the old block
 * is still live and nothing changes (CPython's realloc never frees: a size 0 becomes 1). */
static void *h_realloc(void *ctx, void *ptr, size_t n)
{
    (void)ctx;
    void *q = S.orig.realloc(S.orig.ctx, ptr, n);
    if (!q)
        return q;
    uint64_t old = 0;
    uint32_t t = ptr ? live_del(PA(ptr), &old) : 0;
    if (!t) {
        on_alloc(q, n);
        return q;
    }
    trace_ent *te = &S.traces[t - 1];
    te->n.bytes_freed += old;
    te->n.bytes_allocated += n;
    if (live_put(PA(q), t, n)) {
        te->n.frees++;              /* it leaves the table: a free, for allocs - frees to hold */
        te->n.bytes_freed += n;
    }
    return q;
}

static void h_free(void *ctx, void *ptr)
{
    (void)ctx;
    uint64_t n;
    uint32_t t = ptr ? live_del(PA(ptr), &n) : 0;
    if (t) {
        trace_ent *te = &S.traces[t - 1];
        te->n.frees++;
        te->n.bytes_freed += n;
    }
    S.orig.free(S.orig.ctx, ptr);
}

/* ---- free lists ------------------------------------------------------------------------------------ */

static destructor orig_list_dealloc, orig_dict_dealloc;

static void list_dealloc_nofree(PyObject *op)
{
    orig_list_dealloc(op);
    struct _Py_list_state *st = &_PyInterpreterState_GET()->list;
    if (st->numfree > 0 && (PyObject *)st->free_list[st->numfree - 1] == op) {
        st->numfree--;
        PyObject_GC_Del(op);
    }
}

static void dict_dealloc_nofree(PyObject *op)
{
    orig_dict_dealloc(op);
    struct _Py_dict_state *st = &_PyInterpreterState_GET()->dict_state;
    if (st->numfree > 0 && (PyObject *)st->free_list[st->numfree - 1] == op) {
        st->numfree--;
        PyObject_GC_Del(op);
    }
}

static void freelists_off(void)
{
    PyInterpreterState *in = _PyInterpreterState_GET();
#if PyList_MAXFREELIST > 0
    while (in->list.numfree > 0)
        PyObject_GC_Del(in->list.free_list[--in->list.numfree]);
    orig_list_dealloc = PyList_Type.tp_dealloc;
    PyList_Type.tp_dealloc = list_dealloc_nofree;
#endif
#if PyDict_MAXFREELIST > 0
    while (in->dict_state.numfree > 0)
        PyObject_GC_Del(in->dict_state.free_list[--in->dict_state.numfree]);
    orig_dict_dealloc = PyDict_Type.tp_dealloc;
    PyDict_Type.tp_dealloc = dict_dealloc_nofree;
#endif
#if PyTuple_NFREELISTS > 0
    for (int i = 0; i < PyTuple_NFREELISTS; i++) {
        while (in->tuple.free_list[i]) {
            PyTupleObject *op = in->tuple.free_list[i];
            in->tuple.free_list[i] = (PyTupleObject *)op->ob_item[0];
            PyObject_GC_Del(op);
        }
        in->tuple.numfree[i] = PyTuple_MAXFREELIST;     /* "full": never pushed to again */
    }
#endif
#if PyFloat_MAXFREELIST > 0
    while (in->float_state.free_list) {
        PyFloatObject *op = in->float_state.free_list;
        in->float_state.free_list = (PyFloatObject *)Py_TYPE(op);
        PyObject_Free(op);
    }
    in->float_state.numfree = PyFloat_MAXFREELIST;
#endif
}

int pysites_install(char *err, size_t errlen)
{
    if (installed) {
        if (!freelists_done && Py_IsInitialized()) {    /* hooks went in before Py_Initialize */
            freelists_off();
            freelists_done = 1;
        }
        return 0;
    }
    const char *d = getenv("MEMDUMP_PYTHON_SITES_DEPTH");
    S.depth = d && atoi(d) > 0 ? atoi(d) : 32;
    if (S.depth > DEPTH_MAX)
        S.depth = DEPTH_MAX;
    if (regions_grow() || thash_grow()) {
        snprintf(err, errlen, "--python-sites: cannot map memory for its tables");
        return -1;
    }
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &S.orig);
    PyMemAllocatorEx hooks = {NULL, h_malloc, h_calloc, h_realloc, h_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &hooks);
    if (Py_IsInitialized()) {
        freelists_off();
        freelists_done = 1;
    }
    installed = 1;
    return 0;
}

const pysites *pysites_get(void)
{
    return installed ? &S : NULL;
}

void pysites_stats(const pysites *s, pysites_stats_t *st)
{
    st->live_blocks = s->live_n;
    st->traces = s->ntraces;
    st->unaligned = s->unaligned;
    /* what the tables use, not the address space reserved for them (untouched pages of the
     * growing arrays cost nothing) */
    st->overhead = s->nregions * (uint64_t)SLOTS * sizeof(uint32_t) + (s->reg_mask + 1) * sizeof(region_ent) +
                   (uint64_t)s->ntraces * sizeof(trace_ent) + s->nframes * sizeof(uint64_t) +
                   (s->thash_mask + 1) * sizeof(uint32_t) + (s->codes_mask + 1) * sizeof(uint64_t);
}

uint32_t pysites_ntraces(const pysites *s)
{
    return s->ntraces;
}

const pysites_ctr *pysites_counts(const pysites *s, uint32_t id)
{
    return id && id <= s->ntraces ? &s->traces[id - 1].n : NULL;
}

/* ---- the child's side ------------------------------------------------------------------------------ */

static pyvec vstacks;     /* trace id -> STACK id + 1 (0 = not computed yet) */

/* (code, instruction) -> FRAME id: tracebacks share most of their frames (the callers), and
 * naming a frame decodes its code's line table from the start, so each pair is named once. */
typedef struct fcache_ent { uint64_t code; uint32_t idx, fid; } fcache_ent;
static pyvec vfc;
static uint64_t fc_mask, fc_n;

static int fcache_grow(void)
{
    uint64_t n = fc_mask ? (fc_mask + 1) * 2 : 4096;
    pyvec nv = {0};
    if (pyvec_reserve(&nv, n * sizeof(fcache_ent)))
        return -1;
    fcache_ent *nt = nv.p, *ot = vfc.p;
    for (uint64_t i = 0; ot && i <= fc_mask; i++)
        if (ot[i].code) {
            uint64_t h = (hptr(ot[i].code) ^ ot[i].idx * 0xC2B2AE3D27D4EB4Full) >> 20;
            while (nt[h & (n - 1)].code) h++;
            nt[h & (n - 1)] = ot[i];
        }
    pyvec_free(&vfc);
    vfc = nv;
    fc_mask = n - 1;
    return 0;
}

static uint32_t frame_of(struct pw *w, uint64_t code, uint64_t idx)
{
    if ((fc_n + 1) * 2 > fc_mask + 1 && fcache_grow())
        return py_code_frame(w, (PyCodeObject *)(uintptr_t)code, (int)idx);
    fcache_ent *t = vfc.p;
    for (uint64_t h = (hptr(code) ^ idx * 0xC2B2AE3D27D4EB4Full) >> 20;; h++) {
        fcache_ent *e = &t[h & fc_mask];
        if (e->code == code && e->idx == (uint32_t)idx)
            return e->fid;
        if (!e->code) {
            e->code = code;
            e->idx = (uint32_t)idx;
            e->fid = py_code_frame(w, (PyCodeObject *)(uintptr_t)code, (int)idx);
            fc_n++;
            return e->fid;
        }
    }
}

uint32_t pysites_trace_stack(struct pw *w, const pysites *s, uint32_t id)
{
    if (!id || id > s->ntraces)
        return 0;
    if (pyvec_reserve(&vstacks, ((size_t)s->ntraces + 1) * sizeof(uint32_t)))
        return 0;
    uint32_t *cache = vstacks.p;
    if (cache[id])
        return cache[id] - 1;
    const trace_ent *t = &s->traces[id - 1];
    uint32_t ids[DEPTH_MAX], n = 0;
    for (uint32_t i = 0; i < t->depth && i < DEPTH_MAX; i++) {
        const uint64_t *f = s->frames + t->off + 2 * i;
        uint32_t fid = frame_of(w, f[0], f[1]);
        if (fid)
            ids[n++] = fid;
    }
    uint32_t sid = n ? md_child_stack(w->c, ids, n) : 0;
    cache[id] = sid + 1;
    return sid;
}

uint32_t pysites_node_stack(struct pw *w, const pysites *s, uint64_t alloc_addr)
{
    return pysites_trace_stack(w, s, live_get(s, alloc_addr));
}
