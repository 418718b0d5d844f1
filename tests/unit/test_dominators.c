/* test_dominators.c — dominator tree, retained sizes, unreachable handling and shortest paths.
 *
 * Hand-made graphs whose answers are known (diamond, cycle, self-loop, a 1-million-long chain,
 * many roots, unreachable islands, garbage pointing into live objects), then a few hundred random
 * graphs checked against a brute-force reference: d dominates w iff w cannot be reached from the
 * super-root once d is removed. The reference builds the same augmented graph the analyzer
 * documents (super-root → roots and → garbage root; garbage root → unreferenced unreachable
 * nodes, then the lowest-id node of each remaining unreachable region; garbage → live edges
 * ignored), so unreachable nodes are checked too.
 */
#include "check.h"
#include "ma_analysis.h"
#include "ma_builder.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_paths.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

#define BASE 0x10000ull
#define ADDR(i) (BASE + 16ull * (i))

typedef struct spec {
    int n;
    const uint64_t *size;     /* NULL: every node 10 bytes */
    const int (*edges)[2];
    int m;
    const int *roots;
    int nroots;
    const uint32_t *flags;    /* NULL: none */
} spec;

/* Build a dump from a spec; nodes are added in reverse order when shuffle is set so the
 * builder's sort and the permutation of edge sources are exercised too. */
static void build(ma_dump *d, const spec *s, int shuffle)
{
    ma_dump_init(d);
    ma_builder b;
    ma_builder_init(&b, d);
    for (int k = 0; k < s->n; k++) {
        int i = shuffle ? s->n - 1 - k : k;
        ma_builder_node(&b, ADDR(i), s->size ? s->size[i] : 10, 0, 0, s->flags ? s->flags[i] : 0, 0);
        for (int e = 0; e < s->m; e++)
            if (s->edges[e][0] == i) ma_builder_edge(&b, ADDR(s->edges[e][1]), 0);
    }
    for (int r = 0; r < s->nroots; r++) ma_builder_root(&b, MD_ROOT_OTHER, ADDR(s->roots[r]), 0, 0);
    ma_builder_finish(&b);
}

/* ---- brute-force reference ------------------------------------------------------------------ */

typedef struct ref {
    int n;
    int *adj_off, *adj;       /* CSR of the real graph */
    uint8_t *reach;           /* reachable from roots */
    int *starts, nstarts;     /* garbage root's children */
    uint64_t *retained;
    uint32_t *idom;           /* node, MA_SUPER or MA_GARBAGE */
} ref;

/* Reachability from the virtual super-root with node `removed` taken out (-1: none). Vertices:
 * 0..n-1 nodes, n = super, n+1 = garbage. */
static void reach_from_super(const ref *r, const spec *s, int removed, uint8_t *seen, int *queue)
{
    int n = r->n, head = 0, tail = 0;
    memset(seen, 0, (size_t)n + 2);
    seen[n] = 1;
    queue[tail++] = n;
    while (head < tail) {
        int v = queue[head++];
        int *succ, nsucc, tmp[1];
        (void)tmp;
        if (v == n) {
            for (int i = 0; i < s->nroots; i++) {
                int w = s->roots[i];
                if (w != removed && !seen[w]) { seen[w] = 1; queue[tail++] = w; }
            }
            if (!seen[n + 1] && r->nstarts) { seen[n + 1] = 1; queue[tail++] = n + 1; }
            continue;
        }
        if (v == n + 1) { succ = r->starts; nsucc = r->nstarts; }
        else { succ = r->adj + r->adj_off[v]; nsucc = r->adj_off[v + 1] - r->adj_off[v]; }
        for (int i = 0; i < nsucc; i++) {
            int w = succ[i];
            if (w == removed || seen[w]) continue;
            if (v < n && !r->reach[v] && r->reach[w]) continue;    /* garbage → live: ignored */
            seen[w] = 1;
            queue[tail++] = w;
        }
    }
}

static void ref_compute(ref *r, const spec *s)
{
    int n = r->n = s->n;
    r->adj_off = calloc((size_t)n + 1, sizeof(int));
    r->adj = calloc((size_t)s->m + 1, sizeof(int));
    for (int e = 0; e < s->m; e++) r->adj_off[s->edges[e][0] + 1]++;
    for (int v = 0; v < n; v++) r->adj_off[v + 1] += r->adj_off[v];
    int *pos = calloc((size_t)n + 1, sizeof(int));
    memcpy(pos, r->adj_off, sizeof(int) * ((size_t)n + 1));
    for (int e = 0; e < s->m; e++) r->adj[pos[s->edges[e][0]]++] = s->edges[e][1];
    free(pos);
    uint8_t *seen = calloc((size_t)n + 2, 1);
    int *queue = calloc((size_t)n + 2, sizeof(int));
    r->reach = calloc((size_t)n + 1, 1);
    r->starts = calloc((size_t)n + 1, sizeof(int));
    r->nstarts = 0;
    reach_from_super(r, s, -1, seen, queue);
    for (int v = 0; v < n; v++) r->reach[v] = seen[v];
    /* garbage starts: unreferenced unreachable nodes, then the lowest unvisited of what is left */
    uint8_t *vis = calloc((size_t)n + 1, 1);
    for (int v = 0; v < n; v++) vis[v] = r->reach[v];
    int unref_pass;
    for (unref_pass = 1; unref_pass >= 0; unref_pass--) {
        for (int v = 0; v < n; v++) {
            if (vis[v]) continue;
            if (unref_pass) {
                int referenced = 0;
                for (int e = 0; e < s->m; e++)
                    if (s->edges[e][1] == v && s->edges[e][0] != v) referenced = 1;
                if (referenced) continue;
            }
            r->starts[r->nstarts++] = v;
            /* mark everything reachable from v among unvisited nodes */
            int head = 0, tail = 0;
            vis[v] = 1;
            queue[tail++] = v;
            while (head < tail) {
                int x = queue[head++];
                for (int i = r->adj_off[x]; i < r->adj_off[x + 1]; i++)
                    if (!vis[r->adj[i]]) { vis[r->adj[i]] = 1; queue[tail++] = r->adj[i]; }
            }
        }
    }
    free(vis);
    /* dominance by removal */
    uint8_t *dom = calloc((size_t)n * (size_t)n, 1);  /* dom[d*n+w]: d dominates w */
    r->retained = calloc((size_t)n + 1, sizeof(uint64_t));
    for (int dd = 0; dd < n; dd++) {
        reach_from_super(r, s, dd, seen, queue);
        for (int w = 0; w < n; w++)
            if (!seen[w]) {
                dom[(size_t)dd * n + w] = 1;
                r->retained[dd] += s->size ? s->size[w] : 10;
            }
    }
    r->idom = calloc((size_t)n + 1, sizeof(uint32_t));
    for (int w = 0; w < n; w++) {
        /* the closest strict dominator: the one dominated by every other strict dominator */
        int best = -1;
        for (int dd = 0; dd < n; dd++) {
            if (dd == w || !dom[(size_t)dd * n + w]) continue;
            if (best < 0 || dom[(size_t)best * n + dd]) best = dd;
        }
        r->idom[w] = best >= 0 ? (uint32_t)best : r->reach[w] ? MA_SUPER : MA_GARBAGE;
    }
    free(dom);
    free(seen);
    free(queue);
}

static void ref_free(ref *r)
{
    free(r->adj_off); free(r->adj); free(r->reach); free(r->starts); free(r->retained); free(r->idom);
}

/* Compare the analysis with the reference; returns the number of mismatches. */
static int compare(const ma_analysis *a, const ref *r)
{
    const ma_graph *g = &a->d->g;
    int bad = 0;
    for (int w = 0; w < r->n; w++) {
        ma_id v = ma_graph_find(g, ADDR(w));
        uint32_t want = r->idom[w];
        uint32_t got = a->idom[v];
        if (got < g->n) got = (uint32_t)((g->addr[got] - BASE) / 16);
        if (got != want) {
            if (bad < 5) printf("# node %d: idom %u, expected %u\n", w, got, want);
            bad++;
        }
        if (a->retained[v] != r->retained[w]) {
            if (bad < 5) printf("# node %d: retained %lu, expected %lu\n", w,
                                (unsigned long)a->retained[v], (unsigned long)r->retained[w]);
            bad++;
        }
        if (!!(g->flags[v] & MA_F_UNREACHABLE) != !r->reach[w]) bad++;
    }
    return bad;
}

/* Structural invariants of dom_order/dom_end and of the BFS parents. */
static int invariants(const ma_analysis *a)
{
    const ma_graph *g = &a->d->g;
    uint64_t n = g->n;
    int bad = 0;
    uint32_t *pos = malloc((n + 1) * sizeof *pos);
    uint8_t *hit = calloc(n + 1, 1);
    for (uint64_t p = 0; p < n; p++) {
        ma_id v = a->dom_order[p];
        if (v >= n || hit[v]) { bad++; continue; }
        hit[v] = 1;
        pos[v] = (uint32_t)p;
    }
    for (uint64_t v = 0; v < n && !bad; v++) {
        if (a->dom_end[v] <= pos[v] || a->dom_end[v] > n) bad++;
        ma_id p = a->idom[v];
        if (p < n) {
            /* v lies inside its idom's range, and retained sizes nest */
            if (!(pos[p] < pos[v] && a->dom_end[v] <= a->dom_end[p])) bad++;
            if (a->retained[p] < a->retained[v]) bad++;
        } else if (p == MA_SUPER) {
            if (pos[v] >= a->reach_nodes) bad++;
        } else if (p == MA_GARBAGE) {
            if (pos[v] < a->reach_nodes) bad++;
        } else bad++;
        /* BFS parent has an edge to v */
        ma_id q = a->bfs_parent[v];
        if (q != MA_NONE) {
            int found = 0;
            for (uint64_t e = g->out_off[q]; e < g->out_off[q + 1]; e++)
                if (g->out[e] == v) found = 1;
            if (!found) bad++;
            if (!!(g->flags[q] & MA_F_UNREACHABLE) != !!(g->flags[v] & MA_F_UNREACHABLE)) bad++;
        } else if (!(g->flags[v] & (MA_F_ROOT | MA_F_UNREACHABLE))) {
            bad++;
        }
    }
    free(pos);
    free(hit);
    return bad;
}

static uint32_t node_idom(const ma_analysis *a, int w)
{
    const ma_graph *g = &a->d->g;
    ma_id v = ma_graph_find(g, ADDR(w));
    uint32_t p = a->idom[v];
    return p < g->n ? (uint32_t)((g->addr[p] - BASE) / 16) : p;
}

static uint64_t node_retained(const ma_analysis *a, int w)
{
    return a->retained[ma_graph_find(&a->d->g, ADDR(w))];
}

/* Analyze a spec both in order and shuffled, check against the reference and invariants. */
static int check_spec(const spec *s)
{
    int bad = 0;
    ref r;
    ref_compute(&r, s);
    for (int shuffle = 0; shuffle < 2; shuffle++) {
        ma_dump d;
        ma_analysis a;
        build(&d, s, shuffle);
        ma_analyze(&a, &d, 0);
        bad += compare(&a, &r);
        bad += invariants(&a);
        ma_analysis_free(&a);
        ma_dump_free(&d);
    }
    ref_free(&r);
    return bad;
}

static void test_diamond(void)
{
    /* 0 → 1, 0 → 2, 1 → 3, 2 → 3, 3 → 4 */
    static const int e[][2] = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}};
    static const int roots[] = {0};
    spec s = {5, NULL, e, 5, roots, 1, NULL};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 0);
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(node_idom(&a, 3), 0, "diamond: join dominated by the top");
    CHECK_EQ_U(node_idom(&a, 4), 3, "diamond: below the join");
    CHECK_EQ_U(node_idom(&a, 0), MA_SUPER, "diamond: root under the super-root");
    CHECK_EQ_U(node_retained(&a, 0), 50, "diamond: top retains everything");
    CHECK_EQ_U(node_retained(&a, 1), 10, "diamond: one side retains itself");
    CHECK_EQ_U(node_retained(&a, 3), 20, "diamond: join retains its tail");
    CHECK_EQ_U(a.unreach_objects, 0, "diamond: nothing unreachable");
    ma_analysis_free(&a);
    ma_dump_free(&d);
    CHECK(check_spec(&s) == 0, "diamond matches the reference");
}

static void test_cycle_and_self_loop(void)
{
    /* 0 → 1 → 2 → 0 (cycle), 2 → 2 (self-loop), 1 → 3 */
    static const int e[][2] = {{0, 1}, {1, 2}, {2, 0}, {2, 2}, {1, 3}};
    static const int roots[] = {0};
    static const uint64_t size[] = {1, 2, 4, 8};
    spec s = {4, size, e, 5, roots, 1, NULL};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 0);
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(node_idom(&a, 1), 0, "cycle: 1 under 0");
    CHECK_EQ_U(node_idom(&a, 2), 1, "cycle: 2 under 1");
    CHECK_EQ_U(node_retained(&a, 0), 15, "cycle: the entry retains the cycle");
    CHECK_EQ_U(node_retained(&a, 2), 4, "cycle: self-loop retains only itself");
    ma_analysis_free(&a);
    ma_dump_free(&d);
    CHECK(check_spec(&s) == 0, "cycle matches the reference");
}

static void test_two_roots(void)
{
    /* 0 and 1 are roots, both → 2; 2 → 3 */
    static const int e[][2] = {{0, 2}, {1, 2}, {2, 3}};
    static const int roots[] = {0, 1};
    spec s = {4, NULL, e, 3, roots, 2, NULL};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 1);
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(node_idom(&a, 2), MA_SUPER, "shared by two roots: top-level");
    CHECK_EQ_U(node_retained(&a, 0), 10, "a root sharing its child retains only itself");
    CHECK_EQ_U(node_retained(&a, 2), 20, "the shared node retains its child");
    ma_analysis_free(&a);
    ma_dump_free(&d);
}

static void test_many_roots(void)
{
    /* 2000 root nodes all pointing to node 0, which points to node 1; roots listed twice */
    enum { R = 2000 };
    int (*e)[2] = malloc(sizeof(int[2]) * (R + 1));
    int *roots = malloc(sizeof(int) * 2 * R);
    for (int i = 0; i < R; i++) {
        e[i][0] = i + 2;
        e[i][1] = 0;
        roots[i] = roots[R + i] = i + 2;
    }
    e[R][0] = 0;
    e[R][1] = 1;
    spec s = {R + 2, NULL, (const int (*)[2])e, R + 1, roots, 2 * R, NULL};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 1);
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(node_idom(&a, 0), MA_SUPER, "many roots: shared target is top-level");
    CHECK_EQ_U(node_idom(&a, 1), 0, "many roots: its child under it");
    CHECK_EQ_U(node_retained(&a, 0), 20, "many roots: shared target retains its child");
    CHECK_EQ_U(a.reach_nodes, R + 2, "many roots: all reachable");
    CHECK_EQ_U(a.roots_resolved, 2 * R, "many roots: every root record resolved");
    ma_analysis_free(&a);
    ma_dump_free(&d);
    free(e);
    free(roots);
}

static void test_islands(void)
{
    /* live: 0 (root) → 1.  islands: 2 → 3 (2 unreferenced); 4 ↔ 5 (a cycle, no entry);
     * 6 → 6 (self-loop only: unreferenced); 7 → 1 (garbage pointing at a live node) */
    static const int e[][2] = {{0, 1}, {2, 3}, {4, 5}, {5, 4}, {6, 6}, {7, 1}};
    static const int roots[] = {0};
    static const uint64_t size[] = {1, 2, 4, 8, 16, 32, 64, 128};
    spec s = {8, size, e, 6, roots, 1, NULL};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 0);
    ma_analyze(&a, &d, 0);
    const ma_graph *g = &d.g;
    CHECK_EQ_U(a.unreach_objects, 6, "islands: six unreachable nodes");
    CHECK_EQ_U(a.unreach_bytes, 4 + 8 + 16 + 32 + 64 + 128, "islands: unreachable bytes");
    CHECK_EQ_U(a.objects, 8, "islands: every node counted");
    CHECK_EQ_U(a.unref_objects, 3, "islands: 2, 6 and 7 are unreferenced");
    CHECK(g->flags[ma_graph_find(g, ADDR(4))] & MA_F_UNREACHABLE, "islands: cycle flagged unreachable");
    CHECK(!(g->flags[ma_graph_find(g, ADDR(4))] & MA_F_UNREF), "islands: cycle member is referenced");
    CHECK(g->flags[ma_graph_find(g, ADDR(6))] & MA_F_UNREF, "islands: self-loop alone is unreferenced");
    CHECK_EQ_U(node_idom(&a, 2), MA_GARBAGE, "islands: leak origin under the garbage root");
    CHECK_EQ_U(node_idom(&a, 3), 2, "islands: leaked child under its origin");
    CHECK_EQ_U(node_retained(&a, 2), 12, "islands: origin retains its island");
    CHECK_EQ_U(node_idom(&a, 4), MA_GARBAGE, "islands: lowest cycle member starts its region");
    CHECK_EQ_U(node_retained(&a, 4), 48, "islands: cycle retained by its start");
    CHECK_EQ_U(node_idom(&a, 1), 0, "islands: garbage pointing at a live node changes nothing");
    CHECK_EQ_U(node_retained(&a, 0), 3, "islands: live root retains only live nodes");
    uint64_t len;
    ma_id *p = ma_path(&a, ma_graph_find(g, ADDR(3)), &len);
    CHECK(len == 2 && p[0] == ma_graph_find(g, ADDR(2)), "islands: leaked block's path starts at its origin");
    free(p);
    ma_analysis_free(&a);
    ma_dump_free(&d);
    CHECK(check_spec(&s) == 0, "islands match the reference");
}

static void test_synthetic(void)
{
    /* 0 is a synthetic thread node (root) → 1 (a frame, synthetic) → 2 (object) */
    static const int e[][2] = {{0, 1}, {1, 2}};
    static const int roots[] = {0};
    static const uint64_t size[] = {100, 100, 7};
    static const uint32_t flags[] = {MD_NODE_SYNTHETIC, MD_NODE_SYNTHETIC, MD_NODE_PYOBJ};
    spec s = {3, size, e, 2, roots, 1, flags};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 0);
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(a.objects, 1, "synthetic: not counted as objects");
    CHECK_EQ_U(a.bytes, 7, "synthetic: their size is not memory");
    CHECK_EQ_U(a.synthetic, 2, "synthetic: counted apart");
    CHECK_EQ_U(node_retained(&a, 0), 7, "synthetic: retained counts only real objects");
    ma_analysis_free(&a);
    ma_dump_free(&d);
}

static void test_long_chain(void)
{
    /* 0 → 1 → … → N-1, plus a back edge N-1 → 0: no recursion may follow it */
    enum { N = 1000000 };
    ma_dump d;
    ma_dump_init(&d);
    ma_builder b;
    ma_builder_init(&b, &d);
    for (int i = 0; i < N; i++) {
        ma_builder_node(&b, ADDR(i), 10, 0, 0, 0, 0);
        ma_builder_edge(&b, ADDR((i + 1) % N), 0);
    }
    ma_builder_root(&b, MD_ROOT_OTHER, ADDR(0), 0, 0);
    ma_builder_finish(&b);
    ma_analysis a;
    ma_analyze(&a, &d, 0);
    int ok = 1;
    for (int i = 1; i < N && ok; i++)
        if (a.idom[i] != (ma_id)(i - 1) || a.retained[i] != 10ull * (N - i)) ok = 0;
    CHECK(ok, "chain: each link dominated by the previous one, retained = rest of the chain");
    CHECK_EQ_U(a.retained[0], 10ull * N, "chain: head retains all");
    uint64_t len;
    ma_id *p = ma_path(&a, N - 1, &len);
    CHECK_EQ_U(len, N, "chain: path to the tail has every link");
    free(p);
    CHECK_EQ_U(a.dom_end[0], N, "chain: the head's dominator subtree spans everything");
    ma_analysis_free(&a);
    ma_dump_free(&d);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

static void test_random(void)
{
    int failures = 0, graphs = 300;
    for (int t = 0; t < graphs; t++) {
        int n = 1 + (int)rnd(60);
        int m = (int)rnd((uint32_t)(3 * n + 1));
        int nroots = (int)rnd(4);
        int (*e)[2] = malloc(sizeof(int[2]) * ((size_t)m + 1));
        int *roots = malloc(sizeof(int) * ((size_t)nroots + 1));
        uint64_t *size = malloc(sizeof(uint64_t) * (size_t)n);
        for (int i = 0; i < m; i++) {
            e[i][0] = (int)rnd((uint32_t)n);
            /* mostly forward edges (deep graphs), some back edges and self-loops */
            e[i][1] = rnd(4) ? (int)rnd((uint32_t)n) : e[i][0];
        }
        for (int i = 0; i < nroots; i++) roots[i] = (int)rnd((uint32_t)n);
        for (int i = 0; i < n; i++) size[i] = 1 + rnd(1000);
        spec s = {n, size, (const int (*)[2])e, m, roots, nroots, NULL};
        if (check_spec(&s)) {
            if (failures < 3) printf("# random graph %d (n=%d m=%d roots=%d) differs\n", t, n, m, nroots);
            failures++;
        }
        free(e);
        free(roots);
        free(size);
    }
    CHECK_EQ_U(failures, 0, "300 random graphs match the brute-force reference");
}

static void test_empty(void)
{
    spec s = {0, NULL, NULL, 0, NULL, 0, NULL};
    ma_dump d;
    ma_analysis a;
    build(&d, &s, 0);
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(a.objects, 0, "empty graph: no objects");
    ma_analysis_free(&a);
    ma_dump_free(&d);
}

int main(void)
{
    test_empty();
    test_diamond();
    test_cycle_and_self_loop();
    test_two_roots();
    test_many_roots();
    test_islands();
    test_synthetic();
    test_long_chain();
    test_random();
    return check_done();
}
