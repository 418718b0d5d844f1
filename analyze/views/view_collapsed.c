/* view_collapsed.c — allocation stacks in the "collapsed" format that flamegraph.pl, speedscope
 * and inferno read (--collapsed): one line per distinct stack, frames outermost first separated by
 * ';', then a space and the live bytes allocated there. Frame names are "function (file:line)";
 * ';' and newlines inside names are replaced so a line always parses. Text only. */
#include "view.h"
#include "ma_group.h"
#include "ma_units.h"

#include <inttypes.h>
#include <string.h>

static uint32_t key(void *ctx, ma_id v)
{
    ma_ctx *c = ctx;
    return c->sites->group[c->d->g.stack[v]];
}

static void put_frame(FILE *f, const char *s)
{
    for (; *s; s++) fputc(*s == ';' ? ':' : (*s == '\n' || *s == '\r') ? ' ' : *s, f);
}

static void text(ma_ctx *c)
{
    const ma_sitemap *sm = ma_ctx_sites(c);
    ma_groups gr;
    ma_groups_compute(&gr, c->a, sm->ngroups, key, c);
    ma_groups_sort(&gr, 0);
    char buf[1024];
    for (uint32_t i = 0; i < gr.norder; i++) {
        uint32_t x = gr.order[i];
        uint32_t n = 0;
        const ma_loc *l = sm->rep[x] ? ma_stack_locs(c->nm, sm->rep[x], &n) : NULL;
        if (!n) put_frame(c->out, "(no stack recorded)");
        for (uint32_t k = n; k-- > 0;) {
            put_frame(c->out, ma_loc_text(&l[k], buf, sizeof buf));
            if (k) fputc(';', c->out);
        }
        fprintf(c->out, " %" PRIu64 "\n", gr.bytes[x]);
    }
    ma_groups_free(&gr);
}

static void json(ma_ctx *c) { (void)c; }

const ma_view ma_view_collapsed = {"collapsed", text, json};
