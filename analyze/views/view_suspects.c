/* view_suspects.c — where memory accumulates.
 *
 * Every top-level dominator that retains at least 10% of the heap is a suspect; from it we walk
 * down the dominator tree while the largest child keeps at least 70% of its parent's retained
 * size. Where that stops, the memory is spread over many children of one object: a container that
 * grew (a list, a dict, a hash table's bucket array, a linked list's head). That object, its path
 * from a root and what its children are is what to look at.
 *
 * A container that is not a heap object escapes that rule: a global array of bucket heads (`static
 * entry *cache[1024]` in .bss) makes each chain its own top-level dominator, none near 10%. So
 * the top-level dominators are also grouped by root (ma_root_keys with the slots of one global
 * merged, memdiff's first level of growth sources): a root whose members retain 10% of the heap
 * together, with no member a suspect on its own, is a suspect too ("root suspects").
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

/* ---- root suspects ------------------------------------------------------------------------------ */

typedef struct rgroup {
    uint32_t key;
    uint64_t members, retained;
    ma_intern types;            /* members by type */
    uint64_t *tcount, *tretained, tcap;
    uint32_t *order;
} rgroup;

typedef struct rcollect {
    ma_ctx *c;
    uint32_t *key_of;
    uint64_t *sum, *members;    /* [names.n] */
    uint64_t big;               /* a member this large is an object suspect already */
    uint8_t *has_big;
    rgroup *g;                  /* the groups kept, sorted by retained */
    uint64_t n;
} rcollect;

static void on_member(void *ctx, ma_id v, uint64_t pos)
{
    (void)pos;
    rcollect *r = ctx;
    uint32_t k = r->key_of[v];
    r->sum[k] += r->c->a->retained[v];
    r->members[k]++;
    if (r->c->a->retained[v] >= r->big) r->has_big[k] = 1;
}

static void on_member_type(void *ctx, ma_id v, uint64_t pos)
{
    (void)pos;
    rcollect *r = ctx;
    for (uint64_t i = 0; i < r->n; i++) {
        rgroup *g = &r->g[i];
        if (g->key != r->key_of[v]) continue;
        char *what = ma_node_what(r->c, v);
        uint32_t id = ma_intern_cstr(&g->types, what);
        free(what);
        if (id >= g->tcap) {
            uint64_t old = g->tcap;
            ma_grow((void **)&g->tcount, &g->tcap, (uint64_t)id + 1, sizeof *g->tcount);
            g->tretained = ma_realloc(g->tretained, g->tcap, sizeof *g->tretained);
            memset(g->tcount + old, 0, (g->tcap - old) * sizeof *g->tcount);
            memset(g->tretained + old, 0, (g->tcap - old) * sizeof *g->tretained);
        }
        g->tcount[id]++;
        g->tretained[id] += r->c->a->retained[v];
    }
}

static const rgroup *sort_g;
static int cmp_types(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_g->tretained[a] != sort_g->tretained[b]) return sort_g->tretained[a] > sort_g->tretained[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int cmp_groups(const void *x, const void *y)
{
    const rgroup *p = x, *q = y;
    if (p->retained != q->retained) return p->retained > q->retained ? -1 : 1;
    return p->key < q->key ? -1 : p->key > q->key;
}

/* Fills r with the root suspects; names holds the root keys' text. */
static void find_roots(ma_ctx *c, rcollect *r, ma_intern *names)
{
    memset(r, 0, sizeof *r);
    r->c = c;
    ma_intern_init(names);
    uint64_t threshold = (uint64_t)((double)c->a->bytes * MA_SUSPECT_SHARE);
    if (!c->a->bytes) return;
    r->key_of = ma_root_keys(c, names, 1);
    r->big = threshold;
    r->sum = ma_calloc(names->n + 1, sizeof *r->sum);
    r->members = ma_calloc(names->n + 1, sizeof *r->members);
    r->has_big = ma_calloc(names->n + 1, 1);
    ma_each_top_level(c->a, 0, on_member, r);
    uint64_t cap = 0;
    for (uint32_t k = 0; k < names->n; k++) {
        if (r->members[k] < 2 || r->has_big[k] || r->sum[k] < threshold || r->sum[k] == 0) continue;
        ma_grow((void **)&r->g, &cap, r->n + 1, sizeof *r->g);
        rgroup *g = &r->g[r->n++];
        memset(g, 0, sizeof *g);
        g->key = k;
        g->members = r->members[k];
        g->retained = r->sum[k];
        ma_intern_init(&g->types);
    }
    if (r->n) ma_each_top_level(c->a, 0, on_member_type, r);
    for (uint64_t i = 0; i < r->n; i++) {
        rgroup *g = &r->g[i];
        g->order = ma_malloc(g->types.n + 1, sizeof *g->order);
        for (uint32_t t = 0; t < g->types.n; t++) g->order[t] = t;
        sort_g = g;
        qsort(g->order, g->types.n, sizeof *g->order, cmp_types);
    }
    if (r->n > 1) qsort(r->g, r->n, sizeof *r->g, cmp_groups);
}

static void free_roots(rcollect *r, ma_intern *names)
{
    for (uint64_t i = 0; i < r->n; i++) {
        ma_intern_free(&r->g[i].types);
        free(r->g[i].tcount);
        free(r->g[i].tretained);
        free(r->g[i].order);
    }
    free(r->g);
    free(r->key_of);
    free(r->sum);
    free(r->members);
    free(r->has_big);
    ma_intern_free(names);
}

uint64_t ma_root_suspects(ma_ctx *c, ma_root_suspect **out)
{
    rcollect r;
    ma_intern names;
    find_roots(c, &r, &names);
    ma_root_suspect *v = ma_calloc(r.n + 1, sizeof *v);
    for (uint64_t i = 0; i < r.n; i++) {
        const rgroup *g = &r.g[i];
        v[i].root = ma_strdup(names.str[g->key]);
        v[i].objects = g->members;
        v[i].retained = g->retained;
        if (g->types.n) {
            v[i].type = ma_strdup(g->types.str[g->order[0]]);
            v[i].type_count = g->tcount[g->order[0]];
        }
    }
    uint64_t n = r.n;
    free_roots(&r, &names);
    *out = v;
    return n;
}

void ma_root_suspects_free(ma_root_suspect *v, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        free(v[i].root);
        free(v[i].type);
    }
    free(v);
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
    ma_section(c, "Suspects", "dominators retaining ≥ 10% of the heap, followed down to where memory accumulates; "
                             "roots whose objects do together");
    rcollect r;
    ma_intern names;
    find_roots(c, &r, &names);
    if (!s.n && !r.n) fprintf(c->out, "  none: no single structure or root retains 10%% of the heap\n");
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
    uint64_t rrows = ma_rows(c, r.n);
    for (uint64_t i = 0; i < rrows; i++) {
        const rgroup *g = &r.g[i];
        fprintf(c->out, "  %" PRIu64 ". %s: %s top-level objects retain %s (%s of the heap) together\n",
                s.n + i + 1, names.str[g->key], ma_count(g->members, b1), ma_bytes(g->retained, b2),
                ma_percent(g->retained, c->a->bytes, b3));
        fprintf(c->out, "       holds:");
        for (uint32_t t = 0; t < g->types.n && t < 3; t++) {
            uint32_t x = g->order[t];
            fprintf(c->out, "%s %s × %s (%s)", t ? "," : "", ma_count(g->tcount[x], b1), g->types.str[x],
                    ma_bytes(g->tretained[x], b2));
        }
        fprintf(c->out, "%s\n", g->types.n > 3 ? ", …" : "");
    }
    free_roots(&r, &names);
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

    rcollect r;
    ma_intern names;
    find_roots(c, &r, &names);
    ma_json_arr(j, "suspect_roots");
    uint64_t rrows = ma_rows(c, r.n);
    for (uint64_t i = 0; i < rrows; i++) {
        const rgroup *g = &r.g[i];
        ma_json_obj(j, NULL);
        ma_json_str(j, "root", names.str[g->key]);
        ma_json_u64(j, "objects", g->members);
        ma_json_u64(j, "retained", g->retained);
        ma_json_arr(j, "types");
        for (uint32_t t = 0; t < g->types.n && t < 10; t++) {
            uint32_t x = g->order[t];
            ma_json_obj(j, NULL);
            ma_json_str(j, "type", g->types.str[x]);
            ma_json_u64(j, "count", g->tcount[x]);
            ma_json_u64(j, "retained", g->tretained[x]);
            ma_json_end(j);
        }
        ma_json_end(j);
        ma_json_end(j);
    }
    ma_json_end(j);
    free_roots(&r, &names);
}

const ma_view ma_view_suspects = {"suspects", text, json};
