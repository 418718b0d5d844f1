/* test_analyze_views.c — every view, text and JSON, over random and hostile graphs.
 *
 * Graphs are built directly (ma_builder and the dump tables), so they can hold what a writer
 * would never produce: repeated addresses, self-loops, huge sizes, extreme labels, strings with
 * invalid UTF-8 and control characters, long chains, synthetic nodes anywhere, roots and edges to
 * unknown addresses. For each, all views run in both modes; the JSON must be well formed (a
 * small validating scanner), and the groupings must account for every byte: type and site
 * tables sum to the total, and group retained sizes never exceed the total.
 */
#include "check.h"
#include "ma_analysis.h"
#include "ma_builder.h"
#include "ma_dump.h"
#include "ma_group.h"
#include "ma_names.h"
#include "md_format.h"
#include "views/view.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x1234567887654321ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* ---- a JSON well-formedness scanner (values, strings with escapes, numbers, nesting) ---------- */

static const char *ws(const char *p) { while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++; return p; }

/* Iterative: a stack of open containers; returns 1 if s is exactly one JSON value. */
static int json_ok(const char *s)
{
    char stk[64];
    int sp = 0, expect_value = 1;
    const char *p = ws(s);
    for (;;) {
        if (expect_value) {
            if (*p == '{' || *p == '[') {
                if (sp == 64) return 0;
                stk[sp++] = *p == '{' ? '}' : ']';
                p = ws(p + 1);
                if (*p == stk[sp - 1]) { sp--; p = ws(p + 1); expect_value = 0; continue; }
                if (stk[sp - 1] == '}') {
                    if (*p != '"') return 0;
                    continue;   /* a key: parsed as a string value below, then ':' */
                }
                continue;
            }
            if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (!*p || (unsigned char)*p < 0x20) return 0;
                    if (*p == '\\') {
                        p++;
                        if (*p == 'u') {
                            for (int i = 1; i <= 4; i++)
                                if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) return 0;
                            p += 4;
                        } else if (!strchr("\"\\/bfnrt", *p) || !*p) return 0;
                    }
                    p++;
                }
                p = ws(p + 1);
                if (sp && stk[sp - 1] == '}' && *p == ':') {
                    /* it was a key */
                    p = ws(p + 1);
                    continue;
                }
            } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
                if (*p == '-') p++;
                if (!(*p >= '0' && *p <= '9')) return 0;
                while (*p >= '0' && *p <= '9') p++;
                p = ws(p);
            } else if (!strncmp(p, "true", 4)) p = ws(p + 4);
            else if (!strncmp(p, "false", 5)) p = ws(p + 5);
            else if (!strncmp(p, "null", 4)) p = ws(p + 4);
            else return 0;
            expect_value = 0;
        }
        if (!sp) return *p == 0;
        if (*p == ',') {
            p = ws(p + 1);
            expect_value = 1;
            if (stk[sp - 1] == '}' && *p != '"') return 0;
            continue;
        }
        if (*p == stk[sp - 1]) { sp--; p = ws(p + 1); continue; }
        return 0;
    }
}

/* ---- random dumps ----------------------------------------------------------------------------- */

static void add_str(ma_dump *d, const char *s, uint32_t len) { ma_strtab_add(&d->strings, s, len); }

static void random_dump(ma_dump *d, int n)
{
    ma_dump_init(d);
    /* strings: plain, invalid UTF-8, control characters, empty */
    add_str(d, "Node", 4);
    add_str(d, "\xff\xfe bad \x01\x1f \"quoted\" \\ tab\t", 23);
    add_str(d, "6Circle", 7);
    add_str(d, "", 0);
    add_str(d, "locals:x", 8);
    add_str(d, "f.c", 3);
    add_str(d, "f;g\nh", 5);
    d->ntypes = 3;
    d->types = realloc(d->types, 4 * sizeof *d->types);
    d->types[1] = (ma_type){1, MD_TYPE_PYTHON, 0};
    d->types[2] = (ma_type){2, MD_TYPE_NATIVE, 0};
    d->types[3] = (ma_type){3, MD_TYPE_CXX, 0};
    d->nframes = 3;
    d->frames = realloc(d->frames, 4 * sizeof *d->frames);
    d->frames[1] = (ma_frame){0, 0, 1, 6, 10};
    d->frames[2] = (ma_frame){0, 0, 7, 2, 0};
    d->frames[3] = (ma_frame){0x1234, 0, 0, 0, 0};     /* a native pc without module */
    d->nstacks = 3;
    d->stack_off = realloc(d->stack_off, 5 * sizeof *d->stack_off);
    d->stack_frames = malloc(8 * sizeof *d->stack_frames);
    uint32_t sf[] = {1, 2, 3, 2, 1, 3};
    memcpy(d->stack_frames, sf, sizeof sf);
    d->stack_off[1] = 0; d->stack_off[2] = 3; d->stack_off[3] = 5; d->stack_off[4] = 6;
    d->nstack_frames = 6;
    ma_builder b;
    ma_builder_init(&b, d);
    for (int i = 0; i < n; i++) {
        uint64_t addr = 0x1000 + 16ull * (rnd(4) ? (uint64_t)i : rnd((uint32_t)n));   /* some repeats */
        uint64_t size = rnd(50) ? rnd(1000) : (1ull << 40) + rnd(7);
        uint32_t flags = rnd(8) == 0 ? MD_NODE_SYNTHETIC : rnd(2) ? MD_NODE_PYOBJ : MD_NODE_NATIVE;
        ma_builder_node(&b, addr, size, rnd(4), rnd(4), flags, rnd(2) ? size + 8 : 0);
        int deg = (int)rnd(4);
        for (int k = 0; k < deg; k++) {
            int64_t label = rnd(3) == 0 ? 0 : rnd(2) ? (int64_t)(1 + rnd(7)) : -(int64_t)rnd(100000) - 1;
            if (rnd(40) == 0) label = INT64_MIN;    /* out of range: dropped and counted */
            uint64_t to = rnd(30) == 0 ? 0xdead0000 : 0x1000 + 16ull * (rnd(3) ? (uint64_t)i + 1 : rnd((uint32_t)n));
            ma_builder_edge(&b, to, label);
        }
    }
    if (rnd(2)) {
        ma_builder_edges_of(&b, 0x1000);
        ma_builder_edge(&b, 0x1010, 5);
        ma_builder_edges_of(&b, 0xbad000);     /* unknown source */
        ma_builder_edge(&b, 0x1010, 0);
    }
    int nroots = (int)rnd(5);
    for (int r = 0; r < nroots; r++)
        ma_builder_root(&b, 1 + rnd(10), rnd(10) ? 0x1000 + 16ull * rnd((uint32_t)n) : 0xbeef, rnd(8), rnd(2) ? 0x99 : 0);
    ma_builder_finish(&b);
}

static char *run_view(ma_ctx *c, const ma_view *v, int json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    c->out = f;
    ma_json j;
    if (json) {
        ma_json_init(&j, f);
        c->j = &j;
        ma_json_obj(&j, NULL);
        v->json(c);
        ma_json_end(&j);
    } else {
        c->j = NULL;
        v->text(c);
    }
    fclose(f);
    return buf;
}

static const char *const view_names[] = {"header", "summary", "dominators", "types", "sites", "leaks",
                                          "suspects", "by", "paths", "stacks", "collapsed", "stats",
                                          "warnings", NULL};
static const char *const by_keys[] = {"type", "site", "function", "file", "line", "module", "root"};

static uint32_t type_key(void *ctx, ma_id v) { return ((ma_dump *)ctx)->g.type[v]; }
static uint32_t stack_key(void *ctx, ma_id v) { return ((ma_dump *)ctx)->g.stack[v]; }

int main(void)
{
    int bad_json = 0, bad_sum = 0, runs = 0;
    for (int t = 0; t < 60; t++) {
        ma_dump d;
        random_dump(&d, t == 59 ? 20000 : 1 + (int)rnd(200));
        ma_analysis a;
        ma_analyze(&a, &d, 0);
        ma_names *nm = ma_names_open(&d, NULL, 0, 1, NULL);
        ma_opts o = {.top = rnd(3) ? 5 : 0, .by = by_keys[rnd(7)], .paths = rnd(2) ? "Node" : "0x1010",
                     .min_percent = rnd(2) ? 0.5 : 0};
        ma_ctx c = {.d = &d, .a = &a, .nm = nm, .o = &o};
        for (int k = 0; view_names[k]; k++) {
            const ma_view *v = ma_view_find(view_names[k]);
            for (int json = 0; json < 2; json++) {
                char *out = run_view(&c, v, json);
                runs++;
                if (json && !json_ok(out)) {
                    if (bad_json < 3) printf("# bad JSON from %s: %.300s\n", view_names[k], out);
                    bad_json++;
                }
                free(out);
            }
        }
        /* every byte is in exactly one type group and one site group */
        ma_groups g;
        uint64_t sum = 0;
        ma_groups_compute(&g, &a, d.ntypes + 1, type_key, &d);
        for (uint32_t i = 0; i <= d.ntypes; i++) {
            sum += g.bytes[i];
            if (g.retained[i] > a.bytes) bad_sum++;
        }
        if (sum != a.bytes) bad_sum++;
        ma_groups_free(&g);
        sum = 0;
        ma_groups_compute(&g, &a, d.nstacks + 1, stack_key, &d);
        for (uint32_t i = 0; i <= d.nstacks; i++) sum += g.bytes[i];
        if (sum != a.bytes) bad_sum++;
        ma_groups_free(&g);
        ma_ctx_free(&c);
        ma_names_close(nm);
        ma_analysis_free(&a);
        ma_dump_free(&d);
    }
    CHECK(runs == 60 * 13 * 2, "every view ran in both modes on 60 random graphs");
    CHECK_EQ_U(bad_json, 0, "JSON output is well formed, whatever the names contain");
    CHECK_EQ_U(bad_sum, 0, "type and site groups account for every byte exactly once");
    CHECK(json_ok("{\"a\": [1, -2, {\"b\": null}], \"c\": \"\\u00e9\\n\"}"), "JSON scanner accepts valid JSON");
    CHECK(!json_ok("{\"a\": [1, 2}") && !json_ok("{\"a\" 1}") && !json_ok("{\"a\": \"x\x01\"}"),
          "JSON scanner rejects invalid JSON");
    return check_done();
}
