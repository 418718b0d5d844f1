/* md_allocstats.c — the ALLOCATOR record (see md_allocstats.h). Keys follow FORMAT.md §3.13;
 * tracker.untracked_frees and tracker.counter_live are additions (frees of blocks the tracker
 * never saw, and allocs − frees summed over all sites, which equals tracker.live_blocks when the
 * counters reconcile). */
#include "md_allocstats.h"
#include "md_child_int.h"
#include "md_native.h"
#include "md_snapctx.h"
#include "md_tracker.h"

#include <string.h>

#define MAX_STATS 24

typedef struct stats { md_stat s[MAX_STATS]; uint32_t n; } stats;

static void put(stats *st, const char *key, int64_t v)
{
    if (v < 0 || st->n == MAX_STATS) return;
    st->s[st->n].key.ptr = key;
    st->s[st->n].key.len = (uint32_t)strlen(key);
    st->s[st->n].value = v;
    st->n++;
}

void md_allocstats_emit(md_child *c, const md_snap_ctx *ctx, const md_native_out *nat,
                        int64_t rss_anon, int64_t rss_file)
{
    stats st;
    st.n = 0;
    put(&st, "rss", ctx->rss);
    put(&st, "rss_peak", ctx->rss_peak);
    put(&st, "rss_anon", rss_anon);
    put(&st, "rss_file", rss_file);
    if (ctx->have_mallinfo) {
        put(&st, "malloc.arena", (int64_t)ctx->mi.arena);
        put(&st, "malloc.hblkhd", (int64_t)ctx->mi.hblkhd);
        put(&st, "malloc.uordblks", (int64_t)ctx->mi.uordblks);
        put(&st, "malloc.fordblks", (int64_t)ctx->mi.fordblks);
        put(&st, "malloc.keepcost", (int64_t)ctx->mi.keepcost);
    }
    if (ctx->native) {
        put(&st, "tracker.live_blocks", (int64_t)nat->live_blocks);
        put(&st, "tracker.live_bytes", (int64_t)nat->live_bytes);
        put(&st, "tracker.overhead", (int64_t)md_tracker_overhead());
        put(&st, "tracker.untracked_frees", (int64_t)md_tracker_untracked_frees());
        put(&st, "tracker.counter_live", nat->counter_allocs - nat->counter_frees);
    }
    if (ctx->heap_hwm) put(&st, "tracker.peak_bytes", (int64_t)ctx->heap_hwm);
    put(&st, "stacks", (int64_t)nat->stack_bytes);
    md_allocator a = { st.s, st.n };
    md_w_allocator(c->w, &a);
}
