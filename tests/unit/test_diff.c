/* test_diff.c — memdiff on synthetic dumps with exactly known answers.
 *
 * Each scenario describes two or three dumps of one "process" node by node, writes them with the
 * format writer (formats/md_writer.h) into a scratch directory, runs the whole comparison
 * (df_run_all, as memdiff does) and checks the numbers: totals, object matching (kept, new,
 * freed, resized, address reuse), growth sources (which node, its path, retained before and
 * after, growth), growth by type and site, churn from counters, and the ranking of steady growth
 * above spikes with three dumps.
 */
#include "check.h"
#include "diff/df_bykey.h"
#include "diff/df_churn.h"
#include "diff/df_output.h"
#include "diff/df_report.h"
#include "diff/df_run.h"
#include "md_writer.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the shared tables of every test dump ----------------------------------------------------- */

enum { S_G_TABLE = 1, S_G_SCRATCH, S_G_FLAT, S_TABLE_NEW, S_ENTRY_ADD, S_SCRATCH_FILL, S_FLAT_INIT, S_APP_C,
       S_MAIN, S_LIST, S_DICT, S_T1, S_T2, S_G_LIST, S_LIST_PUSH, S_G_ARRAY, S_BLOB_LOAD, S_G_BLOB, S_G_JUMP,
       S_JUMP_LOAD, S_MODULE, S_MODULE_APP, S_DICT_LABEL, S_REGISTRY, S_USERS, S_G_REUSE, S_K0, S_NSTR = S_K0 + 8 };
static const char *const strs[] = {NULL, "g_table", "g_scratch", "g_flat", "table_new", "entry_add", "scratch_fill",
    "flat_init", "app.c", "main", "list", "dict", "T1", "T2", "g_list", "list_push", "g_array", "blob_load", "g_blob",
    "g_jump", "jump_load", "module", "module:app", "__dict__", "registry", "users", "g_reuse",
    "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"};
enum { T_LIST = 1, T_DICT, T_T1, T_T2, T_MODULE };
/* stacks: one per site, {site frame, main} */
enum { ST_TABLE = 1, ST_ENTRY, ST_SCRATCH, ST_FLAT, ST_LIST, ST_BLOB, ST_JUMP, ST_N };
static const uint32_t site_fn[ST_N] = {0, S_TABLE_NEW, S_ENTRY_ADD, S_SCRATCH_FILL, S_FLAT_INIT, S_LIST_PUSH, S_BLOB_LOAD,
                                       S_JUMP_LOAD};

#define NAT MD_NODE_NATIVE
#define PY (MD_NODE_PYOBJ | MD_NODE_GC_TRACKED)

typedef struct tnode {
    uint64_t addr, size;
    uint32_t type, stack, flags;
    uint64_t edge[64];
    int64_t label[64];
    int ne;
} tnode;

typedef struct tdump {
    uint64_t pid, time_ns, seq;
    const char *exe;
    int64_t rss;                    /* < 0: no ALLOCATOR record */
    tnode node[256];
    int nn;
    md_root root[64];
    int nr;
    md_counter ctr[16];
    int nc;
} tdump;

static tdump *dump_new(uint64_t seq)
{
    tdump *d = calloc(1, sizeof *d);
    d->pid = 4242;
    d->exe = "/usr/bin/app";
    d->time_ns = 1700000000000000000ull + seq * 1000000000ull;
    d->seq = seq;
    d->rss = -1;
    return d;
}

static tnode *node(tdump *d, uint64_t addr, uint64_t size, uint32_t type, uint32_t stack, uint32_t flags)
{
    tnode *n = &d->node[d->nn++];
    memset(n, 0, sizeof *n);
    *n = (tnode){.addr = addr, .size = size, .type = type, .stack = stack, .flags = flags};
    return n;
}

static void edge(tnode *n, uint64_t to, int64_t label)
{
    n->edge[n->ne] = to;
    n->label[n->ne++] = label;
}

static void root(tdump *d, uint32_t kind, uint32_t label, uint64_t target, uint64_t slot)
{
    d->root[d->nr++] = (md_root){kind, target, label, slot};
}

static void counter(tdump *d, uint32_t stack, uint64_t allocs, uint64_t frees, uint64_t size)
{
    d->ctr[d->nc++] = (md_counter){stack, allocs, frees, allocs * size, frees * size};
}

static int cmp_node(const void *x, const void *y)
{
    const tnode *p = x, *q = y;
    return p->addr < q->addr ? -1 : p->addr > q->addr;
}

static unsigned char wmem[MD_WRITER_MEM_SIZE];
static char dir[64];

/* Write d as DIR/name; returns the path (static per call site: copy it). */
static char *write_dump(tdump *d, const char *name)
{
    static char paths[16][128];
    static int np;
    char *path = paths[np++ % 16];
    snprintf(path, 128, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    md_writer w;
    md_writer_init(&w, wmem, sizeof wmem, md_fd_sink, &fd, 1);
    md_str argv0 = {"app", 3};
    md_process p = {.pid = d->pid, .ppid = 1, .exe = {d->exe, (uint32_t)strlen(d->exe)}, .argv = &argv0, .argc = 1,
                    .time_ns = d->time_ns};
    md_w_process(&w, &p);
    for (uint32_t s = 1; s < S_NSTR; s++) md_w_string(&w, &(md_string){s, {strs[s], (uint32_t)strlen(strs[s])}});
    md_w_type(&w, &(md_type){T_LIST, S_LIST, MD_TYPE_PYTHON, 0x100});
    md_w_type(&w, &(md_type){T_DICT, S_DICT, MD_TYPE_PYTHON, 0x200});
    md_w_type(&w, &(md_type){T_T1, S_T1, MD_TYPE_NATIVE, 0});
    md_w_type(&w, &(md_type){T_T2, S_T2, MD_TYPE_NATIVE, 0});
    md_w_type(&w, &(md_type){T_MODULE, S_MODULE, MD_TYPE_PYTHON, 0x300});
    /* frame 1 is main; frame k+1 is the site of stack k; native PCs with names already given */
    md_w_frame(&w, &(md_frame){1, 0x1000, 0, S_MAIN, S_APP_C, 1});
    for (uint32_t k = 1; k < ST_N; k++) md_w_frame(&w, &(md_frame){k + 1, 0x1000 * (k + 1), 0, site_fn[k], S_APP_C, 10 * k});
    for (uint32_t k = 1; k < ST_N; k++) {
        uint32_t fr[2] = {k + 1, 1};
        md_w_stack(&w, &(md_stack){k, fr, 2});
    }
    qsort(d->node, (size_t)d->nn, sizeof *d->node, cmp_node);
    for (int i = 0; i < d->nn; i++) {
        tnode *n = &d->node[i];
        md_w_node(&w, &(md_node){.addr = n->addr, .size = n->size, .type = n->type, .stack = n->stack, .flags = n->flags});
        for (int e = 0; e < n->ne; e++) md_w_edge(&w, n->edge[e], n->label[e]);
    }
    for (int i = 0; i < d->nr; i++) md_w_root(&w, &d->root[i]);
    for (int i = 0; i < d->nc; i++) md_w_counter(&w, &d->ctr[i]);
    if (d->rss >= 0) {
        md_stat st = {{"rss", 3}, d->rss};
        md_w_allocator(&w, &(md_allocator){&st, 1});
    }
    md_w_snapshot(&w, &(md_snapshot){.reason = {"test", 4}, .mode = 1, .seq = d->seq});
    if (md_writer_finish(&w) || md_writer_error(&w)) printf("not ok writer: %s\n", md_writer_error(&w));
    close(fd);
    return path;
}

/* Silence stderr around an expected error message (on = 1), restore it (on = 0). */
static void mute_stderr(int on)
{
    static int saved = -1;
    fflush(stderr);
    if (on) {
        int devnull = open("/dev/null", O_WRONLY);
        saved = dup(2);
        dup2(devnull, 2);
        close(devnull);
    } else if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
        saved = -1;
    }
}

static df_opts opts(void)
{
    df_opts o = {0};
    o.top = 0;
    o.by = 1u << DF_TYPE | 1u << DF_SITE | 1u << DF_ROOT;
    o.quiet = 1;
    o.no_system_debug = 1;
    return o;
}

static int run(df_run *r, const char *const *paths, uint32_t n)
{
    df_opts o = opts();
    return df_run_all(r, paths, n, &o);
}

/* The key row of a kind whose text starts with prefix (NULL if absent); rows freed by caller. */
static const df_keyrow *find_row(const df_run *r, df_kind kind, const char *prefix, df_keyrow *rows, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (!strncmp(df_key_text(r, kind, rows[i].key), prefix, strlen(prefix))) return &rows[i];
    (void)kind;
    return NULL;
}

/* ---- scenario A: growth, churn, flat, address reuse, in-place resize ----------------------- */

#define TBL 0x10000ull
#define ENT(i) (0x20000ull + 128 * (uint64_t)(i))

static tdump *scenario_a(int after)
{
    tdump *d = dump_new(after ? 2 : 1);
    int nent = after ? 30 : 10;
    tnode *t = node(d, TBL, 512, 0, ST_TABLE, NAT);
    for (int i = 0; i < nent; i++) {
        edge(t, ENT(i), 0);
        node(d, ENT(i), 128, 0, ST_ENTRY, NAT);
    }
    root(d, MD_ROOT_GLOBAL, S_G_TABLE, TBL, 0x900000);
    /* churn: the scratch block is replaced (another address, same size and site) */
    uint64_t scratch = after ? 0x30100 : 0x30000;
    node(d, scratch, 64, 0, ST_SCRATCH, NAT);
    root(d, MD_ROOT_GLOBAL, S_G_SCRATCH, scratch, 0x900008);
    /* flat: never changes */
    tnode *f = node(d, 0x40000, 256, 0, ST_FLAT, NAT);
    for (int i = 0; i < 5; i++) {
        edge(f, 0x41000 + 64 * (uint64_t)i, 0);
        node(d, 0x41000 + 64 * (uint64_t)i, 64, 0, ST_FLAT, NAT);
    }
    root(d, MD_ROOT_GLOBAL, S_G_FLAT, 0x40000, 0x900010);
    /* address reuse: same address and size, another type */
    node(d, 0x50000, 48, after ? T_T2 : T_T1, 0, NAT);
    root(d, MD_ROOT_GLOBAL, S_G_REUSE, 0x50000, 0x900018);
    /* a Python list resized in place */
    node(d, 0x60000, after ? 120 : 88, T_LIST, 0, PY);
    root(d, MD_ROOT_PY_MODULE, S_MODULE_APP, 0x60000, 0);
    counter(d, ST_TABLE, 1, 0, 512);
    counter(d, ST_ENTRY, (uint64_t)nent, 0, 128);
    counter(d, ST_SCRATCH, after ? 200 : 100, after ? 199 : 99, 64);
    counter(d, ST_FLAT, 6, 0, 96);
    d->rss = after ? 1004096 : 1000000;
    return d;
}

static void test_pair(void)
{
    tdump *a = scenario_a(0), *b = scenario_a(1);
    char pa[128], pb[128];
    snprintf(pa, sizeof pa, "%s", write_dump(a, "a.dump"));
    snprintf(pb, sizeof pb, "%s", write_dump(b, "b.dump"));
    const char *paths[] = {pa, pb};
    df_run r;
    CHECK_EQ_U(run(&r, paths, 2), 0, "pair: runs");
    const df_file *fa = &r.files[0], *fb = &r.files[1];
    CHECK_EQ_U(fa->objects, 20, "pair: objects before");
    CHECK_EQ_U(fb->objects, 40, "pair: objects after");
    CHECK_EQ_U(fa->bytes, 2568, "pair: bytes before");
    CHECK_EQ_U(fb->bytes, 5160, "pair: bytes after");
    CHECK_EQ_U(fb->rss - fa->rss, 4096, "pair: rss delta");
    const df_interval *iv = &r.iv[0];
    CHECK_EQ_U(iv->new_objects, 22, "match: new = 20 entries + scratch + reused address");
    CHECK_EQ_U(iv->new_bytes, 2560 + 64 + 48, "match: new bytes");
    CHECK_EQ_U(iv->freed_objects, 2, "match: freed = old scratch + old type at the reused address");
    CHECK_EQ_U(iv->freed_bytes, 64 + 48, "match: freed bytes");
    CHECK_EQ_U(iv->kept, 18, "match: kept = table, 10 entries, 6 flat, the list");
    CHECK_EQ_U(iv->resized, 1, "match: the Python list was resized in place");
    CHECK_EQ_U((uint64_t)iv->resized_bytes, 32, "match: resized by 32 bytes");

    /* sources: exactly the table */
    CHECK_EQ_U(r.nsrc, 1, "sources: one");
    if (r.nsrc == 1) {
        const df_source *s = &r.src[0];
        CHECK(!s->is_group, "sources: a node");
        CHECK_EQ_U(s->addr, TBL, "sources: the table");
        CHECK_STR(s->label, "g_table", "sources: label is the global");
        CHECK_EQ_U(s->npath, 1, "sources: path of one element (the root)");
        CHECK_STR(s->npath ? s->path[0] : "", "g_table", "sources: path names the global");
        CHECK_STR(s->site_function, "table_new", "sources: allocation site function");
        CHECK_EQ_U(s->site_line, 10, "sources: allocation site line");
        CHECK_EQ_U(s->retained[0], 512 + 10 * 128, "sources: retained before");
        CHECK_EQ_U(s->retained[1], 512 + 30 * 128, "sources: retained after");
        CHECK_EQ_U((uint64_t)s->growth, 20 * 128, "sources: growth = the 20 new entries");
        CHECK(!s->new_in_found, "sources: the table is not new");
        CHECK_EQ_U(s->added_count, 20, "sources: added objects");
        CHECK_EQ_U(s->added_bytes, 2560, "sources: added bytes");
        CHECK(s->nadded_sites == 1 && !strncmp(s->added_sites[0].key, "entry_add", 9), "sources: added at entry_add");
    }

    /* growth by site: the entries, and the untracked objects' in-place resize; not scratch, not flat */
    df_keyrow *rows;
    uint64_t n = df_report_keys(&r, DF_SITE, &rows);
    CHECK_EQ_U(n, 2, "by site: two rows changed");
    if (n >= 1) {
        CHECK(!strncmp(df_key_text(&r, DF_SITE, rows[0].key), "entry_add (app.c:20)", 20), "by site: entry_add first");
        CHECK_EQ_U((uint64_t)rows[0].count_delta, 20, "by site: entry_add count");
        CHECK_EQ_U((uint64_t)rows[0].bytes_delta, 2560, "by site: entry_add bytes");
        CHECK_EQ_U(rows[0].new_count, 20, "by site: entry_add new");
        CHECK_EQ_U(rows[0].freed_count, 0, "by site: entry_add freed");
    }
    CHECK(!find_row(&r, DF_SITE, "scratch_fill", rows, n), "by site: churn is not growth");
    CHECK(!find_row(&r, DF_SITE, "flat_init", rows, n), "by site: flat is not growth");
    const df_keyrow *ns = find_row(&r, DF_SITE, "(no stack", rows, n);
    CHECK(ns && ns->count_delta == 0 && ns->bytes_delta == 32 && ns->new_count == 1 && ns->freed_count == 1,
          "by site: no-stack row: reuse nets to 0, resize +32");
    free(rows);

    /* growth by type, sorted by net bytes */
    n = df_report_keys(&r, DF_TYPE, &rows);
    CHECK_EQ_U(n, 4, "by type: four rows");
    if (n == 4) {
        CHECK_STR(df_key_text(&r, DF_TYPE, rows[0].key), "(native block)", "by type: native blocks first");
        CHECK_EQ_U((uint64_t)rows[0].bytes_delta, 2560, "by type: native bytes");
        CHECK_STR(df_key_text(&r, DF_TYPE, rows[1].key), "T2", "by type: T2 new at the reused address");
        CHECK_EQ_U((uint64_t)rows[1].count_delta, 1, "by type: T2 +1");
        CHECK_STR(df_key_text(&r, DF_TYPE, rows[2].key), "list", "by type: list resized");
        CHECK(rows[2].count_delta == 0 && rows[2].bytes_delta == 32 && rows[2].resized_bytes == 32, "by type: list +32 B, count 0");
        CHECK_STR(df_key_text(&r, DF_TYPE, rows[3].key), "T1", "by type: T1 freed last");
        CHECK(rows[3].count_delta == -1 && rows[3].bytes_delta == -48, "by type: T1 -1, -48 B");
    }
    free(rows);

    /* by root: the table's root holds the growth */
    n = df_report_keys(&r, DF_ROOT, &rows);
    CHECK(n >= 1 && !strcmp(df_key_text(&r, DF_ROOT, rows[0].key), "g_table") && rows[0].bytes_delta == 2560,
          "by root: g_table first, +2560");
    CHECK(!find_row(&r, DF_ROOT, "g_flat", rows, n), "by root: flat does not appear");
    free(rows);

    /* churn: scratch (net 0) and the entries, by bytes allocated */
    df_churnrow *ch;
    n = df_report_churn(&r, &ch);
    CHECK_EQ_U(n, 2, "churn: two sites");
    if (n == 2) {
        CHECK(!strncmp(df_key_text(&r, DF_SITE, ch[0].key), "scratch_fill", 12), "churn: scratch first");
        CHECK(ch[0].allocs == 100 && ch[0].frees == 100 && ch[0].bytes == 6400, "churn: scratch 100/100/6400");
        CHECK(ch[1].allocs == 20 && ch[1].frees == 0 && ch[1].bytes == 2560, "churn: entries 20/0/2560");
    }
    free(ch);

    /* both outputs run; JSON carries the fields the schema promises */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    df_json(&r, f);
    fclose(f);
    CHECK(buf && strstr(buf, "\"objects_delta\": 20") && strstr(buf, "\"bytes_delta\": 2592") &&
          strstr(buf, "\"rss_delta\": 4096"), "json: summary");
    CHECK(buf && strstr(buf, "\"retained_before\": 1792") && strstr(buf, "\"retained_after\": 4352"), "json: source");
    CHECK(buf && strstr(buf, "\"kind\": \"site\", \"key\": \"entry_add (app.c:20)"), "json: growth row");
    CHECK(buf && strstr(buf, "{\"function\": \"scratch_fill\", \"file\": \"app.c\", \"line\": 30"), "json: churn row");
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    df_text(&r, f);
    fclose(f);
    CHECK(buf && strstr(buf, "Growth sources") && strstr(buf, "g_table") && strstr(buf, "+2.50 KiB"), "text: report");
    free(buf);
    df_run_free(&r);

    /* a dump against itself: zero everywhere */
    const char *same[] = {pb, pb};
    CHECK_EQ_U(run(&r, same, 2), 0, "self: runs");
    CHECK(r.iv[0].new_objects == 0 && r.iv[0].freed_objects == 0 && r.iv[0].kept == 40 && r.iv[0].resized == 0,
          "self: every object kept");
    CHECK_EQ_U(r.nsrc, 0, "self: no source");
    for (int k = 0; k < DF_KINDS; k++) {
        n = df_report_keys(&r, (df_kind)k, &rows);
        CHECK_EQ_U(n, 0, k == 0 ? "self: no type changed" : k == 1 ? "self: no site changed" : "self: no root changed");
        free(rows);
    }
    n = df_report_churn(&r, &ch);
    CHECK_EQ_U(n, 0, "self: no churn");
    free(ch);
    df_run_free(&r);

    /* another process: refused, unless forced */
    b->pid = 4343;
    snprintf(pb, sizeof pb, "%s", write_dump(b, "other.dump"));
    const char *other[] = {pa, pb};
    mute_stderr(1);
    int rc = run(&r, other, 2);
    mute_stderr(0);
    CHECK_EQ_U(rc, 1, "process: different pid refused");
    df_run_free(&r);
    df_opts o = opts();
    o.force = 1;
    CHECK_EQ_U(df_run_all(&r, other, 2, &o), 0, "process: --force compares anyway");
    CHECK(r.warnings.n >= 1, "process: --force warns");
    df_run_free(&r);

    /* a missing file */
    const char *missing[] = {pa, "/nonexistent/x.dump"};
    mute_stderr(1);
    rc = run(&r, missing, 2);
    mute_stderr(0);
    CHECK_EQ_U(rc, 1, "errors: a missing file fails");
    df_run_free(&r);
    free(a);
    free(b);
}

/* ---- scenario B: a prepended linked list, and growth spread over a global array ------------ */

#define LST(i) (0x90000ull + 64 * (uint64_t)(i))

static tdump *scenario_b(int after)
{
    tdump *d = dump_new(after ? 2 : 1);
    int n = after ? 10 : 5;
    for (int i = 0; i < n; i++) {
        tnode *x = node(d, LST(i), 64, T_T1, ST_LIST, NAT);
        if (i) edge(x, LST(i - 1), 0);
    }
    root(d, MD_ROOT_GLOBAL, S_G_LIST, LST(n - 1), 0x900100);
    if (after)
        for (int i = 0; i < 20; i++) {
            node(d, 0xA0000 + 128 * (uint64_t)i, 100, 0, ST_BLOB, NAT);
            root(d, MD_ROOT_GLOBAL, S_G_ARRAY, 0xA0000 + 128 * (uint64_t)i, 0x900200 + 8 * (uint64_t)i);
        }
    return d;
}

static void test_list_and_group(void)
{
    tdump *a = scenario_b(0), *b = scenario_b(1);
    char pa[128], pb[128];
    snprintf(pa, sizeof pa, "%s", write_dump(a, "la.dump"));
    snprintf(pb, sizeof pb, "%s", write_dump(b, "lb.dump"));
    const char *paths[] = {pa, pb};
    df_run r;
    CHECK_EQ_U(run(&r, paths, 2), 0, "list: runs");
    uint64_t *ord;
    uint64_t n = df_report_sources(&r, &ord);
    CHECK_EQ_U(n, 2, "list: two sources");
    if (n == 2) {
        const df_source *g = &r.src[ord[0]], *l = &r.src[ord[1]];
        CHECK(g->is_group, "group: spread growth reports the root group");
        CHECK_STR(g->label, "g_array", "group: named by the global");
        CHECK(g->retained[0] == 0 && g->retained[1] == 2000 && g->growth == 2000, "group: 0 → 2000, growth 2000");
        CHECK(!l->is_group, "list: a node");
        CHECK_EQ_U(l->addr, LST(9), "list: the head, not the link where the descent stopped");
        CHECK(l->new_in_found && l->retained[0] == 0, "list: the head is new: retained before 0");
        CHECK_EQ_U(l->retained[1], 640, "list: retains the whole list after");
        CHECK_EQ_U((uint64_t)l->growth, 320, "list: growth counts the 5 new nodes, not the old tail");
        CHECK_STR(l->site_function, "list_push", "list: site");
    }
    free(ord);
    df_run_free(&r);
    free(a);
    free(b);
}

/* ---- scenario C: nested Python dicts, named by the global and the key path -------------------- */

static tdump *scenario_py(int after)
{
    tdump *d = dump_new(after ? 2 : 1);
    int n = after ? 6 : 2;
    tnode *m = node(d, 0xB0000, 72, T_MODULE, 0, PY);
    edge(m, 0xB1000, S_DICT_LABEL);
    tnode *g = node(d, 0xB1000, 300, T_DICT, 0, PY);
    edge(g, 0xB2000, S_REGISTRY);
    tnode *reg = node(d, 0xB2000, 200, T_DICT, 0, PY);
    edge(reg, 0xB3000, S_USERS);
    tnode *users = node(d, 0xB3000, after ? 400 : 200, T_DICT, 0, PY);
    for (int i = 0; i < n; i++) {
        edge(users, 0xB4000 + 256 * (uint64_t)i, S_K0 + i);
        node(d, 0xB4000 + 256 * (uint64_t)i, 100, T_DICT, 0, PY);
    }
    root(d, MD_ROOT_PY_MODULE, S_MODULE_APP, 0xB0000, 0);
    return d;
}

static void test_python(void)
{
    tdump *a = scenario_py(0), *b = scenario_py(1);
    char pa[128], pb[128];
    snprintf(pa, sizeof pa, "%s", write_dump(a, "pa.dump"));
    snprintf(pb, sizeof pb, "%s", write_dump(b, "pb.dump"));
    const char *paths[] = {pa, pb};
    df_run r;
    CHECK_EQ_U(run(&r, paths, 2), 0, "python: runs");
    CHECK_EQ_U(r.nsrc, 1, "python: one source");
    if (r.nsrc == 1) {
        const df_source *s = &r.src[0];
        CHECK_EQ_U(s->addr, 0xB3000, "python: the users dict, not an outer dict");
        char *p = ma_path_join(s->path, s->npath);
        CHECK_STR(p, "module:app → __dict__ → registry → users", "python: path names the global and the keys");
        free(p);
        CHECK(s->retained[0] == 400 && s->retained[1] == 1000, "python: retained 400 → 1000");
        CHECK_EQ_U((uint64_t)s->growth, 600, "python: growth = 4 new dicts + 200 B table growth");
    }
    CHECK_EQ_U(r.iv[0].resized, 1, "python: the users dict resized in place");
    df_run_free(&r);
    free(a);
    free(b);
}

/* ---- scenario D: three dumps, steady growth vs a spike and a one-off jump ------------------- */

static tdump *scenario_series(int k)
{
    tdump *d = dump_new((uint64_t)k + 1);
    int nent = 10 * (k + 1);
    tnode *t = node(d, TBL, 512, 0, ST_TABLE, NAT);
    for (int i = 0; i < nent; i++) {
        edge(t, ENT(i), 0);
        node(d, ENT(i), 128, 0, ST_ENTRY, NAT);
    }
    root(d, MD_ROOT_GLOBAL, S_G_TABLE, TBL, 0x900000);
    if (k == 1) {           /* a spike: only in the middle dump */
        node(d, 0x70000, 8192, 0, ST_BLOB, NAT);
        root(d, MD_ROOT_GLOBAL, S_G_BLOB, 0x70000, 0x900300);
    }
    if (k == 2) {           /* a one-off jump, larger than the steady growth's total */
        node(d, 0x80000, 4096, 0, ST_JUMP, NAT);
        root(d, MD_ROOT_GLOBAL, S_G_JUMP, 0x80000, 0x900308);
    }
    /* a late grower: there from the start, grows only in the last interval, so it is found
     * there and must be followed back through the released dumps */
    tnode *late = node(d, 0xC0000, 256, 0, ST_LIST, NAT);
    root(d, MD_ROOT_GLOBAL, S_G_LIST, 0xC0000, 0x900310);
    if (k == 2)
        for (int i = 0; i < 3; i++) {
            edge(late, 0xC1000 + 512 * (uint64_t)i, 0);
            node(d, 0xC1000 + 512 * (uint64_t)i, 512, 0, ST_LIST, NAT);
        }
    counter(d, ST_ENTRY, (uint64_t)nent, 0, 128);
    counter(d, ST_BLOB, k >= 1 ? 1 : 0, k >= 2 ? 1 : 0, 8192);
    return d;
}

static void test_series(void)
{
    char p[3][128];
    tdump *d[3];
    for (int k = 0; k < 3; k++) {
        d[k] = scenario_series(k);
        char name[32];
        snprintf(name, sizeof name, "s%d.dump", k);
        snprintf(p[k], sizeof p[k], "%s", write_dump(d[k], name));
    }
    const char *paths[] = {p[0], p[1], p[2]};
    df_run r;
    CHECK_EQ_U(run(&r, paths, 3), 0, "series: runs");
    uint64_t *ord;
    uint64_t n = df_report_sources(&r, &ord);
    CHECK_EQ_U(n, 4, "series: four sources");
    if (n == 4) {
        const df_source *s0 = &r.src[ord[0]], *s1 = &r.src[ord[1]], *s2 = &r.src[ord[3]], *s3 = &r.src[ord[2]];
        CHECK_EQ_U(s0->addr, TBL, "series: steady growth ranks first");
        CHECK(df_source_steady(&r, s0), "series: the table is steady");
        CHECK(s0->retained[0] == 1792 && s0->retained[1] == 3072 && s0->retained[2] == 4352,
              "series: retained at each dump (followed through the middle dump)");
        CHECK_EQ_U(s1->addr, 0x80000, "series: the one-off jump second (larger total, not steady)");
        CHECK(!df_source_steady(&r, s1) && s1->retained[2] == 4096 && s1->retained[0] == 0, "series: jump 0 → 0 → 4096");
        CHECK_EQ_U(s3->addr, 0xC0000, "series: the late grower third");
        CHECK(s3->found_in == 1 && s3->retained[0] == 256 && s3->retained[1] == 256 && s3->retained[2] == 1792,
              "series: a source found late is followed back to the first dump");
        CHECK_EQ_U(s2->addr, 0x70000, "series: the spike last");
        CHECK(s2->retained[0] == 0 && s2->retained[1] == 8192 && s2->retained[2] == 0, "series: spike 0 → 8192 → 0");
    }
    free(ord);
    df_keyrow *rows;
    n = df_report_keys(&r, DF_SITE, &rows);
    CHECK_EQ_U(n, 4, "series: four sites changed");
    if (n == 4) {
        CHECK(!strncmp(df_key_text(&r, DF_SITE, rows[0].key), "entry_add", 9) && rows[0].steady,
              "series: steady site first");
        CHECK(df_key_delta(&r, DF_SITE, rows[0].key, 0, 1) == 1280 && df_key_delta(&r, DF_SITE, rows[0].key, 1, 1) == 1280,
              "series: per-interval column +1280, +1280");
        CHECK(!strncmp(df_key_text(&r, DF_SITE, rows[1].key), "jump_load", 9), "series: jump second");
        CHECK(!strncmp(df_key_text(&r, DF_SITE, rows[2].key), "list_push", 9) && rows[2].bytes_delta == 1536,
              "series: the late grower third");
        CHECK(!strncmp(df_key_text(&r, DF_SITE, rows[3].key), "blob_load", 9) && rows[3].bytes_delta == 0,
              "series: spike last, net 0");
    }
    free(rows);
    df_churnrow *ch;
    n = df_report_churn(&r, &ch);
    CHECK(n == 2 && ch[0].bytes == 8192 && ch[0].allocs == 1 && ch[0].frees == 1, "series: churn sees the spike's alloc and free");
    CHECK(n == 2 && df_ctr_delta(&r.churn, ch[1].key, 0, 1, DF_K_ALLOCS) == 10 &&
          df_ctr_delta(&r.churn, ch[1].key, 1, 2, DF_K_ALLOCS) == 10, "series: churn per interval");
    free(ch);
    df_run_free(&r);
    for (int k = 0; k < 3; k++) free(d[k]);
}

/* ---- random dumps: invariants that must hold whatever the graphs -------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* 200 nodes drawn from 300 addresses (so two dumps share some and reuse others), random types,
 * sizes, sites, kinds, edges (cycles, self-loops, edges to nowhere), roots, a few repeated
 * addresses; counters that may even go down. */
static tdump *random_dump(uint64_t seq)
{
    tdump *d = dump_new(seq);
    d->rss = rnd(2) ? (int64_t)rnd(1u << 30) : -1;
    for (int i = 0; i < 200; i++) {
        uint64_t addr = 0x100000 + 64 * (uint64_t)rnd(300);
        uint32_t flags = rnd(10) == 0 ? MD_NODE_SYNTHETIC : rnd(2) ? PY : NAT;
        tnode *n = node(d, addr, flags == MD_NODE_SYNTHETIC ? 0 : 16 * (1 + rnd(4)), rnd(6), rnd(ST_N), flags);
        int ne = (int)rnd(5);
        for (int e = 0; e < ne; e++)
            edge(n, rnd(20) ? 0x100000 + 64 * (uint64_t)rnd(300) : 0xdead0000, rnd(3) ? 0 : (int64_t)(S_K0 + rnd(8)));
    }
    for (int i = 0; i < 12; i++)
        root(d, rnd(2) ? MD_ROOT_GLOBAL : MD_ROOT_PY_MODULE, rnd(2) ? S_G_ARRAY : S_G_TABLE,
             d->node[rnd((uint32_t)d->nn)].addr, 0x900000 + 8 * (uint64_t)rnd(4));
    for (uint32_t k = 1; k < ST_N; k++) counter(d, k, rnd(100), rnd(100), 16);
    return d;
}

static void test_random(void)
{
    for (int round = 0; round < 20; round++) {
        tdump *d[3];
        char p[3][128];
        for (int k = 0; k < 3; k++) {
            d[k] = random_dump((uint64_t)k + 1);
            char name[32];
            snprintf(name, sizeof name, "r%d.dump", k);
            snprintf(p[k], sizeof p[k], "%s", write_dump(d[k], name));
        }
        const char *paths[] = {p[0], p[1], p[2]};
        for (uint32_t nd = 2; nd <= 3; nd++) {
            df_run r;
            if (run(&r, paths, nd)) {
                printf("not ok random %d: run failed\n", round);
                check_failed_count++;
                continue;
            }
            int64_t dobj = (int64_t)r.files[nd - 1].objects - (int64_t)r.files[0].objects;
            int64_t dbytes = (int64_t)r.files[nd - 1].bytes - (int64_t)r.files[0].bytes;
            int ok = 1;
            for (uint32_t j = 0; j < r.nint; j++) {
                const df_interval *iv = &r.iv[j];
                int64_t db = (int64_t)r.files[j + 1].bytes - (int64_t)r.files[j].bytes;
                ok &= (int64_t)iv->new_bytes - (int64_t)iv->freed_bytes + iv->resized_bytes == db;
                ok &= (int64_t)iv->new_objects - (int64_t)iv->freed_objects ==
                      (int64_t)r.files[j + 1].objects - (int64_t)r.files[j].objects;
                ok &= iv->kept + iv->new_objects == r.files[j + 1].objects;
            }
            for (int k = 0; k < DF_KINDS; k++) {
                df_keyrow *rows;
                uint64_t n = df_report_keys(&r, (df_kind)k, &rows);
                int64_t sc = 0, sb = 0;
                for (uint64_t i = 0; i < n; i++) {
                    sc += rows[i].count_delta;
                    sb += rows[i].bytes_delta;
                    if (i && r.nint == 1) ok &= rows[i - 1].bytes_delta >= rows[i].bytes_delta;
                }
                ok &= sc == dobj && sb == dbytes;
                free(rows);
            }
            uint64_t *ord;
            uint64_t n = df_report_sources(&r, &ord);
            for (uint64_t i = 0; i < n; i++) ok &= r.src[ord[i]].growth > 0;
            free(ord);
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            df_json(&r, f);
            df_text(&r, f);
            fclose(f);
            ok &= buf && len > 0;
            free(buf);
            char name[80];
            snprintf(name, sizeof name, "random %d, %u dumps: totals add up, every key sums to the change", round, nd);
            CHECK(ok, name);
            df_run_free(&r);
        }
        for (int k = 0; k < 3; k++) free(d[k]);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_diff.XXXXXX");
    if (!mkdtemp(dir)) {
        printf("not ok scratch directory\n");
        return 1;
    }
    test_pair();
    test_list_and_group();
    test_python();
    test_series();
    test_random();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (!getenv("KEEP") && system(cmd)) printf("# could not remove %s\n", dir);
    return check_done();
}
