/* html_tables.c — the tables of memanalyze's report: types, allocation sites, leaks, unreachable
 * Python objects, top dominators, asyncio tasks, and any extra view the analysis offers.
 *
 * Each table is the grouping the matching text/JSON view computes (ma_groups_compute with the same
 * key: type name, merged allocation site, leaked native block by site, garbage by type; the same
 * top-dominator selection), so the report and `memanalyze --json` agree number for number; the
 * report adds, per row, the group's largest member (by retained size) with its why-alive path.
 * Rows are cut at HX_ROWS (HX_DOMINATORS for dominators); each table records how many groups
 * there were ("total"), so the page can say what it leaves out.
 *
 * Data layout: a table is an object of columns ("bytes": [...], "name": [...string ids], "path":
 * [...path steps, -1 = none]). The Python views of memanalyze ("variables", "tasks", "c_held"),
 * when the build has them, are embedded under "views" exactly as --json prints them (a list of
 * objects each), and the page shows them as generic tables.
 */
#include "html_internal.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_group.h"
#include "ma_mem.h"
#include "ma_names.h"
#include "ma_sitename.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

#define STACK_MAX 64            /* locations kept per stack */

/* ---- keys (as in view_types.c, view_sites.c, view_leaks.c) ------------------------------------ */

typedef struct tkey {
    const ma_graph *g;
    uint32_t *map;              /* type id → group */
    uint32_t native, unknown;
    int garbage_only;           /* only unreachable Python objects (view_leaks.c's "garbage") */
} tkey;

static uint32_t type_key(void *ctx, ma_id v)
{
    const tkey *k = ctx;
    if (k->garbage_only) {
        uint16_t f = k->g->flags[v];
        if (!(f & MA_F_UNREACHABLE) || !(f & MD_NODE_PYOBJ)) return MA_NONE;
    }
    uint32_t t = k->g->type[v];
    if (t) return k->map[t];
    return (k->g->flags[v] & MD_NODE_NATIVE) ? k->native : k->unknown;
}

static uint32_t site_key(void *ctx, ma_id v)
{
    ma_ctx *c = ctx;
    return c->sites->group[c->d->g.stack[v]];
}

static uint32_t leak_key(void *ctx, ma_id v)
{
    ma_ctx *c = ctx;
    uint16_t f = c->d->g.flags[v];
    if (!(f & MA_F_UNREACHABLE) || (f & MD_NODE_PYOBJ)) return MA_NONE;
    return c->sites->group[c->d->g.stack[v]];
}

/* ---- columns ------------------------------------------------------------------------------------ */

/* A column of per-group values, in the table's row order. */
static void gcol(hx_json *j, const char *key, const ma_groups *gr, uint64_t rows, const uint64_t *v)
{
    hx_arr(j, key);
    for (uint64_t i = 0; i < rows; i++) fprintf(j->f, i ? ",%llu" : "%llu", (unsigned long long)v[gr->order[i]]);
    hx_end(j);
}

/* Columns every grouped table has: count, bytes, retained, and the largest member. */
static void group_cols(hx_an *x, hx_json *j, const ma_groups *gr, uint64_t rows)
{
    gcol(j, "count", gr, rows, gr->count);
    gcol(j, "bytes", gr, rows, gr->bytes);
    gcol(j, "retained", gr, rows, gr->retained);
    int64_t *addr = ma_malloc(rows ? rows : 1, sizeof *addr), *path = ma_malloc(rows ? rows : 1, sizeof *path);
    for (uint64_t i = 0; i < rows; i++) {
        ma_id v = gr->top[gr->order[i]];
        addr[i] = v == MA_NONE ? 0 : (int64_t)x->c->d->g.addr[v];
        path[i] = v == MA_NONE ? -1 : (int64_t)hx_path(&x->paths, v);
    }
    hx_i64s(j, "addr", addr, rows);
    hx_i64s(j, "path", path, rows);
    free(addr);
    free(path);
}

/* Site columns: label ("site ← caller ← caller"), file and line of the site, the stack. */
static void site_cols(hx_an *x, hx_json *j, const ma_groups *gr, uint64_t rows)
{
    ma_ctx *c = x->c;
    int64_t *name = ma_malloc(rows ? rows : 1, sizeof *name), *file = ma_malloc(rows ? rows : 1, sizeof *file);
    int64_t *line = ma_malloc(rows ? rows : 1, sizeof *line);
    char buf[1024];
    hx_arr(j, "stack");
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t st = c->sites->rep[gr->order[i]], n;
        char *s = ma_site_text(c->nm, st, 2);
        name[i] = hx_s(&x->strs, s);
        free(s);
        const ma_loc *site = ma_stack_site(c->nm, st);
        file[i] = site && site->file ? (int64_t)hx_s(&x->strs, site->file) : -1;
        line[i] = site ? site->line : 0;
        const ma_loc *l = ma_stack_locs(c->nm, st, &n);
        uint32_t ids[STACK_MAX];
        if (n > STACK_MAX) n = STACK_MAX;
        for (uint32_t k = 0; k < n; k++) ids[k] = hx_s(&x->strs, ma_loc_text(&l[k], buf, sizeof buf));
        hx_u32s(j, NULL, ids, n);
    }
    hx_end(j);
    hx_i64s(j, "name", name, rows);
    hx_i64s(j, "file", file, rows);
    hx_i64s(j, "line", line, rows);
    free(name);
    free(file);
    free(line);
}

static uint64_t rows_of(const ma_groups *gr, uint64_t max)
{
    return gr->norder < max ? gr->norder : max;
}

/* ---- the tables ----------------------------------------------------------------------------------- */

static void types_table(hx_an *x, hx_json *j, const char *key, int garbage_only)
{
    ma_ctx *c = x->c;
    const ma_dump *d = c->d;
    ma_intern names;
    ma_intern_init(&names);
    tkey k = {.g = &d->g, .garbage_only = garbage_only};
    k.map = ma_calloc((size_t)d->ntypes + 1, sizeof *k.map);
    for (uint32_t t = 1; t <= d->ntypes; t++) k.map[t] = ma_intern_cstr(&names, ma_type_name(c->nm, t));
    k.native = ma_intern_cstr(&names, "(native block)");
    k.unknown = ma_intern_cstr(&names, "(unknown type)");
    ma_groups gr;
    ma_groups_compute(&gr, c->a, names.n, type_key, &k);
    ma_groups_sort(&gr, 0);
    uint64_t rows = rows_of(&gr, HX_ROWS);
    hx_obj(j, key);
    hx_u64(j, "total", gr.norder);
    hx_arr(j, "name");
    for (uint64_t i = 0; i < rows; i++) fprintf(j->f, i ? ",%u" : "%u", hx_s(&x->strs, names.str[gr.order[i]]));
    hx_end(j);
    group_cols(x, j, &gr, rows);
    hx_end(j);
    ma_groups_free(&gr);
    ma_intern_free(&names);
    free(k.map);
}

static void sites_table(hx_an *x, hx_json *j)
{
    ma_ctx *c = x->c;
    const ma_sitemap *sm = ma_ctx_sites(c);
    ma_groups gr;
    ma_groups_compute(&gr, c->a, sm->ngroups, site_key, c);
    ma_groups_sort(&gr, 0);
    uint64_t rows = rows_of(&gr, HX_ROWS);
    hx_obj(j, "sites");
    hx_u64(j, "total", gr.norder);
    hx_bool(j, "none", gr.norder == 0 || (gr.norder == 1 && gr.order[0] == 0));
    site_cols(x, j, &gr, rows);
    group_cols(x, j, &gr, rows);
    hx_end(j);
    /* the flame graph links its frames to these rows */
    x->site_row = ma_malloc((size_t)sm->ngroups + 1, sizeof *x->site_row);
    memset(x->site_row, 0xff, ((size_t)sm->ngroups + 1) * sizeof *x->site_row);
    for (uint64_t i = 0; i < rows; i++) x->site_row[gr.order[i]] = (uint32_t)i;
    ma_groups_free(&gr);
}

static void leaks_table(hx_an *x, hx_json *j)
{
    ma_ctx *c = x->c;
    const ma_sitemap *sm = ma_ctx_sites(c);
    ma_groups gr;
    ma_groups_compute(&gr, c->a, sm->ngroups, leak_key, c);
    ma_groups_sort(&gr, 0);
    uint64_t rows = rows_of(&gr, HX_ROWS), cnt = 0, bytes = 0, unref = 0;
    for (uint32_t i = 0; i < gr.norder; i++) {
        cnt += gr.count[gr.order[i]];
        bytes += gr.bytes[gr.order[i]];
        unref += gr.unref[gr.order[i]];
    }
    int native = 0;     /* does the dump have native blocks at all (else: no leaks section) */
    for (uint64_t v = 0; v < c->d->g.n && !native; v++)
        native = (c->d->g.flags[v] & (MD_NODE_NATIVE | MD_NODE_SYNTHETIC)) == MD_NODE_NATIVE;
    hx_obj(j, "leaks");
    hx_u64(j, "total", gr.norder);
    hx_bool(j, "native", native);
    hx_u64(j, "objects", cnt);
    hx_u64(j, "total_bytes", bytes);
    hx_u64(j, "unreferenced", unref);
    site_cols(x, j, &gr, rows);
    group_cols(x, j, &gr, rows);
    gcol(j, "unref", &gr, rows, gr.unref);
    gcol(j, "unref_bytes", &gr, rows, gr.unref_bytes);
    hx_end(j);
    ma_groups_free(&gr);
}

static int dom_accept(void *ctx, ma_id v)
{
    const ma_analysis *a = ctx;
    return !(a->d->g.flags[v] & (MA_F_UNREACHABLE | MD_NODE_SYNTHETIC)) && ma_is_top_level(a, v);
}

static void dominators_table(hx_an *x, hx_json *j)
{
    ma_ctx *c = x->c;
    ma_id *top = ma_malloc(HX_DOMINATORS, sizeof *top);
    uint64_t rows = ma_top_nodes(c->a, c->a->retained, dom_accept, c->a, top, HX_DOMINATORS), total = 0;
    for (uint64_t v = 0; v < c->d->g.n; v++) total += (uint64_t)dom_accept(c->a, (ma_id)v);
    int64_t *col[6];
    for (int k = 0; k < 6; k++) col[k] = ma_malloc(rows ? rows : 1, sizeof *col[k]);
    for (uint64_t i = 0; i < rows; i++) {
        ma_id v = top[i];
        char *w = ma_node_what(c, v), *l = ma_node_label(c, v);
        col[0][i] = hx_s(&x->strs, w);
        col[1][i] = hx_s(&x->strs, l);
        free(w);
        free(l);
        col[2][i] = (int64_t)c->d->g.size[v];
        col[3][i] = (int64_t)c->a->retained[v];
        col[4][i] = (int64_t)c->d->g.addr[v];
        col[5][i] = hx_path(&x->paths, v);
    }
    static const char *const keys[6] = {"name", "label", "bytes", "retained", "addr", "path"};
    hx_obj(j, "dominators");
    hx_u64(j, "total", total);
    for (int k = 0; k < 6; k++) {
        hx_i64s(j, keys[k], col[k], rows);
        free(col[k]);
    }
    hx_end(j);
    free(top);
}

static void tasks_table(hx_an *x, hx_json *j)
{
    ma_ctx *c = x->c;
    const ma_dump *d = c->d;
    uint64_t rows = d->ntasks < HX_ROWS ? d->ntasks : HX_ROWS;
    int64_t *col[6];
    for (int k = 0; k < 6; k++) col[k] = ma_malloc(rows ? rows : 1, sizeof *col[k]);
    for (uint64_t i = 0; i < rows; i++) {
        const ma_task *t = &d->tasks[i];
        col[0][i] = hx_s(&x->strs, ma_str(d, t->name));
        col[1][i] = t->task_node == MA_NONE ? 0 : (int64_t)c->a->retained[t->task_node];
        col[2][i] = t->coro_node == MA_NONE ? 0 : (int64_t)c->a->retained[t->coro_node];
        char *s = ma_site_text(c->nm, t->stack, 3);
        col[3][i] = hx_s(&x->strs, s);
        free(s);
        col[4][i] = (int64_t)t->task;
        col[5][i] = t->task_node == MA_NONE ? -1 : (int64_t)hx_path(&x->paths, t->task_node);
    }
    static const char *const keys[6] = {"name", "retained", "coro_retained", "where", "addr", "path"};
    hx_obj(j, "tasks");
    hx_u64(j, "total", d->ntasks);
    for (int k = 0; k < 6; k++) {
        hx_i64s(j, keys[k], col[k], rows);
        free(col[k]);
    }
    hx_end(j);
}

void hx_tables_json(hx_an *x, hx_json *j)
{
    types_table(x, j, "types", 0);
    sites_table(x, j);
    leaks_table(x, j);
    types_table(x, j, "garbage", 1);
    dominators_table(x, j);
    tasks_table(x, j);
    /* views other parts of memanalyze may add, embedded as --json prints them (HX_ROWS rows) */
    static const char *const extra[] = {"variables", "tasks", "c_held"};
    const ma_view *v[3];
    int n = 0;
    for (int i = 0; i < 3; i++)
        if ((v[n] = ma_view_find(extra[i]))) n++;
    ma_opts o = *x->c->o;
    const ma_opts *saved = x->c->o;
    o.top = HX_ROWS;
    x->c->o = &o;
    hx_views(j, "views", x->c, v, n);
    x->c->o = saved;
}
