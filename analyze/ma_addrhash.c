/* ma_addrhash.c — build the address table (see ma_addrhash.h). */
#include "ma_addrhash.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

void ma_addrhash_build(ma_addrhash *h, const ma_graph *g)
{
    int bits = 4;
    while (bits < 62 && (1ull << bits) < 2 * g->n) bits++;
    uint64_t size = 1ull << bits;
    h->slot = ma_malloc(size, sizeof *h->slot);
    memset(h->slot, 0xff, size * sizeof *h->slot);
    h->mask = size - 1;
    h->shift = bits > MA_HASH_WINDOW ? 64 - (bits - MA_HASH_WINDOW) : 63;
    h->addr = g->addr;
    for (uint64_t v = 0; v < g->n; v++) {
        if (g->flags[v] & MA_F_DUP) continue;
        uint64_t i = ma_addrhash_slot(h, g->addr[v]);
        while (h->slot[i] != MA_NONE) i = (i + 1) & h->mask;
        h->slot[i] = (ma_id)v;
    }
}

void ma_addrhash_free(ma_addrhash *h)
{
    free(h->slot);
    h->slot = NULL;
}
