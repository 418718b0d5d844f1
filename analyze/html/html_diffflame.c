/* html_diffflame.c — memdiff's growth flame graph: allocation stacks weighted by what changed.
 *
 * memdiff already counts, per merged allocation site and interval, the bytes of objects that
 * were new and that were freed (df_table of kind DF_SITE, df_bykey.h). A site's key is its
 * stack, one "function\x1f file\x1f line\n" entry per location, innermost first
 * (ma_sitename.h), so the stacks come back from the keys themselves: this file parses them into
 * a tree of frames (outermost at the top), each frame carrying the bytes added and freed under
 * it over all intervals. The width of a frame is added + freed — all the traffic the dumps can
 * see — and the page colors it by the balance: added only (growth), freed only, or both.
 * In-place resizes count as added (growth) or freed (shrinking). The tree is cut to the budget
 * by hx_fsel_build (html_flametree.c).
 */
#include "html_internal.h"
#include "diff/df_bykey.h"
#include "diff/df_run.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct gtree {
    uint32_t n, cap;
    uint32_t *parent, *loc;
    uint64_t *added, *freed, *nadd, *nfree, *w;
    ma_intern edges;            /* (parent, loc) → node - 1 */
} gtree;

static uint32_t node(gtree *t, uint32_t parent, uint32_t loc)
{
    uint32_t key[2] = {parent, loc};
    uint32_t id = ma_intern_add(&t->edges, (const char *)key, sizeof key) + 1;
    if (id == t->n) {
        if (t->n == t->cap) {
            uint64_t cap = t->cap;
            ma_grow((void **)&t->parent, &cap, (uint64_t)t->n + 1, sizeof *t->parent);
            t->loc = ma_realloc(t->loc, cap, sizeof *t->loc);
            t->added = ma_realloc(t->added, cap, sizeof *t->added);
            t->freed = ma_realloc(t->freed, cap, sizeof *t->freed);
            t->nadd = ma_realloc(t->nadd, cap, sizeof *t->nadd);
            t->nfree = ma_realloc(t->nfree, cap, sizeof *t->nfree);
            t->cap = (uint32_t)cap;
        }
        t->parent[id] = parent;
        t->loc[id] = loc;
        t->added[id] = t->freed[id] = t->nadd[id] = t->nfree[id] = 0;
        t->n++;
    }
    return id;
}

/* The location texts of a site key, innermost first, as ma_loc_text words them. */
static uint32_t parse_key(const char *key, size_t len, ma_intern *strs, uint32_t *out, uint32_t max)
{
    if (len == 0) { out[0] = hx_s(strs, "(no stack recorded)"); return 1; }
    if (key[0] == '\x1e') { out[0] = hx_s(strs, "(empty stack)"); return 1; }
    uint32_t n = 0;
    const char *p = key, *end = key + len;
    while (p < end && n < max) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        const char *f1 = memchr(p, '\x1f', (size_t)(nl - p));
        const char *f2 = f1 ? memchr(f1 + 1, '\x1f', (size_t)(nl - f1 - 1)) : NULL;
        char *text;
        if (!f1 || !f2) text = ma_strndup(p, (size_t)(nl - p));
        else {
            int fl = (int)(f1 - p), ff = (int)(f2 - f1 - 1), fn = (int)(nl - f2 - 1);
            int has_line = fn > 0 && !(fn == 1 && f2[1] == '0');
            if (ff && has_line) text = ma_sprintf("%.*s (%.*s:%.*s)", fl, p, ff, f1 + 1, fn, f2 + 1);
            else if (ff) text = ma_sprintf("%.*s (%.*s)", fl, p, ff, f1 + 1);
            else text = ma_sprintf("%.*s", fl, p);
        }
        out[n++] = hx_s(strs, text);
        free(text);
        p = nl + 1;
    }
    return n;
}

static const gtree *sort_t;
static int cmp_w(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (sort_t->w[a] != sort_t->w[b]) return sort_t->w[a] > sort_t->w[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

#define MAX_DEPTH 256

void hx_diffflame_json(const df_run *r, hx_json *j, ma_intern *strs, char *note, size_t notelen)
{
    gtree t;
    memset(&t, 0, sizeof t);
    ma_intern_init(&t.edges);
    /* node 0, the root: ma_intern ids start at 0, so the first real node gets id 1 */
    t.cap = 64;
    t.parent = ma_calloc(t.cap, sizeof *t.parent);
    t.loc = ma_calloc(t.cap, sizeof *t.loc);
    t.added = ma_calloc(t.cap, sizeof *t.added);
    t.freed = ma_calloc(t.cap, sizeof *t.freed);
    t.nadd = ma_calloc(t.cap, sizeof *t.nadd);
    t.nfree = ma_calloc(t.cap, sizeof *t.nfree);
    t.n = 1;
    const df_table *tab = &r->tab[DF_SITE];
    const ma_intern *keys = &r->keys.names[DF_SITE];
    uint32_t locs[MAX_DEPTH];
    for (uint32_t k = 0; k < tab->nkeys && k < keys->n; k++) {
        uint64_t add = 0, fr = 0, nadd = 0, nfr = 0;
        for (uint32_t i = 0; i < r->nint; i++) {
            const int64_t *c = df_chg(tab, k, i);
            add += (uint64_t)c[DF_C_NEW_BYTES];
            fr += (uint64_t)c[DF_C_FREED_BYTES];
            nadd += (uint64_t)c[DF_C_NEW];
            nfr += (uint64_t)c[DF_C_FREED];
            if (c[DF_C_RESIZED] > 0) add += (uint64_t)c[DF_C_RESIZED];
            else fr += (uint64_t)-c[DF_C_RESIZED];
        }
        if (!add && !fr) continue;
        uint32_t n = parse_key(keys->str[k], keys->len[k], strs, locs, MAX_DEPTH), cur = 0;
        t.added[0] += add;
        t.freed[0] += fr;
        t.nadd[0] += nadd;
        t.nfree[0] += nfr;
        for (uint32_t i = n; i-- > 0;) {
            cur = node(&t, cur, locs[i]);
            t.added[cur] += add;
            t.freed[cur] += fr;
            t.nadd[cur] += nadd;
            t.nfree[cur] += nfr;
        }
    }
    /* children lists, heaviest first */
    t.w = ma_malloc(t.n, sizeof *t.w);
    for (uint32_t v = 0; v < t.n; v++) t.w[v] = t.added[v] + t.freed[v];
    uint32_t *off = ma_calloc((size_t)t.n + 1, sizeof *off), *child = ma_malloc(t.n, sizeof *child);
    for (uint32_t v = 1; v < t.n; v++) off[t.parent[v] + 1]++;
    for (uint32_t v = 0; v < t.n; v++) off[v + 1] += off[v];
    uint32_t *pos = ma_malloc((size_t)t.n + 1, sizeof *pos);
    memcpy(pos, off, ((size_t)t.n + 1) * sizeof *pos);
    for (uint32_t v = 1; v < t.n; v++) child[pos[t.parent[v]]++] = v;
    free(pos);
    sort_t = &t;
    for (uint32_t v = 0; v < t.n; v++) qsort(child + off[v], off[v + 1] - off[v], sizeof *child, cmp_w);

    hx_ftree ft = {t.n, t.parent, off, child, t.w};
    hx_fsel s;
    hx_fsel_build(&s, &ft, HX_FLAME_NODES);
    int64_t *name = ma_malloc(s.n ? s.n : 1, sizeof *name);
    for (uint32_t i = 0; i < s.n; i++) {
        uint32_t v = s.node[i];
        if (v == UINT32_MAX) name[i] = -1 - (int64_t)hx_fsel_more(&s, i, strs);   /* negative: a folded frame */
        else name[i] = v ? t.loc[v] : hx_s(strs, "all changes");
    }
    const hx_fcol cols[] = {{"name", NULL, name}, {"added", t.added, NULL}, {"freed", t.freed, NULL},
                            {"new", t.nadd, NULL}, {"gone", t.nfree, NULL}};
    hx_flame_write(j, &ft, &s, cols, 5);
    free(name);
    snprintf(note, notelen, "%u growth frames", s.n);
    hx_fsel_free(&s);
    free(off);
    free(child);
    free(t.parent);
    free(t.loc);
    free(t.added);
    free(t.freed);
    free(t.nadd);
    free(t.nfree);
    free(t.w);
    ma_intern_free(&t.edges);
}
