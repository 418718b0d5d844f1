/* html_paths.c — why-alive paths for every object a report shows, shared in one table of steps.
 *
 * A path is what memanalyze prints for a node (ma_path_elements, view.h): the root's name (or
 * "unreachable X at ADDR"), then one element per hop along the shortest path (a->bfs_parent): the
 * edge's label, or what the target is when the edge has none; more than 2 * MA_PATH_KEEP hops keep
 * both ends around "… N more …". The report shows thousands of paths (one per box of the
 * icicle, per table row), most of them sharing their beginning, so they are stored as a tree of
 * steps — each step a text and the step before it — and a path is named by its last step.
 *
 * Cost. Calling ma_path for each shown node would walk each path to its root: in a 10-million-
 * long linked list that is millions of steps per node. Instead the depth of a node (hops from
 * its path's start) and its "anchor" (the node MA_PATH_KEEP hops from the start, where the head
 * of an elided path ends) are memoized in two arrays as walks discover them, so every node is
 * walked over at most a few times in total; the arrays are calloc'd, so pages of nodes never
 * asked about cost nothing. A path then costs O(MA_PATH_KEEP): its head is the anchor's (short,
 * memoized) path, its tail the last MA_PATH_KEEP hops.
 */
#include "html_internal.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_names.h"
#include "ma_paths.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define KEEP MA_PATH_KEEP

void hx_paths_init(hx_paths *p, ma_ctx *c, ma_intern *strs)
{
    memset(p, 0, sizeof *p);
    p->c = c;
    p->strs = strs;
    uint64_t n = c->d->g.n ? c->d->g.n : 1;
    p->depth1 = ma_calloc(n, sizeof *p->depth1);
    p->anchor = ma_calloc(n, sizeof *p->anchor);
    ma_intern_init(&p->memo);
}

void hx_paths_free(hx_paths *p)
{
    free(p->depth1);
    free(p->anchor);
    ma_intern_free(&p->memo);
    free(p->memo_step);
    free(p->parent);
    free(p->text);
    free(p->roots);
    memset(p, 0, sizeof *p);
}

static uint32_t add_step(hx_paths *p, int32_t parent, uint32_t text)
{
    if (p->n == p->cap) {
        uint64_t cap = p->cap;
        ma_grow((void **)&p->parent, &cap, p->n + 1, sizeof *p->parent);
        p->text = ma_realloc(p->text, cap, sizeof *p->text);
        p->cap = cap;
    }
    p->parent[p->n] = parent;
    p->text[p->n] = text;
    return (uint32_t)p->n++;
}

/* ---- depth and anchor --------------------------------------------------------------------------- */

/* Hops from the start of v's path; fills depth1/anchor for v and every node walked over. */
static uint64_t depth_of(hx_paths *p, ma_id v)
{
    const ma_id *par = p->c->a->bfs_parent;
    if (p->depth1[v]) return p->depth1[v] - 1;
    uint64_t k = 0, limit = p->c->d->g.n;
    ma_id x = v;
    while (x != MA_NONE && !p->depth1[x] && k <= limit) { k++; x = par[x]; }
    uint64_t dv = x == MA_NONE ? k - 1 : (p->depth1[x] - 1) + k;
    ma_id anc = MA_NONE;
    if (x != MA_NONE) {
        uint64_t dx = p->depth1[x] - 1;
        if (dx == KEEP) anc = x;
        else if (dx > KEEP) anc = p->anchor[x];
    }
    if (anc == MA_NONE && dv > KEEP) {
        anc = v;
        for (uint64_t i = 0; i < dv - KEEP; i++) anc = par[anc];
    }
    uint64_t d = dv;
    for (ma_id y = v; y != x && y != MA_NONE; y = par[y], d--) {
        p->depth1[y] = d + 1 < UINT32_MAX ? (uint32_t)(d + 1) : UINT32_MAX;
        p->anchor[y] = d > KEEP ? anc : d == KEEP ? y : MA_NONE;
    }
    return dv;
}

/* ---- texts -------------------------------------------------------------------------------------- */

static int cmp_pair(const void *x, const void *y)
{
    const hx_root_pair *a = x, *b = y;
    if (a->node != b->node) return a->node < b->node ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Index of the first ROOT record targeting v, or UINT64_MAX (ma_root_index without its linear
 * scan: a dump can have a million roots). */
static uint64_t root_index(hx_paths *p, ma_id v)
{
    const ma_dump *d = p->c->d;
    if (!p->roots_ready) {
        hx_root_pair *rp = ma_malloc(d->nroots ? d->nroots : 1, sizeof *rp);
        uint64_t n = 0;
        for (uint64_t i = 0; i < d->nroots; i++)
            if (d->roots[i].node != MA_NONE) rp[n++] = (hx_root_pair){d->roots[i].node, i};
        qsort(rp, n, sizeof *rp, cmp_pair);
        p->roots = rp;
        p->nroots = n;
        p->roots_ready = 1;
    }
    const hx_root_pair *rp = p->roots;
    uint64_t lo = 0, hi = p->nroots;
    while (lo < hi) {
        uint64_t m = (lo + hi) / 2;
        if (rp[m].node < v) lo = m + 1;
        else hi = m;
    }
    return lo < p->nroots && rp[lo].node == v ? rp[lo].index : UINT64_MAX;
}

static uint32_t start_text(hx_paths *p, ma_id v)
{
    uint64_t ri = root_index(p, v);
    if (ri != UINT64_MAX) return hx_s(p->strs, ma_root_name(p->c->nm, ri));
    char hb[24], *what = ma_node_what(p->c, v);
    char *s = ma_sprintf("unreachable %s at %s", what, ma_hex(p->c->d->g.addr[v], hb));
    uint32_t id = hx_s(p->strs, s);
    free(s);
    free(what);
    return id;
}

/* The element for the hop from x to y, as ma_path_elements words it. */
static uint32_t hop_text(hx_paths *p, ma_id x, ma_id y)
{
    char buf[1024];
    int32_t lab = ma_edge_label(&p->c->d->g, x, y);
    int coro = 0;
    if (lab && !(ma_node_task(p->c, y, &coro) && !coro)) return hx_s(p->strs, ma_label_text(p->c->d, lab, buf, sizeof buf));
    char *what = ma_node_what(p->c, y);
    uint32_t id = hx_s(p->strs, what);
    free(what);
    return id;
}

/* ---- paths ------------------------------------------------------------------------------------- */

/* Looks node x up in the memo of full paths: 1 and *step when known; else 0, and *id is the
 * memo slot the caller fills once the step exists. */
static int memo_get(hx_paths *p, ma_id x, uint32_t *id, uint32_t *step)
{
    uint32_t before = p->memo.n;
    *id = ma_intern_add(&p->memo, (const char *)&x, sizeof x);
    if (*id < before) {
        *step = p->memo_step[*id];
        return 1;
    }
    ma_grow((void **)&p->memo_step, &p->memo_cap, (uint64_t)*id + 1, sizeof *p->memo_step);
    p->memo_step[*id] = UINT32_MAX;
    return 0;
}

/* The full (unelided) path of v, memoized per node; only for depth ≤ 2 * KEEP. */
static uint32_t full_path(hx_paths *p, ma_id v)
{
    const ma_id *par = p->c->a->bfs_parent;
    ma_id chain[2 * KEEP + 2];
    uint32_t slot[2 * KEEP + 2], n = 0, known;
    int32_t step = -1;
    for (ma_id x = v; x != MA_NONE && n < 2 * KEEP + 2; x = par[x]) {
        if (memo_get(p, x, &slot[n], &known)) {
            step = (int32_t)known;
            break;
        }
        chain[n++] = x;
    }
    /* chain[n-1] is the path's start, or follows the memoized step */
    while (n > 0) {
        n--;
        ma_id x = chain[n];
        uint32_t text = step < 0 ? start_text(p, x) : hop_text(p, par[x], x);
        step = (int32_t)add_step(p, step, text);
        p->memo_step[slot[n]] = (uint32_t)step;
    }
    return (uint32_t)step;
}

uint32_t hx_path(hx_paths *p, ma_id v)
{
    uint64_t d = depth_of(p, v);
    if (d <= 2 * KEEP) return full_path(p, v);
    const ma_id *par = p->c->a->bfs_parent;
    uint32_t step = full_path(p, p->anchor[v]);
    char *more = ma_sprintf("… %" PRIu64 " more …", d - 2 * KEEP);
    step = add_step(p, (int32_t)step, hx_s(p->strs, more));
    free(more);
    ma_id tail[KEEP];
    ma_id x = v;
    for (int i = KEEP - 1; i >= 0; i--) {
        tail[i] = x;
        x = par[x];
    }
    for (int i = 0; i < KEEP; i++) step = add_step(p, (int32_t)step, hop_text(p, par[tail[i]], tail[i]));
    return step;
}

void hx_paths_json(hx_paths *p, hx_json *j)
{
    hx_obj(j, "paths");
    hx_arr(j, "parent");
    for (uint64_t i = 0; i < p->n; i++) fprintf(j->f, i ? ",%" PRId32 : "%" PRId32, p->parent[i]);
    hx_end(j);
    hx_u32s(j, "text", p->text, p->n);
    hx_end(j);
}
