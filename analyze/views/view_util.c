/* view_util.c — helpers shared by the views (see view.h). */
#include "view.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_paths.h"
#include "ma_sitename.h"
#include "md_format.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

char *ma_hex(uint64_t v, char *buf)
{
    snprintf(buf, 24, "0x%" PRIx64, v);
    return buf;
}

uint64_t ma_rows(const ma_ctx *c, uint64_t available)
{
    return c->o->top && c->o->top < available ? c->o->top : available;
}

void ma_section(ma_ctx *c, const char *title, const char *note)
{
    if (note && *note) fprintf(c->out, "\n%s (%s)\n", title, note);
    else fprintf(c->out, "\n%s\n", title);
}

/* ---- merged allocation sites ------------------------------------------------------------------ */

const ma_sitemap *ma_ctx_sites(ma_ctx *c)
{
    if (c->sites) return c->sites;
    const ma_dump *d = c->d;
    ma_sitemap *s = ma_calloc(1, sizeof *s);
    s->group = ma_calloc((size_t)d->nstacks + 1, sizeof *s->group);
    s->rep = ma_calloc((size_t)d->nstacks + 2, sizeof *s->rep);
    ma_intern keys;
    ma_intern_init(&keys);
    ma_intern_add(&keys, "", 0);                /* group 0: no stack */
    char *buf = NULL;
    uint64_t cap = 0;
    for (uint32_t st = 1; st <= d->nstacks; st++) {
        uint64_t len = ma_site_key(c->nm, st, &buf, &cap);
        uint32_t gid = ma_intern_add(&keys, buf ? buf : "", len);
        s->group[st] = gid;
        if (!s->rep[gid]) s->rep[gid] = st;
    }
    s->ngroups = keys.n;
    free(buf);
    ma_intern_free(&keys);
    c->sites = s;
    return s;
}

/* ---- asyncio tasks by node ---------------------------------------------------------------------- */

typedef struct task_at { ma_id node; uint32_t name; int coro; } task_at;
struct ma_taskmap { task_at *v; uint64_t n; };

static int cmp_task_at(const void *x, const void *y)
{
    const task_at *p = x, *q = y;
    if (p->node != q->node) return p->node < q->node ? -1 : 1;
    return p->coro - q->coro;
}

const char *ma_node_task(ma_ctx *c, ma_id v, int *is_coro)
{
    const ma_dump *d = c->d;
    if (!d->ntasks) return NULL;
    if (!c->tasks) {
        struct ma_taskmap *m = ma_calloc(1, sizeof *m);
        m->v = ma_malloc(2 * d->ntasks, sizeof *m->v);
        for (uint64_t i = 0; i < d->ntasks; i++) {
            if (d->tasks[i].task_node != MA_NONE) m->v[m->n++] = (task_at){d->tasks[i].task_node, d->tasks[i].name, 0};
            if (d->tasks[i].coro_node != MA_NONE) m->v[m->n++] = (task_at){d->tasks[i].coro_node, d->tasks[i].name, 1};
        }
        qsort(m->v, m->n, sizeof *m->v, cmp_task_at);
        c->tasks = m;
    }
    const struct ma_taskmap *m = c->tasks;
    uint64_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (m->v[mid].node < v) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= m->n || m->v[lo].node != v) return NULL;
    if (is_coro) *is_coro = m->v[lo].coro;
    return ma_str(d, m->v[lo].name);
}

void ma_ctx_free(ma_ctx *c)
{
    if (c->tasks) {
        free(c->tasks->v);
        free(c->tasks);
        c->tasks = NULL;
    }
    if (c->sites) {
        free(c->sites->group);
        free(c->sites->rep);
        free(c->sites);
        c->sites = NULL;
    }
}

/* ---- names of nodes and paths ------------------------------------------------------------------ */

char *ma_node_what(ma_ctx *c, ma_id v)
{
    const ma_graph *g = &c->d->g;
    const ma_loc *site = ma_stack_site(c->nm, g->stack[v]);
    char buf[1024];
    int coro = 0;
    const char *task = ma_node_task(c, v, &coro);
    if (task) {
        const char *type = ma_node_type(c->nm, v);
        return coro ? ma_sprintf("coroutine of task '%s' (%s)", task, type) : ma_sprintf("task '%s' (%s)", task, type);
    }
    /* a synthetic node with a location is a frame: where it is says more than "frame" */
    if ((g->flags[v] & MD_NODE_SYNTHETIC) && site) return ma_strdup(ma_loc_text(site, buf, sizeof buf));
    if (g->type[v]) return ma_strdup(ma_type_name(c->nm, g->type[v]));
    if (g->flags[v] & MD_NODE_SYNTHETIC) return ma_strdup("(synthetic)");
    if ((g->flags[v] & MD_NODE_NATIVE) && site) return ma_sprintf("(block from %s)", site->function);
    return ma_strdup(ma_node_type(c->nm, v));
}

char **ma_path_elements(ma_ctx *c, ma_id v, uint32_t *nout)
{
    const ma_graph *g = &c->d->g;
    uint64_t len;
    ma_id *p = ma_path(c->a, v, &len);
    uint64_t hops = len ? len - 1 : 0;
    int elide = hops > 2 * MA_PATH_KEEP;
    uint32_t n = 1 + (uint32_t)(elide ? 2 * MA_PATH_KEEP + 1 : hops);
    char **el = ma_calloc(n, sizeof *el);
    uint32_t k = 0;
    char buf[1024], hb[24];
    ma_id first = p[0];
    uint64_t ri = ma_root_index(c->d, first);
    if (ri != UINT64_MAX) {
        el[k++] = ma_strdup(ma_root_name(c->nm, ri));
    } else {
        char *what = ma_node_what(c, first);
        el[k++] = ma_sprintf("unreachable %s at %s", what, ma_hex(g->addr[first], hb));
        free(what);
    }
    for (uint64_t i = 1; i < len; i++) {
        if (elide && i == 1 + MA_PATH_KEEP) {
            el[k++] = ma_sprintf("… %" PRIu64 " more …", hops - 2 * MA_PATH_KEEP);
            i = len - MA_PATH_KEEP - 1;
            continue;
        }
        int32_t lab = ma_edge_label(g, p[i - 1], p[i]);
        int coro = 0;
        if (lab && !(ma_node_task(c, p[i], &coro) && !coro)) el[k++] = ma_strdup(ma_label_text(c->d, lab, buf, sizeof buf));
        else el[k++] = ma_node_what(c, p[i]);
    }
    free(p);
    *nout = k;
    return el;
}

void ma_path_free(char **el, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) free(el[i]);
    free(el);
}

char *ma_path_join(char **el, uint32_t n)
{
    size_t len = 1;
    for (uint32_t i = 0; i < n; i++) len += strlen(el[i]) + 5;
    char *s = ma_malloc(len, 1), *o = s;
    for (uint32_t i = 0; i < n; i++) {
        if (i) { memcpy(o, " → ", 5); o += 5; }
        size_t l = strlen(el[i]);
        memcpy(o, el[i], l);
        o += l;
    }
    *o = 0;
    return s;
}

char *ma_node_label(ma_ctx *c, ma_id v)
{
    const ma_graph *g = &c->d->g;
    char buf[1024];
    ma_id p = c->a->bfs_parent[v];
    if (p != MA_NONE) {
        int32_t lab = ma_edge_label(g, p, v);
        if (lab) return ma_strdup(ma_label_text(c->d, lab, buf, sizeof buf));
    } else {
        uint64_t ri = ma_root_index(c->d, v);
        if (ri != UINT64_MAX) return ma_strdup(ma_root_name(c->nm, ri));
    }
    const ma_loc *site = ma_stack_site(c->nm, g->stack[v]);
    if (site) return ma_strdup(ma_loc_text(site, buf, sizeof buf));
    return ma_strdup("");
}

/* ---- root keys ----------------------------------------------------------------------------------- */

typedef struct root_at { ma_id node; uint64_t index; } root_at;

static int cmp_root_at(const void *x, const void *y)
{
    const root_at *p = x, *q = y;
    if (p->node != q->node) return p->node < q->node ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

uint32_t *ma_root_keys(ma_ctx *c, ma_intern *names, int merge_slots)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    const ma_analysis *a = c->a;
    uint64_t n = g->n;
    /* first ROOT record of each root node, found by binary search (ma_root_index is linear) */
    root_at *ra = ma_malloc(d->nroots ? d->nroots : 1, sizeof *ra);
    uint64_t nra = 0;
    for (uint64_t i = 0; i < d->nroots; i++)
        if (d->roots[i].node != MA_NONE) ra[nra++] = (root_at){d->roots[i].node, i};
    qsort(ra, nra, sizeof *ra, cmp_root_at);
    uint32_t *key_of = ma_malloc(n ? n : 1, sizeof *key_of);
    memset(key_of, 0xff, n * sizeof *key_of);
    ma_id *stk = ma_malloc(n ? n : 1, sizeof *stk);
    uint32_t unreach = ma_intern_cstr(names, "(unreachable)");
    char buf[1024];
    for (uint64_t v0 = 0; v0 < n; v0++) {
        if (key_of[v0] != MA_NONE) continue;
        uint64_t sp = 0;
        for (ma_id x = (ma_id)v0; x != MA_NONE && key_of[x] == MA_NONE; x = a->bfs_parent[x]) stk[sp++] = x;
        while (sp) {
            ma_id y = stk[--sp], p = a->bfs_parent[y];
            uint32_t key;
            if (g->flags[y] & MA_F_UNREACHABLE) key = unreach;
            else if (p == MA_NONE) {
                uint64_t lo = 0, hi = nra;
                while (lo < hi) { uint64_t m = (lo + hi) / 2; if (ra[m].node < y) lo = m + 1; else hi = m; }
                const char *name = "(root)";
                if (lo < nra && ra[lo].node == y)
                    name = merge_slots ? ma_root_group_name(c->nm, ra[lo].index) : ma_root_name(c->nm, ra[lo].index);
                key = ma_intern_cstr(names, name);
            } else if (ma_is_synthetic(g, p)) {
                int32_t lab = ma_edge_label(g, p, y);
                char *hop = lab ? ma_strdup(ma_label_text(d, lab, buf, sizeof buf)) : ma_node_what(c, y);
                char *s = ma_sprintf("%s → %s", names->str[key_of[p]], hop);
                key = ma_intern_cstr(names, s);
                free(s);
                free(hop);
            } else {
                key = key_of[p];
            }
            key_of[y] = key;
        }
    }
    free(stk);
    free(ra);
    return key_of;
}

/* ---- dominator tree walks ---------------------------------------------------------------------- */

int ma_is_top_level(const ma_analysis *a, ma_id v)
{
    const ma_graph *g = &a->d->g;
    for (ma_id p = a->idom[v];; p = a->idom[p]) {
        if (p == MA_SUPER || p == MA_GARBAGE) return 1;
        if (!ma_is_synthetic(g, p)) return 0;
    }
}

void ma_each_top_level(const ma_analysis *a, int include_unreachable, ma_top_fn fn, void *ctx)
{
    const ma_graph *g = &a->d->g;
    uint64_t end = include_unreachable ? g->n : a->reach_nodes;
    /* children of the virtual roots are consecutive subtrees; synthetic ones are entered */
    uint64_t cap = 64, sp = 0;
    uint64_t *stk = ma_malloc(cap, sizeof *stk);     /* pairs: next position, end of range */
    stk[sp++] = 0;
    stk[sp++] = end;
    while (sp) {
        uint64_t lim = stk[sp - 1], pos = stk[sp - 2];
        if (pos >= lim) { sp -= 2; continue; }
        ma_id v = a->dom_order[pos];
        stk[sp - 2] = a->dom_end[v];
        if (ma_is_synthetic(g, v)) {
            ma_grow((void **)&stk, &cap, sp + 2, sizeof *stk);
            stk[sp++] = pos + 1;
            stk[sp++] = a->dom_end[v];
        } else {
            fn(ctx, v, pos);
        }
    }
    free(stk);
}

/* Same kind of node: same type, and for untyped nodes the same allocation stack. A descent
 * through a run of these is walking one recursive structure (a linked list, a tree). */
static int same_kind(const ma_graph *g, ma_id x, ma_id y)
{
    return g->type[x] == g->type[y] && (g->type[x] || g->stack[x] == g->stack[y]) &&
           !ma_is_synthetic(g, x) && !ma_is_synthetic(g, y);
}

static int64_t retained_score(void *ctx, ma_id v)
{
    const ma_analysis *a = ctx;
    return a->retained[v] > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)a->retained[v];
}

uint64_t ma_accumulation_point(const ma_analysis *a, uint64_t pos)
{
    return ma_accumulation_point_by(a, pos, retained_score, (void *)a);
}

uint64_t ma_accumulation_point_by(const ma_analysis *a, uint64_t pos, ma_score_fn score, void *ctx)
{
    const ma_graph *g = &a->d->g;
    uint64_t run = pos;         /* first node of the current run of same-kind nodes */
    int32_t run_label = 0;      /* the edge label that links the run's nodes */
    uint64_t run_links = 0;     /* links in the run so far */
    for (;;) {
        ma_id v = a->dom_order[pos];
        uint64_t best = UINT64_MAX;
        int64_t bests = 0;
        for (uint64_t c = pos + 1; c < a->dom_end[v]; c = a->dom_end[a->dom_order[c]]) {
            int64_t s = score(ctx, a->dom_order[c]);
            if (best == UINT64_MAX || s > bests) {
                best = c;
                bests = s;
            }
        }
        /* Stopped: memory spreads out below v. If v is deep inside a recursive structure
         * (a linked list's nodes each keep all the rest), the structure's first node is the
         * place to look, not the link where the remaining tail happened to drop below 70%. */
        if (best == UINT64_MAX || bests <= 0 || (double)bests < MA_DESCEND_SHARE * (double)score(ctx, v))
            return run_links >= 2 ? run : pos;
        /* A run is one recursive structure only if its links are alike too — a linked list
         * links every node through the same field ("next", or no label in native dumps) — and
         * has at least two links: nested containers under different keys (module dict →
         * "registry" → "users") are distinct structures, and the descent reports the innermost. */
        ma_id w = a->dom_order[best];
        if (!same_kind(g, v, w)) {
            run = best;
            run_links = 0;
        } else {
            int32_t lab = ma_edge_label(g, v, w);
            if (run_links == 0 || lab != run_label) {
                run = pos;
                run_label = lab;
                run_links = 1;
            } else {
                run_links++;
            }
        }
        pos = best;
    }
}

/* ---- JSON pieces ------------------------------------------------------------------------------- */

void ma_json_loc(ma_json *j, const char *key, const ma_loc *l)
{
    ma_json_obj(j, key);
    ma_json_str(j, "function", l ? l->function : NULL);
    ma_json_str(j, "file", l ? l->file : NULL);
    ma_json_u64(j, "line", l ? l->line : 0);
    ma_json_end(j);
}

void ma_json_path(ma_ctx *c, const char *key, ma_id v)
{
    uint32_t ne;
    char **el = ma_path_elements(c, v, &ne);
    ma_json_arr(c->j, key);
    for (uint32_t k = 0; k < ne; k++) ma_json_str(c->j, NULL, el[k]);
    ma_json_end(c->j);
    ma_path_free(el, ne);
}

void ma_json_stack(ma_ctx *c, const char *key, uint32_t stack)
{
    uint32_t n;
    const ma_loc *l = ma_stack_locs(c->nm, stack, &n);
    ma_json_arr(c->j, key);
    for (uint32_t i = 0; i < n; i++) ma_json_loc(c->j, NULL, &l[i]);
    ma_json_end(c->j);
}
