/* md_blockindex.h — "which live block contains this address?", fast, in the snapshot child.
 *
 * Blocks are sorted by address (LSD radix sort, 8 bits per pass, passes whose digit is the same
 * for every key skipped). They are grouped into regions separated by gaps of at least 64 KiB;
 * each region has a dense per-page array giving the first block that may contain an address of
 * that page, so a lookup is: range check, binary search among the few regions, one array load,
 * and a short binary search among the blocks of that page. About ten nanoseconds per word
 * scanned, so a gigabyte of heap scans in about a second.
 */
#ifndef MD_BLOCKINDEX_H
#define MD_BLOCKINDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct md_child md_child;

typedef struct md_blk {
    uint64_t addr;
    uint64_t end;           /* addr + max(size, 1) */
    uint32_t size32;        /* tracker's size field */
    uint32_t stack;         /* tracker stack id */
} md_blk;

typedef struct md_region {
    uint64_t lo, hi;        /* lo = page of first block, hi = end of last block */
    size_t first, last;     /* block index range [first, last) */
    uint32_t *page_first;   /* per page: first block index whose end > page start */
} md_region;

typedef struct md_blockindex {
    md_blk *b;
    size_t n;
    md_region *r;
    size_t nr;
    uint64_t lo, hi;
} md_blockindex;

/* Sorts b[0..n) in place (tmp: n more entries of scratch), drops overlapping duplicates and
 * builds the index. Returns 0 or -1 (arena exhausted). */
int md_blockindex_build(md_blockindex *ix, md_child *c, md_blk *b, size_t n, md_blk *tmp);

/* Index of the block containing v, or -1. */
static inline long md_blockindex_find(const md_blockindex *ix, uint64_t v)
{
    if (v < ix->lo || v >= ix->hi) return -1;
    size_t lo = 0, hi = ix->nr;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix->r[mid].hi <= v) lo = mid + 1;
        else hi = mid;
    }
    if (lo == ix->nr) return -1;
    const md_region *r = &ix->r[lo];
    if (v < r->lo) return -1;
    size_t pg = (size_t)((v - r->lo) >> 12);
    size_t a = r->page_first[pg];
    size_t e = r->page_first[pg + 1] + 1;
    if (e > r->last) e = r->last;
    /* last block in [a, e) with addr <= v */
    while (a < e) {
        size_t mid = (a + e) / 2;
        if (ix->b[mid].addr <= v) a = mid + 1;
        else e = mid;
    }
    if (a == 0) return -1;
    const md_blk *k = &ix->b[a - 1];
    return (k->addr <= v && v < k->end) ? (long)(a - 1) : -1;
}

#endif
