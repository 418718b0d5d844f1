/* html_overview.c — the first screen of memanalyze's report, rendered as plain HTML.
 *
 * Everything here reads without JavaScript: the headline numbers (RSS, live heap, unreachable
 * memory, the largest suspect), a bar that explains RSS part by part (ma_explain.h: Python
 * objects, native blocks, allocator free space and slack, thread stacks, the agent, mapped files,
 * and what is left unexplained), the suspects with their why-alive paths (view_suspects.c's
 * rule: top-level dominators retaining ≥ 10% of the heap, followed down to where memory
 * accumulates), and the process facts. Exact byte counts ride along in data-bytes attributes, so
 * tools (and the tests) can read them without parsing "1.21 MiB".
 */
#include "html_internal.h"
#include "ma_explain.h"
#include "ma_load.h"
#include "ma_mem.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- suspects ------------------------------------------------------------------------------- */

typedef struct found {
    hx_an *x;
    uint64_t threshold, cap;
} found;

static void on_top(void *ctx, ma_id v, uint64_t pos)
{
    found *f = ctx;
    hx_an *x = f->x;
    const ma_analysis *a = x->c->a;
    if (a->retained[v] < f->threshold || a->retained[v] == 0) return;
    ma_grow((void **)&x->suspect_pos, &f->cap, x->nsuspects + 1, sizeof *x->suspect_pos);
    x->suspect_top = ma_realloc(x->suspect_top, f->cap, sizeof *x->suspect_top);
    x->suspect_pos[x->nsuspects] = ma_accumulation_point(a, pos);
    x->suspect_top[x->nsuspects++] = v;
}

static const ma_analysis *sort_a;
static uint64_t *sort_pos;
static int cmp_suspect(const void *p, const void *q)
{
    uint64_t i = *(const uint64_t *)p, k = *(const uint64_t *)q;
    uint64_t ri = sort_a->retained[sort_a->dom_order[sort_pos[i]]], rk = sort_a->retained[sort_a->dom_order[sort_pos[k]]];
    if (ri != rk) return ri > rk ? -1 : 1;
    return sort_pos[i] < sort_pos[k] ? -1 : sort_pos[i] > sort_pos[k];
}

void hx_suspects_find(hx_an *x)
{
    const ma_analysis *a = x->c->a;
    found f = {x, (uint64_t)((double)a->bytes * MA_SUSPECT_SHARE), 0};
    ma_each_top_level(a, 0, on_top, &f);
    if (x->nsuspects < 2) return;
    /* largest accumulation point first, as view_suspects.c orders them */
    uint64_t *idx = ma_malloc(x->nsuspects, sizeof *idx);
    for (uint64_t i = 0; i < x->nsuspects; i++) idx[i] = i;
    sort_a = a;
    sort_pos = x->suspect_pos;
    qsort(idx, x->nsuspects, sizeof *idx, cmp_suspect);
    uint64_t *pos = ma_malloc(x->nsuspects, sizeof *pos);
    ma_id *top = ma_malloc(x->nsuspects, sizeof *top);
    for (uint64_t i = 0; i < x->nsuspects; i++) {
        pos[i] = x->suspect_pos[idx[i]];
        top[i] = x->suspect_top[idx[i]];
    }
    free(x->suspect_pos);
    free(x->suspect_top);
    x->suspect_pos = pos;
    x->suspect_top = top;
    free(idx);
}

/* ---- pieces -------------------------------------------------------------------------------------- */

static void path_html(FILE *f, ma_ctx *c, ma_id v)
{
    uint32_t n;
    char **el = ma_path_elements(c, v, &n);
    fputs("<ol class=\"path\">", f);
    for (uint32_t i = 0; i < n; i++) {
        fputs(i == 0 ? "<li class=\"root\">" : strncmp(el[i], "\xe2\x80\xa6 ", 4) ? "<li>" : "<li class=\"gap\">", f);
        hx_esc(f, el[i]);
        fputs("</li>", f);
    }
    fputs("</ol>", f);
    ma_path_free(el, n);
}

static void stat_card(FILE *f, const char *title, const char *cls)
{
    fprintf(f, "<div class=\"stat %s\"><div class=\"k\">", cls);
    hx_esc(f, title);
    fputs("</div><div class=\"v\">", f);
}

typedef struct seg {
    const char *name, *cls, *what;
    uint64_t bytes;
} seg;

static void rss_bar(FILE *f, const ma_explain *e)
{
    seg s[16];
    int n = 0;
    uint64_t pn = e->python_bytes + e->native_bytes, other = e->bytes > pn ? e->bytes - pn : 0;
    if (e->python_bytes) s[n++] = (seg){"Python objects", "s-py", "live and unreachable Python objects", e->python_bytes};
    if (e->native_bytes) s[n++] = (seg){"native blocks", "s-native", "malloc-family blocks (leaks included)", e->native_bytes};
    if (other) s[n++] = (seg){"other objects", "s-obj", "objects of other kinds", other};
    static const char *const cls[MA_EXPLAIN_PARTS] = {"s-free", "s-slack", "s-pyfree", "s-stacks", "s-agent", "s-files"};
    for (int i = 0; i < MA_EXPLAIN_PARTS; i++)
        if (e->part[i].known && e->part[i].bytes) s[n++] = (seg){e->part[i].name, cls[i], e->part[i].what, e->part[i].bytes};
    if (e->has_rss && e->unexplained > 0)
        s[n++] = (seg){"unexplained", "s-unexpl", "RSS not accounted for by the parts above", (uint64_t)e->unexplained};
    uint64_t total = 0;
    for (int i = 0; i < n; i++) total += s[i].bytes;
    char b[MA_NUM_BUF], pc[MA_NUM_BUF];
    fputs("<div class=\"rssbar\" role=\"img\" aria-label=\"", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s %s", i ? ", " : "", s[i].name, ma_bytes(s[i].bytes, b));
    fputs("\">", f);
    for (int i = 0; i < n; i++) {
        double w = total ? 100.0 * (double)s[i].bytes / (double)total : 0;
        fprintf(f, "<span class=\"%s\" style=\"width:%.3f%%\" title=\"%s: %s (%s)\"></span>", s[i].cls, w, s[i].name,
                ma_bytes(s[i].bytes, b), ma_percent(s[i].bytes, total, pc));
    }
    fputs("</div>\n<table class=\"legend\"><tbody>", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "<tr><td><i class=\"sw %s\"></i>%s</td><td class=\"n\">", s[i].cls, s[i].name);
        hx_bytes(f, s[i].bytes);
        fprintf(f, "</td><td class=\"n dim\">%s</td><td class=\"dim\">%s</td></tr>", ma_percent(s[i].bytes, total, pc), s[i].what);
    }
    if (e->has_rss) {
        fputs("<tr class=\"total\"><td>RSS</td><td class=\"n\" id=\"rss\">", f);
        hx_bytes(f, e->rss);
        fputs("</td><td></td><td class=\"dim\">resident set size", f);
        if (e->has_rss_peak) {
            fputs(" (peak ", f);
            hx_bytes(f, e->rss_peak);
            fputs(")", f);
        }
        if (e->unexplained < 0) {
            fputs("; the parts exceed it by ", f);
            hx_bytes(f, (uint64_t)-e->unexplained);
            fputs(": some heap pages are not resident", f);
        }
        fputs("</td></tr>", f);
    } else {
        fputs("<tr class=\"total\"><td colspan=\"4\" class=\"dim\">The dump records no RSS: the bar shows only what it "
              "explains.</td></tr>", f);
    }
    fputs("</tbody></table>\n", f);
}

static void process_facts(FILE *f, ma_ctx *c)
{
    const ma_dump *d = c->d;
    const ma_process *p = &d->process;
    const ma_snapshot *s = &d->snapshot;
    char t[64], b[MA_NUM_BUF];
    fputs("<dl class=\"facts\">", f);
    if (p->present) {
        fprintf(f, "<dt>process</dt><dd>pid <span id=\"pid\">%" PRIu64 "</span> (parent %" PRIu64 ")", p->pid, p->ppid);
        if (*p->hostname) {
            fputs(" on ", f);
            hx_esc(f, p->hostname);
        }
        fputs("</dd>", f);
        if (*p->cmdline) { fputs("<dt>command</dt><dd class=\"mono\">", f); hx_esc(f, p->cmdline); fputs("</dd>", f); }
        if (*p->exe) { fputs("<dt>executable</dt><dd class=\"mono\">", f); hx_esc(f, p->exe); fputs("</dd>", f); }
        hx_time(p->time_ns, t, sizeof t);
        fprintf(f, "<dt>taken</dt><dd>%s", t);
    } else {
        fputs("<dt>taken</dt><dd>(no PROCESS record)", f);
    }
    if (s->present) {
        fputs(", reason ", f);
        hx_esc(f, *s->reason ? s->reason : "?");
        fprintf(f, ", snapshot #%" PRIu64, s->seq);
        if (s->pause_ns) fprintf(f, "; target paused %.1f ms", (double)s->pause_ns / 1e6);
        if (s->child_ns) fprintf(f, ", written in %.0f ms", (double)s->child_ns / 1e6);
    }
    fputs("</dd>", f);
    if (p->present && *p->python_version) { fputs("<dt>Python</dt><dd>", f); hx_esc(f, p->python_version); fputs("</dd>", f); }
    fputs("<dt>dump</dt><dd><span class=\"mono\">", f);
    hx_esc(f, d->status.path);
    fprintf(f, "</span> (%s, format %u.%u%s)</dd>", ma_bytes(d->status.file_size, b), d->status.major, d->status.minor,
            d->status.complete ? "" : ", incomplete");
    char b2[MA_NUM_BUF], b3[MA_NUM_BUF], b4[MA_NUM_BUF];
    fprintf(f, "<dt>graph</dt><dd>%s nodes (%s synthetic), %s edges, %s roots</dd>", ma_count(d->g.n, b),
            ma_count(c->a->synthetic, b2), ma_count(d->g.m, b3), ma_count(d->nroots, b4));
    fputs("</dl>\n", f);
}

static void warnings(FILE *f, ma_ctx *c)
{
    const ma_dump *d = c->d;
    int any = !d->status.complete || d->warnings.n || d->load_warnings.n;
    if (!any) return;
    fputs("<div class=\"warn\" role=\"note\"><strong>Warnings</strong><ul>", f);
    if (!d->status.complete) {
        char *m = ma_load_summary(d);
        fputs("<li>", f);
        hx_esc(f, m);
        fputs("</li>", f);
        free(m);
    }
    for (uint32_t i = 0; i < d->warnings.n; i++) { fputs("<li>agent: ", f); hx_esc(f, d->warnings.v[i]); fputs("</li>", f); }
    for (uint32_t i = 0; i < d->load_warnings.n; i++) { fputs("<li>", f); hx_esc(f, d->load_warnings.v[i]); fputs("</li>", f); }
    fputs("</ul></div>\n", f);
}

/* ---- the overview ----------------------------------------------------------------------------------- */

void hx_overview(hx_an *x, FILE *f)
{
    ma_ctx *c = x->c;
    const ma_analysis *a = c->a;
    ma_explain e;
    ma_explain_compute(a, &e);
    char b[MA_NUM_BUF], pc[MA_NUM_BUF], hb[24];

    fputs("<section id=\"overview\" class=\"view\" aria-label=\"Overview\">\n", f);
    warnings(f, c);
    fputs("<div class=\"stats\">", f);
    stat_card(f, "Resident memory (RSS)", "rss");
    if (e.has_rss) hx_bytes(f, e.rss); else fputs("—", f);
    fputs("</div><div class=\"sub\">", f);
    if (e.has_rss_peak) { fputs("peak ", f); hx_bytes(f, e.rss_peak); }
    else if (!e.has_rss) fputs("not recorded", f);
    fputs("</div></div>", f);

    stat_card(f, "Live heap", "live");
    hx_bytes(f, e.reach_bytes);
    fputs("</div><div class=\"sub\">", f);
    hx_count(f, e.reach_objects);
    fprintf(f, " objects reachable from %s root%s</div></div>", ma_count(a->roots_resolved, b), a->roots_resolved == 1 ? "" : "s");

    stat_card(f, "Unreachable", e.unreach_bytes ? "unreach warnish" : "unreach");
    hx_bytes(f, e.unreach_bytes);
    fputs("</div><div class=\"sub\">", f);
    hx_count(f, e.unreach_objects);
    fputs(" objects no root reaches", f);
    if (e.unref_objects) fprintf(f, "; %s unreferenced", ma_count(e.unref_objects, b));
    fputs("</div></div>", f);

    ma_root_suspect *rs;
    uint64_t nrs = ma_root_suspects(c, &rs);
    stat_card(f, "Largest suspect", "suspect");
    if (!x->nsuspects && nrs) {
        hx_bytes(f, rs[0].retained);
        fputs("</div><div class=\"sub\">", f);
        hx_esc(f, rs[0].root);
        fprintf(f, " · %s of the heap</div></div>", ma_percent(rs[0].retained, a->bytes, pc));
    } else if (x->nsuspects) {
        ma_id w = a->dom_order[x->suspect_pos[0]];
        hx_bytes(f, a->retained[w]);
        fputs("</div><div class=\"sub\">", f);
        char *what = ma_node_what(c, w);
        hx_esc(f, what);
        free(what);
        fprintf(f, " · %s of the heap</div></div>", ma_percent(a->retained[w], a->bytes, pc));
    } else {
        fputs("none</div><div class=\"sub\">no structure retains 10% of the heap</div></div>", f);
    }
    fputs("</div>\n", f);

    fputs("<h2>Where the resident memory goes</h2>\n", f);
    rss_bar(f, &e);

    fputs("<h2>Suspects <small>structures retaining ≥ 10% of the heap, followed down to where memory "
          "accumulates</small></h2>\n", f);
    if (!x->nsuspects && !nrs)
        fputs("<p class=\"dim\">None: no single structure or root retains 10% of the heap.</p>\n", f);
    else fputs("<ol class=\"suspects\">", f);
    for (uint64_t i = 0; i < x->nsuspects; i++) {
        ma_id w = a->dom_order[x->suspect_pos[i]];
        char *what = ma_node_what(c, w);
        fprintf(f, "<li data-addr=\"%" PRIu64 "\"><div class=\"head\"><b>", c->d->g.addr[w]);
        hx_esc(f, what);
        free(what);
        fprintf(f, "</b> <span class=\"mono dim\">%s</span> retains ", ma_hex(c->d->g.addr[w], hb));
        hx_bytes(f, a->retained[w]);
        fprintf(f, " <span class=\"dim\">(%s of the heap)</span>", ma_percent(a->retained[w], a->bytes, pc));
        fprintf(f, " <a class=\"js-only show\" href=\"#dominators@%" PRIu64 "\">show in tree</a></div>", c->d->g.addr[w]);
        path_html(f, c, w);
        if (x->suspect_top[i] != w) {
            what = ma_node_what(c, x->suspect_top[i]);
            fputs("<div class=\"dim under\">under ", f);
            hx_esc(f, what);
            free(what);
            fprintf(f, " at <span class=\"mono\">%s</span>, which retains ", ma_hex(c->d->g.addr[x->suspect_top[i]], hb));
            hx_bytes(f, a->retained[x->suspect_top[i]]);
            fputs("</div>", f);
        }
        fputs("</li>", f);
    }
    for (uint64_t i = 0; i < nrs; i++) {       /* roots whose objects retain 10% together */
        fputs("<li class=\"root\"><div class=\"head\"><b>", f);
        hx_esc(f, rs[i].root);
        fprintf(f, "</b>: %s top-level objects retain ", ma_count(rs[i].objects, b));
        hx_bytes(f, rs[i].retained);
        fprintf(f, " <span class=\"dim\">(%s of the heap) together</span></div>",
                ma_percent(rs[i].retained, a->bytes, pc));
        if (rs[i].type) {
            fprintf(f, "<div class=\"dim under\">%s of them ", ma_count(rs[i].type_count, b));
            hx_esc(f, rs[i].type);
            fputs("</div>", f);
        }
        fputs("</li>", f);
    }
    if (x->nsuspects || nrs) fputs("</ol>\n", f);
    ma_root_suspects_free(rs, nrs);

    fputs("<h2>Snapshot</h2>\n", f);
    process_facts(f, c);
    fputs("<noscript><p class=\"warn\">The dominator tree, flame graph and tables need JavaScript; the numbers "
          "above are complete without it.</p></noscript>\n", f);
    fputs("</section>\n", f);
}
