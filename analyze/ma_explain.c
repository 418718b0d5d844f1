/* ma_explain.c — see ma_explain.h. */
#include "ma_explain.h"
#include "ma_dump.h"
#include "md_format.h"

#include <string.h>

static void part(ma_part *p, const ma_dump *d, const char *name, const char *json, const char *key,
                 const char *what)
{
    int64_t v;
    p->name = name;
    p->json = json;
    p->what = what;
    p->known = key && ma_stat_get(d, key, &v);
    p->bytes = p->known && v > 0 ? (uint64_t)v : 0;
}

void ma_explain_compute(const ma_analysis *a, ma_explain *e)
{
    const ma_dump *d = a->d;
    const ma_graph *g = &d->g;
    memset(e, 0, sizeof *e);
    e->objects = a->objects;
    e->bytes = a->bytes;
    e->unreach_objects = a->unreach_objects;
    e->unreach_bytes = a->unreach_bytes;
    e->unref_objects = a->unref_objects;
    e->reach_objects = a->objects - a->unreach_objects;
    e->reach_bytes = a->bytes - a->unreach_bytes;
    for (uint64_t v = 0; v < g->n; v++) {
        uint16_t f = g->flags[v];
        if (f & MD_NODE_SYNTHETIC) continue;
        if (f & MD_NODE_NATIVE) { e->native_objects++; e->native_bytes += g->size[v]; }
        if (f & MD_NODE_PYOBJ) { e->python_objects++; e->python_bytes += g->size[v]; }
    }
    part(&e->part[0], d, "malloc free", "allocator_free", "malloc.fordblks",
         "free chunks inside malloc's heap (mallinfo2 fordblks)");
    part(&e->part[1], d, "malloc slack", "allocator_slack", NULL,
         "usable size of live blocks beyond what was asked for");
    if (g->usable_nodes) {
        e->part[1].known = 1;
        e->part[1].bytes = g->usable_bytes > g->usable_req ? g->usable_bytes - g->usable_req : 0;
    }
    part(&e->part[2], d, "pymalloc free", "pymalloc_free", "pymalloc.free", "free space in pymalloc's arenas");
    part(&e->part[3], d, "thread stacks", "stacks", "stacks", "mapped thread stacks");
    part(&e->part[4], d, "agent overhead", "agent_overhead", "tracker.overhead",
         "memory the memdump agent itself uses");
    int64_t sites_mem;      /* --python-sites tables: the walker's share of the agent's memory */
    if (ma_stat_get(d, "pysites.overhead", &sites_mem) && sites_mem > 0) {
        e->part[4].known = 1;
        e->part[4].bytes += (uint64_t)sites_mem;
    }
    part(&e->part[5], d, "mapped files", "rss_file", "rss_file", "resident file-backed pages: code, libraries, mmap'd files");
    int64_t v;
    if (ma_stat_get(d, "rss", &v) && v >= 0) { e->has_rss = 1; e->rss = (uint64_t)v; }
    if (ma_stat_get(d, "rss_peak", &v) && v >= 0) { e->has_rss_peak = 1; e->rss_peak = (uint64_t)v; }
    if (d->snapshot.heap_peak) { e->has_heap_peak = 1; e->heap_peak = d->snapshot.heap_peak; }
    else if (ma_stat_get(d, "tracker.peak_bytes", &v) && v >= 0) { e->has_heap_peak = 1; e->heap_peak = (uint64_t)v; }
    if (e->has_rss) {
        int64_t u = (int64_t)e->rss - (int64_t)e->bytes;
        for (int i = 0; i < MA_EXPLAIN_PARTS; i++) u -= (int64_t)e->part[i].bytes;
        e->unexplained = u;
    }
}
