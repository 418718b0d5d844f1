/* view_leaks.c — memory no root can reach.
 *
 * Native blocks that are unreachable are leaks: nothing in the program can free them any more.
 * They are grouped by allocation stack (merged sites); in each group, "unreferenced" counts the
 * blocks that no other block points to, not even another leaked one: those are the likely
 * origins (the rest is leaked because an origin was). Unreachable Python objects are not leaks
 * but cyclic garbage the collector has not freed yet; they are listed by type.
 */
#include "view.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"
#include "md_format.h"

#include <stdlib.h>

static uint32_t leak_key(void *ctx, ma_id v)
{
    ma_ctx *c = ctx;
    uint16_t f = c->d->g.flags[v];
    if (!(f & MA_F_UNREACHABLE) || (f & MD_NODE_PYOBJ)) return MA_NONE;
    return c->sites->group[c->d->g.stack[v]];
}

typedef struct gkey {
    ma_ctx *c;
    ma_intern names;
    uint32_t *map;
} gkey;

static uint32_t garbage_key(void *ctx, ma_id v)
{
    gkey *k = ctx;
    uint16_t f = k->c->d->g.flags[v];
    if (!(f & MA_F_UNREACHABLE) || !(f & MD_NODE_PYOBJ)) return MA_NONE;
    uint32_t t = k->c->d->g.type[v];
    if (!k->map[t]) k->map[t] = 1 + ma_intern_cstr(&k->names, t ? ma_type_name(k->c->nm, t) : "(unknown type)");
    return k->map[t] - 1;
}

static void compute(ma_ctx *c, ma_groups *leaks, ma_groups *garbage, gkey *k)
{
    const ma_sitemap *sm = ma_ctx_sites(c);
    ma_groups_compute(leaks, c->a, sm->ngroups, leak_key, c);
    ma_groups_sort(leaks, 0);
    k->c = c;
    ma_intern_init(&k->names);
    k->map = ma_calloc((size_t)c->d->ntypes + 1, sizeof *k->map);
    /* the number of groups is not known before the pass: bound it by the type count */
    ma_groups_compute(garbage, c->a, c->d->ntypes + 1, garbage_key, k);
    ma_groups_sort(garbage, 0);
}

static void done(ma_groups *leaks, ma_groups *garbage, gkey *k)
{
    ma_groups_free(leaks);
    ma_groups_free(garbage);
    ma_intern_free(&k->names);
    free(k->map);
}

static void text(ma_ctx *c)
{
    ma_groups lg, gg;
    gkey k;
    compute(c, &lg, &gg, &k);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF];
    uint64_t cnt = 0, bytes = 0, unref = 0;
    for (uint32_t i = 0; i < lg.norder; i++) {
        uint32_t x = lg.order[i];
        cnt += lg.count[x];
        bytes += lg.bytes[x];
        unref += lg.unref[x];
    }
    int native = 0;
    for (uint64_t v = 0; v < c->d->g.n && !native; v++)
        native = (c->d->g.flags[v] & (MD_NODE_NATIVE | MD_NODE_SYNTHETIC)) == MD_NODE_NATIVE;
    char *note = ma_sprintf("%s unreachable native blocks, %s; %s unreferenced: the likely origins",
                            ma_count(cnt, b1), ma_bytes(bytes, b2), ma_count(unref, b3));
    if (native || lg.norder) ma_section(c, "Leaks", note);   /* a pure Python dump has no native section */
    free(note);
    if (!native && !lg.norder) {
        /* nothing native to speak of */
    } else if (!lg.norder) {
        fprintf(c->out, "  none: every native block is reachable from a root\n");
    } else {
        ma_table t;
        ma_table_init(&t, "RIGHT:count", "RIGHT:bytes", "RIGHT:unreferenced", "RIGHT:retained", "site ← callers", NULL);
        uint64_t rows = ma_rows(c, lg.norder);
        for (uint64_t i = 0; i < rows; i++) {
            uint32_t x = lg.order[i];
            uint32_t st = c->sites->rep[x], n;
            const ma_loc *l = ma_stack_locs(c->nm, st, &n);
            char buf[1024];
            char *s = n ? ma_strdup(ma_loc_text(&l[0], buf, sizeof buf)) : ma_strdup("(no stack recorded)");
            for (uint32_t f = 1; f < n && f <= 2; f++) {
                char *u = ma_sprintf("%s ← %s", s, l[f].function);
                free(s);
                s = u;
            }
            ma_table_row(&t, ma_count(lg.count[x], b1), ma_bytes(lg.bytes[x], b2), ma_count(lg.unref[x], b3),
                         ma_bytes(lg.retained[x], b4), s, NULL);
            free(s);
        }
        ma_table_print(&t, c->out, "  ");
        ma_table_free(&t);
    }
    if (gg.norder) {
        ma_section(c, "Unreachable Python objects", "cyclic garbage the collector has not freed yet");
        ma_table t;
        ma_table_init(&t, "RIGHT:count", "RIGHT:bytes", "type", NULL);
        uint64_t rows = ma_rows(c, gg.norder);
        for (uint64_t i = 0; i < rows; i++) {
            uint32_t x = gg.order[i];
            ma_table_row(&t, ma_count(gg.count[x], b1), ma_bytes(gg.bytes[x], b2), k.names.str[x], NULL);
        }
        ma_table_print(&t, c->out, "  ");
        ma_table_free(&t);
    }
    done(&lg, &gg, &k);
}

static void json(ma_ctx *c)
{
    ma_groups lg, gg;
    gkey k;
    compute(c, &lg, &gg, &k);
    ma_json *j = c->j;
    ma_json_arr(j, "leaks");
    uint64_t rows = ma_rows(c, lg.norder);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = lg.order[i];
        uint32_t st = c->sites->rep[x];
        const ma_loc *l = ma_stack_site(c->nm, st);
        ma_json_obj(j, NULL);
        ma_json_str(j, "function", l ? l->function : NULL);
        ma_json_str(j, "file", l ? l->file : NULL);
        ma_json_u64(j, "line", l ? l->line : 0);
        ma_json_u64(j, "count", lg.count[x]);
        ma_json_u64(j, "bytes", lg.bytes[x]);
        ma_json_u64(j, "unreferenced", lg.unref[x]);
        ma_json_u64(j, "unreferenced_bytes", lg.unref_bytes[x]);
        ma_json_stack(c, "stack", st);
        ma_json_end(j);
    }
    ma_json_end(j);
    ma_json_arr(j, "garbage");
    rows = ma_rows(c, gg.norder);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gg.order[i];
        ma_json_obj(j, NULL);
        ma_json_str(j, "type", k.names.str[x]);
        ma_json_u64(j, "count", gg.count[x]);
        ma_json_u64(j, "bytes", gg.bytes[x]);
        ma_json_end(j);
    }
    ma_json_end(j);
    done(&lg, &gg, &k);
}

const ma_view ma_view_leaks = {"leaks", text, json};
