/* html_flame.c — the allocation flame graph of memanalyze's report.
 *
 * The data is ma_stree's (ma_stacktree.h): every live object's bytes counted along its allocation
 * stack, outermost frame first, frames merged by their displayed location — Python and native
 * frames alike, in the order the stack recorded them, so a Python call that ends in a C extension
 * shows both. The tree is cut to the budget by hx_fsel_build (html_flametree.c).
 *
 * Each frame that is exactly an allocation site (the innermost location of a site in the sites
 * table) links to that row, so the page can show the largest object allocated there and its
 * why-alive path. The link is found by walking each site's locations down the tree through a
 * hash of (parent frame, location text).
 */
#include "html_internal.h"
#include "ma_mem.h"
#include "ma_names.h"
#include "ma_stacktree.h"

#include <stdlib.h>
#include <string.h>

/* tree node → row of the sites table (UINT32_MAX: none) */
static uint32_t *site_links(hx_an *x, ma_stree *t)
{
    ma_ctx *c = x->c;
    uint32_t *link = ma_malloc(t->n ? t->n : 1, sizeof *link);
    memset(link, 0xff, (size_t)(t->n ? t->n : 1) * sizeof *link);
    if (!x->site_row) return link;
    ma_intern edges;            /* (parent, loc) → tree node - 1, as ma_stree builds it */
    ma_intern_init(&edges);
    uint32_t *node_of = ma_malloc(t->n ? t->n : 1, sizeof *node_of);
    for (uint32_t v = 1; v < t->n; v++) {
        uint32_t key[2] = {t->parent[v], t->loc[v]};
        node_of[ma_intern_add(&edges, (const char *)key, sizeof key)] = v;
    }
    const ma_sitemap *sm = c->sites;
    char buf[1024];
    for (uint32_t g = 0; g < sm->ngroups; g++) {
        if (x->site_row[g] == UINT32_MAX) continue;
        uint32_t n, cur = 0, ok = 1;
        const ma_loc *l = sm->rep[g] ? ma_stack_locs(c->nm, sm->rep[g], &n) : NULL;
        if (!l) n = 0;
        const char *none = "(no stack recorded)";
        for (uint32_t i = n ? n : 1; i-- > 0 && ok;) {
            const char *text = n ? ma_loc_text(&l[i], buf, sizeof buf) : none;
            uint32_t before = t->locs.n;
            uint32_t loc = ma_intern_cstr(&t->locs, text);
            if (loc >= before) { ok = 0; break; }      /* not in the tree (cannot happen) */
            uint32_t key[2] = {cur, loc};
            uint32_t eb = edges.n, e = ma_intern_add(&edges, (const char *)key, sizeof key);
            if (e >= eb) { ok = 0; break; }
            cur = node_of[e];
        }
        if (ok && cur) link[cur] = x->site_row[g];
    }
    free(node_of);
    ma_intern_free(&edges);
    return link;
}

void hx_flame_json(hx_an *x, hx_json *j)
{
    ma_ctx *c = x->c;
    ma_stree t;
    ma_stree_build(&t, c->a, c->nm);
    uint32_t *link = site_links(x, &t);
    hx_ftree ft = {t.n, t.parent, t.child_off, t.child, t.bytes};
    hx_fsel s;
    hx_fsel_build(&s, &ft, HX_FLAME_NODES);
    int64_t *name = ma_malloc(s.n ? s.n : 1, sizeof *name), *site = ma_malloc(s.n ? s.n : 1, sizeof *site);
    for (uint32_t i = 0; i < s.n; i++) {
        uint32_t v = s.node[i];
        if (v == UINT32_MAX) {
            name[i] = hx_fsel_more(&s, i, &x->strs);
            site[i] = -2;       /* folded */
        } else {
            name[i] = hx_s(&x->strs, v ? t.locs.str[t.loc[v]] : "all");
            site[i] = link[v] == UINT32_MAX ? -1 : (int64_t)link[v];
        }
    }
    const hx_fcol cols[] = {{"name", NULL, name}, {"bytes", t.bytes, NULL}, {"count", t.count, NULL}, {"site", NULL, site}};
    hx_flame_write(j, &ft, &s, cols, 4);
    free(name);
    free(site);
    size_t len = strlen(x->note);
    snprintf(x->note + len, sizeof x->note - len, ", %u frames", s.n);
    hx_fsel_free(&s);
    free(link);
    ma_stree_free(&t);
}
