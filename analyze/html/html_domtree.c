/* html_domtree.c — the dominator tree as the report's icicle: which objects keep which memory.
 *
 * The icicle draws the dominator tree (ma_analysis: dom_order/dom_end preorder, retained sizes):
 * a box per object, as wide as its retained size, under the object that dominates it. A dump can
 * have ten million nodes; the report gets at most HX_DOM_NODES boxes, chosen best-first: a heap
 * of boxes keyed by retained size, the largest box opened next. Opening a box adds its largest
 * HX_DOM_FAN children (HX_DOM_TOP_FAN for the top, whose children are the top-level dominators)
 * and one "N more" box carrying the total of the others, so every byte stays accounted for and
 * the widths stay true. Children below HX_MIN_SHARE of the heap are folded the same way.
 *
 * Runs. A linked list is a chain in the dominator tree, each link holding the rest: drawn as is,
 * it is ten thousand levels of identical boxes. A box whose largest child is of the same kind
 * (same type, or same allocation stack for untyped blocks), reached through the same edge label
 * as the previous link, and holding at least RUN_SHARE of what its parent holds besides itself,
 * continues a run; a run of HX_RUN_MIN nodes or more becomes one box ("ListNode × 10,000 via
 * next") whose children are all the other children of its links. The walk along a run streams
 * the links' children through the same top-K selection, so a 10-million-long list costs one
 * linear pass and no memory per link.
 *
 * Box kinds in the data: 0 the whole heap, 1 an object, 2 a run, 3 "N more" (folded siblings),
 * 4 the unreachable memory; flags: 8 the box has children that were not opened (budget),
 * 16 a synthetic node (thread, frame), 32 unreachable.
 */
#include "html_internal.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_names.h"
#include "ma_paths.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

#define RUN_SHARE 0.6

enum { K_ROOT = 0, K_NODE = 1, K_RUN = 2, K_MORE = 3, K_UNREACH = 4,
       F_HIDDEN = 8, F_SYNTH = 16, F_GARBAGE = 32 };

typedef struct box {
    uint32_t parent;
    uint32_t kind;
    uint64_t pos;               /* preorder position of the (first) node; UINT64_MAX if none */
    uint64_t self, retained, objs, count;
    int32_t run_label;          /* runs: the label linking the links */
} box;

typedef struct cand {           /* a candidate child: its preorder position and retained size */
    uint64_t pos, retained;
} cand;

typedef struct pick {           /* top-K selection over candidates (a min-heap), plus the rest */
    cand *h;
    uint32_t n, k;
    uint64_t rest_n, rest_ret, rest_objs;
    uint64_t min_ret;
} pick;

typedef struct sel {
    const ma_analysis *a;
    box *b;
    uint32_t n, cap;
    uint32_t *heap;             /* max-heap of boxes to open, by retained */
    uint32_t hn;
    uint64_t min_ret;
} sel;

/* ---- top-K candidates -------------------------------------------------------------------------- */

static int cand_less(const cand *x, const cand *y)
{
    return x->retained < y->retained || (x->retained == y->retained && x->pos > y->pos);
}

static void pick_init(pick *p, uint32_t k, uint64_t min_ret)
{
    memset(p, 0, sizeof *p);
    p->k = k;
    p->min_ret = min_ret;
    p->h = ma_malloc(k ? k : 1, sizeof *p->h);
}

static void pick_sift(pick *p, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < p->n && cand_less(&p->h[l], &p->h[m])) m = l;
        if (r < p->n && cand_less(&p->h[r], &p->h[m])) m = r;
        if (m == i) return;
        cand t = p->h[i]; p->h[i] = p->h[m]; p->h[m] = t;
        i = m;
    }
}

static void fold(pick *p, const ma_analysis *a, const cand *c)
{
    p->rest_n++;
    p->rest_ret += c->retained;
    p->rest_objs += a->dom_end[a->dom_order[c->pos]] - c->pos;
}

static void pick_add(pick *p, const ma_analysis *a, uint64_t pos)
{
    cand c = {pos, a->retained[a->dom_order[pos]]};
    if (c.retained < p->min_ret || p->k == 0) { fold(p, a, &c); return; }
    if (p->n < p->k) {
        uint32_t i = p->n++;
        p->h[i] = c;
        while (i > 0) {
            uint32_t up = (i - 1) / 2;
            if (!cand_less(&p->h[i], &p->h[up])) break;
            cand t = p->h[i]; p->h[i] = p->h[up]; p->h[up] = t;
            i = up;
        }
    } else if (cand_less(&p->h[0], &c)) {
        fold(p, a, &p->h[0]);
        p->h[0] = c;
        pick_sift(p, 0);
    } else {
        fold(p, a, &c);
    }
}

static int cmp_cand_desc(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    return cand_less(b, a) ? -1 : cand_less(a, b) ? 1 : 0;
}

/* ---- boxes ------------------------------------------------------------------------------------ */

static uint32_t add_box(sel *s, uint32_t parent, uint32_t kind, uint64_t pos)
{
    if (s->n == s->cap) {
        uint64_t cap = s->cap;
        ma_grow((void **)&s->b, &cap, (uint64_t)s->n + 1, sizeof *s->b);
        s->cap = (uint32_t)cap;
    }
    box *b = &s->b[s->n];
    memset(b, 0, sizeof *b);
    b->parent = parent;
    b->kind = kind;
    b->pos = pos;
    b->count = 1;
    if (pos != UINT64_MAX) {
        const ma_analysis *a = s->a;
        ma_id v = a->dom_order[pos];
        const ma_graph *g = &a->d->g;
        b->self = ma_node_bytes(g, v);
        b->retained = a->retained[v];
        b->objs = a->dom_end[v] - pos;
        if (ma_is_synthetic(g, v)) b->kind |= F_SYNTH;
        if (g->flags[v] & MA_F_UNREACHABLE) b->kind |= F_GARBAGE;
        if (a->dom_end[v] > pos + 1) b->kind |= F_HIDDEN;
    }
    return s->n++;
}

static void heap_push(sel *s, uint32_t bi)
{
    uint32_t i = s->hn++;
    s->heap[i] = bi;
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (s->b[s->heap[up]].retained >= s->b[s->heap[i]].retained) break;
        uint32_t t = s->heap[i]; s->heap[i] = s->heap[up]; s->heap[up] = t;
        i = up;
    }
}

static uint32_t heap_pop(sel *s)
{
    uint32_t top = s->heap[0];
    s->heap[0] = s->heap[--s->hn];
    for (uint32_t i = 0;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->hn && s->b[s->heap[l]].retained > s->b[s->heap[m]].retained) m = l;
        if (r < s->hn && s->b[s->heap[r]].retained > s->b[s->heap[m]].retained) m = r;
        if (m == i) break;
        uint32_t t = s->heap[i]; s->heap[i] = s->heap[m]; s->heap[m] = t;
        i = m;
    }
    return top;
}

/* Adds the picked candidates (largest first) and the "N more" box under parent, within the
 * budget; candidates that do not fit are folded too. */
static void attach(sel *s, uint32_t parent, pick *p, uint32_t budget)
{
    qsort(p->h, p->n, sizeof *p->h, cmp_cand_desc);
    uint32_t keep = p->n;
    uint32_t need = keep + (p->rest_n ? 1 : 0);
    if (need > budget) {
        keep = budget > 1 ? budget - 1 : 0;
        for (uint32_t i = keep; i < p->n; i++) fold(p, s->a, &p->h[i]);
    }
    s->b[parent].kind &= ~(uint32_t)F_HIDDEN;
    for (uint32_t i = 0; i < keep; i++) {
        uint32_t bi = add_box(s, parent, K_NODE, p->h[i].pos);
        if (s->b[bi].kind & F_HIDDEN) heap_push(s, bi);
    }
    if (p->rest_n) {
        uint32_t bi = add_box(s, parent, K_MORE, UINT64_MAX);
        s->b[bi].retained = p->rest_ret;
        s->b[bi].objs = p->rest_objs;
        s->b[bi].count = p->rest_n;
    }
}

/* Children of the node at pos: every dominator-tree child goes through the pick. */
static void children_of(const ma_analysis *a, uint64_t pos, uint64_t end, pick *p)
{
    for (uint64_t c = pos; c < end; c = a->dom_end[a->dom_order[c]]) pick_add(p, a, c);
}

static int same_kind(const ma_graph *g, ma_id x, ma_id y)
{
    return g->type[x] == g->type[y] && (g->type[x] || g->stack[x] == g->stack[y]) &&
           !ma_is_synthetic(g, x) && !ma_is_synthetic(g, y);
}

/* Tries to open box bi as a run. Returns 1 when it was (the pick then holds the run's
 * children), 0 when the node does not start a run of HX_RUN_MIN nodes (the pick is untouched). */
static int try_run(sel *s, uint32_t bi, pick *p)
{
    const ma_analysis *a = s->a;
    const ma_graph *g = &a->d->g;
    uint64_t pos = s->b[bi].pos;
    ma_id v = a->dom_order[pos];
    int32_t label = 0;
    uint64_t links = 1, self = ma_node_bytes(g, v);
    for (;;) {
        ma_id cur = a->dom_order[pos];
        uint64_t best = UINT64_MAX;
        for (uint64_t c = pos + 1; c < a->dom_end[cur]; c = a->dom_end[a->dom_order[c]])
            if (best == UINT64_MAX || a->retained[a->dom_order[c]] > a->retained[a->dom_order[best]]) best = c;
        int next = 0;
        if (best != UINT64_MAX) {
            ma_id w = a->dom_order[best];
            uint64_t holds = a->retained[cur] - ma_node_bytes(g, cur);
            if (same_kind(g, cur, w) && (double)a->retained[w] >= RUN_SHARE * (double)holds) {
                int32_t lab = ma_edge_label(g, cur, w);
                if (links == 1) label = lab;
                next = lab == label;
            }
        }
        if (!next && links < HX_RUN_MIN) {
            p->n = 0;           /* not a run: forget the first link's children */
            p->rest_n = p->rest_ret = p->rest_objs = 0;
            return 0;
        }
        /* this link's children other than the chain's next link */
        for (uint64_t c = pos + 1; c < a->dom_end[cur]; c = a->dom_end[a->dom_order[c]])
            if (!next || c != best) pick_add(p, a, c);
        if (!next) break;
        pos = best;
        links++;
        self += ma_node_bytes(g, a->dom_order[pos]);
    }
    box *b = &s->b[bi];
    b->kind = (b->kind & ~7u) | K_RUN;
    b->count = links;
    b->self = self;
    b->run_label = label;
    return 1;
}

/* ---- the selection ------------------------------------------------------------------------------ */

static void select_boxes(sel *s)
{
    const ma_analysis *a = s->a;
    uint64_t n = a->d->g.n;
    s->heap = ma_malloc(HX_DOM_NODES + 1, sizeof *s->heap);
    uint32_t root = add_box(s, 0, K_ROOT, UINT64_MAX);
    s->b[root].objs = n;
    /* top level: the super-root's subtrees, and the unreachable memory as one box */
    pick p;
    pick_init(&p, HX_DOM_TOP_FAN, s->min_ret);
    children_of(a, 0, a->reach_nodes, &p);
    uint64_t total = p.rest_ret;
    for (uint32_t i = 0; i < p.n; i++) total += p.h[i].retained;
    uint64_t garbage = 0;
    for (uint64_t c = a->reach_nodes; c < n; c = a->dom_end[a->dom_order[c]]) garbage += a->retained[a->dom_order[c]];
    s->b[root].retained = total + garbage;
    attach(s, root, &p, HX_DOM_NODES - 2);
    free(p.h);
    if (a->reach_nodes < n) {
        uint32_t u = add_box(s, root, K_UNREACH, UINT64_MAX);
        s->b[u].retained = garbage;
        s->b[u].objs = n - a->reach_nodes;
        s->b[u].kind |= F_HIDDEN | F_GARBAGE;
        heap_push(s, u);
    }
    while (s->hn && s->n + 2 <= HX_DOM_NODES) {
        uint32_t bi = heap_pop(s);
        uint32_t budget = HX_DOM_NODES - s->n;
        if ((s->b[bi].kind & 7u) == K_UNREACH) {
            pick_init(&p, HX_DOM_TOP_FAN, s->min_ret);
            children_of(a, a->reach_nodes, n, &p);
        } else {
            pick_init(&p, HX_DOM_FAN, s->min_ret);
            if (!try_run(s, bi, &p)) {
                uint64_t pos = s->b[bi].pos;
                children_of(a, pos + 1, a->dom_end[a->dom_order[pos]], &p);
            }
        }
        attach(s, bi, &p, budget);
        free(p.h);
    }
}

void hx_domtree_json(hx_an *x, hx_json *j)
{
    ma_ctx *c = x->c;
    const ma_analysis *a = c->a;
    sel s = {.a = a};
    s.min_ret = (uint64_t)((double)a->bytes * HX_MIN_SHARE);
    select_boxes(&s);

    uint32_t *what = ma_malloc(s.n, sizeof *what), *label = ma_malloc(s.n, sizeof *label);
    uint32_t *kind = ma_malloc(s.n, sizeof *kind);
    int64_t *path = ma_malloc(s.n, sizeof *path);
    char buf[1024];
    for (uint32_t i = 0; i < s.n; i++) {
        const box *b = &s.b[i];
        kind[i] = b->kind;
        path[i] = -1;
        switch (b->kind & 7u) {
        case K_ROOT:
            what[i] = hx_s(&x->strs, "all memory");
            label[i] = hx_s(&x->strs, "");
            break;
        case K_UNREACH:
            what[i] = hx_s(&x->strs, "unreachable");
            label[i] = hx_s(&x->strs, "no path from any root");
            break;
        case K_MORE:
            what[i] = hx_s(&x->strs, "more");
            label[i] = hx_s(&x->strs, "");
            break;
        default: {
            ma_id v = a->dom_order[b->pos];
            char *w = ma_node_what(c, v), *l = ma_node_label(c, v);
            if ((b->kind & 7u) == K_RUN) {
                char cnt[32];
                snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)b->count);
                char *r = b->run_label ? ma_sprintf("%s × %s via %s", w, cnt, ma_label_text(c->d, b->run_label, buf, sizeof buf))
                                       : ma_sprintf("%s × %s", w, cnt);
                free(w);
                w = r;
            }
            what[i] = hx_s(&x->strs, w);
            label[i] = hx_s(&x->strs, l);
            free(w);
            free(l);
            path[i] = hx_path(&x->paths, v);
        }
        }
    }
#define COL(key, expr) do { \
        hx_arr(j, key); \
        for (uint32_t i = 0; i < s.n; i++) fprintf(j->f, i ? ",%lld" : "%lld", (long long)(expr)); \
        hx_end(j); } while (0)
    hx_obj(j, "dom");
    hx_u64(j, "budget", HX_DOM_NODES);
    hx_u64(j, "fan", HX_DOM_FAN);
    COL("parent", s.b[i].parent);
    COL("kind", kind[i]);
    COL("what", what[i]);
    COL("label", label[i]);
    COL("self", s.b[i].self);
    COL("ret", s.b[i].retained);
    COL("objs", s.b[i].objs);
    COL("count", s.b[i].count);
    COL("addr", s.b[i].pos == UINT64_MAX ? 0 : c->d->g.addr[a->dom_order[s.b[i].pos]]);
    COL("path", path[i]);
    hx_end(j);
#undef COL
    snprintf(x->note + strlen(x->note), sizeof x->note - strlen(x->note), "%u boxes", s.n);
    free(what);
    free(label);
    free(kind);
    free(path);
    free(s.b);
    free(s.heap);
}
