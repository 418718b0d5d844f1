/* view_dominators.c — the top-level dominators: objects kept alive directly from the roots (their
 * immediate dominator is the super-root, or a thread/frame node), largest retained size first,
 * each with the shortest path from a root. Together they partition all reachable memory, so this
 * table says which handful of structures hold the heap; --suspects then says where inside them
 * memory accumulates. */
#include "view.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>

static int accept(void *ctx, ma_id v)
{
    const ma_analysis *a = ctx;
    const ma_graph *g = &a->d->g;
    return !(g->flags[v] & (MA_F_UNREACHABLE | 1u /* synthetic */)) && ma_is_top_level(a, v);
}

static uint64_t count_top(const ma_analysis *a)
{
    uint64_t n = 0;
    for (uint64_t v = 0; v < a->d->g.n; v++) n += accept((void *)a, (ma_id)v);
    return n;
}

static uint64_t select_top(ma_ctx *c, ma_id **out)
{
    uint64_t k = c->o->top ? c->o->top : c->d->g.n;
    *out = ma_malloc(k ? k : 1, sizeof **out);
    return ma_top_nodes(c->a, c->a->retained, accept, c->a, *out, k);
}

static void text(ma_ctx *c)
{
    ma_id *top;
    uint64_t n = select_top(c, &top);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF], note[96];
    snprintf(note, sizeof note, "%" PRIu64 " of %s top-level, by retained size", n, ma_count(count_top(c->a), b4));
    ma_section(c, "Top dominators", note);
    ma_table t;
    ma_table_init(&t, "RIGHT:retained", "RIGHT:%", "RIGHT:self", "type", "path from a root", NULL);
    for (uint64_t i = 0; i < n; i++) {
        ma_id v = top[i];
        uint32_t ne;
        char **el = ma_path_elements(c, v, &ne);
        char *path = ma_path_join(el, ne);
        char *what = ma_node_what(c, v);
        ma_table_row(&t, ma_bytes(c->a->retained[v], b1), ma_percent(c->a->retained[v], c->a->bytes, b2),
                     ma_bytes(c->d->g.size[v], b3), what, path, NULL);
        free(what);
        free(path);
        ma_path_free(el, ne);
    }
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
    free(top);
}

static void json(ma_ctx *c)
{
    ma_id *top;
    uint64_t n = select_top(c, &top);
    ma_json *j = c->j;
    char hb[24];
    ma_json_arr(j, "dominators");
    for (uint64_t i = 0; i < n; i++) {
        ma_id v = top[i];
        ma_json_obj(j, NULL);
        ma_json_u64(j, "id", c->d->g.addr[v]);
        ma_json_str(j, "addr", ma_hex(c->d->g.addr[v], hb));
        char *what = ma_node_what(c, v), *label = ma_node_label(c, v);
        ma_json_str(j, "type", what);
        ma_json_str(j, "label", label);
        free(what);
        free(label);
        ma_json_u64(j, "bytes", c->d->g.size[v]);
        ma_json_u64(j, "retained", c->a->retained[v]);
        ma_json_path(c, "path", v);
        ma_json_end(j);
    }
    ma_json_end(j);
    free(top);
}

const ma_view ma_view_dominators = {"dominators", text, json};
