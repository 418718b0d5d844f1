/* test_html.c — the parts of the HTML reports that are easy to get subtly wrong.
 *
 *   - why-alive paths (html_paths.c) are memoized and shared between nodes; whatever order the
 *     nodes are asked in, each path must read exactly as ma_path_elements prints it, elision of
 *     long paths included. Checked on every node of random graphs with long labeled chains,
 *     branches, synthetic nodes, unreachable cycles and repeated addresses.
 *   - text from the target never escapes its context: HTML escaping, and the data element's
 *     stream that must never let "</script>" through.
 *   - a whole report renders for each random graph (html_analyze.c) and its data element holds no
 *     raw '<'.
 */
#include "check.h"
#include "html/html.h"
#include "html/html_internal.h"
#include "ma_analysis.h"
#include "ma_builder.h"
#include "ma_dump.h"
#include "ma_names.h"
#include "md_format.h"
#include "views/view.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

static void add_str(ma_dump *d, const char *s) { ma_strtab_add(&d->strings, s, (uint32_t)strlen(s)); }

/* A graph with chains long enough to elide (labels "next"), fan-out, cycles and junk. */
static void make_dump(ma_dump *d, int n)
{
    ma_dump_init(d);
    add_str(d, "Node");                 /* 1 */
    add_str(d, "next");                 /* 2 */
    add_str(d, "</script><b>x</b>");    /* 3: a hostile name */
    add_str(d, "global root");          /* 4 */
    d->ntypes = 2;
    d->types = realloc(d->types, 3 * sizeof *d->types);
    d->types[1] = (ma_type){1, MD_TYPE_PYTHON, 0};
    d->types[2] = (ma_type){3, MD_TYPE_NATIVE, 0};
    ma_builder b;
    ma_builder_init(&b, d);
    for (int i = 0; i < n; i++) {
        uint64_t addr = 0x1000 + 16ull * (rnd(50) ? (uint64_t)i : rnd((uint32_t)n));
        uint32_t flags = rnd(10) == 0 ? MD_NODE_SYNTHETIC : rnd(2) ? MD_NODE_PYOBJ : MD_NODE_NATIVE;
        ma_builder_node(&b, addr, rnd(500), rnd(3), 0, flags, 0);
        if (rnd(3)) ma_builder_edge(&b, 0x1000 + 16ull * ((uint64_t)i + 1), rnd(4) ? 2 : 0);  /* chain */
        int deg = (int)rnd(3);
        for (int k = 0; k < deg; k++)
            ma_builder_edge(&b, 0x1000 + 16ull * rnd((uint32_t)n), rnd(2) ? (int64_t)(1 + rnd(3)) : -(int64_t)rnd(50) - 1);
    }
    int nroots = 1 + (int)rnd(4);
    for (int r = 0; r < nroots; r++) ma_builder_root(&b, 1 + rnd(8), 0x1000 + 16ull * rnd((uint32_t)n), 4, 0);
    ma_builder_finish(&b);
}

/* The path of step s, as a list joined by " | ". */
static char *steps_text(const hx_paths *p, const ma_intern *strs, uint32_t s)
{
    const char *el[256];
    int n = 0;
    for (int64_t x = s; x >= 0 && n < 256; x = p->parent[x]) el[n++] = strs->str[p->text[x]];
    size_t len = 1;
    for (int i = 0; i < n; i++) len += strlen(el[i]) + 3;
    char *out = malloc(len), *o = out;
    for (int i = n - 1; i >= 0; i--) o += sprintf(o, "%s%s", el[i], i ? " | " : "");
    *o = 0;
    return out;
}

static char *elements_text(ma_ctx *c, ma_id v)
{
    uint32_t n;
    char **el = ma_path_elements(c, v, &n);
    size_t len = 1;
    for (uint32_t i = 0; i < n; i++) len += strlen(el[i]) + 3;
    char *out = malloc(len), *o = out;
    for (uint32_t i = 0; i < n; i++) o += sprintf(o, "%s%s", el[i], i + 1 < n ? " | " : "");
    *o = 0;
    ma_path_free(el, n);
    return out;
}

static int html_has_raw_lt_in_data(const char *html)
{
    const char *start = strstr(html, "<script type=\"application/json\" id=\"md-data\">");
    if (!start) return 1;
    start += strlen("<script type=\"application/json\" id=\"md-data\">");
    const char *end = strstr(start, "</script>");
    if (!end) return 1;
    for (const char *p = start; p < end; p++)
        if (*p == '<') return 1;
    return 0;
}

int main(void)
{
    int mismatches = 0, graphs = 0, elided = 0, reports = 0, raw_lt = 0;
    char tmpl[] = "/tmp/memdump-test-html-XXXXXX";
    char *dir = mkdtemp(tmpl);
    for (int t = 0; t < 40; t++) {
        ma_dump d;
        make_dump(&d, t == 39 ? 30000 : 20 + (int)rnd(400));
        ma_analysis a;
        ma_analyze(&a, &d, 0);
        ma_names *nm = ma_names_open(&d, NULL, 0, 1, NULL);
        ma_opts o = {.top = 10, .min_percent = 0.5};
        ma_ctx c = {.d = &d, .a = &a, .nm = nm, .o = &o};
        ma_intern strs;
        ma_intern_init(&strs);
        hx_paths p;
        hx_paths_init(&p, &c, &strs);
        /* ask in a random order, so memoized prefixes and anchors are found from all sides */
        uint64_t n = d.g.n;
        ma_id *order = malloc((n ? n : 1) * sizeof *order);
        for (uint64_t i = 0; i < n; i++) order[i] = (ma_id)i;
        for (uint64_t i = n; i > 1; i--) {
            uint64_t k = rnd((uint32_t)i);
            ma_id x = order[i - 1]; order[i - 1] = order[k]; order[k] = x;
        }
        for (uint64_t i = 0; i < n; i++) {
            ma_id v = order[i];
            char *got = steps_text(&p, &strs, hx_path(&p, v)), *want = elements_text(&c, v);
            if (strcmp(got, want)) {
                if (mismatches < 3) printf("# node %u: got \"%.300s\", want \"%.300s\"\n", v, got, want);
                mismatches++;
            }
            if (strstr(want, " more …")) elided++;
            free(got);
            free(want);
        }
        free(order);
        hx_paths_free(&p);
        ma_intern_free(&strs);
        graphs++;

        /* a whole report */
        char path[256];
        snprintf(path, sizeof path, "%s/r%d.html", dir, t);
        char err[256];
        ma_html *h = ma_html_open(path, err, sizeof err);
        if (h && ma_html_analyze(h, &c, err, sizeof err, NULL) == 0) {
            FILE *f = fopen(path, "r");
            char *buf = NULL;
            size_t cap = 0;
            if (f && getdelim(&buf, &cap, '\0', f) > 0) {
                reports++;
                raw_lt += html_has_raw_lt_in_data(buf);
            }
            free(buf);
            if (f) fclose(f);
            unlink(path);
        } else {
            printf("# report %d: %s\n", t, err);
        }
        ma_ctx_free(&c);
        ma_names_close(nm);
        ma_analysis_free(&a);
        ma_dump_free(&d);
    }
    rmdir(dir);
    CHECK_EQ_U(graphs, 40, "paths checked on 40 random graphs");
    CHECK_EQ_U(mismatches, 0, "every shared, memoized path reads as ma_path_elements prints it");
    CHECK(elided > 0, "long paths were elided and checked too");
    CHECK_EQ_U(reports, 40, "a report was written for every graph");
    CHECK_EQ_U(raw_lt, 0, "no raw '<' in any report's data element (names like </script> included)");

    /* HTML escaping */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hx_esc(f, "<a href=\"x\">&'\xff\x01</a>");
    fclose(f);
    CHECK_STR(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\xef\xbf\xbd\xef\xbf\xbd&lt;/a&gt;", "HTML escaping, invalid UTF-8 replaced");
    free(buf);

    /* the data stream: '<' never reaches the page raw */
    buf = NULL;
    f = open_memstream(&buf, &len);
    hx_json j;
    hx_json_open(&j, f);
    hx_obj(&j, NULL);
    hx_str(&j, "s", "</script><!--");
    hx_u64s(&j, "n", (uint64_t[]){1, 2, 3}, 3);
    hx_end(&j);
    hx_json_close(&j, f);
    fclose(f);
    CHECK_STR(buf, "<script type=\"application/json\" id=\"md-data\">{\"s\":\"\\u003c/script>\\u003c!--\",\"n\":[1,2,3]}</script>\n",
              "the data element escapes '<' and stays valid JSON");
    free(buf);
    return check_done();
}
