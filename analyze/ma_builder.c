/* ma_builder.c — staging and resolution of nodes, edges and roots (see ma_builder.h). */
#include "ma_builder.h"
#include "ma_addrhash.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_sort.h"

#include <stdlib.h>
#include <string.h>

void ma_builder_init(ma_builder *b, ma_dump *d)
{
    memset(b, 0, sizeof *b);
    b->d = d;
    b->sorted = 1;
}

int ma_builder_node(ma_builder *b, uint64_t addr, uint64_t size, uint32_t type, uint32_t stack,
                    uint32_t flags, uint64_t usable_size)
{
    ma_graph *g = &b->d->g;
    if (g->n >= MA_MAX_NODES) {
        if (!b->error) b->error = ma_sprintf("more than %u nodes: not supported", MA_MAX_NODES);
        return -1;
    }
    if (g->n == b->ncap) {
        uint64_t cap = b->ncap;
        ma_grow((void **)&g->addr, &cap, g->n + 1, sizeof *g->addr);
        g->size = ma_realloc(g->size, cap, sizeof *g->size);
        g->type = ma_realloc(g->type, cap, sizeof *g->type);
        g->stack = ma_realloc(g->stack, cap, sizeof *g->stack);
        g->flags = ma_realloc(g->flags, cap, sizeof *g->flags);
        b->ncap = cap;
    }
    if (g->n && addr < g->addr[g->n - 1]) b->sorted = 0;
    g->addr[g->n] = addr;
    g->size[g->n] = size;
    g->type[g->n] = type;
    g->stack[g->n] = stack;
    g->flags[g->n] = (uint16_t)(flags & MA_F_FORMAT);
    if (usable_size) {
        g->usable_bytes += usable_size;
        g->usable_nodes++;
        g->usable_req += size;
    }
    g->n++;
    b->late_open = 0;
    return 0;
}

void ma_builder_edges_of(ma_builder *b, uint64_t from)
{
    ma_grow((void **)&b->late, &b->latecap, b->nlate + 1, sizeof *b->late);
    b->late[b->nlate++] = (ma_late_edges){from, b->ne, 0};
    b->late_open = 1;
}

void ma_builder_edge(ma_builder *b, uint64_t to, int64_t label)
{
    ma_graph *g = &b->d->g;
    if (!b->late_open && g->n == 0) return;         /* an edge before any node: nothing owns it */
    if (b->ne == b->ecap) {
        uint64_t cap = b->ecap;
        ma_grow((void **)&b->edst, &cap, b->ne + 1, sizeof *b->edst);
        b->esrc = ma_realloc(b->esrc, cap, sizeof *b->esrc);
        if (b->elabel) b->elabel = ma_realloc(b->elabel, cap, sizeof *b->elabel);
        b->ecap = cap;
    }
    int32_t lab = 0;
    if (label != 0) {
        if (label > INT32_MAX || label < INT32_MIN) g->labels_clamped++;
        else lab = (int32_t)label;
    }
    if (lab && !b->elabel) {
        b->elabel = ma_calloc(b->ecap, sizeof *b->elabel);
    }
    if (b->elabel) b->elabel[b->ne] = lab;
    b->edst[b->ne] = to;
    if (b->late_open) {
        b->esrc[b->ne] = MA_NONE;
        b->late[b->nlate - 1].count++;
    } else {
        b->esrc[b->ne] = (ma_id)(g->n - 1);
    }
    b->ne++;
}

void ma_builder_root(ma_builder *b, uint32_t kind, uint64_t target, uint32_t label, uint64_t source)
{
    ma_dump *d = b->d;
    ma_grow((void **)&d->roots, &b->rootcap, d->nroots + 1, sizeof *d->roots);
    d->roots[d->nroots++] = (ma_root){kind, label, target, source, MA_NONE};
}

/* Gather arr (n elements of elem bytes) in the order of idx: new[i] = old[idx[i]]. */
static void *gather(void *arr, const uint32_t *idx, uint64_t n, size_t elem)
{
    unsigned char *src = arr, *dst = ma_malloc(n ? n : 1, elem);
    for (uint64_t i = 0; i < n; i++) memcpy(dst + i * elem, src + (uint64_t)idx[i] * elem, elem);
    free(arr);
    return dst;
}

/* Sort the nodes by address; returns perm[old index] = new id, or NULL if already sorted. */
static ma_id *sort_nodes(ma_builder *b)
{
    ma_graph *g = &b->d->g;
    if (b->sorted) return NULL;
    uint64_t n = g->n;
    uint32_t *idx = ma_malloc(n, sizeof *idx);
    for (uint64_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
    ma_radix_sort(g->addr, idx, n);         /* addr is now sorted; idx[new] = old */
    g->size = gather(g->size, idx, n, sizeof *g->size);
    g->type = gather(g->type, idx, n, sizeof *g->type);
    g->stack = gather(g->stack, idx, n, sizeof *g->stack);
    g->flags = gather(g->flags, idx, n, sizeof *g->flags);
    ma_id *perm = ma_malloc(n, sizeof *perm);
    for (uint64_t i = 0; i < n; i++) perm[idx[i]] = (ma_id)i;
    free(idx);
    b->ncap = n;
    return perm;
}

static void flag_duplicates(ma_graph *g)
{
    for (uint64_t i = 1; i < g->n; i++)
        if (g->addr[i] == g->addr[i - 1]) {
            g->flags[i] |= MA_F_DUP;
            g->dup_addrs++;
        }
}

/* Resolve staged edges in place: esrc → new source id, edst (packed as ma_id) → target id.
 * Dropped edges are compacted away. Returns whether the sources are non-decreasing. */
static int resolve_edges(ma_builder *b, const ma_id *perm, const ma_addrhash *h)
{
    ma_graph *g = &b->d->g;
    /* sources of late groups, resolved by address */
    for (uint64_t i = 0; i < b->ne; i++)
        if (b->esrc[i] != MA_NONE && perm) b->esrc[i] = perm[b->esrc[i]];
    for (uint64_t k = 0; k < b->nlate; k++) {
        ma_id s = ma_addrhash_find(h, b->late[k].from);
        for (uint64_t i = b->late[k].first; i < b->late[k].first + b->late[k].count; i++)
            b->esrc[i] = s;     /* MA_NONE when unknown: dropped below */
    }
    unsigned char *dst = (unsigned char *)b->edst;
    uint64_t j = 0;
    int ordered = 1;
    ma_id prev = 0;
    for (uint64_t i = 0; i < b->ne; i++) {
        uint64_t to;
        if (i + 16 < b->ne) {
            /* lookups of unrelated edges overlap if their slots are fetched ahead of time */
            uint64_t ahead;
            memcpy(&ahead, dst + (i + 16) * 8, 8);
            __builtin_prefetch(&h->slot[ma_addrhash_slot(h, ahead)]);
        }
        memcpy(&to, dst + i * 8, 8);
        ma_id s = b->esrc[i];
        if (s == MA_NONE) { g->edges_orphan++; continue; }
        ma_id t = ma_addrhash_find(h, to);
        if (t == MA_NONE) { g->edges_unknown++; continue; }
        memcpy(dst + j * 4, &t, 4);     /* j <= i: never overwrites an unread address */
        b->esrc[j] = s;
        if (b->elabel) b->elabel[j] = b->elabel[i];
        if (s < prev) ordered = 0;
        prev = s;
        j++;
    }
    g->m = j;
    return ordered;
}

static void build_csr(ma_builder *b, int ordered)
{
    ma_graph *g = &b->d->g;
    uint64_t n = g->n, m = g->m;
    ma_id *tgt = (ma_id *)ma_realloc(b->edst, m ? m : 1, sizeof(ma_id));
    b->edst = NULL;
    g->out_off = ma_calloc(n + 1, sizeof *g->out_off);
    for (uint64_t i = 0; i < m; i++) g->out_off[b->esrc[i] + 1]++;
    for (uint64_t v = 0; v < n; v++) g->out_off[v + 1] += g->out_off[v];
    if (ordered) {
        g->out = tgt;
        g->out_label = b->elabel ? ma_realloc(b->elabel, m ? m : 1, sizeof(int32_t)) : NULL;
    } else {
        /* stable counting sort by source */
        uint64_t *pos = ma_malloc(n + 1, sizeof *pos);
        memcpy(pos, g->out_off, (n + 1) * sizeof *pos);
        g->out = ma_malloc(m ? m : 1, sizeof *g->out);
        g->out_label = b->elabel ? ma_malloc(m ? m : 1, sizeof *g->out_label) : NULL;
        for (uint64_t i = 0; i < m; i++) {
            uint64_t p = pos[b->esrc[i]]++;
            g->out[p] = tgt[i];
            if (b->elabel) g->out_label[p] = b->elabel[i];
        }
        free(pos);
        free(tgt);
        free(b->elabel);
    }
    b->elabel = NULL;
    free(b->esrc);
    b->esrc = NULL;

    /* reverse graph; sources come out ascending because we scan sources in order */
    g->in_off = ma_calloc(n + 1, sizeof *g->in_off);
    for (uint64_t i = 0; i < m; i++) g->in_off[g->out[i] + 1]++;
    for (uint64_t v = 0; v < n; v++) g->in_off[v + 1] += g->in_off[v];
    uint64_t *pos = ma_malloc(n + 1, sizeof *pos);
    memcpy(pos, g->in_off, (n + 1) * sizeof *pos);
    g->in = ma_malloc(m ? m : 1, sizeof *g->in);
    for (uint64_t v = 0; v < n; v++)
        for (uint64_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) g->in[pos[g->out[e]]++] = (ma_id)v;
    free(pos);
}

void ma_builder_finish(ma_builder *b)
{
    ma_dump *d = b->d;
    ma_graph *g = &d->g;
    if (g->n == 0) {
        /* keep every array non-NULL so consumers need no special case */
        g->addr = ma_realloc(g->addr, 1, sizeof *g->addr);
        g->size = ma_realloc(g->size, 1, sizeof *g->size);
        g->type = ma_realloc(g->type, 1, sizeof *g->type);
        g->stack = ma_realloc(g->stack, 1, sizeof *g->stack);
        g->flags = ma_realloc(g->flags, 1, sizeof *g->flags);
    } else if (b->ncap > g->n) {
        g->addr = ma_realloc(g->addr, g->n, sizeof *g->addr);
        g->size = ma_realloc(g->size, g->n, sizeof *g->size);
        g->type = ma_realloc(g->type, g->n, sizeof *g->type);
        g->stack = ma_realloc(g->stack, g->n, sizeof *g->stack);
        g->flags = ma_realloc(g->flags, g->n, sizeof *g->flags);
    }
    ma_id *perm = sort_nodes(b);
    flag_duplicates(g);
    ma_addrhash h;
    ma_addrhash_build(&h, g);
    for (uint64_t i = 0; i < d->nroots; i++) {
        ma_id v = ma_addrhash_find(&h, d->roots[i].target);
        d->roots[i].node = v;
        if (v == MA_NONE) d->roots_unknown++;
        else g->flags[v] |= MA_F_ROOT;
    }
    int ordered = resolve_edges(b, perm, &h);
    free(perm);
    ma_addrhash_free(&h);
    build_csr(b, ordered);
    ma_builder_abandon(b);
}

void ma_builder_abandon(ma_builder *b)
{
    free(b->esrc);
    free(b->edst);
    free(b->elabel);
    free(b->late);
    free(b->error);
    b->esrc = NULL;
    b->edst = NULL;
    b->elabel = NULL;
    b->late = NULL;
    b->error = NULL;
    b->ne = b->ecap = b->nlate = b->latecap = 0;
}
