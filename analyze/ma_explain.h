/* ma_explain.h — the totals that explain a process's memory.
 *
 * RSS is what the user sees; the dump explains it as: live objects (the graph's nodes), memory
 * the allocators hold but have free (malloc's free chunks, pymalloc's free pools), malloc's
 * per-block slack (usable size beyond the request), thread stacks, the agent's own overhead,
 * file-backed pages (code, mapped files), and what is left: "unexplained" (fragmentation the
 * statistics don't see, memory from mmap or allocators nobody tracked, or — when negative —
 * heap pages that were never touched and so are not resident). Each part is optional: a dump
 * without an ALLOCATOR record explains nothing beyond its objects.
 */
#ifndef MA_EXPLAIN_H
#define MA_EXPLAIN_H

#include "ma_types.h"

#define MA_EXPLAIN_PARTS 6

typedef struct ma_part {
    const char *name;       /* "malloc free", ... */
    const char *json;       /* JSON member name */
    const char *what;       /* one-line explanation */
    int known;
    uint64_t bytes;
} ma_part;

typedef struct ma_explain {
    uint64_t objects, bytes;                /* non-synthetic nodes */
    uint64_t reach_objects, reach_bytes;
    uint64_t unreach_objects, unreach_bytes, unref_objects;
    uint64_t native_objects, native_bytes, python_objects, python_bytes;
    ma_part part[MA_EXPLAIN_PARTS];         /* allocator free, slack, pymalloc free, stacks, ... */
    int has_rss, has_rss_peak, has_heap_peak;
    uint64_t rss, rss_peak, heap_peak;
    int64_t unexplained;                    /* rss - objects - known parts (when has_rss) */
} ma_explain;

void ma_explain_compute(const ma_analysis *a, ma_explain *e);

#endif
