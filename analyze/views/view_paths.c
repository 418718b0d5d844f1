/* view_paths.c — why is it alive (--paths ADDR|TYPE).
 *
 * ADDR (hex with 0x, or decimal) names one node: the one at that address, or containing it (an
 * interior pointer). TYPE names every node whose type prints that way; the largest by retained
 * size are shown. For each: its size and retained size, the shortest path from a root with the
 * label of every edge (field or key name, index, local variable, module global, thread), and its
 * immediate dominator: the object whose removal would free it.
 */
#include "view.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_units.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct match {
    ma_ctx *c;
    const char *type;
} match;

static int accept_type(void *ctx, ma_id v)
{
    match *m = ctx;
    const ma_graph *g = &m->c->d->g;
    if (ma_is_synthetic(g, v)) return 0;
    return !strcmp(ma_node_type(m->c->nm, v), m->type);
}

static int parse_addr(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v;
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) v = strtoull(s + 2, &end, 16);
    else if (*s >= '0' && *s <= '9') v = strtoull(s, &end, 10);
    else return 0;
    if (errno || *end) return 0;
    *out = v;
    return 1;
}

/* The nodes to show; returns the count, *what describes the query for messages. */
static uint64_t select_nodes(ma_ctx *c, ma_id **out, int *by_addr)
{
    const char *q = c->o->paths ? c->o->paths : "";
    uint64_t addr;
    *by_addr = parse_addr(q, &addr);
    if (*by_addr) {
        *out = ma_malloc(1, sizeof **out);
        ma_id v = ma_graph_find_containing(&c->d->g, addr);
        if (v == MA_NONE) return 0;
        (*out)[0] = v;
        return 1;
    }
    uint64_t k = c->o->top ? c->o->top : c->d->g.n;
    *out = ma_malloc(k ? k : 1, sizeof **out);
    match m = {c, q};
    return ma_top_nodes(c->a, c->a->retained, accept_type, &m, *out, k);
}

static char *idom_text(ma_ctx *c, ma_id v)
{
    ma_id p = c->a->idom[v];
    char hb[24];
    if (p == MA_SUPER) return ma_strdup("(the roots: no single object keeps it alive)");
    if (p == MA_GARBAGE) return ma_strdup("(nothing: unreachable, the start of a leaked region)");
    char *what = ma_node_what(c, p);
    char *s = ma_sprintf("%s at %s", what, ma_hex(c->d->g.addr[p], hb));
    free(what);
    return s;
}

static void text(ma_ctx *c)
{
    ma_id *nodes;
    int by_addr;
    uint64_t n = select_nodes(c, &nodes, &by_addr);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], hb[24];
    ma_section(c, "Why alive", c->o->paths);
    if (!n)
        fprintf(c->out, "  no %s %s in this dump\n", by_addr ? "node at or around address" : "object of type",
                c->o->paths ? c->o->paths : "");
    for (uint64_t i = 0; i < n; i++) {
        ma_id v = nodes[i];
        char *what = ma_node_what(c, v);
        fprintf(c->out, "  %s at %s: self %s, retained %s%s\n", what, ma_hex(c->d->g.addr[v], hb),
                ma_bytes(c->d->g.size[v], b1), ma_bytes(c->a->retained[v], b2),
                c->d->g.flags[v] & MA_F_UNREACHABLE ? " (UNREACHABLE)" : "");
        free(what);
        uint32_t ne;
        char **el = ma_path_elements(c, v, &ne);
        char *path = ma_path_join(el, ne);
        fprintf(c->out, "    path:        %s\n", path);
        free(path);
        ma_path_free(el, ne);
        char *dom = idom_text(c, v);
        fprintf(c->out, "    retained by: %s\n", dom);
        free(dom);
    }
    free(nodes);
}

static void json(ma_ctx *c)
{
    ma_id *nodes;
    int by_addr;
    uint64_t n = select_nodes(c, &nodes, &by_addr);
    ma_json *j = c->j;
    char hb[24];
    ma_json_arr(j, "paths");
    for (uint64_t i = 0; i < n; i++) {
        ma_id v = nodes[i];
        ma_json_obj(j, NULL);
        ma_json_u64(j, "id", c->d->g.addr[v]);
        ma_json_str(j, "addr", ma_hex(c->d->g.addr[v], hb));
        char *what = ma_node_what(c, v);
        ma_json_str(j, "type", what);
        free(what);
        ma_json_u64(j, "bytes", c->d->g.size[v]);
        ma_json_u64(j, "retained", c->a->retained[v]);
        ma_json_bool(j, "reachable", !(c->d->g.flags[v] & MA_F_UNREACHABLE));
        ma_json_path(c, "path", v);
        ma_id p = c->a->idom[v];
        if (p < c->d->g.n) ma_json_u64(j, "idom", c->d->g.addr[p]);
        else ma_json_null(j, "idom");
        ma_json_end(j);
    }
    ma_json_end(j);
    free(nodes);
}

const ma_view ma_view_paths = {"paths", text, json};
