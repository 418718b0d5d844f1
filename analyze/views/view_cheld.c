/* view_cheld.c — Python objects held from C: their reference count is higher than the number of
 * references the walker found to them (NODE flag C_HELD), so something outside the object graph
 * holds them — an extension module's static variable, a C structure, a reference leaked by C code
 * (Py_INCREF without its Py_DECREF), or an argument on the stack of a C call in progress. No
 * garbage-collector-based tool can see these: gc.get_referrers() finds nothing.
 *
 * The walker flags GC-tracked types only (references to strings and numbers are not all visible
 * to it, so their counts would be noise). An object held only from C has a C_HELD root of its
 * own, so what it keeps alive is attributed to it rather than reported as garbage.
 *
 * A class object is shown by its name ("class ctypes.CFuncPtr"): the walker writes a TYPE record
 * for every class it dumps, whose type_addr is the class object's address.
 *
 * JSON: "c_held": [{id, addr, type, bytes, retained, only_from_c, path}], largest retained
 * first; only_from_c is true when nothing in the graph reaches the object (it is alive only
 * because of the unexplained reference), path is its shortest path from a root.
 */
#include "view.h"
#include "ma_dump.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

typedef struct classes { uint64_t *addr; uint32_t *type; uint64_t n; } classes;

static int by_addr(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Type objects by address, from the TYPE records' type_addr. */
static void classes_init(const ma_dump *d, classes *cl)
{
    uint64_t (*pairs)[2] = ma_malloc(d->ntypes ? d->ntypes : 1, sizeof *pairs);
    cl->n = 0;
    for (uint32_t t = 1; t <= d->ntypes; t++)
        if (d->types[t].addr) {
            pairs[cl->n][0] = d->types[t].addr;
            pairs[cl->n++][1] = t;
        }
    qsort(pairs, cl->n, sizeof *pairs, by_addr);
    cl->addr = ma_malloc(cl->n ? cl->n : 1, sizeof *cl->addr);
    cl->type = ma_malloc(cl->n ? cl->n : 1, sizeof *cl->type);
    for (uint64_t i = 0; i < cl->n; i++) {
        cl->addr[i] = pairs[i][0];
        cl->type[i] = (uint32_t)pairs[i][1];
    }
    free(pairs);
}

/* "class NAME" when v is a class object the dump names, else what ma_node_what says. */
static char *what(ma_ctx *c, const classes *cl, ma_id v)
{
    uint64_t a = c->d->g.addr[v], lo = 0, hi = cl->n;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (cl->addr[mid] < a) lo = mid + 1;
        else hi = mid;
    }
    if (lo < cl->n && cl->addr[lo] == a)
        return ma_sprintf("class %s", ma_type_name(c->nm, cl->type[lo]));
    return ma_node_what(c, v);
}

static void classes_free(classes *cl)
{
    free(cl->addr);
    free(cl->type);
}

static const uint64_t *sort_retained;
static int by_retained(const void *x, const void *y)
{
    uint64_t a = sort_retained[*(const ma_id *)x], b = sort_retained[*(const ma_id *)y];
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Is v reachable only through a C_HELD root (no edge from another node reaches it)? */
static char *only_from_c(const ma_dump *d)
{
    char *only = ma_calloc(d->g.n ? d->g.n : 1, 1);
    for (uint64_t r = 0; r < d->nroots; r++)
        if (d->roots[r].kind == MD_ROOT_C_HELD && d->roots[r].node != MA_NONE) only[d->roots[r].node] = 1;
    return only;
}

static ma_id *compute(ma_ctx *c, uint64_t *n)
{
    const ma_graph *g = &c->d->g;
    ma_id *v = ma_malloc(g->n ? g->n : 1, sizeof *v);
    *n = 0;
    for (uint64_t i = 0; i < g->n; i++)
        if (g->flags[i] & MD_NODE_C_HELD) v[(*n)++] = (ma_id)i;
    sort_retained = c->a->retained;
    qsort(v, *n, sizeof *v, by_retained);
    return v;
}

static void text(ma_ctx *c)
{
    uint64_t n;
    ma_id *v = compute(c, &n);
    if (!n) { free(v); return; }
    char *only = only_from_c(c->d);
    classes cl;
    classes_init(c->d, &cl);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], note[96];
    uint64_t rows = ma_rows(c, n);
    snprintf(note, sizeof note, "%llu of %llu objects whose refcount the references found do not "
             "explain", (unsigned long long)rows, (unsigned long long)n);
    ma_section(c, "Held from C", note);
    ma_table t;
    ma_table_init(&t, "RIGHT:retained", "RIGHT:self", "type", "held by", NULL);
    for (uint64_t i = 0; i < rows; i++) {
        ma_id x = v[i];
        char *held;
        if (only[x]) {
            held = ma_strdup("C only (no reference from the object graph)");
        } else {
            uint32_t ne;
            char **el = ma_path_elements(c, x, &ne);
            char *path = ma_path_join(el, ne);
            held = ma_sprintf("C, and %s", path);
            free(path);
            ma_path_free(el, ne);
        }
        char *w = what(c, &cl, x);
        ma_table_row(&t, ma_bytes(c->a->retained[x], b1), ma_bytes(c->d->g.size[x], b2), w, held, NULL);
        free(w);
        free(held);
    }
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
    classes_free(&cl);
    free(only);
    free(v);
}

static void json(ma_ctx *c)
{
    uint64_t n;
    ma_id *v = compute(c, &n);
    char *only = only_from_c(c->d);
    classes cl;
    classes_init(c->d, &cl);
    ma_json *j = c->j;
    char hb[24];
    ma_json_arr(j, "c_held");
    uint64_t rows = ma_rows(c, n);
    for (uint64_t i = 0; i < rows; i++) {
        ma_id x = v[i];
        ma_json_obj(j, NULL);
        ma_json_u64(j, "id", c->d->g.addr[x]);
        ma_json_str(j, "addr", ma_hex(c->d->g.addr[x], hb));
        char *w = what(c, &cl, x);
        ma_json_str(j, "type", w);
        free(w);
        ma_json_u64(j, "bytes", c->d->g.size[x]);
        ma_json_u64(j, "retained", c->a->retained[x]);
        ma_json_bool(j, "only_from_c", only[x]);
        ma_json_path(c, "path", x);
        ma_json_end(j);
    }
    ma_json_end(j);
    classes_free(&cl);
    free(only);
    free(v);
}

const ma_view ma_view_cheld = {"c_held", text, json};
