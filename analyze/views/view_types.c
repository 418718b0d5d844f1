/* view_types.c — memory by type: count, bytes and retained size per type name (types with the
 * same displayed name are one row). Sorted by bytes. */
#include "view.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"
#include "md_format.h"

#include <stdlib.h>

typedef struct tkey {
    const ma_graph *g;
    uint32_t *map;          /* type id → group */
    uint32_t native, unknown;
} tkey;

static uint32_t key(void *ctx, ma_id v)
{
    const tkey *k = ctx;
    uint32_t t = k->g->type[v];
    if (t) return k->map[t];
    return (k->g->flags[v] & MD_NODE_NATIVE) ? k->native : k->unknown;
}

static void compute(ma_ctx *c, ma_groups *gr, ma_intern *names)
{
    const ma_dump *d = c->d;
    tkey k = {.g = &d->g};
    ma_intern_init(names);
    k.map = ma_calloc((size_t)d->ntypes + 1, sizeof *k.map);
    for (uint32_t t = 1; t <= d->ntypes; t++) k.map[t] = ma_intern_cstr(names, ma_type_name(c->nm, t));
    k.native = ma_intern_cstr(names, "(native block)");
    k.unknown = ma_intern_cstr(names, "(unknown type)");
    ma_groups_compute(gr, c->a, names->n, key, &k);
    ma_groups_sort(gr, 0);
    free(k.map);
}

static void text(ma_ctx *c)
{
    ma_groups gr;
    ma_intern names;
    compute(c, &gr, &names);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF], note[64];
    uint64_t rows = ma_rows(c, gr.norder);
    snprintf(note, sizeof note, "%llu of %u, by bytes", (unsigned long long)rows, gr.norder);
    ma_section(c, "Top types", note);
    ma_table t;
    ma_table_init(&t, "RIGHT:count", "RIGHT:bytes", "RIGHT:%", "RIGHT:retained", "type", NULL);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gr.order[i];
        ma_table_row(&t, ma_count(gr.count[x], b1), ma_bytes(gr.bytes[x], b2), ma_percent(gr.bytes[x], c->a->bytes, b3),
                     ma_bytes(gr.retained[x], b4), names.str[x], NULL);
    }
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
    ma_groups_free(&gr);
    ma_intern_free(&names);
}

static void json(ma_ctx *c)
{
    ma_groups gr;
    ma_intern names;
    compute(c, &gr, &names);
    ma_json_arr(c->j, "types");
    uint64_t rows = ma_rows(c, gr.norder);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gr.order[i];
        ma_json_obj(c->j, NULL);
        ma_json_str(c->j, "type", names.str[x]);
        ma_json_u64(c->j, "count", gr.count[x]);
        ma_json_u64(c->j, "bytes", gr.bytes[x]);
        ma_json_u64(c->j, "retained", gr.retained[x]);
        ma_json_end(c->j);
    }
    ma_json_end(c->j);
    ma_groups_free(&gr);
    ma_intern_free(&names);
}

const ma_view ma_view_types = {"types", text, json};
