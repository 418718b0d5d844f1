/* ma_stacktree.c — see ma_stacktree.h. */
#include "ma_stacktree.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct build {
    ma_stree *t;
    ma_intern edges;            /* (parent, loc) → tree node - 1 */
    uint64_t cap;
} build;

static uint32_t child_of(build *b, uint32_t parent, uint32_t loc)
{
    uint32_t key[2] = {parent, loc};
    uint32_t id = ma_intern_add(&b->edges, (const char *)key, sizeof key) + 1;
    ma_stree *t = b->t;
    if (id == t->n) {
        if (t->n == b->cap) {
            uint64_t cap = b->cap;
            ma_grow((void **)&t->parent, &cap, (uint64_t)t->n + 1, sizeof *t->parent);
            t->loc = ma_realloc(t->loc, cap, sizeof *t->loc);
            t->bytes = ma_realloc(t->bytes, cap, sizeof *t->bytes);
            t->count = ma_realloc(t->count, cap, sizeof *t->count);
            b->cap = cap;
        }
        t->parent[id] = parent;
        t->loc[id] = loc;
        t->bytes[id] = t->count[id] = 0;
        t->n++;
    }
    return id;
}

static const ma_stree *sort_t;
static int cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_t->bytes[a] != sort_t->bytes[b]) return sort_t->bytes[a] > sort_t->bytes[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

void ma_stree_build(ma_stree *t, const ma_analysis *a, ma_names *nm)
{
    const ma_dump *d = a->d;
    const ma_graph *g = &d->g;
    memset(t, 0, sizeof *t);
    ma_intern_init(&t->locs);
    build b = {.t = t};
    ma_intern_init(&b.edges);
    /* totals per stack id first: one pass over the nodes */
    uint64_t *sb = ma_calloc((size_t)d->nstacks + 1, sizeof *sb);
    uint64_t *sc = ma_calloc((size_t)d->nstacks + 1, sizeof *sc);
    for (uint64_t v = 0; v < g->n; v++) {
        if (ma_is_synthetic(g, (ma_id)v)) continue;
        uint32_t st = g->stack[v] <= d->nstacks ? g->stack[v] : 0;
        sb[st] += g->size[v];
        sc[st]++;
    }
    /* root */
    b.cap = 64;
    t->parent = ma_malloc(b.cap, sizeof *t->parent);
    t->loc = ma_malloc(b.cap, sizeof *t->loc);
    t->bytes = ma_malloc(b.cap, sizeof *t->bytes);
    t->count = ma_malloc(b.cap, sizeof *t->count);
    t->parent[0] = 0;
    t->loc[0] = MA_NONE;
    t->bytes[0] = t->count[0] = 0;
    t->n = 1;
    /* ma_intern_add's first id is 0 → tree node 1: keep ids aligned by reserving nothing else */
    char buf[1024];
    uint32_t none_loc = ma_intern_cstr(&t->locs, "(no stack recorded)");
    for (uint32_t st = 0; st <= d->nstacks; st++) {
        if (!sc[st]) continue;
        t->bytes[0] += sb[st];
        t->count[0] += sc[st];
        uint32_t n = 0;
        const ma_loc *l = st ? ma_stack_locs(nm, st, &n) : NULL;
        uint32_t cur = 0;
        if (!n) {
            cur = child_of(&b, 0, none_loc);
            t->bytes[cur] += sb[st];
            t->count[cur] += sc[st];
            continue;
        }
        for (uint32_t i = n; i-- > 0;) {
            uint32_t loc = ma_intern_cstr(&t->locs, ma_loc_text(&l[i], buf, sizeof buf));
            cur = child_of(&b, cur, loc);
            t->bytes[cur] += sb[st];
            t->count[cur] += sc[st];
        }
    }
    free(sb);
    free(sc);
    ma_intern_free(&b.edges);
    /* children lists, largest first */
    t->child_off = ma_calloc((size_t)t->n + 1, sizeof *t->child_off);
    for (uint32_t v = 1; v < t->n; v++) t->child_off[t->parent[v] + 1]++;
    for (uint32_t v = 0; v < t->n; v++) t->child_off[v + 1] += t->child_off[v];
    uint32_t *pos = ma_malloc((size_t)t->n + 1, sizeof *pos);
    memcpy(pos, t->child_off, ((size_t)t->n + 1) * sizeof *pos);
    t->child = ma_malloc(t->n, sizeof *t->child);
    for (uint32_t v = 1; v < t->n; v++) t->child[pos[t->parent[v]]++] = v;
    free(pos);
    sort_t = t;
    for (uint32_t v = 0; v < t->n; v++)
        qsort(t->child + t->child_off[v], t->child_off[v + 1] - t->child_off[v], sizeof *t->child, cmp);
}

void ma_stree_free(ma_stree *t)
{
    free(t->parent);
    free(t->loc);
    free(t->bytes);
    free(t->count);
    free(t->child_off);
    free(t->child);
    ma_intern_free(&t->locs);
    memset(t, 0, sizeof *t);
}
