/* md_native.h — the native heap graph, emitted in the snapshot child.
 *
 * Nodes are the tracker's live blocks (address, requested size, usable size, allocation stack,
 * C++ type when the first word is a vtable pointer). Edges come from a conservative scan of each
 * block's aligned words: a value pointing anywhere inside a live block (interior pointers
 * included) is an edge to it. Roots come from the same scan over thread stacks, the main thread's
 * static TLS, the writable segments of loaded modules and, after a fatal signal, the faulting
 * thread's registers. Per-site counters (global plus every thread's unpublished deltas) follow.
 */
#ifndef MD_NATIVE_H
#define MD_NATIVE_H

#include <stdint.h>

typedef struct md_child md_child;
typedef struct md_modtab md_modtab;
typedef struct md_snap_ctx md_snap_ctx;

typedef struct md_native_out {
    uint64_t blocks, bytes, edges, roots;
    uint64_t live_blocks, live_bytes;
    uint64_t stack_bytes;           /* thread stacks mapped (for ALLOCATOR "stacks") */
    uint32_t trigger_stack;         /* the peak allocation's STACK id in the dump */
    int64_t counter_allocs, counter_frees;
} md_native_out;

/* Returns 0, or -1 if the writer failed (the caller reports md_writer_error). */
int md_native_emit(md_child *c, const md_snap_ctx *ctx, const md_modtab *mods, md_native_out *out);

/* Thread stacks and register roots only (no tracker: nothing to point at). Used when native
 * tracking is off, so the THREAD records still get their stack figures. */
void md_native_stack_bytes(md_child *c, const md_snap_ctx *ctx, md_native_out *out);

#endif
