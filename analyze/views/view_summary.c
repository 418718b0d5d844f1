/* view_summary.c — the totals line-up that explains memory (ma_explain.h), and the graph's size. */
#include "view.h"
#include "ma_explain.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>

static void text(ma_ctx *c)
{
    ma_explain e;
    ma_explain_compute(c->a, &e);
    const ma_dump *d = c->d;
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF];
    ma_section(c, "Memory", NULL);
    ma_table t;
    ma_table_init(&t, "", "RIGHT:count", "RIGHT:bytes", "", NULL);
    char *what = ma_sprintf("reachable from %s root%s", ma_count(c->a->roots_resolved, b3),
                            c->a->roots_resolved == 1 ? "" : "s");
    ma_table_row(&t, "live objects", ma_count(e.reach_objects, b1), ma_bytes(e.reach_bytes, b2), what, NULL);
    free(what);
    if (e.unreach_objects) {
        what = ma_sprintf("no path from any root; %s unreferenced (see leaks)", ma_count(e.unref_objects, b3));
        ma_table_row(&t, "unreachable", ma_count(e.unreach_objects, b1), ma_bytes(e.unreach_bytes, b2), what, NULL);
        free(what);
    }
    for (int i = 0; i < MA_EXPLAIN_PARTS; i++)
        if (e.part[i].known) ma_table_row(&t, e.part[i].name, "", ma_bytes(e.part[i].bytes, b2), e.part[i].what, NULL);
    if (e.has_rss) {
        ma_table_row(&t, "unexplained", "", ma_sbytes(e.unexplained, b2),
                     e.unexplained >= 0 ? "RSS not accounted for by the lines above"
                                        : "negative: some heap pages are not resident", NULL);
        what = e.has_rss_peak ? ma_sprintf("resident set size (peak %s)", ma_bytes(e.rss_peak, b3))
                              : ma_strdup("resident set size");
        ma_table_row(&t, "RSS", "", ma_bytes(e.rss, b2), what, NULL);
        free(what);
    }
    if (e.has_heap_peak)
        ma_table_row(&t, "heap peak", "", ma_bytes(e.heap_peak, b2), "highest live heap the agent saw", NULL);
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
    if (e.native_objects && e.python_objects)
        fprintf(c->out, "  (%s native blocks, %s; %s Python objects, %s)\n", ma_count(e.native_objects, b1),
                ma_bytes(e.native_bytes, b2), ma_count(e.python_objects, b3), ma_bytes(e.python_bytes, b4));
    fprintf(c->out, "  graph: %s nodes (%s synthetic), %s edges, %s roots", ma_count(d->g.n, b1),
            ma_count(c->a->synthetic, b2), ma_count(d->g.m, b3), ma_count(d->nroots, b4));
    if (d->g.edges_unknown) fprintf(c->out, "; %s edges to unknown addresses ignored", ma_count(d->g.edges_unknown, b1));
    fputc('\n', c->out);
}

static void json(ma_ctx *c)
{
    ma_explain e;
    ma_explain_compute(c->a, &e);
    const ma_dump *d = c->d;
    ma_json *j = c->j;
    ma_json_obj(j, "summary");
    ma_json_u64(j, "objects", e.objects);
    ma_json_u64(j, "bytes", e.bytes);
    ma_json_u64(j, "unreachable_objects", e.unreach_objects);
    ma_json_u64(j, "unreachable_bytes", e.unreach_bytes);
    ma_json_u64(j, "unreferenced_objects", e.unref_objects);
    ma_json_u64(j, "reachable_objects", e.reach_objects);
    ma_json_u64(j, "reachable_bytes", e.reach_bytes);
    ma_json_u64(j, "native_objects", e.native_objects);
    ma_json_u64(j, "native_bytes", e.native_bytes);
    ma_json_u64(j, "python_objects", e.python_objects);
    ma_json_u64(j, "python_bytes", e.python_bytes);
    if (e.has_rss) ma_json_u64(j, "rss", e.rss); else ma_json_null(j, "rss");
    if (e.has_rss_peak) ma_json_u64(j, "rss_peak", e.rss_peak); else ma_json_null(j, "rss_peak");
    if (e.has_heap_peak) ma_json_u64(j, "heap_peak", e.heap_peak); else ma_json_null(j, "heap_peak");
    for (int i = 0; i < MA_EXPLAIN_PARTS; i++) {
        if (e.part[i].known) ma_json_u64(j, e.part[i].json, e.part[i].bytes);
        else ma_json_null(j, e.part[i].json);
    }
    if (e.has_rss) ma_json_i64(j, "unexplained", e.unexplained); else ma_json_null(j, "unexplained");
    ma_json_u64(j, "nodes", d->g.n);
    ma_json_u64(j, "synthetic_nodes", c->a->synthetic);
    ma_json_u64(j, "edges", d->g.m);
    ma_json_u64(j, "edges_unknown", d->g.edges_unknown);
    ma_json_u64(j, "roots", d->nroots);
    ma_json_u64(j, "roots_unknown", d->roots_unknown);
    ma_json_end(j);
}

const ma_view ma_view_summary = {"summary", text, json};
