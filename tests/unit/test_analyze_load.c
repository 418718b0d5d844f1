/* test_analyze_load.c — loading dumps into the analyzer's tables and graph.
 *
 * Dumps are written in memory with the real writer (formats/md_writer.h), then loaded with
 * ma_load_mem: every table arrives intact, nodes listed out of order are sorted, edges in EDGES
 * records attach to the right node, edges and roots to unknown addresses are dropped and counted,
 * labels survive, tasks resolve. Then damage: a truncated file still yields the chunks before the
 * cut with a warning naming the offset; a corrupt chunk in the middle stops loading there the
 * same way; a file with nothing readable is an error naming the file.
 */
#include "check.h"
#include "ma_analysis.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_load.h"
#include "md_writer.h"

#include <stdlib.h>
#include <string.h>

typedef struct membuf {
    unsigned char *p;
    size_t len, cap;
} membuf;

static int mem_sink(void *ctx, const void *buf, size_t len)
{
    membuf *m = ctx;
    if (m->len + len > m->cap) {
        m->cap = (m->len + len) * 2;
        m->p = realloc(m->p, m->cap);
        if (!m->p) return 12;
    }
    memcpy(m->p + m->len, buf, len);
    m->len += len;
    return 0;
}

static unsigned char wmem[MD_WRITER_MEM_SIZE];

#define S(id, text) md_w_string(&w, &(md_string){id, {text, (uint32_t)strlen(text)}})

/* A small dump exercising every record kind. Nodes (addresses):
 *   0x3000 (type 1, stack 1)  → 0x1000 [label "next"], → 0x9999 (unknown), EDGES: → 0x2000 [index 2]
 *   0x1000 (type 2)           → 0x2000
 *   0x2000 (synthetic)
 *   0x4000 (native, usable 40, size 24): unreachable
 * Roots: 0x3000 (global), 0x7777 (unknown).
 * chunk: small chunk target to get several chunks. */
static void write_small(membuf *m, size_t chunk)
{
    md_writer w;
    memset(m, 0, sizeof *m);
    md_writer_init(&w, wmem, sizeof wmem, mem_sink, m, 1);
    if (chunk) md_writer_set_chunk_target(&w, chunk);
    md_str argv[] = {{"prog", 4}, {"--x", 3}};
    md_w_process(&w, &(md_process){.pid = 77, .ppid = 1, .exe = {"/bin/prog", 9}, .argv = argv, .argc = 2,
                                   .time_ns = 1, .python_version = {"3.11.2", 6}});
    S(1, "Thing"); S(2, "6Circle"); S(3, "next"); S(4, "f"); S(5, "f.c"); S(6, "g_root"); S(7, "task-1");
    md_w_type(&w, &(md_type){1, 1, MD_TYPE_PYTHON, 0});
    md_w_type(&w, &(md_type){2, 2, MD_TYPE_CXX, 0});
    md_w_module(&w, &(md_module){.id = 1, .path = 5, .bias = 0x100, .lo = 0x100, .hi = 0x900});
    md_w_frame(&w, &(md_frame){1, 0, 0, 4, 5, 9});
    uint32_t fr[] = {1};
    md_w_stack(&w, &(md_stack){1, fr, 1});
    md_w_thread(&w, &(md_thread){.tid = 5, .flags = MD_THREAD_MAIN});
    md_w_node(&w, &(md_node){.addr = 0x3000, .size = 300, .type = 1, .stack = 1, .flags = MD_NODE_PYOBJ});
    md_w_edge(&w, 0x1000, 3);
    md_w_edge(&w, 0x9999, 0);
    md_w_node(&w, &(md_node){.addr = 0x1000, .size = 100, .type = 2, .flags = MD_NODE_NATIVE});
    md_w_edge(&w, 0x2000, 0);
    md_w_node(&w, &(md_node){.addr = 0x2000, .size = 0, .flags = MD_NODE_SYNTHETIC});
    md_w_node(&w, &(md_node){.addr = 0x4000, .size = 24, .flags = MD_NODE_NATIVE, .usable_size = 40});
    uint64_t late[] = {0x2000};
    int64_t late_label[] = {MD_LABEL_INDEX(2)};
    md_w_edges(&w, &(md_edges){0x3000, late, late_label, 1});
    md_w_root(&w, &(md_root){MD_ROOT_GLOBAL, 0x3000, 6, 0x200});
    md_w_root(&w, &(md_root){MD_ROOT_STACK, 0x7777, 0, 0});
    md_w_counter(&w, &(md_counter){1, 10, 4, 1000, 400});
    md_stat st1[] = {{{"rss", 3}, 5000}, {{"malloc.fordblks", 15}, 64}};
    md_stat st2[] = {{{"rss", 3}, 6000}};
    md_w_allocator(&w, &(md_allocator){st1, 2});
    md_w_allocator(&w, &(md_allocator){st2, 1});
    md_w_task(&w, &(md_task){0x3000, 7, 0x1000, 1});
    md_w_warning(&w, "something odd");
    md_w_snapshot(&w, &(md_snapshot){.reason = {"api", 3}, .seq = 2, .heap_peak = 999});
    if (md_writer_finish(&w)) printf("# writer: %s\n", md_writer_error(&w));
}

static void test_tables(void)
{
    membuf m;
    write_small(&m, 0);
    ma_dump d;
    ma_dump_init(&d);
    char err[512];
    int rc = ma_load_mem(&d, m.p, m.len, "small.dump", err, sizeof err);
    CHECK_EQ_U(rc, 0, "load: complete file");
    CHECK(d.status.complete, "load: status complete");
    CHECK_EQ_U(d.process.pid, 77, "load: process pid");
    CHECK_STR(d.process.cmdline, "prog --x", "load: command line joined");
    CHECK_STR(d.process.python_version, "3.11.2", "load: python version");
    CHECK_EQ_U(d.strings.count, 7, "load: strings");
    CHECK_STR(ma_str(&d, 6), "g_root", "load: string by id");
    CHECK_EQ_U(d.ntypes, 2, "load: types");
    CHECK_EQ_U(d.types[2].kind, MD_TYPE_CXX, "load: type kind");
    CHECK_EQ_U(d.nmodules, 1, "load: modules");
    CHECK_EQ_U(d.modules[1].bias, 0x100, "load: module bias");
    CHECK_EQ_U(d.nframes, 1, "load: frames");
    CHECK_EQ_U(d.frames[1].line, 9, "load: frame line");
    uint32_t depth;
    const uint32_t *fr = ma_stack_frames(&d, 1, &depth);
    CHECK(depth == 1 && fr[0] == 1, "load: stack frames");
    CHECK_EQ_U(d.nthreads, 1, "load: threads");
    CHECK_EQ_U(d.ncounters, 1, "load: counters");
    CHECK_EQ_U(ma_stat_u(&d, "rss"), 6000, "load: allocator stats, later record wins");
    CHECK_EQ_U(ma_stat_u(&d, "malloc.fordblks"), 64, "load: allocator stats merged");
    CHECK_EQ_U(d.warnings.n, 1, "load: agent warning kept");
    CHECK_EQ_U(d.snapshot.heap_peak, 999, "load: snapshot");

    const ma_graph *g = &d.g;
    CHECK_EQ_U(g->n, 4, "graph: nodes");
    CHECK(g->addr[0] == 0x1000 && g->addr[1] == 0x2000 && g->addr[2] == 0x3000 && g->addr[3] == 0x4000,
          "graph: nodes sorted by address");
    ma_id n3 = ma_graph_find(g, 0x3000), n1 = ma_graph_find(g, 0x1000), n2 = ma_graph_find(g, 0x2000);
    CHECK_EQ_U(g->size[n3], 300, "graph: size follows its node through the sort");
    CHECK_EQ_U(g->type[n1], 2, "graph: type follows its node");
    CHECK_EQ_U(g->m, 3, "graph: edges kept");
    CHECK_EQ_U(g->edges_unknown, 1, "graph: edge to an unknown address counted");
    CHECK_EQ_U(g->out_off[n3 + 1] - g->out_off[n3], 2, "graph: inline and EDGES-record edges on one node");
    CHECK(g->out_label != NULL, "graph: labels kept");
    int lab_next = 0, lab_idx = 0;
    for (uint64_t e = g->out_off[n3]; e < g->out_off[n3 + 1]; e++) {
        if (g->out[e] == n1 && g->out_label[e] == 3) lab_next = 1;
        if (g->out[e] == n2 && g->out_label[e] == MD_LABEL_INDEX(2)) lab_idx = 1;
    }
    CHECK(lab_next, "graph: string label on its edge");
    CHECK(lab_idx, "graph: index label on an EDGES-record edge");
    CHECK_EQ_U(g->in_off[n2 + 1] - g->in_off[n2], 2, "graph: reverse edges");
    CHECK_EQ_U(d.nroots, 2, "roots: all kept");
    CHECK_EQ_U(d.roots_unknown, 1, "roots: unknown target counted");
    CHECK(d.roots[0].node == n3 && (g->flags[n3] & MA_F_ROOT), "roots: resolved and flagged");
    CHECK(d.ntasks == 1 && d.tasks[0].task_node == n3 && d.tasks[0].coro_node == n1, "tasks: resolved");
    CHECK_EQ_U(g->usable_bytes - g->usable_req, 16, "graph: malloc slack from usable sizes");
    CHECK(d.load_warnings.n >= 2, "load: warnings about unknown edges and roots");

    ma_analysis a;
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(a.objects, 3, "analysis: synthetic node not an object");
    CHECK_EQ_U(a.unreach_objects, 1, "analysis: one unreachable block");
    CHECK_EQ_U(a.retained[n3], 400, "analysis: root retains its reachable graph");
    CHECK(g->in == NULL, "analysis: reverse graph released by default");
    ma_analysis_free(&a);
    ma_dump_free(&d);
    free(m.p);
}

/* Many nodes in many small chunks; returns the buffer. */
static void write_many(membuf *m, int nodes)
{
    md_writer w;
    memset(m, 0, sizeof *m);
    md_writer_init(&w, wmem, sizeof wmem, mem_sink, m, 1);
    md_writer_set_chunk_target(&w, 4096);
    S(1, "x");
    md_w_type(&w, &(md_type){1, 1, MD_TYPE_NATIVE, 0});
    for (int i = 0; i < nodes; i++) {
        md_w_node(&w, &(md_node){.addr = 0x10000 + 32ull * (uint64_t)i, .size = 32, .type = 1, .flags = MD_NODE_NATIVE});
        if (i + 1 < nodes) md_w_edge(&w, 0x10000 + 32ull * (uint64_t)(i + 1), 0);
    }
    md_w_root(&w, &(md_root){MD_ROOT_GLOBAL, 0x10000, 1, 0});
    md_writer_finish(&w);
}

static void test_truncated(void)
{
    membuf m;
    write_many(&m, 20000);
    ma_dump d;
    char err[512];
    ma_dump_init(&d);
    int rc = ma_load_mem(&d, m.p, m.len, "many.dump", err, sizeof err);
    CHECK_EQ_U(rc, 0, "many chunks: complete");
    uint64_t chunks = d.status.chunks;
    CHECK(chunks > 5, "many chunks: several chunks written");
    CHECK_EQ_U(d.g.n, 20000, "many chunks: all nodes");
    ma_dump_free(&d);

    /* cut in the middle: the complete chunks before the cut are loaded */
    size_t cut = m.len / 2;
    ma_dump_init(&d);
    rc = ma_load_mem(&d, m.p, cut, "cut.dump", err, sizeof err);
    CHECK_EQ_U(rc, 1, "truncated: loads with a warning");
    CHECK(!d.status.complete, "truncated: marked incomplete");
    CHECK(d.g.n > 0 && d.g.n < 20000, "truncated: some but not all nodes");
    CHECK(d.status.chunks > 0 && d.status.chunks < chunks, "truncated: chunks before the cut");
    char *msg = ma_load_summary(&d);
    CHECK(strstr(msg, "incomplete dump: analyzed") && strstr(msg, "cut.dump") && strstr(msg, "offset"),
          "truncated: message says what was analyzed, names the file and the offset");
    printf("# %s\n", msg);
    free(msg);
    ma_analysis a;
    ma_analyze(&a, &d, 0);
    CHECK_EQ_U(a.objects, d.g.n, "truncated: every node read is analyzed");
    /* the ROOT record comes after the nodes and was cut off: nothing is reachable, and the
     * report says so rather than inventing roots */
    CHECK_EQ_U(a.unreach_objects, d.g.n, "truncated: without the roots everything is unreachable");
    ma_analysis_free(&a);
    ma_dump_free(&d);

    /* corrupt a byte in the middle of the file: same treatment, message names the offset */
    unsigned char *bad = malloc(m.len);
    memcpy(bad, m.p, m.len);
    bad[m.len / 2] ^= 0x5a;
    ma_dump_init(&d);
    rc = ma_load_mem(&d, bad, m.len, "bad.dump", err, sizeof err);
    CHECK_EQ_U(rc, 1, "corrupt middle chunk: loads what precedes it, with a warning");
    CHECK(d.status.error && strstr(d.status.error, "bad.dump") && strstr(d.status.error, "offset"),
          "corrupt middle chunk: error names file and offset");
    CHECK(d.g.n > 0 && d.g.n < 20000, "corrupt middle chunk: nodes before it kept");
    if (d.status.error) printf("# %s\n", d.status.error);
    ma_dump_free(&d);

    /* corrupt the first chunk: nothing to analyze */
    memcpy(bad, m.p, m.len);
    bad[40] ^= 0x5a;
    ma_dump_init(&d);
    rc = ma_load_mem(&d, bad, m.len, "first.dump", err, sizeof err);
    CHECK(rc == -1 && strstr(err, "first.dump") && strstr(err, "offset"),
          "corrupt first chunk: an error naming file and offset");
    ma_dump_free(&d);

    /* not a dump at all */
    ma_dump_init(&d);
    rc = ma_load_mem(&d, "hello, world, this is not a dump", 32, "text.dump", err, sizeof err);
    CHECK(rc == -1 && strstr(err, "text.dump"), "not a dump: an error naming the file");
    ma_dump_free(&d);

    /* header only */
    ma_dump_init(&d);
    rc = ma_load_mem(&d, m.p, 16, "header.dump", err, sizeof err);
    CHECK_EQ_U(rc, (uint64_t)-1, "header only: nothing to analyze is an error");
    ma_dump_free(&d);

    /* a missing file */
    ma_dump_init(&d);
    rc = ma_load(&d, "/nonexistent/x.dump", err, sizeof err);
    CHECK(rc == -1 && strstr(err, "/nonexistent/x.dump"), "missing file: an error naming it");
    ma_dump_free(&d);
    free(bad);
    free(m.p);
}

int main(void)
{
    test_tables();
    test_truncated();
    return check_done();
}
