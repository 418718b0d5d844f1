/* df_sources.c — finding and describing growth sources (see df_sources.h). */
#include "df_sources.h"
#include "df_snap.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_names.h"
#include "ma_paths.h"
#include "ma_sitename.h"

#include <stdlib.h>
#include <string.h>

/* ---- finding ---------------------------------------------------------------------------------- */

typedef struct best {
    const df_growth *g;
    ma_id *node;                /* [ngroups] top-level member with the most growth */
    uint64_t *pos;
    int64_t *growth;
} best;

static void on_member(void *ctx, ma_id v, uint64_t pos)
{
    best *b = ctx;
    uint32_t k = b->g->b->root_key[v];
    int64_t gr = df_growth_of(b->g, v);
    if (b->node[k] == MA_NONE || gr > b->growth[k]) {
        b->node[k] = v;
        b->pos[k] = pos;
        b->growth[k] = gr;
    }
}

static int64_t score(void *ctx, ma_id v) { return df_growth_of(ctx, v); }

static int cmp_found(const void *x, const void *y)
{
    const df_found *p = x, *q = y;
    if (p->growth != q->growth) return p->growth > q->growth ? -1 : 1;
    if (p->group != q->group) return p->group < q->group ? -1 : 1;
    return p->pos < q->pos ? -1 : p->pos > q->pos;
}

uint64_t df_sources_find(const df_growth *g, df_found **out)
{
    *out = NULL;
    if (g->positive <= 0) return 0;
    best b = {g, NULL, NULL, NULL};
    b.node = ma_malloc(g->ngroups + 1, sizeof *b.node);
    memset(b.node, 0xff, (g->ngroups + 1) * sizeof *b.node);
    b.pos = ma_calloc(g->ngroups + 1, sizeof *b.pos);
    b.growth = ma_calloc(g->ngroups + 1, sizeof *b.growth);
    ma_each_top_level(&g->b->a, 1, on_member, &b);

    double min = DF_SOURCE_SHARE * (double)g->positive;
    df_found *f = NULL;
    uint64_t n = 0, cap = 0;
    for (uint32_t k = 0; k < g->ngroups; k++) {
        int64_t gk = g->group[k];
        if (gk <= 0 || (double)gk < min) continue;
        ma_grow((void **)&f, &cap, n + 1, sizeof *f);
        df_found *x = &f[n++];
        x->group = k;
        if (b.node[k] != MA_NONE && b.growth[k] > 0 && (double)b.growth[k] >= MA_DESCEND_SHARE * (double)gk) {
            x->pos = ma_accumulation_point_by(&g->b->a, b.pos[k], score, (void *)g);
            x->node = g->b->a.dom_order[x->pos];
            x->growth = df_growth_of(g, x->node);
        } else {
            x->node = MA_NONE;
            x->pos = 0;
            x->growth = gk;
        }
    }
    free(b.node);
    free(b.pos);
    free(b.growth);
    if (n > 1) qsort(f, n, sizeof *f, cmp_found);
    *out = f;
    return n;
}

/* ---- describing ------------------------------------------------------------------------------- */

typedef struct tally {
    uint64_t *count[2], *bytes[2];      /* [0] by type key, [1] by site key */
    uint32_t n[2];
    uint64_t total_count, total_bytes;
} tally;

/* Count the new objects in the dominator subtree at position pos of b. */
static void tally_subtree(tally *t, const df_growth *g, uint64_t pos)
{
    const df_snap *b = g->b;
    const ma_graph *gb = &b->d.g;
    ma_id top = b->a.dom_order[pos];
    for (uint64_t p = pos; p < b->a.dom_end[top]; p++) {
        ma_id w = b->a.dom_order[p];
        if (ma_is_synthetic(gb, w) || g->m->b2a[w] != MA_NONE) continue;
        uint32_t kt = df_type_key_of(b, w), ks = b->site_key[gb->stack[w]];
        t->count[0][kt]++;
        t->bytes[0][kt] += gb->size[w];
        t->count[1][ks]++;
        t->bytes[1][ks] += gb->size[w];
        t->total_count++;
        t->total_bytes += gb->size[w];
    }
}

typedef struct group_walk { tally *t; const df_growth *g; uint32_t group; } group_walk;

static void on_group_member(void *ctx, ma_id v, uint64_t pos)
{
    group_walk *w = ctx;
    if (w->g->b->root_key[v] == w->group) tally_subtree(w->t, w->g, pos);
}

/* The largest DF_ADDED_MAX entries of one tally into out, by bytes (ties: first key). */
static uint32_t top_added(const tally *t, int which, const df_keys *k, df_added *out)
{
    uint32_t chosen[DF_ADDED_MAX], m = 0;
    while (m < DF_ADDED_MAX) {
        uint32_t best = UINT32_MAX;
        for (uint32_t x = 0; x < t->n[which]; x++) {
            if (!t->count[which][x]) continue;
            int taken = 0;
            for (uint32_t i = 0; i < m; i++) taken |= chosen[i] == x;
            if (!taken && (best == UINT32_MAX || t->bytes[which][x] > t->bytes[which][best])) best = x;
        }
        if (best == UINT32_MAX) break;
        chosen[m++] = best;
    }
    for (uint32_t i = 0; i < m; i++) {
        uint32_t x = chosen[i];
        out[i].key = ma_strdup(which == 0 ? k->names[DF_TYPE].str[x] : k->site[x].label);
        out[i].count = t->count[which][x];
        out[i].bytes = t->bytes[which][x];
    }
    return m;
}

void df_source_describe(df_source *s, const df_found *f, const df_growth *g, const df_keys *k,
                        uint32_t ndumps, uint32_t interval)
{
    df_snap *a = g->a, *b = g->b;
    memset(s, 0, sizeof *s);
    s->group = f->group;
    s->found_in = interval;
    s->growth = f->growth;
    s->retained = ma_calloc(ndumps, sizeof *s->retained);
    s->present = ma_calloc(ndumps, sizeof *s->present);
    s->cur = f->node;

    tally t;
    memset(&t, 0, sizeof t);
    for (int w = 0; w < 2; w++) {
        t.n[w] = k->names[w == 0 ? DF_TYPE : DF_SITE].n;
        t.count[w] = ma_calloc(t.n[w] + 1, sizeof *t.count[w]);
        t.bytes[w] = ma_calloc(t.n[w] + 1, sizeof *t.bytes[w]);
    }
    if (f->node == MA_NONE) {
        s->is_group = 1;
        const char *name = k->names[DF_ROOT].str[f->group];
        s->label = ma_strdup(name);
        s->type = ma_strdup("(root)");
        s->npath = 1;
        s->path = ma_calloc(1, sizeof *s->path);
        s->path[0] = ma_strdup(name);
        group_walk w = {&t, g, f->group};
        ma_each_top_level(&b->a, 1, on_group_member, &w);
        /* retained sizes of groups come from the DF_ROOT table (df_series) */
    } else {
        ma_id v = f->node;
        s->label = ma_node_label(&b->c, v);
        s->type = ma_node_what(&b->c, v);
        s->path = ma_path_elements(&b->c, v, &s->npath);
        uint64_t plen;
        ma_id *pn = ma_path(&b->a, v, &plen);
        for (uint64_t i = plen; i-- > 0 && !s->task;) {
            const char *task = ma_node_task(&b->c, pn[i], NULL);
            if (task) s->task = ma_strdup(task);
        }
        free(pn);
        s->addr = b->d.g.addr[v];
        uint32_t st = b->d.g.stack[v];
        if (st) {
            s->site_label = ma_site_text(b->nm, st, 2);
            const ma_loc *l = ma_stack_site(b->nm, st);
            if (l) {
                s->site_function = ma_strdup(l->function);
                s->site_file = l->file ? ma_strdup(l->file) : NULL;
                s->site_line = l->line;
            }
        }
        s->retained[interval + 1] = b->a.retained[v];
        s->present[interval + 1] = 1;
        ma_id u = g->m->b2a[v];
        if (u != MA_NONE) {
            s->retained[interval] = a->a.retained[u];
            s->present[interval] = 1;
        } else {
            s->new_in_found = 1;
        }
        tally_subtree(&t, g, f->pos);
    }
    s->nadded_types = top_added(&t, 0, k, s->added_types);
    s->nadded_sites = top_added(&t, 1, k, s->added_sites);
    s->added_count = t.total_count;
    s->added_bytes = t.total_bytes;
    for (int w = 0; w < 2; w++) {
        free(t.count[w]);
        free(t.bytes[w]);
    }
}

void df_source_free(df_source *s)
{
    free(s->label);
    free(s->type);
    ma_path_free(s->path, s->npath);
    free(s->task);
    free(s->site_label);
    free(s->site_function);
    free(s->site_file);
    free(s->retained);
    free(s->present);
    for (uint32_t i = 0; i < s->nadded_types; i++) free(s->added_types[i].key);
    for (uint32_t i = 0; i < s->nadded_sites; i++) free(s->added_sites[i].key);
    memset(s, 0, sizeof *s);
}
