/* export_sqlite.c — memanalyze --export sqlite OUT.db: the snapshot and its analysis as SQLite
 * tables, for ad-hoc questions and for comparing dumps in any SQL engine.
 *
 * Schema (README has example queries; ids are memanalyze's: nodes are numbered in address order,
 * the same index `--export heapsnapshot` turns into id 2 × v + 101):
 *
 *   dump        one row: the process, the snapshot, and memanalyze's totals
 *   nodes       id, addr, size, type → types, site → sites, flags (FORMAT.md node flags, plus
 *               memanalyze's: 0x100 root, 0x200 unreachable, 0x400 unreferenced), reachable.
 *               size is what memanalyze counts: 0 for synthetic nodes (threads, frames)
 *   edges       src, pos (the edge's place among src's references), dst (node ids), name → strings
 *               (a named reference) or idx (an element index); clustered by src, indexed by dst
 *   strings     id, text: the dump's string table (edge names)
 *   roots       id (record order), kind, name (as memanalyze shows it), node (NULL when the target
 *               is not a node), addr (the target address), source (the slot's address)
 *   types       id, name, count, bytes, retained: memory by type exactly as memanalyze --types
 *               ("(native block)", "(unknown type)" and "(synthetic)" for untyped nodes)
 *   sites       id, function, file, line, count, bytes, retained, alloc_count, alloc_bytes:
 *               allocation sites as memanalyze --sites merges them (0 = no stack recorded);
 *               alloc_* from the dump's per-site counters, NULL when it has none
 *   frames      id, function, file, line, module: the distinct symbolized locations
 *   site_frames site, depth, frame: each site's stack, depth 0 = where it allocated, outwards
 *   dominators  node, idom (NULL for a top-level node: kept directly by the roots, or the start of
 *               an unreachable region), retained (bytes freed if the node went away),
 *               path_parent (previous node on a shortest path from a root, NULL at the root)
 *   edge_labels a view: src, dst, label as memanalyze prints it ("cache", "[3]", NULL)
 *
 * There is no dump-id column: one file is one dump. Two dumps compare through ATTACH (joins on
 * type names, site locations, root names: what stays stable between snapshots), and many dumps
 * import into one database with `INSERT INTO all_types SELECT N, * FROM dN.types`, where the
 * importer chooses N.
 *
 * Speed: one transaction, prepared statements re-bound per row, journal and syncs off while the
 * file is still a temporary name (it is renamed into place only when complete, so a crash
 * cannot leave a half-written OUT), and indexes built after the rows.
 */
#include "export_internal.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_group.h"
#include "ma_intern.h"
#include "ma_mem.h"
#include "md_format.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char schema[] =
    "PRAGMA journal_mode=OFF;"
    "PRAGMA synchronous=OFF;"
    "PRAGMA locking_mode=EXCLUSIVE;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA cache_size=-32768;"
    "BEGIN;"
    "CREATE TABLE dump(path TEXT, pid INTEGER, ppid INTEGER, exe TEXT, cmdline TEXT, hostname TEXT,"
    " python_version TEXT, time_ns INTEGER, reason TEXT, complete INTEGER, nodes INTEGER, edges INTEGER,"
    " roots INTEGER, objects INTEGER, bytes INTEGER, reachable_objects INTEGER, reachable_bytes INTEGER,"
    " unreachable_objects INTEGER, unreachable_bytes INTEGER);"
    "CREATE TABLE types(id INTEGER PRIMARY KEY, name TEXT NOT NULL, count INTEGER NOT NULL,"
    " bytes INTEGER NOT NULL, retained INTEGER NOT NULL);"
    "CREATE TABLE sites(id INTEGER PRIMARY KEY, function TEXT NOT NULL, file TEXT, line INTEGER,"
    " count INTEGER NOT NULL, bytes INTEGER NOT NULL, retained INTEGER NOT NULL, alloc_count INTEGER,"
    " alloc_bytes INTEGER);"
    "CREATE TABLE frames(id INTEGER PRIMARY KEY, function TEXT NOT NULL, file TEXT, line INTEGER, module TEXT);"
    "CREATE TABLE site_frames(site INTEGER NOT NULL, depth INTEGER NOT NULL, frame INTEGER NOT NULL,"
    " PRIMARY KEY(site, depth)) WITHOUT ROWID;"
    "CREATE TABLE strings(id INTEGER PRIMARY KEY, text TEXT NOT NULL);"
    "CREATE TABLE nodes(id INTEGER PRIMARY KEY, addr INTEGER NOT NULL, size INTEGER NOT NULL,"
    " type INTEGER NOT NULL, site INTEGER NOT NULL, flags INTEGER NOT NULL, reachable INTEGER NOT NULL);"
    "CREATE TABLE edges(src INTEGER NOT NULL, pos INTEGER NOT NULL, dst INTEGER NOT NULL, name INTEGER,"
    " idx INTEGER, PRIMARY KEY(src, pos)) WITHOUT ROWID;"
    "CREATE TABLE roots(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, node INTEGER,"
    " addr INTEGER NOT NULL, source INTEGER);"
    "CREATE TABLE dominators(node INTEGER PRIMARY KEY, idom INTEGER, retained INTEGER NOT NULL,"
    " path_parent INTEGER);"
    "CREATE VIEW edge_labels AS SELECT src, dst, CASE WHEN name IS NOT NULL THEN"
    " (SELECT text FROM strings WHERE strings.id = edges.name) WHEN idx IS NOT NULL THEN"
    " '[' || idx || ']' END AS label FROM edges;";

static const char indexes[] =
    "CREATE INDEX nodes_addr ON nodes(addr);"
    "CREATE INDEX nodes_type ON nodes(type);"
    "CREATE INDEX nodes_site ON nodes(site);"
    "CREATE INDEX edges_dst ON edges(dst);"
    "CREATE INDEX roots_node ON roots(node);"
    "CREATE INDEX dominators_idom ON dominators(idom);"
    "CREATE INDEX site_frames_frame ON site_frames(frame);"
    "COMMIT;";

typedef struct sq {
    sqlite3 *db;
    char *err;
    size_t errlen;
    int failed;
} sq;

static int fail(sq *s, const char *what)
{
    if (!s->failed) snprintf(s->err, s->errlen, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "out of memory");
    s->failed = 1;
    return -1;
}

static sqlite3_stmt *prep(sq *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (!s->failed && sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) fail(s, "prepare");
    return st;
}

/* step a fully bound statement, then reset it for the next row */
static void row(sq *s, sqlite3_stmt *st)
{
    if (s->failed) return;
    if (sqlite3_step(st) != SQLITE_DONE) fail(s, "insert");
    sqlite3_reset(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
    if (!t) { sqlite3_bind_null(st, i); return; }
    char *tmp;
    const char *u = ma_utf8(t, &tmp);
    sqlite3_bind_text(st, i, u, -1, SQLITE_TRANSIENT);
    free(tmp);
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v) { sqlite3_bind_int64(st, i, (sqlite3_int64)v); }

/* ---- bulk insertion of integer rows ----------------------------------------------------------
 * The big tables (nodes, dominators, edges) hold only integers. Inserting them BULK_ROWS rows per
 * statement ("VALUES (…),(…),…") divides the per-statement cost of the virtual machine by that
 * much; values wait in a small buffer so the last, shorter batch can use its own statement. */
#define BULK_ROWS 128
#define BULK_NULL INT64_MIN         /* stands for SQL NULL (no real value is this) */

typedef struct bulk {
    sq *s;
    const char *table;
    int ncol, nrow;
    sqlite3_stmt *full;
    int64_t v[BULK_ROWS * 8];
} bulk;

static sqlite3_stmt *bulk_stmt(bulk *b, int rows)
{
    size_t cap = 64 + (size_t)rows * ((size_t)b->ncol * 2 + 3);
    char *sql = ma_malloc(cap, 1), *p = sql;
    p += sprintf(p, "INSERT INTO %s VALUES", b->table);
    for (int r = 0; r < rows; r++) {
        *p++ = r ? ',' : ' ';
        *p++ = '(';
        for (int c = 0; c < b->ncol; c++) {
            if (c) *p++ = ',';
            *p++ = '?';
        }
        *p++ = ')';
    }
    *p = 0;
    sqlite3_stmt *st = prep(b->s, sql);
    free(sql);
    return st;
}

static void bulk_init(bulk *b, sq *s, const char *table, int ncol)
{
    b->s = s;
    b->table = table;
    b->ncol = ncol;
    b->nrow = 0;
    b->full = bulk_stmt(b, BULK_ROWS);
}

static void bulk_flush(bulk *b)
{
    if (!b->nrow || b->s->failed) { b->nrow = 0; return; }
    sqlite3_stmt *st = b->nrow == BULK_ROWS ? b->full : bulk_stmt(b, b->nrow);
    if (st) {
        for (int i = 0; i < b->nrow * b->ncol; i++) {
            if (b->v[i] == BULK_NULL) sqlite3_bind_null(st, i + 1);
            else sqlite3_bind_int64(st, i + 1, b->v[i]);
        }
        row(b->s, st);
        if (st != b->full) sqlite3_finalize(st);
    }
    b->nrow = 0;
}

/* one row: ncol values, BULK_NULL for NULL */
static void bulk_row(bulk *b, const int64_t *vals)
{
    memcpy(&b->v[b->nrow * b->ncol], vals, (size_t)b->ncol * sizeof *vals);
    if (++b->nrow == BULK_ROWS) bulk_flush(b);
}

static void bulk_done(bulk *b)
{
    bulk_flush(b);
    sqlite3_finalize(b->full);
}

/* ---- group keys, as view_types and view_sites compute them ------------------------------------ */

typedef struct tkey {
    const ma_graph *g;
    uint32_t *map;          /* TYPE id → group */
    uint32_t native, unknown, synthetic;
} tkey;

static uint32_t type_key(const tkey *k, ma_id v)
{
    uint32_t t = k->g->type[v];
    if (t) return k->map[t];
    if (k->g->flags[v] & MD_NODE_SYNTHETIC) return k->synthetic;
    return (k->g->flags[v] & MD_NODE_NATIVE) ? k->native : k->unknown;
}

static uint32_t type_key_fn(void *ctx, ma_id v) { return type_key(ctx, v); }

static uint32_t site_key_fn(void *ctx, ma_id v)
{
    ma_ctx *c = ctx;
    return c->sites->group[c->d->g.stack[v]];
}

static const char *root_kind_text(uint32_t kind)
{
    static const char *const k[] = {"other", "global", "stack", "register", "module", "thread", "interpreter",
                                    "held from C", "api", "other"};
    return kind < sizeof k / sizeof *k ? k[kind] : "other";
}

static void write_dump_row(sq *s, ma_ctx *c, const char *path)
{
    const ma_dump *d = c->d;
    const ma_analysis *a = c->a;
    sqlite3_stmt *st = prep(s, "INSERT INTO dump VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!st) return;
    bind_text(st, 1, path);
    if (d->process.present) {
        bind_u64(st, 2, d->process.pid);
        bind_u64(st, 3, d->process.ppid);
        bind_text(st, 4, d->process.exe);
        bind_text(st, 5, d->process.cmdline);
        bind_text(st, 6, d->process.hostname);
        bind_text(st, 7, d->process.python_version && *d->process.python_version ? d->process.python_version : NULL);
        bind_u64(st, 8, d->process.time_ns);
    }
    bind_text(st, 9, d->snapshot.present ? d->snapshot.reason : NULL);
    sqlite3_bind_int(st, 10, d->status.complete);
    bind_u64(st, 11, d->g.n);
    bind_u64(st, 12, d->g.m);
    bind_u64(st, 13, d->nroots);
    bind_u64(st, 14, a->objects);
    bind_u64(st, 15, a->bytes);
    bind_u64(st, 16, a->objects - a->unreach_objects);
    bind_u64(st, 17, a->bytes - a->unreach_bytes);
    bind_u64(st, 18, a->unreach_objects);
    bind_u64(st, 19, a->unreach_bytes);
    row(s, st);
    sqlite3_finalize(st);
}

int ma_export_sqlite(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note, size_t notelen)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    const ma_analysis *a = c->a;
    sq s = {.err = err, .errlen = errlen};
    close(o->fd);                       /* SQLite opens the file by name */
    o->fd = -1;
    /* memanalyze is single-threaded: no mutexes, no allocation statistics (fails harmlessly with
     * SQLITE_MISUSE if SQLite was already initialized) */
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite3_open_v2(o->tmp, &s.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
        fail(&s, "cannot open the database");
        sqlite3_close(s.db);
        return -1;
    }
    if (sqlite3_exec(s.db, schema, NULL, NULL, NULL) != SQLITE_OK) fail(&s, "cannot create the tables");

    write_dump_row(&s, c, d->status.path);

    /* types */
    tkey tk = {.g = g};
    ma_intern tnames;
    ma_intern_init(&tnames);
    tk.map = ma_calloc((size_t)d->ntypes + 1, sizeof *tk.map);
    for (uint32_t t = 1; t <= d->ntypes; t++) tk.map[t] = ma_intern_cstr(&tnames, ma_type_name(c->nm, t));
    tk.native = ma_intern_cstr(&tnames, "(native block)");
    tk.unknown = ma_intern_cstr(&tnames, "(unknown type)");
    tk.synthetic = ma_intern_cstr(&tnames, "(synthetic)");
    ma_groups tg;
    ma_groups_compute(&tg, a, tnames.n, type_key_fn, &tk);
    sqlite3_stmt *st = prep(&s, "INSERT INTO types VALUES(?,?,?,?,?)");
    for (uint32_t x = 0; st && x < tnames.n; x++) {
        sqlite3_bind_int64(st, 1, x);
        bind_text(st, 2, tnames.str[x]);
        bind_u64(st, 3, tg.count[x]);
        bind_u64(st, 4, tg.bytes[x]);
        bind_u64(st, 5, tg.retained[x]);
        row(&s, st);
    }
    sqlite3_finalize(st);
    ma_groups_free(&tg);

    /* sites, their frames, and the distinct locations */
    const ma_sitemap *sm = ma_ctx_sites(c);
    ma_groups sg;
    ma_groups_compute(&sg, a, sm->ngroups, site_key_fn, c);
    uint64_t *acnt = NULL, *abytes = NULL;
    if (d->ncounters) {
        acnt = ma_calloc(sm->ngroups + 1, sizeof *acnt);
        abytes = ma_calloc(sm->ngroups + 1, sizeof *abytes);
        for (uint64_t i = 0; i < d->ncounters; i++) {
            uint32_t stk = d->counters[i].stack <= d->nstacks ? d->counters[i].stack : 0;
            acnt[sm->group[stk]] += d->counters[i].allocs;
            abytes[sm->group[stk]] += d->counters[i].bytes_allocated;
        }
    }
    ma_intern fkeys;
    ma_intern_init(&fkeys);
    st = prep(&s, "INSERT INTO sites VALUES(?,?,?,?,?,?,?,?,?)");
    sqlite3_stmt *sf = prep(&s, "INSERT INTO site_frames VALUES(?,?,?)");
    sqlite3_stmt *fr = prep(&s, "INSERT INTO frames VALUES(?,?,?,?,?)");
    for (uint32_t x = 0; st && sf && fr && x < sm->ngroups; x++) {
        uint32_t rep = sm->rep[x];
        const ma_loc *site = rep ? ma_stack_site(c->nm, rep) : NULL;
        sqlite3_bind_int64(st, 1, x);
        bind_text(st, 2, site ? site->function : "(no stack recorded)");
        bind_text(st, 3, site ? site->file : NULL);
        if (site && site->line) sqlite3_bind_int64(st, 4, site->line); else sqlite3_bind_null(st, 4);
        bind_u64(st, 5, sg.count[x]);
        bind_u64(st, 6, sg.bytes[x]);
        bind_u64(st, 7, sg.retained[x]);
        if (acnt) { bind_u64(st, 8, acnt[x]); bind_u64(st, 9, abytes[x]); }
        else { sqlite3_bind_null(st, 8); sqlite3_bind_null(st, 9); }
        row(&s, st);
        uint32_t n = 0;
        const ma_loc *l = rep ? ma_stack_locs(c->nm, rep, &n) : NULL;
        for (uint32_t k = 0; k < n; k++) {
            char *key = ma_sprintf("%s\x1f%s\x1f%" PRIu32 "\x1f%s", l[k].function, l[k].file ? l[k].file : "",
                                   l[k].line, l[k].module ? l[k].module : "");
            uint32_t before = fkeys.n, id = ma_intern_cstr(&fkeys, key);
            free(key);
            if (id == before) {
                sqlite3_bind_int64(fr, 1, id);
                bind_text(fr, 2, l[k].function);
                bind_text(fr, 3, l[k].file);
                if (l[k].line) sqlite3_bind_int64(fr, 4, l[k].line); else sqlite3_bind_null(fr, 4);
                bind_text(fr, 5, l[k].module);
                row(&s, fr);
            }
            sqlite3_bind_int64(sf, 1, x);
            sqlite3_bind_int64(sf, 2, k);
            sqlite3_bind_int64(sf, 3, id);
            row(&s, sf);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(sf);
    sqlite3_finalize(fr);
    uint32_t nframes = fkeys.n, nsites = sm->ngroups;
    ma_intern_free(&fkeys);
    ma_groups_free(&sg);
    free(acnt);
    free(abytes);

    /* strings */
    st = prep(&s, "INSERT INTO strings VALUES(?,?)");
    for (uint32_t i = 1; st && i <= d->strings.count; i++) {
        sqlite3_bind_int64(st, 1, i);
        bind_text(st, 2, ma_str(d, i));
        row(&s, st);
    }
    sqlite3_finalize(st);

    /* roots */
    st = prep(&s, "INSERT INTO roots VALUES(?,?,?,?,?,?)");
    for (uint64_t i = 0; st && i < d->nroots; i++) {
        const ma_root *r = &d->roots[i];
        bind_u64(st, 1, i);
        bind_text(st, 2, root_kind_text(r->kind));
        bind_text(st, 3, ma_root_name(c->nm, i));
        if (r->node != MA_NONE) bind_u64(st, 4, r->node); else sqlite3_bind_null(st, 4);
        bind_u64(st, 5, r->target);
        if (r->source) bind_u64(st, 6, r->source); else sqlite3_bind_null(st, 6);
        row(&s, st);
    }
    sqlite3_finalize(st);

    /* nodes and dominators */
    static bulk bn, bd, be;                 /* 8 KiB buffers each: not on the stack */
    bulk_init(&bn, &s, "nodes", 7);
    for (uint64_t v = 0; v < g->n && !s.failed; v++) {
        int64_t r[7] = {(int64_t)v, (int64_t)g->addr[v], (int64_t)ma_node_bytes(g, (ma_id)v),
                        type_key(&tk, (ma_id)v), sm->group[g->stack[v]], g->flags[v],
                        !(g->flags[v] & MA_F_UNREACHABLE)};
        bulk_row(&bn, r);
    }
    bulk_done(&bn);
    bulk_init(&bd, &s, "dominators", 4);
    for (uint64_t v = 0; v < g->n && !s.failed; v++) {
        ma_id id = a->idom[v], p = a->bfs_parent[v];
        int64_t r[4] = {(int64_t)v, id == MA_SUPER || id == MA_GARBAGE || id == MA_NONE ? BULK_NULL : id,
                        (int64_t)a->retained[v], p == MA_NONE ? BULK_NULL : p};
        bulk_row(&bd, r);
    }
    bulk_done(&bd);
    free(tk.map);
    uint32_t ntypes = tnames.n;
    ma_intern_free(&tnames);

    /* edges */
    bulk_init(&be, &s, "edges", 5);
    for (uint64_t v = 0; v < g->n && !s.failed; v++)
        for (uint64_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
            int32_t lab = g->out_label ? g->out_label[e] : 0;
            int64_t r[5] = {(int64_t)v, (int64_t)(e - g->out_off[v]), g->out[e], lab > 0 ? lab : BULK_NULL,
                            lab < 0 ? -(int64_t)lab - 1 : BULK_NULL};
            bulk_row(&be, r);
        }
    bulk_done(&be);

    if (!s.failed && sqlite3_exec(s.db, indexes, NULL, NULL, NULL) != SQLITE_OK) fail(&s, "cannot index");
    if (sqlite3_close(s.db) != SQLITE_OK && !s.failed) {
        snprintf(err, errlen, "cannot close the database");
        s.failed = 1;
    }
    if (s.failed) return -1;
    snprintf(note, notelen, "%" PRIu64 " nodes, %" PRIu64 " edges, %" PRIu64 " roots, %u types, %u sites, %u frames",
             g->n, g->m, d->nroots, ntypes, nsites, nframes);
    return 0;
}
