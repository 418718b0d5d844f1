/* md_stacktab.c — the stack interning table (see md_stacktab.h).
 *
 * Entries: chunks of 64 Ki entries allocated on demand; PCs: an append-only pool of 1 MiB
 * chunks. The index is an open-addressed array of ids (power-of-two size, load ≤ 1/2) behind an
 * atomically published pointer. A reader probes whichever index it loaded; a writer, holding the
 * lock, fills the entry completely and only then publishes its id into a slot (release), so a
 * reader that sees an id sees a complete entry. Growth builds a new index and publishes it; old
 * indexes are abandoned, never freed, since a reader may still be probing one (their total is
 * less than the final index). A reader that misses in a stale index just takes the locked path.
 */
#include "md_stacktab.h"
#include "md_sys.h"

#include <string.h>

#define ENT_CHUNK 65536u
#define MAX_ENT_CHUNKS 4096u
#define PC_CHUNK (1u << 17)          /* PCs per pool chunk (1 MiB) */

typedef struct index {
    uint32_t cap;                    /* power of two */
    uint32_t slots[];                /* ids */
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
    uint64_t h = 0x9e3779b97f4a7c15ull ^ depth;
    for (uint32_t i = 0; i < depth; i++) {
        h ^= pcs[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h ? h : 1;
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

static int same(const md_stackent *e, uint64_t h, const uint64_t *pcs, uint32_t depth)
{
    return e->hash == h && e->depth == depth && memcmp(e->pcs, pcs, depth * sizeof *pcs) == 0;
}

static uint32_t probe(const index_t *ix, uint64_t h, const uint64_t *pcs, uint32_t depth,
                      uint32_t **empty)
{
    uint32_t mask = ix->cap - 1;
    for (uint32_t j = (uint32_t)h & mask;; j = (j + 1) & mask) {
        uint32_t id = __atomic_load_n(&ix->slots[j], __ATOMIC_ACQUIRE);
        if (!id) {
            if (empty) *empty = (uint32_t *)&ix->slots[j];
            return 0;
        }
        const md_stackent *e = md_stacktab_get(id);
        if (e && same(e, h, pcs, depth)) return id;
    }
}

static index_t *new_index(uint32_t cap)
{
    index_t *ix = md_map(sizeof(index_t) + (size_t)cap * 4);
    if (!ix) return NULL;
    ix->cap = cap;
    bytes += sizeof(index_t) + (size_t)cap * 4;
    return ix;
}

static int grow(void)
{
    uint32_t ncap = idx ? idx->cap * 2 : 4096;
    index_t *nx = new_index(ncap);
    if (!nx) return -1;
    for (uint32_t id = 1; id <= count; id++) {
        const md_stackent *e = md_stacktab_get(id);
        uint32_t j = (uint32_t)e->hash & (ncap - 1);
        while (nx->slots[j]) j = (j + 1) & (ncap - 1);
        nx->slots[j] = id;
    }
    __atomic_store_n(&idx, nx, __ATOMIC_RELEASE);
    return 0;
}

static const uint64_t *store_pcs(const uint64_t *pcs, uint32_t depth)
{
    if (depth == 0) return pcs;
    if (pc_used + depth > PC_CHUNK) {
        uint64_t *pool = md_map(PC_CHUNK * sizeof(uint64_t));
        if (!pool) return NULL;
        pc_pool = pool;
        pc_used = 0;
    }
    uint64_t *dst = pc_pool + pc_used;
    memcpy(dst, pcs, depth * sizeof *pcs);
    pc_used += depth;
    bytes += depth * sizeof *pcs;
    return dst;
}

uint32_t md_stacktab_intern(const uint64_t *pcs, uint32_t depth)
{
    uint64_t h = hash_pcs(pcs, depth);
    index_t *ix = __atomic_load_n(&idx, __ATOMIC_ACQUIRE);
    if (ix) {
        uint32_t id = probe(ix, h, pcs, depth, NULL);
        if (id) return id;
    }
    md_spin_acquire(&md_stacktab_lock);
    uint32_t id = 0;
    if ((!idx || (count + 1) * 2 > idx->cap) && grow() < 0) goto out;
    uint32_t *slot;
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
    const uint64_t *stored = store_pcs(pcs, depth);
    if (!stored) goto out;
    md_stackent *e = &chunks[c][(nid - 1) % ENT_CHUNK];
    e->hash = h;
    e->pcs = stored;
    e->depth = depth;
    bytes += sizeof *e;
    __atomic_store_n(&count, nid, __ATOMIC_RELEASE);
    __atomic_store_n(slot, nid, __ATOMIC_RELEASE);
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
