/* sample_dump.h — a small dump with every record kind, for tests, the e2e generator and the
 * fuzzer's seed corpus.
 *
 * md_sample_write() writes through any writer, so callers choose the sink (a memory buffer in
 * unit tests, a file in gen-sample-dump) and the chunk size (small chunks give a few-KB file with
 * many chunks, which is what truncation tests and fuzz seeds want). The content is fixed and
 * deterministic; md_sample_expect gives the record counts it produces so tests can compare.
 * Header-only (static functions) because it is shared by programs built from single files.
 */
#ifndef MD_SAMPLE_DUMP_H
#define MD_SAMPLE_DUMP_H

#include "md_writer.h"

#include <errno.h>
#include <string.h>

#define MD_SAMPLE_NODES 300u   /* small nodes in the default sample */
#define MD_SAMPLE_BIG_EDGES 5000u /* edges of its one big node: a NODE and an EDGES record */

/* In-memory sink: a fixed buffer. */
typedef struct md_membuf {
    unsigned char *data;
    size_t len, cap;
} md_membuf;

static inline int md_mem_sink(void *ctx, const void *buf, size_t len)
{
    md_membuf *m = ctx;
    if (len > m->cap - m->len) return ENOSPC;
    memcpy(m->data + m->len, buf, len);
    m->len += len;
    return 0;
}

static inline md_str md_s(const char *s) { md_str r = { s, (uint32_t)strlen(s) }; return r; }

/* Writes the sample (without finishing it): `nodes` small nodes and one node with `big_edges`
 * edges. Returns 0 or -1. */
static inline int md_sample_write(md_writer *w, unsigned nodes, unsigned big_edges)
{
    static const char *strs[] = { "list", "dict", "/usr/bin/python3", "main", "app.py",
                                  "module:__main__", "cache", "MainThread", "task-1", "6Circle" };
    const unsigned nstr = sizeof strs / sizeof strs[0];
    md_str argv[3] = { md_s("python3"), md_s("app.py"), md_s("--flag") };
    md_process p = { 4242, 1, md_s("/usr/bin/python3.11"), argv, 3, 1700000000000000000ull,
                     md_s("3.11.2"), md_s("host"), 4096 };
    int rc = md_w_process(w, &p);
    for (unsigned i = 0; i < nstr; i++) {
        md_string s = { i + 1, md_s(strs[i]) };
        rc |= md_w_string(w, &s);
    }
    md_type t1 = { 1, 1, MD_TYPE_PYTHON, 0x7f0000001000ull };
    md_type t2 = { 2, 2, MD_TYPE_PYTHON, 0 };
    md_type t3 = { 3, 10, MD_TYPE_CXX, 0x401000 };
    rc |= md_w_type(w, &t1) | md_w_type(w, &t2) | md_w_type(w, &t3);
    static const uint8_t bid[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    md_module m = { 1, 3, bid, sizeof bid, 0x400000, 0x400000, 0x500000 };
    rc |= md_w_module(w, &m);
    md_thread th = { 4242, 8, 0x7ffc0000000ull, 0x7ffc0100000ull, MD_THREAD_MAIN | MD_THREAD_SNAPSHOT };
    rc |= md_w_thread(w, &th);
    md_frame f1 = { 1, 0x401234, 1, 0, 0, 0 };
    md_frame f2 = { 2, 0, 0, 4, 5, 17 };
    rc |= md_w_frame(w, &f1) | md_w_frame(w, &f2);
    uint32_t fr[2] = { 1, 2 };
    md_stack s1 = { 1, fr, 2 }, s2 = { 2, fr + 1, 1 }, s3 = { 3, NULL, 0 };
    rc |= md_w_stack(w, &s1) | md_w_stack(w, &s2) | md_w_stack(w, &s3);

    uint64_t base = 0x7f1200000000ull;
    for (unsigned i = 0; i < nodes; i++) {
        uint64_t addr = base + 32ull * i;
        md_node n = { addr, 16 + (i % 15) * 16, 1 + i % 3, 1 + i % 3, MD_NODE_PYOBJ | MD_NODE_GC_TRACKED,
                      (i % 4) ? 0 : 48, NULL, NULL, 0 };
        rc |= md_w_node(w, &n);
        if (i % 3 == 1) rc |= md_w_edge(w, addr + 32, 0);
        if (i % 3 == 2) {
            rc |= md_w_edge(w, addr - 64, MD_LABEL_INDEX(0));
            rc |= md_w_edge(w, base, 7);
        }
    }
    md_node big = { base - 0x10000, 40000, 2, 1, MD_NODE_PYOBJ, 0, NULL, NULL, 0 };
    rc |= md_w_node(w, &big);
    for (unsigned i = 0; i < big_edges; i++) rc |= md_w_edge(w, base + 32ull * (i % (nodes ? nodes : 1)), MD_LABEL_INDEX(i));
    uint64_t more[2] = { base, base + 32 };
    int64_t lab[2] = { 7, 0 };
    md_edges e = { base + 64, more, lab, 2 };
    rc |= md_w_edges(w, &e);
    md_root r1 = { MD_ROOT_PY_MODULE, base, 6, 0 }, r2 = { MD_ROOT_GLOBAL, base + 32, 0, 0x601000 };
    rc |= md_w_root(w, &r1) | md_w_root(w, &r2);
    md_counter c = { 1, 100, 40, 6400, 2560 };
    rc |= md_w_counter(w, &c);
    md_stat st[2] = { { md_s("rss"), 12345678 }, { md_s("tracker.live_bytes"), -1 } };
    md_allocator a = { st, 2 };
    rc |= md_w_allocator(w, &a);
    md_task tk = { base + 96, 9, base + 128, 2 };
    rc |= md_w_task(w, &tk);
    rc |= md_w_warning(w, "sample warning: nothing is wrong");
    md_snapshot sn = { md_s("synthetic"), MD_MODE_PYTHON, 1, 1000, 2000, 0, 0, 0 };
    rc |= md_w_snapshot(w, &sn);
    return rc ? -1 : 0;
}

/* Records of each kind md_sample_write(w, nodes, big_edges) produces. */
static inline void md_sample_expect(unsigned nodes, unsigned big_edges, uint64_t counts[MD_KIND_COUNT])
{
    memset(counts, 0, sizeof(uint64_t) * MD_KIND_COUNT);
    counts[MD_PROCESS] = 1;
    counts[MD_STRING] = 10;
    counts[MD_TYPE] = 3;
    counts[MD_MODULE] = 1;
    counts[MD_THREAD] = 1;
    counts[MD_FRAME] = 2;
    counts[MD_STACK] = 3;
    counts[MD_NODE] = nodes + 1;
    counts[MD_EDGES] = (big_edges + MD_EDGES_PER_RECORD - 1) / MD_EDGES_PER_RECORD + 1 - (big_edges > 0);
    /* the big node's edges past the first 4096, and the explicit EDGES record */
    counts[MD_ROOT] = 2;
    counts[MD_COUNTER] = 1;
    counts[MD_ALLOCATOR] = 1;
    counts[MD_TASK] = 1;
    counts[MD_WARNING] = 1;
    counts[MD_SNAPSHOT] = 1;
}

#endif
