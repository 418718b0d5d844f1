/* test_format_roundtrip.c — what the writer writes, the reader gives back, field by field.
 *
 * Every record kind is written twice, once with every optional field set and once with all of
 * them absent, into a memory sink, then read back with md_reader_open_mem and compared. Then the
 * edge machinery (0, 1, 4096 and 10000 edges, index and string labels, labels omitted when all
 * zero, EDGES continuation records), address deltas that go backwards and wrap around 2^64,
 * dumps spanning many chunks (the delta base resets per chunk), the writer's own checks (id
 * sequence, undefined references, edges without a node, sticky errors), truncation of long
 * strings and argv, and a failing sink.
 */
#include "../fuzz/sample_dump.h"
#include "check.h"
#include "md_reader.h"

#include <stdlib.h>

static unsigned char wmem[MD_WRITER_MEM_SIZE];
static md_membuf buf;
static md_writer w;
static md_reader *rd;
static char err[1024];

static void start(size_t chunk_target)
{
    buf.len = 0;
    if (md_writer_init(&w, wmem, sizeof wmem, md_mem_sink, &buf, 1)) printf("init: %s\n", md_writer_error(&w));
    if (chunk_target) md_writer_set_chunk_target(&w, chunk_target);
}

/* Finish the writer and open a reader on the bytes. */
static int finish_and_open(const char *name)
{
    int rc = md_writer_finish(&w);
    CHECK(rc == 0, name);
    if (rc) printf("# writer: %s\n", md_writer_error(&w));
    if (rd) md_reader_close(rd);
    rd = md_reader_open_mem(buf.data, buf.len, name, err, sizeof err);
    if (!rd) printf("# open: %s\n", err);
    return rd ? 0 : -1;
}

/* Next record, which must be of `kind`. */
static int expect(md_record *rec, md_kind kind, const char *name)
{
    int rc = md_reader_next(rd, rec);
    if (rc != 1) printf("# %s: next=%d %s\n", name, rc, md_reader_error(rd) ? md_reader_error(rd) : "");
    int ok = rc == 1 && rec->kind == kind;
    if (rc == 1 && rec->kind != kind) printf("# %s: kind %d, expected %d\n", name, rec->kind, kind);
    return ok;
}

static int str_eq(md_str a, const char *b) { return a.len == strlen(b) && !memcmp(a.ptr, b, a.len); }

static void end_of_file(const char *name)
{
    md_record rec;
    int ok = expect(&rec, MD_TRAILER, name) && md_reader_next(rd, &rec) == 0 && md_reader_error(rd) == NULL;
    CHECK(ok, name);
}

/* ---- every kind, optional fields present ------------------------------------------------ */

static void test_all_fields(void)
{
    start(0);
    md_str argv[2] = { md_s("prog"), md_s("-x") };
    md_process p = { 10, 9, md_s("/bin/prog"), argv, 2, 123456789, md_s("3.11.2"), md_s("box"), 4096 };
    md_w_process(&w, &p);
    md_string s1 = { 1, md_s("alpha") }, s2 = { 2, md_s("beta") };
    md_w_string(&w, &s1); md_w_string(&w, &s2);
    md_type t = { 1, 1, MD_TYPE_CXX, 0xabcdef };
    md_w_type(&w, &t);
    uint8_t bid[4] = { 1, 2, 3, 250 };
    md_module m = { 1, 2, bid, 4, 0x1000, 0x2000, 0x9000 };
    md_w_module(&w, &m);
    md_thread th = { 77, 1, 0x100, 0x200, MD_THREAD_MAIN };
    md_w_thread(&w, &th);
    md_frame f1 = { 1, 0x2345, 1, 1, 2, 42 }, f2 = { 2, 0, 0, 2, 1, 7 };
    md_w_frame(&w, &f1); md_w_frame(&w, &f2);
    uint32_t frames[3] = { 2, 1, 2 };
    md_stack st = { 1, frames, 3 };
    md_w_stack(&w, &st);
    md_node n = { 0x5000, 100, 1, 1, MD_NODE_NATIVE | MD_NODE_C_HELD, 112, NULL, NULL, 0 };
    md_w_node(&w, &n);
    md_w_edge(&w, 0x5100, 2);
    md_w_edge(&w, 0x4f00, MD_LABEL_INDEX(3));
    uint64_t et[2] = { 0x6000, 0x10 };
    int64_t el[2] = { 1, MD_LABEL_INDEX(0) };
    md_edges e = { 0x5000, et, el, 2 };
    md_w_edges(&w, &e);
    md_root ro = { MD_ROOT_GLOBAL, 0x5000, 1, 0x601234 };
    md_w_root(&w, &ro);
    md_counter c = { 1, 5, 3, 500, 300 };
    md_w_counter(&w, &c);
    md_stat stats[3] = { { md_s("rss"), 1 << 20 }, { md_s("neg"), -5 }, { md_s("big"), INT64_MAX } };
    md_allocator a = { stats, 3 };
    md_w_allocator(&w, &a);
    md_task tk = { 0x5000, 2, 0x6000, 1 };
    md_w_task(&w, &tk);
    md_w_warning(&w, "careful");
    md_snapshot sn = { md_s("peak"), MD_MODE_NATIVE | MD_MODE_PEAK, 3, 11, 22, 33, 1, 44 };
    md_w_snapshot(&w, &sn);
    if (finish_and_open("all_fields.write")) return;

    md_record r;
    CHECK(expect(&r, MD_PROCESS, "all.process") && r.u.process.pid == 10 && r.u.process.ppid == 9
          && str_eq(r.u.process.exe, "/bin/prog") && r.u.process.argc == 2
          && str_eq(r.u.process.argv[0], "prog") && str_eq(r.u.process.argv[1], "-x")
          && r.u.process.time_ns == 123456789 && str_eq(r.u.process.python_version, "3.11.2")
          && str_eq(r.u.process.hostname, "box") && r.u.process.page_size == 4096, "all.process");
    CHECK(expect(&r, MD_STRING, "all.string1") && r.u.string.id == 1 && str_eq(r.u.string.text, "alpha"),
          "all.string1");
    CHECK(expect(&r, MD_STRING, "all.string2") && r.u.string.id == 2 && str_eq(r.u.string.text, "beta"),
          "all.string2");
    CHECK(expect(&r, MD_TYPE, "all.type") && r.u.type.id == 1 && r.u.type.name == 1
          && r.u.type.kind == MD_TYPE_CXX && r.u.type.type_addr == 0xabcdef, "all.type");
    CHECK(expect(&r, MD_MODULE, "all.module") && r.u.module.id == 1 && r.u.module.path == 2
          && r.u.module.build_id_len == 4 && !memcmp(r.u.module.build_id, bid, 4) && r.u.module.bias == 0x1000
          && r.u.module.lo == 0x2000 && r.u.module.hi == 0x9000, "all.module");
    CHECK(expect(&r, MD_THREAD, "all.thread") && r.u.thread.tid == 77 && r.u.thread.name == 1
          && r.u.thread.stack_lo == 0x100 && r.u.thread.stack_hi == 0x200 && r.u.thread.flags == MD_THREAD_MAIN,
          "all.thread");
    CHECK(expect(&r, MD_FRAME, "all.frame1") && r.u.frame.id == 1 && r.u.frame.pc == 0x2345
          && r.u.frame.module == 1 && r.u.frame.function == 1 && r.u.frame.file == 2 && r.u.frame.line == 42,
          "all.frame1");
    CHECK(expect(&r, MD_FRAME, "all.frame2") && r.u.frame.id == 2 && r.u.frame.pc == 0 && r.u.frame.line == 7,
          "all.frame2");
    CHECK(expect(&r, MD_STACK, "all.stack") && r.u.stack.id == 1 && r.u.stack.depth == 3
          && r.u.stack.frames[0] == 2 && r.u.stack.frames[1] == 1 && r.u.stack.frames[2] == 2, "all.stack");
    CHECK(expect(&r, MD_NODE, "all.node") && r.u.node.addr == 0x5000 && r.u.node.size == 100
          && r.u.node.type == 1 && r.u.node.stack == 1 && r.u.node.flags == (MD_NODE_NATIVE | MD_NODE_C_HELD)
          && r.u.node.usable_size == 112 && r.u.node.nedges == 2 && r.u.node.edges[0] == 0x5100
          && r.u.node.edges[1] == 0x4f00 && r.u.node.labels && r.u.node.labels[0] == 2
          && r.u.node.labels[1] == MD_LABEL_INDEX(3), "all.node");
    CHECK(expect(&r, MD_EDGES, "all.edges") && r.u.edges.from == 0x5000 && r.u.edges.nedges == 2
          && r.u.edges.edges[0] == 0x6000 && r.u.edges.edges[1] == 0x10 && r.u.edges.labels
          && r.u.edges.labels[0] == 1 && r.u.edges.labels[1] == MD_LABEL_INDEX(0), "all.edges");
    CHECK(expect(&r, MD_ROOT, "all.root") && r.u.root.kind == MD_ROOT_GLOBAL && r.u.root.target == 0x5000
          && r.u.root.label == 1 && r.u.root.source == 0x601234, "all.root");
    CHECK(expect(&r, MD_COUNTER, "all.counter") && r.u.counter.stack == 1 && r.u.counter.allocs == 5
          && r.u.counter.frees == 3 && r.u.counter.bytes_allocated == 500 && r.u.counter.bytes_freed == 300,
          "all.counter");
    CHECK(expect(&r, MD_ALLOCATOR, "all.allocator") && r.u.allocator.nstats == 3
          && str_eq(r.u.allocator.stats[0].key, "rss") && r.u.allocator.stats[0].value == 1 << 20
          && str_eq(r.u.allocator.stats[1].key, "neg") && r.u.allocator.stats[1].value == -5
          && r.u.allocator.stats[2].value == INT64_MAX, "all.allocator");
    CHECK(expect(&r, MD_TASK, "all.task") && r.u.task.task == 0x5000 && r.u.task.name == 2
          && r.u.task.coroutine == 0x6000 && r.u.task.stack == 1, "all.task");
    CHECK(expect(&r, MD_WARNING, "all.warning") && str_eq(r.u.warning.message, "careful"), "all.warning");
    CHECK(expect(&r, MD_SNAPSHOT, "all.snapshot") && str_eq(r.u.snapshot.reason, "peak")
          && r.u.snapshot.mode == (MD_MODE_NATIVE | MD_MODE_PEAK) && r.u.snapshot.seq == 3
          && r.u.snapshot.pause_ns == 11 && r.u.snapshot.child_ns == 22 && r.u.snapshot.trigger_bytes == 33
          && r.u.snapshot.trigger_stack == 1 && r.u.snapshot.heap_peak == 44, "all.snapshot");
    int tr_ok = expect(&r, MD_TRAILER, "all.trailer");
    CHECK(tr_ok && r.u.trailer.record_count == 17 && r.u.trailer.chunk_count == 1
          && r.u.trailer.counts[MD_NODE] == 1 && r.u.trailer.counts[MD_STRING] == 2
          && r.u.trailer.counts[MD_TRAILER] == 0, "all.trailer");
    CHECK(md_reader_next(rd, &r) == 0 && md_reader_error(rd) == NULL, "all.end");
    CHECK(md_reader_next(rd, &r) == 0, "all.end_again");
    const uint64_t *cnt = md_reader_counts(rd);
    CHECK(cnt[MD_FRAME] == 2 && cnt[MD_EDGES] == 1 && cnt[MD_WARNING] == 1, "all.counts");
    unsigned maj, min;
    md_reader_version(rd, &maj, &min);
    CHECK(maj == MD_VERSION_MAJOR && min == MD_VERSION_MINOR, "all.version");
    CHECK_EQ_U(md_reader_offset(rd), buf.len, "all.offset_at_end");
    CHECK_EQ_U(md_reader_file_size(rd), buf.len, "all.file_size");
    CHECK_EQ_U(md_writer_bytes(&w), buf.len, "all.writer_bytes");
}

/* ---- every kind, optional fields absent ----------------------------------------------- */

static void test_no_optionals(void)
{
    start(0);
    md_process p = { 1, 0, md_s("x"), NULL, 0, 5, { "", 0 }, { "", 0 }, 0 };
    md_w_process(&w, &p);
    md_string s1 = { 1, md_s("") };
    md_w_string(&w, &s1);
    md_type t = { 1, 0, MD_TYPE_UNKNOWN, 0 };
    md_w_type(&w, &t);
    md_module m = { 1, 1, NULL, 0, 0, 0, 0 };
    md_w_module(&w, &m);
    md_thread th = { 3, 0, 0, 0, 0 };
    md_w_thread(&w, &th);
    md_frame f = { 1, 0, 0, 0, 0, 0 };
    md_w_frame(&w, &f);
    md_stack st = { 1, NULL, 0 };
    md_w_stack(&w, &st);
    md_node n = { 0x10, 0, 0, 0, 0, 0, NULL, NULL, 0 };
    md_w_node(&w, &n);
    md_node n2 = { 0x20, 8, 1, 1, 0, 0, NULL, NULL, 0 };
    md_w_node(&w, &n2);
    md_w_edge(&w, 0x10, 0);
    md_edges e = { 0x20, (uint64_t[]){ 0x30 }, NULL, 1 };
    md_w_edges(&w, &e);
    md_root ro = { MD_ROOT_OTHER, 0x10, 0, 0 };
    md_w_root(&w, &ro);
    md_allocator a = { NULL, 0 };
    md_w_allocator(&w, &a);
    md_task tk = { 0x10, 0, 0x20, 0 };
    md_w_task(&w, &tk);
    md_w_warning(&w, "");
    md_snapshot sn = { md_s("api"), 0, 1, 0, 0, 0, 0, 0 };
    md_w_snapshot(&w, &sn);
    if (finish_and_open("none.write")) return;

    md_record r;
    CHECK(expect(&r, MD_PROCESS, "none.process") && r.u.process.argc == 0 && r.u.process.python_version.len == 0
          && r.u.process.hostname.len == 0 && r.u.process.page_size == 0 && r.u.process.time_ns == 5,
          "none.process");
    CHECK(expect(&r, MD_STRING, "none.string") && r.u.string.text.len == 0, "none.string");
    CHECK(expect(&r, MD_TYPE, "none.type") && r.u.type.type_addr == 0 && r.u.type.name == 0, "none.type");
    CHECK(expect(&r, MD_MODULE, "none.module") && r.u.module.build_id_len == 0 && r.u.module.build_id == NULL,
          "none.module");
    CHECK(expect(&r, MD_THREAD, "none.thread") && r.u.thread.tid == 3 && r.u.thread.stack_lo == 0
          && r.u.thread.flags == 0, "none.thread");
    CHECK(expect(&r, MD_FRAME, "none.frame") && r.u.frame.pc == 0 && r.u.frame.line == 0, "none.frame");
    CHECK(expect(&r, MD_STACK, "none.stack") && r.u.stack.depth == 0, "none.stack");
    CHECK(expect(&r, MD_NODE, "none.node0") && r.u.node.addr == 0x10 && r.u.node.nedges == 0
          && r.u.node.labels == NULL && r.u.node.usable_size == 0, "none.node0");
    CHECK(expect(&r, MD_NODE, "none.node1") && r.u.node.addr == 0x20 && r.u.node.nedges == 1
          && r.u.node.edges[0] == 0x10 && r.u.node.labels == NULL, "none.node1_no_labels");
    CHECK(expect(&r, MD_EDGES, "none.edges") && r.u.edges.nedges == 1 && r.u.edges.edges[0] == 0x30
          && r.u.edges.labels == NULL, "none.edges");
    CHECK(expect(&r, MD_ROOT, "none.root") && r.u.root.source == 0 && r.u.root.label == 0, "none.root");
    CHECK(expect(&r, MD_ALLOCATOR, "none.allocator") && r.u.allocator.nstats == 0, "none.allocator");
    CHECK(expect(&r, MD_TASK, "none.task") && r.u.task.stack == 0, "none.task");
    CHECK(expect(&r, MD_WARNING, "none.warning") && r.u.warning.message.len == 0, "none.warning");
    CHECK(expect(&r, MD_SNAPSHOT, "none.snapshot") && r.u.snapshot.pause_ns == 0 && r.u.snapshot.trigger_stack == 0
          && r.u.snapshot.heap_peak == 0 && str_eq(r.u.snapshot.reason, "api"), "none.snapshot");
    end_of_file("none.end");
}

/* ---- edges ------------------------------------------------------------------------------ */

/* A node with n edges: targets spread backwards and forwards, labels cycling through none,
 * index and string (when labelled). Reads it back through NODE + EDGES records. */
static void edges_case(uint32_t n, int labelled)
{
    char name[64];
    snprintf(name, sizeof name, "edges.%u%s", n, labelled ? ".labels" : "");
    start(0);
    md_string s = { 1, md_s("attr") };
    md_w_string(&w, &s);
    uint64_t a = 0x7f0000100000ull;
    md_node n0 = { a, 64, 0, 0, 0, 0, NULL, NULL, 0 };
    md_w_node(&w, &n0);
    for (uint32_t i = 0; i < n; i++) {
        int64_t lab = !labelled ? 0 : (i % 3 == 0 ? 0 : i % 3 == 1 ? MD_LABEL_INDEX(i) : 1);
        md_w_edge(&w, a + (uint64_t)(((int64_t)i - (int64_t)n / 2) * 48), lab);
    }
    md_node after = { a + 0x1000, 8, 0, 0, 0, 0, NULL, NULL, 0 };
    md_w_node(&w, &after);
    if (finish_and_open(name)) return;
    md_record r;
    expect(&r, MD_STRING, name);
    uint32_t got = 0, records = 0, bad = 0, nodes_seen = 0;
    int labels_null_when_unlabelled = 1;
    while (md_reader_next(rd, &r) == 1) {
        const uint64_t *to;
        const int64_t *lab;
        uint32_t k;
        if (r.kind == MD_NODE && nodes_seen++ == 0) {
            if (r.u.node.addr != a) bad++;
            to = r.u.node.edges; lab = r.u.node.labels; k = r.u.node.nedges;
            if (k > MD_EDGES_PER_RECORD) bad++;
        } else if (r.kind == MD_EDGES) {
            if (r.u.edges.from != a) bad++;
            to = r.u.edges.edges; lab = r.u.edges.labels; k = r.u.edges.nedges;
        } else {
            if (r.kind == MD_NODE && (r.u.node.addr != a + 0x1000 || r.u.node.nedges)) bad++;
            continue;
        }
        records++;
        if (!labelled && lab) labels_null_when_unlabelled = 0;
        for (uint32_t i = 0; i < k; i++, got++) {
            int64_t want = !labelled ? 0 : (got % 3 == 0 ? 0 : got % 3 == 1 ? MD_LABEL_INDEX(got) : 1);
            if (to[i] != a + (uint64_t)(((int64_t)got - (int64_t)n / 2) * 48)) bad++;
            if ((lab ? lab[i] : 0) != want) bad++;
        }
    }
    CHECK(md_reader_error(rd) == NULL, name);
    CHECK_EQ_U(got, n, name);
    CHECK_EQ_U(bad, 0, name);
    uint32_t want_records = n <= MD_EDGES_PER_RECORD ? 1 : (n + MD_EDGES_PER_RECORD - 1) / MD_EDGES_PER_RECORD;
    CHECK_EQ_U(records, want_records, name);
    CHECK_EQ_U(nodes_seen, 2, name);
    if (!labelled) CHECK(labels_null_when_unlabelled, "edges.labels_omitted_when_zero");
}

/* Addresses that go down, jump far, and wrap around 2^64; edges pointing far back. */
static void test_deltas(void)
{
    static const uint64_t addrs[] = { 0xfffffffffffffff0ull, 0x10, 0x7fff00000000ull, 0x7ffe00000000ull,
                                      0x8000000000000000ull, 0x7fffffffffffffffull, 0, 0x20 };
    const unsigned n = sizeof addrs / sizeof addrs[0];
    start(0);
    for (unsigned i = 0; i < n; i++) {
        md_node nd = { addrs[i], i, 0, 0, 0, 0, NULL, NULL, 0 };
        md_w_node(&w, &nd);
        md_w_edge(&w, addrs[(i + 1) % n], 0);
        md_w_edge(&w, 0, 0);
        md_w_edge(&w, UINT64_MAX, 0);
    }
    if (finish_and_open("deltas.write")) return;
    md_record r;
    unsigned bad = 0, i = 0;
    while (md_reader_next(rd, &r) == 1 && r.kind == MD_NODE) {
        if (r.u.node.addr != addrs[i] || r.u.node.size != i || r.u.node.nedges != 3
            || r.u.node.edges[0] != addrs[(i + 1) % n] || r.u.node.edges[1] != 0 || r.u.node.edges[2] != UINT64_MAX)
            bad++;
        i++;
    }
    CHECK_EQ_U(i, n, "deltas.nodes");
    CHECK_EQ_U(bad, 0, "deltas.values");
    CHECK(md_reader_next(rd, &r) == 0 && !md_reader_error(rd), "deltas.end");
}

/* Enough nodes for several default-size chunks, then tiny chunks: every address must come back,
 * which only works if the delta base resets at each chunk on both sides. */
static void chunks_case(uint32_t nodes, size_t target, const char *name)
{
    start(target);
    uint64_t a = 0x560000000000ull;
    for (uint32_t i = 0; i < nodes; i++) {
        md_node nd = { a + 16ull * i * 3, 16 + i % 200, 0, 0, MD_NODE_NATIVE, 0, NULL, NULL, 0 };
        md_w_node(&w, &nd);
        if (i % 7 == 0) md_w_edge(&w, a + 16ull * (i / 2), 0);
    }
    if (finish_and_open(name)) return;
    md_record r;
    uint32_t i = 0, bad = 0;
    while (md_reader_next(rd, &r) == 1 && r.kind == MD_NODE) {
        if (r.u.node.addr != a + 16ull * i * 3 || r.u.node.size != 16 + i % 200) bad++;
        if (i % 7 == 0 && (r.u.node.nedges != 1 || r.u.node.edges[0] != a + 16ull * (i / 2))) bad++;
        i++;
    }
    CHECK(md_reader_error(rd) == NULL && md_reader_next(rd, &r) == 0, name);
    CHECK_EQ_U(i, nodes, name);
    CHECK_EQ_U(bad, 0, name);
    uint64_t chunks = md_reader_chunks(rd);
    printf("# %s: %u nodes, %llu chunks, %zu bytes\n", name, nodes, (unsigned long long)chunks, buf.len);
    CHECK(chunks >= 3, name);
}

/* ---- the writer's own checks ------------------------------------------------------------ */

static void test_writer_errors(void)
{
    start(0);
    md_string s = { 2, md_s("two") };
    CHECK(md_w_string(&w, &s) == -1, "werr.id_sequence_fails");
    CHECK(md_writer_error(&w) && strstr(md_writer_error(&w), "STRING id 2 out of sequence (expected 1)"),
          "werr.id_sequence_message");
    md_string s1 = { 1, md_s("one") };
    CHECK(md_w_string(&w, &s1) == -1, "werr.sticky");
    CHECK(md_writer_finish(&w) == -1, "werr.sticky_finish");

    start(0);
    md_w_string(&w, &s1);
    md_string again = { 1, md_s("dup") };
    CHECK(md_w_string(&w, &again) == -1 && strstr(md_writer_error(&w), "expected 2"), "werr.id_repeated");

    start(0);
    md_type t = { 1, 0, 0, 0 }, t3 = { 3, 0, 0, 0 };
    md_w_type(&w, &t);
    CHECK(md_w_type(&w, &t3) == -1 && strstr(md_writer_error(&w), "TYPE id 3"), "werr.type_sequence");

    start(0);
    md_node n = { 0x10, 1, 5, 0, 0, 0, NULL, NULL, 0 };
    CHECK(md_w_node(&w, &n) == -1 && strstr(md_writer_error(&w), "NODE type refers to undefined TYPE id 5"),
          "werr.undefined_type");

    start(0);
    CHECK(md_w_edge(&w, 0x10, 0) == -1 && strstr(md_writer_error(&w), "without an open node"),
          "werr.edge_without_node");

    start(0);
    md_node ok = { 0x10, 1, 0, 0, 0, 0, NULL, NULL, 0 };
    md_w_node(&w, &ok);
    CHECK(md_w_edge(&w, 0x20, 3) == -1 && strstr(md_writer_error(&w), "edge label refers to undefined STRING"),
          "werr.undefined_label");

    start(0);
    uint32_t fr[1] = { 1 };
    md_stack st = { 1, fr, 1 };
    CHECK(md_w_stack(&w, &st) == -1 && strstr(md_writer_error(&w), "STACK frame"), "werr.undefined_frame");

    start(0);
    CHECK(md_writer_finish(&w) == 0, "werr.empty_dump_finishes");
    CHECK(md_w_warning(&w, "late") == -1 && strstr(md_writer_error(&w), "after md_writer_finish"),
          "werr.after_finish");
    /* an empty dump (no records) is still a complete, valid file */
    rd = rd ? (md_reader_close(rd), NULL) : NULL;
    rd = md_reader_open_mem(buf.data, buf.len, "empty", err, sizeof err);
    md_record r;
    CHECK(rd && md_reader_next(rd, &r) == 1 && r.kind == MD_TRAILER && md_reader_next(rd, &r) == 0,
          "werr.empty_dump_reads");

    md_writer small;
    CHECK(md_writer_init(&small, wmem, 1000, md_mem_sink, &buf, 1) == -1
          && strstr(md_writer_error(&small), "too small"), "werr.memory_too_small");
}

/* Strings over 65535 bytes are cut; a huge argv is capped; the records still read back. */
static void test_truncation_limits(void)
{
    size_t big = 100000;
    char *text = malloc(big);
    memset(text, 'x', big);
    static md_str argv[20000];
    for (unsigned i = 0; i < 20000; i++) { argv[i].ptr = text; argv[i].len = 100; }
    start(0);
    md_process p = { 1, 0, { text, (uint32_t)big }, argv, 20000, 1, { text, (uint32_t)big }, md_s("h"), 0 };
    CHECK(md_w_process(&w, &p) == 0, "limits.process_written");
    md_string s = { 1, { text, (uint32_t)big } };
    CHECK(md_w_string(&w, &s) == 0, "limits.string_written");
    if (finish_and_open("limits.write")) { free(text); return; }
    md_record r;
    CHECK(expect(&r, MD_PROCESS, "limits.process") && r.u.process.exe.len == MD_STRING_MAX
          && r.u.process.python_version.len == MD_STRING_MAX && r.u.process.argc > 0
          && r.u.process.argc <= 8192 && r.u.process.argc < 20000, "limits.process_capped");
    CHECK(expect(&r, MD_STRING, "limits.string") && r.u.string.text.len == MD_STRING_MAX, "limits.string_cut");
    end_of_file("limits.end");
    free(text);
}

/* A record that does not fit in what is left of the raw buffer is rolled back and packed again
 * at the start of a fresh chunk (NODE deltas after it still resolve); one larger than a whole
 * chunk buffer is an error. */
static void test_big_records(void)
{
    static char key[MD_STRING_MAX];
    memset(key, 'k', sizeof key);
    static md_stat stats[40];
    for (unsigned i = 0; i < 40; i++) { stats[i].key.ptr = key; stats[i].key.len = MD_STRING_MAX; stats[i].value = i; }
    start(0);
    uint64_t a = 0x1000;
    for (unsigned i = 0; i < 100000; i++) {     /* ~0.7 MB of raw records, below the target */
        md_node n = { a + 16ull * i, 16, 0, 0, 0, 0, NULL, NULL, 0 };
        md_w_node(&w, &n);
    }
    md_allocator al = { stats, 25 };             /* ~1.6 MB: does not fit in the 2 MiB buffer */
    CHECK(md_w_allocator(&w, &al) == 0, "big.record_repacked_in_new_chunk");
    md_node after = { 0x900000, 24, 0, 0, 0, 0, NULL, NULL, 0 };
    md_w_node(&w, &after);
    if (finish_and_open("big.write")) return;
    md_record r;
    unsigned nodes = 0, bad = 0;
    uint64_t alloc_chunk = 0, first_chunk = 0;
    int saw_alloc = 0, saw_after = 0;
    while (md_reader_next(rd, &r) == 1) {
        if (r.kind == MD_NODE && r.u.node.addr == 0x900000) saw_after = 1;
        else if (r.kind == MD_NODE) { if (r.u.node.addr != a + 16ull * nodes++) bad++; first_chunk = r.offset; }
        if (r.kind == MD_ALLOCATOR) {
            saw_alloc = r.u.allocator.nstats == 25 && r.u.allocator.stats[24].value == 24
                        && r.u.allocator.stats[24].key.len == MD_STRING_MAX;
            alloc_chunk = r.offset;
        }
    }
    CHECK(md_reader_error(rd) == NULL, "big.valid");
    CHECK(nodes == 100000 && bad == 0 && saw_after, "big.nodes_intact");
    CHECK(saw_alloc && alloc_chunk != first_chunk, "big.allocator_alone_in_next_chunk");

    start(0);
    md_allocator huge = { stats, 40 };          /* ~2.6 MB: larger than any chunk */
    CHECK(md_w_allocator(&w, &huge) == -1 && strstr(md_writer_error(&w), "larger than a chunk"),
          "big.too_large_is_an_error");
}

static int failing_sink(void *ctx, const void *b, size_t len)
{
    (void)b; (void)len;
    int *calls = ctx;
    return ++*calls > 1 ? 28 /* ENOSPC */ : 0;
}

static void test_sink_failure(void)
{
    int calls = 0;
    md_writer fw;
    CHECK(md_writer_init(&fw, wmem, sizeof wmem, failing_sink, &calls, 1) == 0, "sink.header_ok");
    md_w_warning(&fw, "x");
    CHECK(md_writer_finish(&fw) == -1 && strstr(md_writer_error(&fw), "no space left on device"),
          "sink.enospc_reported");
    CHECK(md_w_warning(&fw, "y") == -1, "sink.sticky");
}

/* The shared sample: every count as expected. */
static void test_sample(void)
{
    start(700);
    CHECK(md_sample_write(&w, MD_SAMPLE_NODES, MD_SAMPLE_BIG_EDGES) == 0, "sample.write");
    if (finish_and_open("sample")) return;
    md_record r;
    int rc;
    while ((rc = md_reader_next(rd, &r)) == 1) {}
    CHECK(rc == 0, "sample.valid");
    uint64_t want[MD_KIND_COUNT];
    md_sample_expect(MD_SAMPLE_NODES, MD_SAMPLE_BIG_EDGES, want);
    int same = 1;
    for (int k = 1; k < MD_KIND_COUNT; k++) if (md_reader_counts(rd)[k] != want[k]) same = 0;
    CHECK(same, "sample.counts");
}

int main(void)
{
    buf.cap = 64u << 20;
    buf.data = malloc(buf.cap);
    test_all_fields();
    test_no_optionals();
    edges_case(0, 0);
    edges_case(1, 0);
    edges_case(1, 1);
    edges_case(4096, 1);
    edges_case(4097, 0);
    edges_case(10000, 1);
    edges_case(10000, 0);
    test_deltas();
    chunks_case(600000, 0, "chunks.default_target");
    chunks_case(3000, 200, "chunks.small_target");
    test_writer_errors();
    test_truncation_limits();
    test_sink_failure();
    test_big_records();
    test_sample();
    md_reader_close(rd);
    free(buf.data);
    return check_done();
}
