/* view_by.c — memory grouped by one key (--by): type, site (whole allocation stack), function,
 * file, line or module of the allocation site, or root.
 *
 * "root" partitions reachable memory by where each object's shortest path starts: the root's
 * name, extended through the synthetic nodes that follow it (a thread's frames and the local
 * variable: "thread 1 (main) → main (app.py:9) → locals:data"), so module globals, thread
 * locals and task-held objects each get their own row. Unreachable objects form one row.
 */
#include "view.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "ma_paths.h"
#include "ma_sitename.h"
#include "ma_table.h"
#include "ma_units.h"
#include "md_format.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { BY_TYPE, BY_SITE, BY_FUNCTION, BY_FILE, BY_LINE, BY_MODULE, BY_ROOT };
static const char *const by_names[] = {"type", "site", "function", "file", "line", "module", "root", NULL};

typedef struct bykey {
    ma_ctx *c;
    int kind;
    ma_intern names;
    uint32_t *map;          /* type or stack id → group */
    uint32_t *node_key;     /* BY_ROOT: node → group */
    uint32_t none;          /* group of nodes without the attribute */
    char **site_label;      /* BY_SITE: group → text (two sites may print alike) */
    uint32_t ngroups;
} bykey;

static const char *label(const bykey *k, uint32_t x)
{
    return k->site_label ? k->site_label[x] : k->names.str[x];
}

static uint32_t key(void *ctx, ma_id v)
{
    bykey *k = ctx;
    const ma_graph *g = &k->c->d->g;
    switch (k->kind) {
    case BY_TYPE: return g->type[v] ? k->map[g->type[v]] : k->none;
    case BY_ROOT: return k->node_key[v];
    default: return k->map[g->stack[v]];
    }
}

static uint32_t stack_key(bykey *k, uint32_t st)
{
    if (k->kind == BY_SITE) return k->c->sites->group[st];
    const ma_loc *l = ma_stack_site(k->c->nm, st);
    if (!l) return k->none;
    char buf[1200];
    switch (k->kind) {
    case BY_FUNCTION: snprintf(buf, sizeof buf, "%s", l->function); break;
    case BY_FILE: snprintf(buf, sizeof buf, "%s", l->file ? l->file : "(unknown file)"); break;
    case BY_LINE:
        if (l->file) snprintf(buf, sizeof buf, "%s:%" PRIu32, l->file, l->line);
        else snprintf(buf, sizeof buf, "%s", l->function);
        break;
    default: snprintf(buf, sizeof buf, "%s", l->module ? l->module : l->file ? l->file : "(unknown module)"); break;
    }
    return ma_intern_cstr(&k->names, buf);
}

static int parse(const char *s)
{
    for (int i = 0; by_names[i]; i++)
        if (!strcmp(s, by_names[i])) return i;
    return -1;
}

static int compute(ma_ctx *c, bykey *k, ma_groups *gr)
{
    memset(k, 0, sizeof *k);
    k->c = c;
    k->kind = parse(c->o->by ? c->o->by : "type");
    if (k->kind < 0) return -1;
    const ma_dump *d = c->d;
    ma_intern_init(&k->names);
    if (k->kind == BY_TYPE) {
        k->map = ma_calloc((size_t)d->ntypes + 1, sizeof *k->map);
        for (uint32_t t = 1; t <= d->ntypes; t++) k->map[t] = ma_intern_cstr(&k->names, ma_type_name(c->nm, t));
        k->none = ma_intern_cstr(&k->names, "(unknown type)");
    } else if (k->kind == BY_ROOT) {
        k->node_key = ma_root_keys(c, &k->names, 0);
    } else {
        const ma_sitemap *sm = ma_ctx_sites(c);
        k->map = ma_calloc((size_t)d->nstacks + 1, sizeof *k->map);
        if (k->kind == BY_SITE) {
            k->site_label = ma_calloc(sm->ngroups + 1, sizeof *k->site_label);
            for (uint32_t i = 0; i < sm->ngroups; i++) k->site_label[i] = ma_site_text(c->nm, sm->rep[i], -1);
        } else {
            k->none = ma_intern_cstr(&k->names, "(no stack recorded)");
        }
        k->map[0] = k->kind == BY_SITE ? 0 : k->none;
        for (uint32_t st = 1; st <= d->nstacks; st++) k->map[st] = stack_key(k, st);
    }
    k->ngroups = k->site_label ? c->sites->ngroups : k->names.n;
    ma_groups_compute(gr, c->a, k->ngroups, key, k);
    ma_groups_sort(gr, 0);
    return 0;
}

static void done(bykey *k, ma_groups *gr)
{
    ma_groups_free(gr);
    ma_intern_free(&k->names);
    free(k->map);
    free(k->node_key);
    if (k->site_label)
        for (uint32_t i = 0; i < k->ngroups; i++) free(k->site_label[i]);
    free(k->site_label);
}

static void text(ma_ctx *c)
{
    bykey k;
    ma_groups gr;
    if (compute(c, &k, &gr) < 0) return;
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF], note[64], title[64];
    uint64_t rows = ma_rows(c, gr.norder);
    snprintf(title, sizeof title, "Memory by %s", by_names[k.kind]);
    snprintf(note, sizeof note, "%llu of %u, by bytes", (unsigned long long)rows, gr.norder);
    ma_section(c, title, note);
    ma_table t;
    ma_table_init(&t, "RIGHT:count", "RIGHT:bytes", "RIGHT:%", "RIGHT:retained", by_names[k.kind], NULL);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gr.order[i];
        ma_table_row(&t, ma_count(gr.count[x], b1), ma_bytes(gr.bytes[x], b2), ma_percent(gr.bytes[x], c->a->bytes, b3),
                     ma_bytes(gr.retained[x], b4), label(&k, x), NULL);
    }
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
    done(&k, &gr);
}

static void json(ma_ctx *c)
{
    bykey k;
    ma_groups gr;
    if (compute(c, &k, &gr) < 0) return;
    ma_json *j = c->j;
    ma_json_obj(j, "by");
    ma_json_str(j, "key", by_names[k.kind]);
    ma_json_arr(j, "groups");
    uint64_t rows = ma_rows(c, gr.norder);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gr.order[i];
        ma_json_obj(j, NULL);
        ma_json_str(j, "key", label(&k, x));
        ma_json_u64(j, "count", gr.count[x]);
        ma_json_u64(j, "bytes", gr.bytes[x]);
        ma_json_u64(j, "retained", gr.retained[x]);
        ma_json_end(j);
    }
    ma_json_end(j);
    ma_json_end(j);
    done(&k, &gr);
}

int ma_by_valid(const char *s) { return parse(s) >= 0; }

const ma_view ma_view_by = {"by", text, json};
