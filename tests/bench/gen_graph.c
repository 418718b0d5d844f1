/* gen_graph.c — synthetic dumps with known content, for memanalyze's tests and benchmark.
 *
 *   gen-graph OUT [--list N] [--tree N] [--fanout F] [--leaks K] [--chain C] [--python P]
 *                 [--buf B] [--shuffle] [--chunk BYTES] [--rss BYTES] [--fordblks BYTES]
 *
 * Built as build/tools/gen-graph by analyze/build.mk. Every part has fixed sizes, types and
 * allocation sites, so a test can compute every number memanalyze must print:
 *
 *   --list N     a doubly linked list of N native blocks of 32 bytes, type C++ "8ListNode"
 *                (prints as ListNode), allocated at make_list (gen.c:20) ← main (gen.c:10); a
 *                global root (source 0) points to the head. N-long, so walks must be iterative.
 *   --tree N     a tree of N native 64-byte blocks, type "N3app8TreeNodeE" (app::TreeNode),
 *                fanout F (default 1000): node t points to children t*F+1 … t*F+F; allocated at
 *                make_tree (gen.c:30) ← main; a thread-stack root points to node 0.
 *   --leaks K    K unreachable untyped native blocks of 48 bytes in chains of C (default 4):
 *                each block points to the next of its chain; the first of each chain is
 *                unreferenced. Allocated at leak_it (gen.c:40) ← main.
 *   --module PATH --code-vaddr X [--data-vaddr Y] [--build-id HEX]
 *                record PATH as loaded module 1 (bias 0x7f0000000000) and make make_list's frame
 *                a native one, unsymbolized, whose return address is PATH's ELF address X + 1 (so
 *                the call is at X); with --data-vaddr the list's global root gets source address
 *                Y in PATH, so memanalyze can name the global. For symbolization tests.
 *   --python P   a Python-shaped graph: module `__main__` (72 B, root "module:__main__") →
 *                "__dict__" → dict (100 B) → "cache" → list (56 + 8P B) → [i] → P dicts of 232 B;
 *                a synthetic thread node (root "thread 1 (main)") → synthetic frame (its stack:
 *                work (app.py:12)) → "locals:buf" → bytes of B bytes (--buf, default 1000);
 *                and a cycle of two 232-byte dicts no root reaches. Python-site stacks:
 *                the list items at fill (app.py:5), everything else without a stack.
 *
 * Addresses: list at 0x100000000 + 32 i, tree at 0x40000000000 + 64 i, leaks at
 * 0x50000000000 + 48 i, Python objects from 0x60000000000. Nodes are written in address order
 * (like the native agent) unless --shuffle (like the Python walker). ALLOCATOR: rss (default:
 * total bytes + 1 MiB), malloc.fordblks (default 4096), stacks 8192.
 */
#include "md_writer.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char mem[MD_WRITER_MEM_SIZE];

#define LIST_BASE 0x100000000ull
#define TREE_BASE 0x40000000000ull
#define LEAK_BASE 0x50000000000ull
#define PY_BASE   0x60000000000ull

/* strings */
enum { S_LIST_T = 1, S_TREE_T, S_MAIN, S_MAKE_LIST, S_MAKE_TREE, S_LEAK_IT, S_GEN_C, S_G_LIST,
       S_THREAD_STACK, S_MODULE_T, S_DICT_T, S_LIST_PY_T, S_BYTES_T, S_MODULE_ROOT, S_THREAD_ROOT,
       S_DICT_LABEL, S_CACHE, S_LOCALS_BUF, S_WORK, S_FILL, S_APP_PY, S_FRAME_T, S_THREAD_T, S_NSTR };
static const char *const strings[] = {
    NULL, "8ListNode", "N3app8TreeNodeE", "main", "make_list", "make_tree", "leak_it", "gen.c",
    "g_list", "thread 1 stack", "module", "dict", "list", "bytes", "module:__main__",
    "thread 1 (main)", "__dict__", "cache", "locals:buf", "work", "fill", "app.py", "frame",
    "thread"};
/* types */
enum { T_LIST = 1, T_TREE, T_MODULE, T_DICT, T_PYLIST, T_BYTES, T_FRAME, T_THREAD };
/* frames and stacks */
enum { F_MAIN = 1, F_MAKE_LIST, F_MAKE_TREE, F_LEAK_IT, F_WORK, F_FILL };
enum { ST_LIST = 1, ST_TREE, ST_LEAK, ST_FRAME, ST_FILL };

typedef struct cfg {
    uint64_t list, tree, fanout, leaks, chain, python, buf;
    const char *module;         /* --module: native frame in this file */
    uint64_t code_vaddr, data_vaddr;
    uint8_t build_id[64];
    uint32_t build_id_len;
} cfg;

#define MOD_BIAS 0x7f0000000000ull
#define S_MODULE_PATH S_NSTR    /* the string id of --module's path */

/* Python part: fixed node indices after the native parts */
enum { PY_MODULE, PY_DICT, PY_LIST, PY_THREAD, PY_FRAME, PY_BYTES, PY_G1, PY_G2, PY_ITEMS };

static uint64_t py_addr(uint64_t k) { return PY_BASE + 256 * k; }

static int emit(md_writer *w, const cfg *c, uint64_t i)
{
    md_node n = {0};
    if (i < c->list) {
        n = (md_node){.addr = LIST_BASE + 32 * i, .size = 32, .type = T_LIST, .stack = ST_LIST,
                      .flags = MD_NODE_NATIVE, .usable_size = 40};
        if (md_w_node(w, &n)) return -1;
        if (i + 1 < c->list && md_w_edge(w, LIST_BASE + 32 * (i + 1), 0)) return -1;
        if (i > 0 && md_w_edge(w, LIST_BASE + 32 * (i - 1), 0)) return -1;
        return 0;
    }
    i -= c->list;
    if (i < c->tree) {
        n = (md_node){.addr = TREE_BASE + 64 * i, .size = 64, .type = T_TREE, .stack = ST_TREE,
                      .flags = MD_NODE_NATIVE, .usable_size = 72};
        if (md_w_node(w, &n)) return -1;
        for (uint64_t k = 1; k <= c->fanout; k++) {
            uint64_t ch = i * c->fanout + k;
            if (ch >= c->tree) break;
            if (md_w_edge(w, TREE_BASE + 64 * ch, 0)) return -1;
        }
        return 0;
    }
    i -= c->tree;
    if (i < c->leaks) {
        n = (md_node){.addr = LEAK_BASE + 48 * i, .size = 48, .stack = ST_LEAK, .flags = MD_NODE_NATIVE,
                      .usable_size = 56};
        if (md_w_node(w, &n)) return -1;
        if ((i + 1) % c->chain != 0 && i + 1 < c->leaks && md_w_edge(w, LEAK_BASE + 48 * (i + 1), 0)) return -1;
        return 0;
    }
    i -= c->leaks;
    /* the Python part */
    uint32_t py = MD_NODE_PYOBJ | MD_NODE_GC_TRACKED;
    switch (i) {
    case PY_MODULE:
        n = (md_node){.addr = py_addr(i), .size = 72, .type = T_MODULE, .flags = py};
        if (md_w_node(w, &n) || md_w_edge(w, py_addr(PY_DICT), S_DICT_LABEL)) return -1;
        return 0;
    case PY_DICT:
        n = (md_node){.addr = py_addr(i), .size = 100, .type = T_DICT, .flags = py};
        if (md_w_node(w, &n) || md_w_edge(w, py_addr(PY_LIST), S_CACHE)) return -1;
        return 0;
    case PY_LIST:
        n = (md_node){.addr = py_addr(i), .size = 56 + 8 * c->python, .type = T_PYLIST, .flags = py};
        if (md_w_node(w, &n)) return -1;
        for (uint64_t k = 0; k < c->python; k++)
            if (md_w_edge(w, py_addr(PY_ITEMS + k), MD_LABEL_INDEX(k))) return -1;
        return 0;
    case PY_THREAD:
        n = (md_node){.addr = py_addr(i), .size = 0, .type = T_THREAD, .flags = MD_NODE_SYNTHETIC};
        if (md_w_node(w, &n) || md_w_edge(w, py_addr(PY_FRAME), 0)) return -1;
        return 0;
    case PY_FRAME:
        n = (md_node){.addr = py_addr(i), .size = 0, .type = T_FRAME, .stack = ST_FRAME, .flags = MD_NODE_SYNTHETIC};
        if (md_w_node(w, &n) || md_w_edge(w, py_addr(PY_BYTES), S_LOCALS_BUF)) return -1;
        return 0;
    case PY_BYTES:
        n = (md_node){.addr = py_addr(i), .size = c->buf, .type = T_BYTES, .flags = MD_NODE_PYOBJ};
        return md_w_node(w, &n);
    case PY_G1:
    case PY_G2:
        n = (md_node){.addr = py_addr(i), .size = 232, .type = T_DICT, .flags = py};
        if (md_w_node(w, &n) || md_w_edge(w, py_addr(i == PY_G1 ? PY_G2 : PY_G1), 0)) return -1;
        return 0;
    default:
        n = (md_node){.addr = py_addr(i), .size = 232, .type = T_DICT, .stack = ST_FILL, .flags = py};
        return md_w_node(w, &n);
    }
}

static int header(md_writer *w, const cfg *c, int argc, char **argv)
{
    md_str av[16];
    uint32_t ac = 0;
    for (int i = 0; i < argc && ac < 16; i++) av[ac++] = (md_str){argv[i], (uint32_t)strlen(argv[i])};
    md_process p = {.pid = 1234, .ppid = 1, .exe = {"/usr/bin/gen-graph", 18}, .argv = av, .argc = ac,
                    .time_ns = 1700000000000000000ull, .hostname = {"bench", 5}, .page_size = 4096};
    if (md_w_process(w, &p)) return -1;
    for (uint32_t s = 1; s < S_NSTR; s++)
        if (md_w_string(w, &(md_string){s, {strings[s], (uint32_t)strlen(strings[s])}})) return -1;
    if (c->module) {
        if (md_w_string(w, &(md_string){S_MODULE_PATH, {c->module, (uint32_t)strlen(c->module)}}) ||
            md_w_module(w, &(md_module){.id = 1, .path = S_MODULE_PATH, .build_id = c->build_id,
                                        .build_id_len = c->build_id_len, .bias = MOD_BIAS, .lo = MOD_BIAS,
                                        .hi = MOD_BIAS + 0x10000000}))
            return -1;
    }
    static const uint32_t tname[] = {0, S_LIST_T, S_TREE_T, S_MODULE_T, S_DICT_T, S_LIST_PY_T, S_BYTES_T,
                                     S_FRAME_T, S_THREAD_T};
    for (uint32_t t = 1; t <= T_THREAD; t++) {
        uint32_t kind = t <= T_TREE ? MD_TYPE_CXX : MD_TYPE_PYTHON;
        if (md_w_type(w, &(md_type){t, tname[t], kind, 0x1000 * t})) return -1;
    }
    md_frame frames[] = {
        {0}, {F_MAIN, 0, 0, S_MAIN, S_GEN_C, 10}, {F_MAKE_LIST, 0, 0, S_MAKE_LIST, S_GEN_C, 20},
        {F_MAKE_TREE, 0, 0, S_MAKE_TREE, S_GEN_C, 30}, {F_LEAK_IT, 0, 0, S_LEAK_IT, S_GEN_C, 40},
        {F_WORK, 0, 0, S_WORK, S_APP_PY, 12}, {F_FILL, 0, 0, S_FILL, S_APP_PY, 5}};
    if (c->module) frames[F_MAKE_LIST] = (md_frame){F_MAKE_LIST, MOD_BIAS + c->code_vaddr + 1, 1, 0, 0, 0};
    for (int f = 1; f <= F_FILL; f++)
        if (md_w_frame(w, &frames[f])) return -1;
    static const uint32_t s_list[] = {F_MAKE_LIST, F_MAIN}, s_tree[] = {F_MAKE_TREE, F_MAIN},
                          s_leak[] = {F_LEAK_IT, F_MAIN}, s_frame[] = {F_WORK}, s_fill[] = {F_FILL, F_WORK};
    if (md_w_stack(w, &(md_stack){ST_LIST, s_list, 2}) || md_w_stack(w, &(md_stack){ST_TREE, s_tree, 2}) ||
        md_w_stack(w, &(md_stack){ST_LEAK, s_leak, 2}) || md_w_stack(w, &(md_stack){ST_FRAME, s_frame, 1}) ||
        md_w_stack(w, &(md_stack){ST_FILL, s_fill, 2}))
        return -1;
    return md_w_thread(w, &(md_thread){.tid = 1234, .name = S_MAIN, .flags = MD_THREAD_MAIN});
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-') return 0;
    *out = strtoull(s, &end, 0);
    return *end == 0;
}

int main(int argc, char **argv)
{
    cfg c = {.fanout = 1000, .chain = 4, .buf = 1000};
    int shuffle = 0, have_rss = 0;
    uint64_t chunk = MD_CHUNK_TARGET, rss = 0, fordblks = 4096;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t *dst = !strcmp(a, "--list") ? &c.list : !strcmp(a, "--tree") ? &c.tree
                      : !strcmp(a, "--fanout") ? &c.fanout : !strcmp(a, "--leaks") ? &c.leaks
                      : !strcmp(a, "--chain") ? &c.chain : !strcmp(a, "--python") ? &c.python
                      : !strcmp(a, "--buf") ? &c.buf : !strcmp(a, "--chunk") ? &chunk
                      : !strcmp(a, "--rss") ? &rss : !strcmp(a, "--fordblks") ? &fordblks : NULL;
        if (dst) {
            if (!parse_u64(i + 1 < argc ? argv[i + 1] : NULL, dst)) {
                fprintf(stderr, "gen-graph: %s needs a number\n", a);
                return 2;
            }
            if (dst == &rss) have_rss = 1;
            i++;
        } else if (!strcmp(a, "--shuffle")) shuffle = 1;
        else if (!strcmp(a, "--module") && i + 1 < argc) c.module = argv[++i];
        else if (!strcmp(a, "--code-vaddr") && i + 1 < argc) c.code_vaddr = strtoull(argv[++i], NULL, 16);
        else if (!strcmp(a, "--data-vaddr") && i + 1 < argc) c.data_vaddr = strtoull(argv[++i], NULL, 16);
        else if (!strcmp(a, "--build-id") && i + 1 < argc) {
            const char *h = argv[++i];
            while (h[0] && h[1] && c.build_id_len < sizeof c.build_id) {
                unsigned v;
                if (sscanf(h, "%2x", &v) != 1) break;
                c.build_id[c.build_id_len++] = (uint8_t)v;
                h += 2;
            }
        }
        else if (a[0] == '-' || out) {
            fprintf(stderr, "usage: gen-graph OUT [--list N] [--tree N] [--fanout F] [--leaks K] [--chain C]\n"
                            "                 [--python P] [--buf B] [--shuffle] [--chunk BYTES]\n"
                            "                 [--rss BYTES] [--fordblks BYTES]\n");
            return 2;
        } else out = a;
    }
    if (!out || !c.fanout || !c.chain) {
        fprintf(stderr, "gen-graph: need OUT, and --fanout/--chain above 0\n");
        return 2;
    }
    int py = c.python || argc == 2;         /* a bare call writes the Python part only */
    if (argc == 2) c.python = 3;
    uint64_t npy = py ? PY_ITEMS + c.python : 0;
    uint64_t total = c.list + c.tree + c.leaks + npy;
    uint64_t bytes = 32 * c.list + 64 * c.tree + 48 * c.leaks +
                     (py ? 72 + 100 + 56 + 8 * c.python + c.buf + 2 * 232 + 232 * c.python : 0);
    if (!have_rss) rss = bytes + (1u << 20);

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", out, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) { perror(tmp); return 1; }
    md_writer w;
    int rc = md_writer_init(&w, mem, sizeof mem, md_fd_sink, &fd, 1);
    if (!rc) md_writer_set_chunk_target(&w, (size_t)chunk);
    if (!rc) rc = header(&w, &c, argc, argv);
    if (!rc && shuffle) {
        uint32_t *perm = malloc((total ? total : 1) * sizeof *perm);
        if (!perm) { fprintf(stderr, "gen-graph: out of memory\n"); return 1; }
        for (uint64_t i = 0; i < total; i++) perm[i] = (uint32_t)i;
        uint64_t s = 0x243f6a8885a308d3ull;
        for (uint64_t i = total; i > 1; i--) {
            uint64_t j = next_rand(&s) % i;
            uint32_t t = perm[i - 1]; perm[i - 1] = perm[j]; perm[j] = t;
        }
        for (uint64_t i = 0; i < total && !rc; i++) rc = emit(&w, &c, perm[i]);
        free(perm);
    } else {
        for (uint64_t i = 0; i < total && !rc; i++) rc = emit(&w, &c, i);
    }
    if (!rc && c.list)
        rc = md_w_root(&w, &(md_root){MD_ROOT_GLOBAL, LIST_BASE, S_G_LIST,
                                      c.module && c.data_vaddr ? MOD_BIAS + c.data_vaddr : 0});
    if (!rc && c.tree) rc = md_w_root(&w, &(md_root){MD_ROOT_STACK, TREE_BASE, S_THREAD_STACK, 0});
    if (!rc && py) {
        rc = md_w_root(&w, &(md_root){MD_ROOT_PY_MODULE, py_addr(PY_MODULE), S_MODULE_ROOT, 0});
        if (!rc) rc = md_w_root(&w, &(md_root){MD_ROOT_PY_THREAD, py_addr(PY_THREAD), S_THREAD_ROOT, 0});
    }
    md_stat st[] = {{{"rss", 3}, (int64_t)rss}, {{"malloc.fordblks", 15}, (int64_t)fordblks},
                    {{"stacks", 6}, 8192}};
    if (!rc) rc = md_w_allocator(&w, &(md_allocator){st, 3});
    if (!rc) rc = md_w_snapshot(&w, &(md_snapshot){.reason = {"synthetic", 9}, .seq = 1, .mode = MD_MODE_NATIVE,
                                                   .heap_peak = bytes + 100});
    if (!rc) rc = md_writer_finish(&w);
    if (rc) {
        fprintf(stderr, "gen-graph: %s\n", md_writer_error(&w));
        unlink(tmp);
        return 1;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, out) < 0) {
        perror(out);
        unlink(tmp);
        return 1;
    }
    return 0;
}
