/* md_allocstats.h — the ALLOCATOR record: where the process's memory is, as far as the agent can
 * tell. The parent's VmRSS/VmHWM (read just before the clone: the child's own figures differ),
 * mallinfo2 (also parent side: it takes malloc's locks), the child's smaps_rollup (its mappings
 * are the parent's at the fork), the tracker's totals and its own memory, thread stacks. */
#ifndef MD_ALLOCSTATS_H
#define MD_ALLOCSTATS_H

#include <stdint.h>

typedef struct md_child md_child;
typedef struct md_snap_ctx md_snap_ctx;
typedef struct md_native_out md_native_out;

void md_allocstats_emit(md_child *c, const md_snap_ctx *ctx, const md_native_out *nat,
                        int64_t rss_anon, int64_t rss_file);

#endif
