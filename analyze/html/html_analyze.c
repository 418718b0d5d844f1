/* html_analyze.c — memanalyze --html: the report of one dump (see html.h for what it holds).
 *
 * Order of the file: head and inlined stylesheet; the header bar and the tabs; the overview in
 * plain HTML (html_overview.c); empty sections the scripts fill; the data; the scripts. The data
 * object ("kind": "analyze") holds:
 *
 *   report       memanalyze's own --json header, summary, suspects and warnings, verbatim
 *   strings      every repeated text; other members refer to texts by index
 *   paths        the steps of every why-alive path (html_paths.c)
 *   dom          the dominator icicle's boxes (html_domtree.c)
 *   flame        the allocation flame graph's frames (html_flame.c)
 *   types, sites, leaks, garbage, dominators, tasks, views    the tables (html_tables.c); views
 *                holds the Python views' --json lists (variables, c_held) when the build has them
 */
#include "html_internal.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

static const char *base(const char *path)
{
    if (!path) return "(dump)";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void header_bar(FILE *f, ma_ctx *c)
{
    char t[64];
    fputs("<header class=\"top\"><div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\"></span>memanalyze</div>"
          "<div class=\"what\"><h1>", f);
    hx_esc(f, base(c->d->status.path));
    fputs("</h1><div class=\"meta\">", f);
    const ma_process *p = &c->d->process;
    if (p->present) {
        fprintf(f, "pid %llu · ", (unsigned long long)p->pid);
        hx_esc(f, *p->exe ? base(p->exe) : "?");
        if (*p->python_version) {
            fputs(" · Python ", f);
            hx_esc(f, p->python_version);
        }
        hx_time(p->time_ns, t, sizeof t);
        fprintf(f, " · %s", t);
    }
    fputs("</div></div></header>\n", f);
}

static void tabs(FILE *f)
{
    static const char *const t[][2] = {
        {"overview", "Overview"}, {"dominators", "Dominator tree"}, {"flame", "Allocations"},
        {"types", "Types"}, {"sites", "Sites"}, {"leaks", "Leaks"}, {"tasks", "Tasks"}, {"variables", "Variables"},
        {"cheld", "Held from C"}};
    fputs("<nav class=\"tabs js-only\" role=\"tablist\" aria-label=\"Report views\">", f);
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        fprintf(f, "<a role=\"tab\" id=\"tab-%s\" href=\"#%s\" aria-controls=\"%s\"%s>%s</a>", t[i][0], t[i][0], t[i][0],
                i ? " tabindex=\"-1\"" : " aria-selected=\"true\"", t[i][1]);
    fputs("</nav>\n", f);
}

int ma_html_analyze(ma_html *h, ma_ctx *c, char *err, size_t errlen, FILE *summary)
{
    FILE *f = h->f;
    hx_an x;
    memset(&x, 0, sizeof x);
    x.c = c;
    ma_intern_init(&x.strs);
    hx_s(&x.strs, "");                  /* string 0 is the empty string */
    hx_paths_init(&x.paths, c, &x.strs);
    hx_suspects_find(&x);

    char *title = ma_sprintf("memanalyze · %s", base(c->d->status.path));
    hx_page_begin(f, title, "analyze");
    free(title);
    header_bar(f, c);
    tabs(f);
    fputs("<div class=\"layout\"><main id=\"main\">\n", f);
    hx_overview(&x, f);
    static const char *const views[] = {"dominators", "flame", "types", "sites", "leaks", "tasks", "variables", "cheld"};
    for (size_t i = 0; i < sizeof views / sizeof *views; i++)
        fprintf(f, "<section id=\"%s\" class=\"view js-only\" hidden></section>\n", views[i]);
    fputs("</main>\n<aside id=\"details\" class=\"js-only\" aria-label=\"Details\" aria-live=\"polite\"></aside></div>\n", f);

    hx_json j;
    hx_json_open(&j, f);
    hx_obj(&j, NULL);
    hx_str(&j, "kind", "analyze");
    hx_u64(&j, "version", 1);
    const ma_view *rep[] = {&ma_view_header, &ma_view_summary, &ma_view_suspects, &ma_view_warnings};
    ma_opts o = *c->o;
    const ma_opts *saved = c->o;
    o.top = 100;
    c->o = &o;
    hx_views(&j, "report", c, rep, 4);
    c->o = saved;
    hx_domtree_json(&x, &j);
    hx_tables_json(&x, &j);
    hx_flame_json(&x, &j);
    hx_arr(&j, "suspects");
    for (uint64_t i = 0; i < x.nsuspects; i++) hx_u64(&j, NULL, c->d->g.addr[c->a->dom_order[x.suspect_pos[i]]]);
    hx_end(&j);
    hx_paths_json(&x.paths, &j);
    hx_strings(&j, "strings", &x.strs);     /* last: every part above added its texts */
    hx_end(&j);
    hx_json_close(&j, f);
    hx_page_end(f, "analyze");

    hx_paths_free(&x.paths);
    ma_intern_free(&x.strs);
    free(x.suspect_pos);
    free(x.suspect_top);
    free(x.site_row);
    return hx_finish(h, "memanalyze", x.note, err, errlen, summary);
}
