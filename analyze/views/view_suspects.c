/* view_suspects.c — where memory accumulates.
 *
 * Every top-level dominator that retains at least 10% of the heap is a suspect; from it we walk
 * down the dominator tree while the largest child keeps at least 70% of its parent's retained
 * size. Where that stops, the memory is spread over many children of one object: a container that
 * grew (a list, a dict, a hash table's bucket array, a linked list's head). That object, its path
 * from a root and what its children are is what to look at.
 */
#include "view.h"
#include "ma_mem.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct suspect {
    ma_id top;          /* the top-level dominator */
    uint64_t pos;       /* preorder position of the accumulation point */
} suspect;

typedef struct collect {
    const ma_analysis *a;
    uint64_t threshold;
    suspect *v;
    uint64_t n, cap;
} collect;

static void on_top(void *ctx, ma_id v, uint64_t pos)
{
    collect *s = ctx;
    if (s->a->retained[v] < s->threshold || s->a->retained[v] == 0) return;
    ma_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (suspect){v, ma_accumulation_point(s->a, pos)};
}

static const ma_analysis *sort_a;
static int cmp(const void *x, const void *y)
{
    uint64_t rx = sort_a->retained[sort_a->dom_order[((const suspect *)x)->pos]];
    uint64_t ry = sort_a->retained[sort_a->dom_order[((const suspect *)y)->pos]];
    if (rx != ry) return rx > ry ? -1 : 1;
    return ((const suspect *)x)->pos < ((const suspect *)y)->pos ? -1 : 1;
}

static void find(ma_ctx *c, collect *s)
{
    memset(s, 0, sizeof *s);
    s->a = c->a;
    s->threshold = (uint64_t)((double)c->a->bytes * MA_SUSPECT_SHARE);
    ma_each_top_level(c->a, 0, on_top, s);
    sort_a = c->a;
    if (s->n > 1) qsort(s->v, s->n, sizeof *s->v, cmp);
}

/* The dominator-tree children of the node at pos, grouped by type: fills names/count/retained
 * sorted by retained; returns the number of children. */
typedef struct kids {
    ma_intern names;
    uint64_t *count, *retained;
    uint32_t *order;
    uint64_t total;
} kids;

static const kids *sort_k;
static int cmp_kids(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_k->retained[a] != sort_k->retained[b]) return sort_k->retained[a] > sort_k->retained[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void children(ma_ctx *c, uint64_t pos, kids *k)
{
    const ma_analysis *a = c->a;
    ma_id v = a->dom_order[pos];
    ma_intern_init(&k->names);
    uint64_t cap = 0;
    k->count = NULL;
    k->retained = NULL;
    k->total = 0;
    for (uint64_t p = pos + 1; p < a->dom_end[v]; p = a->dom_end[a->dom_order[p]]) {
        ma_id w = a->dom_order[p];
        char *what = ma_node_what(c, w);
        uint32_t id = ma_intern_cstr(&k->names, what);
        free(what);
        if (id >= cap) {
            uint64_t old = cap;
            ma_grow((void **)&k->count, &cap, (uint64_t)id + 1, sizeof *k->count);
            k->retained = ma_realloc(k->retained, cap, sizeof *k->retained);
            memset(k->count + old, 0, (cap - old) * sizeof *k->count);
            memset(k->retained + old, 0, (cap - old) * sizeof *k->retained);
        }
        k->count[id]++;
        k->retained[id] += a->retained[w];
        k->total++;
    }
    k->order = ma_malloc(k->names.n + 1, sizeof *k->order);
    for (uint32_t i = 0; i < k->names.n; i++) k->order[i] = i;
    sort_k = k;
    qsort(k->order, k->names.n, sizeof *k->order, cmp_kids);
}

static void kids_free(kids *k)
{
    ma_intern_free(&k->names);
    free(k->count);
    free(k->retained);
    free(k->order);
}

static void text(ma_ctx *c)
{
    collect s;
    find(c, &s);
    ma_section(c, "Suspects", "dominators retaining ≥ 10% of the heap, followed down to where memory accumulates");
    if (!s.n) fprintf(c->out, "  none: no single structure retains 10%% of the heap\n");
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], hb[24];
    uint64_t rows = ma_rows(c, s.n);
    for (uint64_t i = 0; i < rows; i++) {
        ma_id w = c->a->dom_order[s.v[i].pos];
        char *what = ma_node_what(c, w);
        fprintf(c->out, "  %" PRIu64 ". %s at %s retains %s (%s of the heap)\n", i + 1, what,
                ma_hex(c->d->g.addr[w], hb), ma_bytes(c->a->retained[w], b1), ma_percent(c->a->retained[w], c->a->bytes, b2));
        free(what);
        uint32_t ne;
        char **el = ma_path_elements(c, w, &ne);
        char *path = ma_path_join(el, ne);
        fprintf(c->out, "       path:  %s\n", path);
        free(path);
        ma_path_free(el, ne);
        kids k;
        children(c, s.v[i].pos, &k);
        if (k.total) {
            fprintf(c->out, "       holds: %s objects directly:", ma_count(k.total, b1));
            for (uint32_t t = 0; t < k.names.n && t < 3; t++) {
                uint32_t x = k.order[t];
                fprintf(c->out, "%s %s × %s (%s)", t ? "," : "", ma_count(k.count[x], b1), k.names.str[x],
                        ma_bytes(k.retained[x], b2));
            }
            fprintf(c->out, "%s\n", k.names.n > 3 ? ", …" : "");
        }
        kids_free(&k);
        if (s.v[i].top != w) {
            what = ma_node_what(c, s.v[i].top);
            fprintf(c->out, "       under: %s at %s, which retains %s\n", what, ma_hex(c->d->g.addr[s.v[i].top], hb),
                    ma_bytes(c->a->retained[s.v[i].top], b3));
            free(what);
        }
    }
    free(s.v);
}

static void json(ma_ctx *c)
{
    collect s;
    find(c, &s);
    ma_json *j = c->j;
    char hb[24];
    ma_json_arr(j, "suspects");
    uint64_t rows = ma_rows(c, s.n);
    for (uint64_t i = 0; i < rows; i++) {
        ma_id w = c->a->dom_order[s.v[i].pos];
        ma_json_obj(j, NULL);
        ma_json_u64(j, "id", c->d->g.addr[w]);
        ma_json_str(j, "addr", ma_hex(c->d->g.addr[w], hb));
        char *what = ma_node_what(c, w), *label = ma_node_label(c, w);
        ma_json_str(j, "type", what);
        ma_json_str(j, "label", label);
        free(what);
        free(label);
        ma_json_u64(j, "bytes", c->d->g.size[w]);
        ma_json_u64(j, "retained", c->a->retained[w]);
        ma_json_path(c, "path", w);
        kids k;
        children(c, s.v[i].pos, &k);
        ma_json_u64(j, "children", k.total);
        ma_json_arr(j, "child_types");
        for (uint32_t t = 0; t < k.names.n && t < 10; t++) {
            uint32_t x = k.order[t];
            ma_json_obj(j, NULL);
            ma_json_str(j, "type", k.names.str[x]);
            ma_json_u64(j, "count", k.count[x]);
            ma_json_u64(j, "retained", k.retained[x]);
            ma_json_end(j);
        }
        ma_json_end(j);
        kids_free(&k);
        ma_json_obj(j, "top");
        ma_json_u64(j, "id", c->d->g.addr[s.v[i].top]);
        what = ma_node_what(c, s.v[i].top);
        ma_json_str(j, "type", what);
        free(what);
        ma_json_u64(j, "retained", c->a->retained[s.v[i].top]);
        ma_json_end(j);
        ma_json_end(j);
    }
    ma_json_end(j);
    free(s.v);
}

const ma_view ma_view_suspects = {"suspects", text, json};
