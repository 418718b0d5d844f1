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

/* ---- objects by type ------------------------------------------------------------------------------ */

/* Objects counted by type (ma_node_what): a suspect's dominator-tree children, a root suspect's
 * top-level objects. order lists the types by retained size once tally_sort has run. */
typedef struct tally {
    ma_intern names;
    uint64_t *count, *retained, cap, total;
    uint32_t *order;
} tally;

static void tally_init(tally *t)
{
    memset(t, 0, sizeof *t);
    ma_intern_init(&t->names);
}

static void tally_add(tally *t, ma_ctx *c, ma_id v)
{
    char *what = ma_node_what(c, v);
    uint32_t id = ma_intern_cstr(&t->names, what);
    free(what);
    if (id >= t->cap) {
        uint64_t old = t->cap;
        ma_grow((void **)&t->count, &t->cap, (uint64_t)id + 1, sizeof *t->count);
        t->retained = ma_realloc(t->retained, t->cap, sizeof *t->retained);
        memset(t->count + old, 0, (t->cap - old) * sizeof *t->count);
        memset(t->retained + old, 0, (t->cap - old) * sizeof *t->retained);
    }
    t->count[id]++;
    t->retained[id] += c->a->retained[v];
    t->total++;
}

static const tally *sort_t;
static int cmp_types(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_t->retained[a] != sort_t->retained[b]) return sort_t->retained[a] > sort_t->retained[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

static void tally_sort(tally *t)
{
    t->order = ma_malloc(t->names.n + 1, sizeof *t->order);
    for (uint32_t i = 0; i < t->names.n; i++) t->order[i] = i;
    sort_t = t;
    qsort(t->order, t->names.n, sizeof *t->order, cmp_types);
}

static void tally_free(tally *t)
{
    ma_intern_free(&t->names);
    free(t->count);
    free(t->retained);
    free(t->order);
}

/* " 3 × T (1 KiB), 2 × U (…), …" — the three largest types, then the end of the line. */
static void tally_text(ma_ctx *c, const tally *t)
{
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF];
    for (uint32_t i = 0; i < t->names.n && i < 3; i++) {
        uint32_t x = t->order[i];
        fprintf(c->out, "%s %s × %s (%s)", i ? "," : "", ma_count(t->count[x], b1), t->names.str[x],
                ma_bytes(t->retained[x], b2));
    }
    fprintf(c->out, "%s\n", t->names.n > 3 ? ", …" : "");
}

/* key: [{type, count, retained}] for the ten largest types. */
static void tally_json(ma_json *j, const char *key, const tally *t)
{
    ma_json_arr(j, key);
    for (uint32_t i = 0; i < t->names.n && i < 10; i++) {
        uint32_t x = t->order[i];
        ma_json_obj(j, NULL);
        ma_json_str(j, "type", t->names.str[x]);
        ma_json_u64(j, "count", t->count[x]);
        ma_json_u64(j, "retained", t->retained[x]);
        ma_json_end(j);
    }
    ma_json_end(j);
}

/* ---- root suspects ------------------------------------------------------------------------------ */

typedef struct rgroup {
    uint32_t key;
    uint64_t members, retained;
    tally types;                /* its top-level objects by type */
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
    for (uint64_t i = 0; i < r->n; i++)
        if (r->g[i].key == r->key_of[v]) tally_add(&r->g[i].types, r->c, v);
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
        tally_init(&g->types);
    }
    if (r->n) ma_each_top_level(c->a, 0, on_member_type, r);
    for (uint64_t i = 0; i < r->n; i++) tally_sort(&r->g[i].types);
    if (r->n > 1) qsort(r->g, r->n, sizeof *r->g, cmp_groups);
}

static void free_roots(rcollect *r, ma_intern *names)
{
    for (uint64_t i = 0; i < r->n; i++) tally_free(&r->g[i].types);
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
        if (g->types.names.n) {
            v[i].type = ma_strdup(g->types.names.str[g->types.order[0]]);
            v[i].type_count = g->types.count[g->types.order[0]];
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

/* The dominator-tree children of the node at pos, by type. */
static void children(ma_ctx *c, uint64_t pos, tally *k)
{
    const ma_analysis *a = c->a;
    ma_id v = a->dom_order[pos];
    tally_init(k);
    for (uint64_t p = pos + 1; p < a->dom_end[v]; p = a->dom_end[a->dom_order[p]])
        tally_add(k, c, a->dom_order[p]);
    tally_sort(k);
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
        tally k;
        children(c, s.v[i].pos, &k);
        if (k.total) {
            fprintf(c->out, "       holds: %s objects directly:", ma_count(k.total, b1));
            tally_text(c, &k);
        }
        tally_free(&k);
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
        tally_text(c, &g->types);
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
        tally k;
        children(c, s.v[i].pos, &k);
        ma_json_u64(j, "children", k.total);
        tally_json(j, "child_types", &k);
        tally_free(&k);
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
        tally_json(j, "types", &g->types);
        ma_json_end(j);
    }
    ma_json_end(j);
    free_roots(&r, &names);
}

const ma_view ma_view_suspects = {"suspects", text, json};
