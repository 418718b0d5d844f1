/* view_stats.c — what the analysis itself cost (--stats): time to load and to analyze, memory
 * held per node and per edge, and the process's peak RSS. The bench script reads these. */
#include "view.h"
#include "ma_analysis.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_units.h"

static void text(ma_ctx *c)
{
    const ma_graph *g = &c->d->g;
    uint64_t gb = ma_graph_bytes(g), ab = ma_analysis_bytes(c->a);
    uint64_t n = g->n ? g->n : 1;
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF];
    ma_section(c, "Analysis cost", NULL);
    fprintf(c->out, "  load %.2f s, analysis %.2f s; %s nodes, %s edges\n", c->t_load, c->t_analyze,
            ma_count(g->n, b1), ma_count(g->m, b2));
    fprintf(c->out, "  held: graph %s + analysis %s = %.1f bytes/node (+ %s edge arrays)\n", ma_bytes(gb, b1),
            ma_bytes(ab, b2), (double)(gb + ab - g->m * (g->out_label ? 8 : 4)) / (double)n,
            ma_bytes(g->m * (g->out_label ? 8 : 4), b3));
    fprintf(c->out, "  peak RSS %s\n", ma_bytes(ma_peak_rss(), b1));
}

static void json(ma_ctx *c)
{
    const ma_graph *g = &c->d->g;
    uint64_t gb = ma_graph_bytes(g), ab = ma_analysis_bytes(c->a);
    uint64_t edge_bytes = g->m * (g->out_label ? 8 : 4);
    ma_json *j = c->j;
    ma_json_obj(j, "stats");
    ma_json_u64(j, "load_ms", (uint64_t)(c->t_load * 1000));
    ma_json_u64(j, "analyze_ms", (uint64_t)(c->t_analyze * 1000));
    ma_json_u64(j, "held_bytes", gb + ab);
    ma_json_u64(j, "held_edge_bytes", edge_bytes);
    ma_json_u64(j, "held_bytes_per_node", g->n ? (gb + ab - edge_bytes) / g->n : 0);
    ma_json_u64(j, "peak_rss", ma_peak_rss());
    ma_json_end(j);
}

const ma_view ma_view_stats = {"stats", text, json};
