/* view_stacks.c — whole allocation stacks merged into a tree, printed like a flame graph turned
 * sideways (--stacks): each line is a location with the bytes allocated under it, callees
 * indented below callers, largest first. Branches below --min-percent of the total are folded
 * into one "… N smaller" line per parent so the tree stays readable. JSON gives the tree as a
 * flat list of nodes with parent ids (no depth limit for consumers). */
#include "view.h"
#include "ma_mem.h"
#include "ma_stacktree.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>

static void text(ma_ctx *c)
{
    ma_stree t;
    ma_stree_build(&t, c->a, c->nm);
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], b3[MA_NUM_BUF];
    char note[128];
    snprintf(note, sizeof note, "bytes by allocation stack, callers above callees; < %.2g%% folded",
             c->o->min_percent);
    ma_section(c, "Allocation stacks", note);
    uint64_t total = t.bytes[0];
    double cut = (double)total * c->o->min_percent / 100.0;
    fprintf(c->out, "  %10s %6s  all (%s objects)\n", ma_bytes(total, b1), ma_percent(total, total, b2),
            ma_count(t.count[0], b3));
    /* iterative DFS: stack of (node, next child index) */
    uint64_t cap = 64, sp = 0;
    uint32_t *sn = ma_malloc(cap, sizeof *sn), *si = ma_malloc(cap, sizeof *si);
    sn[sp] = 0;
    si[sp] = t.child_off[0];
    sp++;
    while (sp) {
        uint32_t v = sn[sp - 1], i = si[sp - 1];
        if (i >= t.child_off[v + 1]) { sp--; continue; }
        uint32_t w = t.child[i];
        if ((double)t.bytes[w] < cut) {
            /* children are sorted: everything from here on is smaller */
            uint64_t rest = 0, k = 0;
            for (uint32_t x = i; x < t.child_off[v + 1]; x++) { rest += t.bytes[t.child[x]]; k++; }
            fprintf(c->out, "  %10s %6s  %*s… %" PRIu64 " smaller\n", ma_bytes(rest, b1), ma_percent(rest, total, b2),
                    (int)(2 * sp), "", k);
            si[sp - 1] = t.child_off[v + 1];
            continue;
        }
        si[sp - 1] = i + 1;
        fprintf(c->out, "  %10s %6s  %*s%s\n", ma_bytes(t.bytes[w], b1), ma_percent(t.bytes[w], total, b2), (int)(2 * sp),
                "", t.locs.str[t.loc[w]]);
        if (sp == cap) {
            cap *= 2;
            sn = ma_realloc(sn, cap, sizeof *sn);
            si = ma_realloc(si, cap, sizeof *si);
        }
        sn[sp] = w;
        si[sp] = t.child_off[w];
        sp++;
    }
    free(sn);
    free(si);
    ma_stree_free(&t);
}

static void json(ma_ctx *c)
{
    ma_stree t;
    ma_stree_build(&t, c->a, c->nm);
    ma_json *j = c->j;
    ma_json_arr(j, "stacks");
    for (uint32_t v = 0; v < t.n; v++) {
        ma_json_obj(j, NULL);
        ma_json_u64(j, "id", v);
        if (v) ma_json_u64(j, "parent", t.parent[v]); else ma_json_null(j, "parent");
        ma_json_str(j, "location", v ? t.locs.str[t.loc[v]] : "all");
        ma_json_u64(j, "count", t.count[v]);
        ma_json_u64(j, "bytes", t.bytes[v]);
        ma_json_end(j);
    }
    ma_json_end(j);
    ma_stree_free(&t);
}

const ma_view ma_view_stacks = {"stacks", text, json};
