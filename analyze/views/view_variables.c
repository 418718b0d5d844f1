/* view_variables.c — Python variables: every live frame's local variables and every module's
 * globals, with the memory each one retains. This is the answer to "which variable holds the
 * memory" that a function-level profiler cannot give.
 *
 * Where the data comes from (dump/python/py_frames.c writes it):
 *   - each PY_THREAD root is a synthetic thread node whose edges (labeled with the frame's depth,
 *     0 = innermost) lead to synthetic frame nodes; a frame node's STACK is its own location
 *     followed by its callers, and its edges labeled "locals:NAME" or "[closure] NAME" are its
 *     variables;
 *   - a frame run by a generator or coroutine is part of that object: its node has no variables,
 *     and the object whose memory contains the frame's address has them;
 *   - each asyncio task (TASK records) suspends a chain of coroutines: the task's coroutine, the
 *     one it awaits ("[awaiting]" edge), and so on; their variables are listed with the task as
 *     their "thread" ("task 'NAME'") and the TASK record's stack as their locations;
 *   - each PY_MODULE root ("module:NAME") leads to the module object, whose "__dict__" edge leads
 *     to the globals, labeled with their names. Globals that are program structure rather than
 *     data are left out: dunder names (__builtins__, __spec__), imported modules, classes (a
 *     node with a "__mro__" edge), functions and descriptors. Locals are always shown.
 * Frames of the `memdump` module itself (memdump.snapshot() and friends) are left out.
 *
 * Text: two tables, locals then module globals, each largest first.
 * JSON: "variables": [{thread, function, file, line, module, name, type, bytes, retained}],
 * largest retained first; thread/function/file/line are null for a module global, module is null
 * for a local.
 */
#include "view.h"
#include "ma_dump.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

typedef struct pyvar {
    ma_id target;
    const char *thread;     /* root label, NULL for a global */
    const char *function, *file;
    uint32_t line;
    const char *module;     /* NULL for a local */
    const char *name;       /* into the string table (after its prefix) */
} pyvar;

typedef struct varlist {
    pyvar *v;
    uint64_t n, cap;
    ma_strlist names;       /* "task 'NAME'" strings the entries point to */
} varlist;

static void add(varlist *l, pyvar x)
{
    ma_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = x;
}

static const char *label_str(const ma_dump *d, uint64_t e)
{
    const int32_t *lab = d->g.out_label;
    return lab && lab[e] > 0 ? ma_str(d, (uint32_t)lab[e]) : NULL;
}

/* The name of a variable from an edge label, or NULL if the edge is not a variable. */
static const char *var_name(const char *label)
{
    if (!label) return NULL;
    if (!strncmp(label, "locals:", 7)) return label + 7;
    if (!strncmp(label, "[closure] ", 10)) return label + 10;
    return NULL;
}

/* The node whose memory contains addr (a generator holding its frame), or MA_NONE. */
static ma_id containing(const ma_graph *g, uint64_t addr, ma_id self)
{
    uint64_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (g->addr[mid] <= addr) lo = mid + 1;
        else hi = mid;
    }
    for (uint64_t k = lo; k-- > 0 && lo - k <= 2;) {
        if ((ma_id)k == self || (g->flags[k] & MD_NODE_SYNTHETIC)) continue;
        if (addr < g->addr[k] + g->size[k]) return (ma_id)k;
    }
    return MA_NONE;
}

static int is_memdump_module(const char *file)
{
    size_t n = file ? strlen(file) : 0;
    return n >= 20 && !strcmp(file + n - 20, "/memdump/__init__.py");
}

static void frame_vars(ma_ctx *c, varlist *l, const char *thread, ma_id f)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    uint32_t depth;
    const uint32_t *fr = ma_stack_frames(d, g->stack[f], &depth);
    const ma_frame *loc = depth ? &d->frames[fr[0]] : NULL;
    const char *file = loc ? ma_str(d, loc->file) : NULL;
    if (is_memdump_module(file)) return;
    pyvar x = {.thread = thread, .function = loc ? ma_str(d, loc->function) : NULL,
               .file = file, .line = loc ? loc->line : 0};
    ma_id holder = f;
    int found = 0;
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (uint64_t e = g->out_off[holder]; e < g->out_off[holder + 1]; e++) {
            const char *name = var_name(label_str(d, e));
            if (!name) continue;
            x.target = g->out[e];
            x.name = name;
            add(l, x);
            found = 1;
        }
        if (!found) {       /* a generator's frame: its variables belong to the generator */
            holder = containing(g, g->addr[f], f);
            if (holder == MA_NONE) break;
        }
    }
}

/* Is global v program structure (a module, class, function) rather than data? */
static int structural(ma_ctx *c, ma_id v)
{
    static const char *const kinds[] = {"module", "function", "builtin_function_or_method",
        "method_descriptor", "wrapper_descriptor", "getset_descriptor", "member_descriptor",
        "classmethod", "staticmethod", "property", "cell", NULL};
    const char *t = ma_node_type(c->nm, v);
    for (int i = 0; kinds[i]; i++)
        if (!strcmp(t, kinds[i])) return 1;
    const ma_graph *g = &c->d->g;
    for (uint64_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
        const char *lab = label_str(c->d, e);
        if (lab && !strcmp(lab, "__mro__")) return 1;
    }
    return 0;
}

/* The variables of suspended coroutines, task by task. */
static void task_vars(ma_ctx *c, varlist *l)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    for (uint64_t k = 0; k < d->ntasks; k++) {
        const ma_task *t = &d->tasks[k];
        uint32_t depth;
        const uint32_t *fr = ma_stack_frames(d, t->stack, &depth);
        char *thread = ma_sprintf("task '%s'", ma_str(d, t->name));
        int used = 0;
        ma_id v = t->coro_node;
        for (uint32_t i = 0; v != MA_NONE && i < 64; i++) {
            const ma_frame *loc = i < depth ? &d->frames[fr[depth - 1 - i]] : NULL;
            pyvar x = {.thread = thread, .function = loc ? ma_str(d, loc->function) : NULL,
                       .file = loc ? ma_str(d, loc->file) : NULL, .line = loc ? loc->line : 0};
            ma_id next = MA_NONE;
            for (uint64_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
                const char *lab = label_str(d, e);
                const char *name = var_name(lab);
                if (name) {
                    x.target = g->out[e];
                    x.name = name;
                    add(l, x);
                    used = 1;
                } else if (lab && !strcmp(lab, "[awaiting]")) {
                    next = g->out[e];
                }
            }
            v = next;
        }
        if (used) ma_strlist_add(&l->names, thread);
        else free(thread);
    }
}

static void collect(ma_ctx *c, varlist *l)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    task_vars(c, l);
    for (uint64_t r = 0; r < d->nroots; r++) {
        const ma_root *rt = &d->roots[r];
        ma_id t = rt->node;
        if (t == MA_NONE) continue;
        if (rt->kind == MD_ROOT_PY_THREAD) {
            const char *thread = ma_str(d, rt->label);
            for (uint64_t e = g->out_off[t]; e < g->out_off[t + 1]; e++) {
                ma_id f = g->out[e];
                if ((g->flags[f] & MD_NODE_SYNTHETIC) && g->out_label && MD_LABEL_IS_INDEX(g->out_label[e]))
                    frame_vars(c, l, thread, f);
            }
        } else if (rt->kind == MD_ROOT_PY_MODULE) {
            const char *mod = ma_str(d, rt->label);
            if (!strncmp(mod, "module:", 7)) mod += 7;
            ma_id dict = MA_NONE;
            for (uint64_t e = g->out_off[t]; e < g->out_off[t + 1]; e++) {
                const char *lab = label_str(d, e);
                if (lab && !strcmp(lab, "__dict__")) dict = g->out[e];
            }
            if (dict == MA_NONE) continue;
            for (uint64_t e = g->out_off[dict]; e < g->out_off[dict + 1]; e++) {
                const char *name = label_str(d, e);
                if (!name || name[0] == '[' || (name[0] == '_' && name[1] == '_') || structural(c, g->out[e]))
                    continue;
                add(l, (pyvar){.target = g->out[e], .module = mod, .name = name});
            }
        }
    }
}

static const uint64_t *sort_retained;
static int by_retained(const void *x, const void *y)
{
    uint64_t a = sort_retained[((const pyvar *)x)->target], b = sort_retained[((const pyvar *)y)->target];
    return a < b ? 1 : a > b ? -1 : 0;
}

static void compute(ma_ctx *c, varlist *l)
{
    memset(l, 0, sizeof *l);
    collect(c, l);
    sort_retained = c->a->retained;
    if (l->n) qsort(l->v, l->n, sizeof *l->v, by_retained);
}

static const char *base_name(const char *path)
{
    const char *b = path ? strrchr(path, '/') : NULL;
    return b ? b + 1 : path ? path : "?";
}

/* Text: locals first (what the running code holds), then globals; each largest first. */
static void table(ma_ctx *c, const varlist *l, int globals)
{
    uint64_t total = 0, rows;
    for (uint64_t i = 0; i < l->n; i++) total += (l->v[i].module != NULL) == globals;
    if (!total) return;
    rows = ma_rows(c, total);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], note[96];
    snprintf(note, sizeof note, "%llu of %llu, by retained size", (unsigned long long)rows, (unsigned long long)total);
    ma_section(c, globals ? "Python module globals" : "Python local variables", note);
    ma_table t;
    if (globals) ma_table_init(&t, "RIGHT:retained", "RIGHT:self", "variable", "type", "module", NULL);
    else ma_table_init(&t, "RIGHT:retained", "RIGHT:self", "variable", "type", "function", "line", "thread", NULL);
    for (uint64_t i = 0, shown = 0; i < l->n && shown < rows; i++) {
        const pyvar *x = &l->v[i];
        if ((x->module != NULL) != globals) continue;
        shown++;
        const char *r = ma_bytes(c->a->retained[x->target], b1), *sz = ma_bytes(c->d->g.size[x->target], b2);
        if (globals) {
            ma_table_row(&t, r, sz, x->name, ma_node_type(c->nm, x->target), x->module, NULL);
        } else {
            char *where = x->line ? ma_sprintf("%s:%u", base_name(x->file), x->line) : ma_strdup(base_name(x->file));
            ma_table_row(&t, r, sz, x->name, ma_node_type(c->nm, x->target), x->function ? x->function : "?",
                         where, x->thread ? x->thread : "", NULL);
            free(where);
        }
    }
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
}

static void text(ma_ctx *c)
{
    varlist l;
    compute(c, &l);
    table(c, &l, 0);
    table(c, &l, 1);
    free(l.v);
    ma_strlist_free(&l.names);
}

static void json(ma_ctx *c)
{
    varlist l;
    compute(c, &l);
    ma_json *j = c->j;
    ma_json_arr(j, "variables");
    uint64_t rows = ma_rows(c, l.n);
    for (uint64_t i = 0; i < rows; i++) {
        const pyvar *x = &l.v[i];
        ma_json_obj(j, NULL);
        ma_json_str(j, "thread", x->thread);
        ma_json_str(j, "function", x->module ? NULL : x->function);
        ma_json_str(j, "file", x->module ? NULL : x->file);
        if (x->module || !x->line) ma_json_null(j, "line");
        else ma_json_u64(j, "line", x->line);
        ma_json_str(j, "module", x->module);
        ma_json_str(j, "name", x->name);
        ma_json_str(j, "type", ma_node_type(c->nm, x->target));
        ma_json_u64(j, "bytes", c->d->g.size[x->target]);
        ma_json_u64(j, "retained", c->a->retained[x->target]);
        ma_json_end(j);
    }
    ma_json_end(j);
    free(l.v);
    ma_strlist_free(&l.names);
}

const ma_view ma_view_variables = {"variables", text, json};
