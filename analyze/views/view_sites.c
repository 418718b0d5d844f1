/* view_sites.c — memory by allocation site: each distinct allocation stack (merged by what it
 * displays), named by its innermost non-allocator frame, with the stack in JSON and the first
 * callers in text. Sorted by bytes. Nodes without a recorded stack form one "(no stack)" row. */
#include "view.h"
#include "ma_mem.h"
#include "ma_sitename.h"
#include "ma_table.h"
#include "ma_units.h"

#include <stdlib.h>
#include <string.h>

static uint32_t key(void *ctx, ma_id v)
{
    ma_ctx *c = ctx;
    return c->sites->group[c->d->g.stack[v]];
}

static void compute(ma_ctx *c, ma_groups *gr)
{
    const ma_sitemap *sm = ma_ctx_sites(c);
    ma_groups_compute(gr, c->a, sm->ngroups, key, c);
    ma_groups_sort(gr, 0);
}

static void text(ma_ctx *c)
{
    ma_groups gr;
    compute(c, &gr);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF], note[64];
    uint64_t rows = ma_rows(c, gr.norder);
    snprintf(note, sizeof note, "%llu of %u, by bytes", (unsigned long long)rows, gr.norder);
    ma_section(c, "Top allocation sites", note);
    if (gr.norder == 1 && gr.order[0] == 0) {
        fprintf(c->out, "  no allocation stacks in this dump (native tracking or --python-sites was off)\n");
        ma_groups_free(&gr);
        return;
    }
    ma_table t;
    ma_table_init(&t, "RIGHT:count", "RIGHT:bytes", "RIGHT:%", "RIGHT:retained", "site ← callers", NULL);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gr.order[i];
        char *s = ma_site_text(c->nm, c->sites->rep[x], 2);
        ma_table_row(&t, ma_count(gr.count[x], b1), ma_bytes(gr.bytes[x], b2), ma_percent(gr.bytes[x], c->a->bytes, b3),
                     ma_bytes(gr.retained[x], b4), s, NULL);
        free(s);
    }
    ma_table_print(&t, c->out, "  ");
    ma_table_free(&t);
    ma_groups_free(&gr);
}

static void json(ma_ctx *c)
{
    ma_groups gr;
    compute(c, &gr);
    ma_json *j = c->j;
    ma_json_arr(j, "sites");
    uint64_t rows = ma_rows(c, gr.norder);
    for (uint64_t i = 0; i < rows; i++) {
        uint32_t x = gr.order[i];
        uint32_t st = c->sites->rep[x];
        const ma_loc *l = ma_stack_site(c->nm, st);
        ma_json_obj(j, NULL);
        ma_json_str(j, "function", l ? l->function : NULL);
        ma_json_str(j, "file", l ? l->file : NULL);
        ma_json_u64(j, "line", l ? l->line : 0);
        ma_json_u64(j, "count", gr.count[x]);
        ma_json_u64(j, "bytes", gr.bytes[x]);
        ma_json_u64(j, "retained", gr.retained[x]);
        ma_json_stack(c, "stack", st);
        ma_json_end(j);
    }
    ma_json_end(j);
    ma_groups_free(&gr);
}

const ma_view ma_view_sites = {"sites", text, json};
