/* md_stacktab.c — the stack interning table (see md_stacktab.h).
 *
 * Entries: chunks of 64 Ki entries allocated on demand. PCs: an append-only pool of 1 MiB
 * chunks, where each stack is a record — its hash, id and depth, then its PCs — so that
 * checking a candidate reads one record, lines in a row, instead of an entry and then its PCs
 * elsewhere. The index is an open-addressed array (power-of-two size, load ≤ 1/2) behind an
 * atomically published pointer; each slot is one 64-bit word, the record's address (over 8) in
 * the low 45 bits and the top 19 bits of the stack's hash above, so a probe rejects other
 * stacks without touching their records (with tens of thousands of stacks, each is a cache
 * miss). A reader probes whichever index it loaded; a writer, holding the lock, fills the
 * record and the entry completely and only then publishes the slot word (release), so a reader
 * that sees a slot sees a complete record. Growth builds a new index and publishes it; old
 * indexes are abandoned, never freed, since a reader may still be probing one (their total is
 * less than the final index). A reader that misses in a stale index just takes the locked path.
 */
#include "md_stacktab.h"
#include "md_sys.h"

#include <stddef.h>
#include <string.h>

#define ENT_CHUNK 65536u
#define MAX_ENT_CHUNKS 4096u
#define PC_CHUNK (1u << 17)          /* words per pool chunk (1 MiB) */
#define REC_WORDS 2u                 /* a record's header, in words */
#define SLOT_PTR_BITS 45             /* record address / 8: user space is below 2^48 */

typedef struct rec {
    uint64_t hash;
    uint32_t id, depth;
    uint64_t pcs[];
} rec;

typedef struct index {
    uint64_t cap;                    /* power of two */
    uint64_t slots[];                /* record / 8 | tag << SLOT_PTR_BITS; 0 = empty */
} index_t;

md_spin md_stacktab_lock = MD_SPIN_INIT;
static md_stackent unknown_site;    /* id 0 */
static md_stackent *chunks[MAX_ENT_CHUNKS];
static uint32_t count;
static index_t *idx;
static uint64_t *pc_pool;
static uint32_t pc_used = PC_CHUNK;
static uint64_t bytes;

static uint64_t hash_pcs(const uint64_t *pcs, uint32_t depth)
{
    uint64_t h = MD_STACKHASH_SEED;
    for (uint32_t i = 0; i < depth; i++) h = md_stackhash_step(h, pcs[i]);
    return md_stackhash_final(h, depth);
}

static inline uint64_t tag_of(uint64_t h) { return h >> SLOT_PTR_BITS; }
static inline uint64_t slot_word(const rec *r)
{
    return ((uint64_t)(uintptr_t)r >> 3) | (tag_of(r->hash) << SLOT_PTR_BITS);
}
static inline const rec *slot_rec(uint64_t v)
{
    return (const rec *)(uintptr_t)((v & ((1ull << SLOT_PTR_BITS) - 1)) << 3);
}
static inline const rec *rec_of(const md_stackent *e)
{
    return (const rec *)(const void *)((const char *)e->pcs - offsetof(rec, pcs));
}

md_stackent *md_stacktab_get(uint32_t id)
{
    if (id == 0) return &unknown_site;
    uint32_t c = (id - 1) / ENT_CHUNK;
    if (c >= MAX_ENT_CHUNKS) return NULL;
    md_stackent *ch = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
    return ch ? &ch[(id - 1) % ENT_CHUNK] : NULL;
}

uint32_t md_stacktab_count(void) { return __atomic_load_n(&count, __ATOMIC_ACQUIRE); }
/* Memory in use (untouched parts of the NORESERVE chunks cost nothing and are not counted). */
uint64_t md_stacktab_bytes(void) { return __atomic_load_n(&bytes, __ATOMIC_RELAXED); }

static int same(const rec *r, uint64_t h, const uint64_t *pcs, uint32_t depth)
{
    if (r->hash != h || r->depth != depth) return 0;
    for (uint32_t i = 0; i < depth; i++)
        if (r->pcs[i] != pcs[i]) return 0;
    return 1;
}

static uint32_t probe(const index_t *ix, uint64_t h, const uint64_t *pcs, uint32_t depth,
                      uint64_t **empty)
{
    uint64_t mask = ix->cap - 1, tag = tag_of(h);
    for (uint64_t j = h & mask;; j = (j + 1) & mask) {
        uint64_t v = __atomic_load_n(&ix->slots[j], __ATOMIC_ACQUIRE);
        if (!v) {
            if (empty) *empty = (uint64_t *)&ix->slots[j];
            return 0;
        }
        if (v >> SLOT_PTR_BITS != tag) continue;
        const rec *r = slot_rec(v);
        if (same(r, h, pcs, depth)) return r->id;
    }
}

static index_t *new_index(uint64_t cap)
{
    index_t *ix = md_map(sizeof(index_t) + (size_t)cap * sizeof ix->slots[0]);
    if (!ix) return NULL;
    ix->cap = cap;
    bytes += sizeof(index_t) + (size_t)cap * sizeof ix->slots[0];
    return ix;
}

static int grow(void)
{
    uint64_t ncap = idx ? idx->cap * 2 : 4096;
    index_t *nx = new_index(ncap);
    if (!nx) return -1;
    for (uint32_t id = 1; id <= count; id++) {
        const rec *r = rec_of(md_stacktab_get(id));
        uint64_t j = r->hash & (ncap - 1);
        while (nx->slots[j]) j = (j + 1) & (ncap - 1);
        nx->slots[j] = slot_word(r);
    }
    __atomic_store_n(&idx, nx, __ATOMIC_RELEASE);
    return 0;
}

/* A new record in the pool (id not yet set), or NULL. */
static rec *store_rec(const uint64_t *pcs, uint32_t depth, uint64_t h)
{
    if (pc_used + REC_WORDS + depth > PC_CHUNK) {
        uint64_t *pool = md_map(PC_CHUNK * sizeof(uint64_t));
        if (!pool) return NULL;
        pc_pool = pool;
        pc_used = 0;
    }
    rec *r = (rec *)(void *)(pc_pool + pc_used);
    if ((uint64_t)(uintptr_t)r >> (SLOT_PTR_BITS + 3)) return NULL;   /* cannot be indexed */
    r->hash = h;
    r->depth = depth;
    memcpy(r->pcs, pcs, depth * sizeof *pcs);
    pc_used += REC_WORDS + depth;
    bytes += (REC_WORDS + depth) * sizeof(uint64_t);
    return r;
}

uint32_t md_stacktab_intern(const uint64_t *pcs, uint32_t depth)
{
    return md_stacktab_intern_hashed(pcs, depth, hash_pcs(pcs, depth));
}

uint32_t md_stacktab_intern_hashed(const uint64_t *pcs, uint32_t depth, uint64_t h)
{
    index_t *ix = __atomic_load_n(&idx, __ATOMIC_ACQUIRE);
    if (ix) {
        uint32_t id = probe(ix, h, pcs, depth, NULL);
        if (id) return id;
    }
    md_spin_acquire(&md_stacktab_lock);
    uint32_t id = 0;
    if ((!idx || ((uint64_t)count + 1) * 2 > idx->cap) && grow() < 0) goto out;
    uint64_t *slot;
    id = probe(idx, h, pcs, depth, &slot);
    if (id) goto out;
    uint32_t nid = count + 1;
    uint32_t c = (nid - 1) / ENT_CHUNK;
    if (c >= MAX_ENT_CHUNKS) goto out;
    if (!chunks[c]) {
        md_stackent *ch = md_map(ENT_CHUNK * sizeof(md_stackent));
        if (!ch) goto out;
        __atomic_store_n(&chunks[c], ch, __ATOMIC_RELEASE);
    }
    rec *r = store_rec(pcs, depth, h);
    if (!r) goto out;
    r->id = nid;
    md_stackent *e = &chunks[c][(nid - 1) % ENT_CHUNK];
    e->hash = h;
    e->pcs = r->pcs;
    e->depth = depth;
    bytes += sizeof *e;
    __atomic_store_n(&count, nid, __ATOMIC_RELEASE);
    __atomic_store_n(slot, slot_word(r), __ATOMIC_RELEASE);
    id = nid;
out:
    md_spin_release(&md_stacktab_lock);
    return id;
}

void md_stacktab_add(uint32_t id, int64_t allocs, int64_t frees, int64_t ba, int64_t bf)
{
    md_stackent *e = md_stacktab_get(id);
    if (!e) e = &unknown_site;
    if (allocs) __atomic_add_fetch(&e->allocs, (uint64_t)allocs, __ATOMIC_RELAXED);
    if (frees) __atomic_add_fetch(&e->frees, (uint64_t)frees, __ATOMIC_RELAXED);
    if (ba) __atomic_add_fetch(&e->bytes_allocated, (uint64_t)ba, __ATOMIC_RELAXED);
    if (bf) __atomic_add_fetch(&e->bytes_freed, (uint64_t)bf, __ATOMIC_RELAXED);
}
