/* md_blockindex.c — sorting live blocks and building the lookup index (see md_blockindex.h). */
#include "md_blockindex.h"
#include "md_child_int.h"

#include <string.h>

#define REGION_GAP (64u << 10)

static void radix_sort(md_blk *b, size_t n, md_blk *tmp)
{
    uint64_t all_or = 0, all_and = ~0ull;
    for (size_t i = 0; i < n; i++) { all_or |= b[i].addr; all_and &= b[i].addr; }
    uint64_t varying = all_or ^ all_and;
    md_blk *src = b, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        if (!((varying >> shift) & 0xff)) continue;
        size_t count[257];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[((src[i].addr >> shift) & 0xff) + 1]++;
        for (int d = 0; d < 256; d++) count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++) dst[count[(src[i].addr >> shift) & 0xff]++] = src[i];
        md_blk *t = src; src = dst; dst = t;
    }
    if (src != b) memcpy(b, src, n * sizeof *b);
}

int md_blockindex_build(md_blockindex *ix, md_child *c, md_blk *b, size_t n, md_blk *tmp)
{
    memset(ix, 0, sizeof *ix);
    radix_sort(b, n, tmp);
    /* drop entries that overlap their predecessor (only possible in a table caught mid-update) */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!b[i].addr) continue;
        if (k && b[i].addr < b[k - 1].end) continue;
        b[k++] = b[i];
    }
    n = k;
    ix->b = b;
    ix->n = n;
    if (!n) return 0;
    ix->lo = b[0].addr;
    ix->hi = b[n - 1].end;
    /* regions */
    size_t nr = 1;
    for (size_t i = 1; i < n; i++) if (b[i].addr - b[i - 1].end >= REGION_GAP) nr++;
    ix->r = md_child_alloc(c, nr * sizeof *ix->r);
    if (!ix->r) return -1;
    size_t ri = 0, start = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && b[i].addr - b[i - 1].end < REGION_GAP) continue;
        md_region *r = &ix->r[ri++];
        r->lo = b[start].addr & ~4095ull;
        r->hi = b[i - 1].end;
        r->first = start;
        r->last = i;
        size_t pages = (size_t)((r->hi - r->lo + 4095) >> 12);
        r->page_first = md_child_alloc(c, (pages + 2) * sizeof(uint32_t));
        if (!r->page_first) return -1;
        size_t j = start;
        for (size_t p = 0; p <= pages + 1; p++) {
            uint64_t page_start = r->lo + ((uint64_t)p << 12);
            while (j < i && b[j].end <= page_start) j++;
            r->page_first[p] = (uint32_t)j;
        }
        start = i;
    }
    ix->nr = nr;
    return 0;
}
