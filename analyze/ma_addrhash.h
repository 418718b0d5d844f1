/* ma_addrhash.h — address → node id, for resolving edges while loading.
 *
 * A dump has about two edges per node and each names its target by address. Binary search over
 * 10 million sorted addresses costs a chain of ~14 dependent cache misses per lookup; this
 * open-addressing table (linear probing, load ≤ 0.5) costs about two, and far less when edges
 * point near their source (see ma_addrhash_slot). It stores only node ids (4 bytes per slot) and
 * compares against the graph's address array, so it costs 8-16 bytes per node, and only while
 * loading. Nodes flagged MA_F_DUP are not inserted: a repeated address resolves to the first.
 */
#ifndef MA_ADDRHASH_H
#define MA_ADDRHASH_H

#include "ma_types.h"

typedef struct ma_addrhash {
    ma_id *slot;
    uint64_t mask;
    int shift;
    const uint64_t *addr;
} ma_addrhash;

void ma_addrhash_build(ma_addrhash *h, const ma_graph *g);
void ma_addrhash_free(ma_addrhash *h);

/* Slot of an address: windows of 2^MA_HASH_WINDOW consecutive 16-byte units stay consecutive
 * in the table (edges mostly point near their source, and nodes are inserted in address order,
 * so lookups and inserts walk memory sequentially), while the windows themselves are scattered
 * by a multiplicative hash so that separate heaps and arenas do not pile up on each other. */
#define MA_HASH_WINDOW 8
static inline uint64_t ma_addrhash_slot(const ma_addrhash *h, uint64_t a)
{
    uint64_t unit = a >> 4;
    uint64_t win = (unit >> MA_HASH_WINDOW) * 0x9E3779B97F4A7C15ull;
    return ((win >> h->shift) << MA_HASH_WINDOW | (unit & ((1u << MA_HASH_WINDOW) - 1))) & h->mask;
}

static inline ma_id ma_addrhash_find(const ma_addrhash *h, uint64_t a)
{
    uint64_t i = ma_addrhash_slot(h, a);
    for (;;) {
        ma_id v = h->slot[i];
        if (v == MA_NONE || h->addr[v] == a) return v;
        i = (i + 1) & h->mask;
    }
}

#endif
