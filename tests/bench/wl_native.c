/* wl_native.c — the "native realistic" workload of `make bench`: a program doing real work
 * whose allocations are a by-product, not the point (as opposed to agent_churn.c, which does
 * nothing but malloc/free).
 *
 *   wl_native [WORDS]        default 1 500 000 words; prints "bench_seconds=S checksum=C"
 *
 * What it does, in the proportions of a word-frequency or symbol-table tool:
 *   1. tokenizes a deterministic pseudo-random text of WORDS words (3–14 letters drawn from a
 *      Zipf-like vocabulary) into a chained hash map from word to count — one malloc for each
 *      new entry and one for its key, the bucket array doubled by calloc as the map grows;
 *   2. builds an AVL tree of the distinct words ordered by (count, word) — one node each,
 *      rebalanced with rotations (pointer chasing, string compares);
 *   3. walks the tree for the top 100 words into a vector grown with realloc, and formats a
 *      report line per word with snprintf into malloc'ed strings;
 *   4. deletes every third word from the map (free), then looks up 500 000 random words;
 *   5. frees everything.
 * The single number it prints (besides the checksum, so the work cannot be optimized away) is
 * the time of steps 1–5, without process start-up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct entry {
    struct entry *next;
    char *key;
    uint64_t hash;
    long count;
} entry;

typedef struct {
    entry **b;
    size_t cap, n;
} map;

typedef struct node {
    struct node *l, *r;
    entry *e;
    int h;
} node;

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) { fputs("wl_native: out of memory\n", stderr); exit(1); }
    return p;
}

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;  /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The i-th word of the vocabulary: letters from a per-word generator, so the same i always
 * spells the same word. */
static size_t spell(uint64_t i, char *out)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;
    size_t len = 3 + (size_t)(x % 12);
    for (size_t k = 0; k < len; k++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        out[k] = (char)('a' + (x >> 59) % 26);
    }
    out[len] = 0;
    return len;
}

/* Zipf-like: small indices are frequent, the tail is long. */
static uint64_t pick_word(uint64_t vocab)
{
    uint64_t r = next_rand() % vocab + 1;
    return (next_rand() % r);
}

static void map_grow(map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    entry **b = calloc(cap, sizeof *b);
    if (!b) { fputs("wl_native: out of memory\n", stderr); exit(1); }
    for (size_t i = 0; i < m->cap; i++) {
        entry *e = m->b[i];
        while (e) {
            entry *nx = e->next;
            size_t k = e->hash & (cap - 1);
            e->next = b[k];
            b[k] = e;
            e = nx;
        }
    }
    free(m->b);
    m->b = b;
    m->cap = cap;
}

static entry *map_find(map *m, const char *s, size_t n, uint64_t h)
{
    for (entry *e = m->b[h & (m->cap - 1)]; e; e = e->next)
        if (e->hash == h && strncmp(e->key, s, n) == 0 && e->key[n] == 0) return e;
    return NULL;
}

static void map_add(map *m, const char *s, size_t n)
{
    uint64_t h = hash_str(s, n);
    entry *e = map_find(m, s, n, h);
    if (e) { e->count++; return; }
    if (m->n + 1 > m->cap * 3 / 4) map_grow(m);
    e = xmalloc(sizeof *e);
    e->key = xmalloc(n + 1);
    memcpy(e->key, s, n + 1);
    e->hash = h;
    e->count = 1;
    size_t k = h & (m->cap - 1);
    e->next = m->b[k];
    m->b[k] = e;
    m->n++;
}

static int map_del(map *m, const char *s, size_t n)
{
    uint64_t h = hash_str(s, n);
    entry **pp = &m->b[h & (m->cap - 1)];
    for (; *pp; pp = &(*pp)->next) {
        entry *e = *pp;
        if (e->hash == h && strcmp(e->key, s) == 0) {
            *pp = e->next;
            free(e->key);
            free(e);
            m->n--;
            return 1;
        }
    }
    return 0;
}

static int height(node *t) { return t ? t->h : 0; }
static void fix(node *t) { int a = height(t->l), b = height(t->r); t->h = (a > b ? a : b) + 1; }

static node *rot_right(node *t)
{
    node *l = t->l;
    t->l = l->r;
    l->r = t;
    fix(t);
    fix(l);
    return l;
}

static node *rot_left(node *t)
{
    node *r = t->r;
    t->r = r->l;
    r->l = t;
    fix(t);
    fix(r);
    return r;
}

static int cmp_entry(const entry *a, const entry *b)
{
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    return strcmp(a->key, b->key);
}

/* AVL insertion, iterative (explicit path) so a degenerate input could never overflow. */
static node *avl_insert(node *root, entry *e)
{
    node *path[128];
    int dir[128], depth = 0;
    node *t = root;
    while (t) {
        int c = cmp_entry(e, t->e);
        path[depth] = t;
        dir[depth++] = c < 0;
        t = c < 0 ? t->l : t->r;
    }
    node *nn = xmalloc(sizeof *nn);
    nn->l = nn->r = NULL;
    nn->e = e;
    nn->h = 1;
    node *child = nn;
    for (int i = depth - 1; i >= 0; i--) {
        node *p = path[i];
        if (dir[i]) p->l = child; else p->r = child;
        fix(p);
        int bal = height(p->l) - height(p->r);
        if (bal > 1) {
            if (height(p->l->l) < height(p->l->r)) p->l = rot_left(p->l);
            p = rot_right(p);
        } else if (bal < -1) {
            if (height(p->r->r) < height(p->r->l)) p->r = rot_right(p->r);
            p = rot_left(p);
        }
        child = p;
    }
    return child;
}

static void avl_free(node *root)
{
    node *stack[128];
    int sp = 0;
    if (root) stack[sp++] = root;
    while (sp) {
        node *t = stack[--sp];
        if (t->l) stack[sp++] = t->l;
        if (t->r) stack[sp++] = t->r;
        free(t);
    }
}

int main(int argc, char **argv)
{
    long words = argc > 1 ? atol(argv[1]) : 1500000;
    uint64_t vocab = (uint64_t)words / 2 + 1000;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    map m = { 0 };
    map_grow(&m);
    char w[32];
    for (long i = 0; i < words; i++) {
        size_t n = spell(pick_word(vocab), w);
        map_add(&m, w, n);
    }

    node *root = NULL;
    for (size_t i = 0; i < m.cap; i++)
        for (entry *e = m.b[i]; e; e = e->next) root = avl_insert(root, e);

    /* top 100 by in-order walk, into a realloc-grown vector of formatted lines */
    char **lines = NULL;
    size_t nl = 0, cl = 0;
    node *stack[128];
    int sp = 0;
    node *t = root;
    while ((t || sp) && nl < 100) {
        while (t) { stack[sp++] = t; t = t->l; }
        t = stack[--sp];
        if (nl == cl) {
            cl = cl ? cl * 2 : 4;
            char **g = realloc(lines, cl * sizeof *g);
            if (!g) return 1;
            lines = g;
        }
        char buf[96];
        int len = snprintf(buf, sizeof buf, "%6zu %-16s %ld", nl + 1, t->e->key, t->e->count);
        lines[nl] = xmalloc((size_t)len + 1);
        memcpy(lines[nl++], buf, (size_t)len + 1);
        t = t->r;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < nl; i++) { sum += strlen(lines[i]); free(lines[i]); }
    free(lines);
    avl_free(root);

    for (uint64_t i = 0; i < vocab; i += 3) {
        size_t n = spell(i, w);
        sum += (uint64_t)map_del(&m, w, n);
    }
    for (long i = 0; i < 500000; i++) {
        size_t n = spell(pick_word(vocab), w);
        entry *e = map_find(&m, w, n, hash_str(w, n));
        if (e) sum += (uint64_t)e->count;
    }
    sum += m.n;
    for (size_t i = 0; i < m.cap; i++) {
        entry *e = m.b[i];
        while (e) { entry *nx = e->next; free(e->key); free(e); e = nx; }
    }
    free(m.b);

    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("bench_seconds=%.4f checksum=%llu\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           (unsigned long long)sum);
    return 0;
}
