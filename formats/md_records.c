/* md_records.c — decoding and checking one record of an inflated chunk (FORMAT.md §2–3).
 *
 * A record is a msgpack array [kind, field, field, …]. A small field walker (struct fields)
 * knows how many elements the array has and which one is next, so each decoder reads as
 * "required uint pid, required str exe, optional str hostname, …": missing required fields,
 * wrong types, out-of-range values and undefined ids become one error naming the record (its
 * index and byte position in the chunk) and the field. Optional fields may be absent or nil.
 * Fields past the ones this version knows are skipped; records of unknown kind are skipped
 * whole. Arrays (argv, frames, edges, labels, stats) are copied into the reader's scratch,
 * whose size is bounded by the chunk (see md_reader_int.h).
 *
 * Ids: definitions must be last + 1; references must be 0 or already defined, so consumers can
 * index plain arrays with any id the reader hands out.
 */
#include "md_reader_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int md_rd_fail_rec(md_reader *r, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": record %" PRIu64 " (%s) at byte %zu: %s",
                      r->chunk_off, r->chunk_no, r->rec_no, r->rec_kind, r->rec_pos, msg);
}

static void *scratch(md_reader *r, size_t bytes)
{
    if (bytes > MD_RD_SCRATCH_MAX) return NULL;
    if (bytes <= r->scratch_cap) return r->scratch;
    size_t cap = r->scratch_cap ? r->scratch_cap : 4096;
    while (cap < bytes) cap *= 2;
    void *p = realloc(r->scratch, cap);
    if (!p) return NULL;
    r->scratch = p;
    r->scratch_cap = cap;
    return p;
}

/* ---- the field walker ----------------------------------------------------------------- */

typedef struct fields {
    md_reader *r;
    md_cur *c;
    uint32_t n;     /* elements in the record, kind included */
    uint32_t i;     /* next element */
} fields;

static const char *table_name(md_kind t) { return md_kind_name(t); }

static int bad(fields *f, const char *name)
{
    char why[200];
    md_cur_describe(f->c, why, sizeof why);
    return md_rd_fail_rec(f->r, "field '%s': %s", name, why);
}

/* 1 if the field is there and not nil (cursor on it), 0 if absent or nil (consumed). */
static int present(fields *f)
{
    if (f->i >= f->n) return 0;
    f->i++;
    return !md_cur_nil(f->c);
}

static int missing(fields *f, const char *name)
{
    if (f->i < f->n && f->c->p < f->c->end && f->c->p[0] == 0xc0)
        return md_rd_fail_rec(f->r, "required field '%s' is nil", name);
    return md_rd_fail_rec(f->r, "required field '%s' is missing (the record has %" PRIu32 " fields)",
                          name, f->n);
}

static int req_uint(fields *f, const char *name, uint64_t *v)
{
    if (f->i >= f->n || (f->c->p < f->c->end && f->c->p[0] == 0xc0)) return missing(f, name);
    f->i++;
    return md_cur_uint(f->c, v) < 0 ? bad(f, name) : 0;
}

static int opt_uint(fields *f, const char *name, uint64_t *v)
{
    *v = 0;
    if (!present(f)) return 0;
    return md_cur_uint(f->c, v) < 0 ? bad(f, name) : 0;
}

static int fit32(fields *f, const char *name, uint64_t v, uint32_t *out)
{
    if (v > UINT32_MAX)
        return md_rd_fail_rec(f->r, "field '%s': %" PRIu64 " does not fit in 32 bits", name, v);
    *out = (uint32_t)v;
    return 0;
}

static int req_u32(fields *f, const char *name, uint32_t *out)
{
    uint64_t v;
    return req_uint(f, name, &v) < 0 ? -1 : fit32(f, name, v, out);
}

static int opt_u32(fields *f, const char *name, uint32_t *out)
{
    uint64_t v;
    return opt_uint(f, name, &v) < 0 ? -1 : fit32(f, name, v, out);
}

static int check_ref(fields *f, const char *name, md_kind table, uint64_t id)
{
    if (id > f->r->last_id[table])
        return md_rd_fail_rec(f->r, "field '%s': %s id %" PRIu64 " is not defined (last defined %" PRIu32 ")",
                              name, table_name(table), id, f->r->last_id[table]);
    return 0;
}

static int req_ref(fields *f, const char *name, md_kind table, uint32_t *id)
{
    uint64_t v;
    if (req_uint(f, name, &v) < 0 || check_ref(f, name, table, v) < 0) return -1;
    *id = (uint32_t)v;
    return 0;
}

static int opt_ref(fields *f, const char *name, md_kind table, uint32_t *id)
{
    uint64_t v;
    if (opt_uint(f, name, &v) < 0 || check_ref(f, name, table, v) < 0) return -1;
    *id = (uint32_t)v;
    return 0;
}

/* The id of a table's new entry: exactly one more than the last. */
static int def_id(fields *f, md_kind table, uint32_t *id)
{
    uint64_t v;
    if (req_uint(f, "id", &v) < 0) return -1;
    uint64_t want = (uint64_t)f->r->last_id[table] + 1;
    if (v != want)
        return md_rd_fail_rec(f->r, "field 'id': %s id %" PRIu64 " out of sequence (expected %" PRIu64 ")",
                              table_name(table), v, want);
    f->r->last_id[table] = (uint32_t)v;
    *id = (uint32_t)v;
    return 0;
}

static int req_str(fields *f, const char *name, md_str *s)
{
    if (f->i >= f->n || (f->c->p < f->c->end && f->c->p[0] == 0xc0)) return missing(f, name);
    f->i++;
    const uint8_t *p;
    if (md_cur_str(f->c, &p, &s->len) < 0) return bad(f, name);
    s->ptr = (const char *)p;
    return 0;
}

static int opt_str(fields *f, const char *name, md_str *s)
{
    s->ptr = "";
    s->len = 0;
    if (!present(f)) return 0;
    const uint8_t *p;
    if (md_cur_str(f->c, &p, &s->len) < 0) return bad(f, name);
    s->ptr = (const char *)p;
    return 0;
}

/* Array header of a field; *n elements follow. */
static int req_array(fields *f, const char *name, uint32_t *n)
{
    if (f->i >= f->n || (f->c->p < f->c->end && f->c->p[0] == 0xc0)) return missing(f, name);
    f->i++;
    return md_cur_array(f->c, n) < 0 ? bad(f, name) : 0;
}

static int opt_array(fields *f, const char *name, uint32_t *n, int *has)
{
    *n = 0;
    *has = present(f);
    if (!*has) return 0;
    return md_cur_array(f->c, n) < 0 ? bad(f, name) : 0;
}

/* Skip the fields this version does not know. */
static int rest(fields *f)
{
    for (; f->i < f->n; f->i++)
        if (md_cur_skip(f->c, 2) < 0) return bad(f, "(extra field)");
    return 0;
}

/* ---- edges, shared by NODE and EDGES -------------------------------------------------- */

/* Reads an edges array of n deltas from `from`, then the optional parallel labels field. */
static int edge_lists(fields *f, uint64_t from, uint32_t n, const uint64_t **edges,
                      const int64_t **labels, uint32_t *nedges)
{
    md_reader *r = f->r;
    *edges = NULL;
    *labels = NULL;
    *nedges = n;
    uint64_t *to = NULL;
    if (n) {
        to = scratch(r, (size_t)n * 16);
        if (!to) return md_rd_fail_rec(r, "out of memory for %" PRIu32 " edges", n);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t d;
            if (md_cur_wrap(f->c, &d) < 0) return bad(f, "edges");
            to[i] = from + d;
        }
        *edges = to;
    }
    uint32_t nl;
    int has;
    if (opt_array(f, "labels", &nl, &has) < 0) return -1;
    if (!has) return 0;
    if (nl != n)
        return md_rd_fail_rec(r, "field 'labels': %" PRIu32 " labels for %" PRIu32 " edges", nl, n);
    if (!n) return 0;
    int64_t *lab = (int64_t *)(to + n);
    for (uint32_t i = 0; i < n; i++) {
        if (md_cur_int(f->c, &lab[i]) < 0) return bad(f, "labels");
        if (lab[i] > 0 && check_ref(f, "labels", MD_STRING, (uint64_t)lab[i]) < 0) return -1;
    }
    *labels = lab;
    return 0;
}

/* ---- one decoder per kind --------------------------------------------------------------- */

static int d_process(fields *f, md_process *p)
{
    uint32_t argc;
    if (req_uint(f, "pid", &p->pid) || req_uint(f, "ppid", &p->ppid) || req_str(f, "exe", &p->exe)
        || req_array(f, "argv", &argc))
        return -1;
    md_str *argv = NULL;
    if (argc) {
        argv = scratch(f->r, (size_t)argc * sizeof *argv);
        if (!argv) return md_rd_fail_rec(f->r, "out of memory for %" PRIu32 " arguments", argc);
        for (uint32_t i = 0; i < argc; i++) {
            const uint8_t *s;
            if (md_cur_str(f->c, &s, &argv[i].len) < 0) return bad(f, "argv");
            argv[i].ptr = (const char *)s;
        }
    }
    p->argv = argv;
    p->argc = argc;
    return req_uint(f, "time_ns", &p->time_ns) || opt_str(f, "python_version", &p->python_version)
           || opt_str(f, "hostname", &p->hostname) || opt_uint(f, "page_size", &p->page_size) ? -1 : 0;
}

static int d_snapshot(fields *f, md_snapshot *s)
{
    return req_str(f, "reason", &s->reason) || req_uint(f, "mode", &s->mode) || req_uint(f, "seq", &s->seq)
           || opt_uint(f, "pause_ns", &s->pause_ns) || opt_uint(f, "child_ns", &s->child_ns)
           || opt_uint(f, "trigger_bytes", &s->trigger_bytes)
           || opt_ref(f, "trigger_stack", MD_STACK, &s->trigger_stack)
           || opt_uint(f, "heap_peak", &s->heap_peak) ? -1 : 0;
}

static int d_string(fields *f, md_string *s)
{
    return def_id(f, MD_STRING, &s->id) || req_str(f, "text", &s->text) ? -1 : 0;
}

static int d_type(fields *f, md_type *t)
{
    return def_id(f, MD_TYPE, &t->id) || req_ref(f, "name", MD_STRING, &t->name)
           || req_u32(f, "kind", &t->kind) || opt_uint(f, "type_addr", &t->type_addr) ? -1 : 0;
}

static int d_module(fields *f, md_module *m)
{
    if (def_id(f, MD_MODULE, &m->id) || req_ref(f, "path", MD_STRING, &m->path)) return -1;
    m->build_id = NULL;
    m->build_id_len = 0;
    if (present(f) && md_cur_bin(f->c, &m->build_id, &m->build_id_len) < 0) return bad(f, "build_id");
    return req_uint(f, "bias", &m->bias) || req_uint(f, "lo", &m->lo) || req_uint(f, "hi", &m->hi) ? -1 : 0;
}

static int d_thread(fields *f, md_thread *t)
{
    return req_uint(f, "tid", &t->tid) || req_ref(f, "name", MD_STRING, &t->name)
           || opt_uint(f, "stack_lo", &t->stack_lo) || opt_uint(f, "stack_hi", &t->stack_hi)
           || opt_u32(f, "flags", &t->flags) ? -1 : 0;
}

static int d_frame(fields *f, md_frame *fr)
{
    return def_id(f, MD_FRAME, &fr->id) || req_uint(f, "pc", &fr->pc)
           || req_ref(f, "module", MD_MODULE, &fr->module) || req_ref(f, "function", MD_STRING, &fr->function)
           || req_ref(f, "file", MD_STRING, &fr->file) || req_u32(f, "line", &fr->line) ? -1 : 0;
}

static int d_stack(fields *f, md_stack *s)
{
    uint32_t n;
    if (def_id(f, MD_STACK, &s->id) || req_array(f, "frames", &n)) return -1;
    uint32_t *fr = NULL;
    if (n) {
        fr = scratch(f->r, (size_t)n * sizeof *fr);
        if (!fr) return md_rd_fail_rec(f->r, "out of memory for %" PRIu32 " frames", n);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t v;
            if (md_cur_uint(f->c, &v) < 0) return bad(f, "frames");
            if (check_ref(f, "frames", MD_FRAME, v) < 0) return -1;
            fr[i] = (uint32_t)v;
        }
    }
    s->frames = fr;
    s->depth = n;
    return 0;
}

static int d_node(fields *f, md_node *nd)
{
    uint64_t delta;
    if (f->i >= f->n) return missing(f, "addr_delta");
    f->i++;
    if (md_cur_wrap(f->c, &delta) < 0) return bad(f, "addr_delta");
    nd->addr = f->r->prev_addr + delta;
    f->r->prev_addr = nd->addr;
    uint32_t n;
    int has;
    if (req_uint(f, "size", &nd->size) || req_ref(f, "type", MD_TYPE, &nd->type)
        || req_ref(f, "stack", MD_STACK, &nd->stack) || req_u32(f, "flags", &nd->flags)
        || opt_array(f, "edges", &n, &has) || edge_lists(f, nd->addr, n, &nd->edges, &nd->labels, &nd->nedges))
        return -1;
    return opt_uint(f, "usable_size", &nd->usable_size);
}

static int d_edges(fields *f, md_edges *e)
{
    uint32_t n;
    return req_uint(f, "from", &e->from) || req_array(f, "edges", &n)
           || edge_lists(f, e->from, n, &e->edges, &e->labels, &e->nedges) ? -1 : 0;
}

static int d_root(fields *f, md_root *rt)
{
    return req_u32(f, "kind", &rt->kind) || req_uint(f, "target", &rt->target)
           || req_ref(f, "label", MD_STRING, &rt->label) || opt_uint(f, "source", &rt->source) ? -1 : 0;
}

static int d_counter(fields *f, md_counter *c)
{
    return req_ref(f, "stack", MD_STACK, &c->stack) || req_uint(f, "allocs", &c->allocs)
           || req_uint(f, "frees", &c->frees) || req_uint(f, "bytes_allocated", &c->bytes_allocated)
           || req_uint(f, "bytes_freed", &c->bytes_freed) ? -1 : 0;
}

static int d_allocator(fields *f, md_allocator *a)
{
    if (f->i >= f->n || (f->c->p < f->c->end && f->c->p[0] == 0xc0)) return missing(f, "stats");
    f->i++;
    uint32_t n;
    if (md_cur_map(f->c, &n) < 0) return bad(f, "stats");
    md_stat *st = NULL;
    if (n) {
        st = scratch(f->r, (size_t)n * sizeof *st);
        if (!st) return md_rd_fail_rec(f->r, "out of memory for %" PRIu32 " statistics", n);
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *k;
            if (md_cur_str(f->c, &k, &st[i].key.len) < 0) return bad(f, "stats key");
            st[i].key.ptr = (const char *)k;
            if (md_cur_int(f->c, &st[i].value) < 0) return bad(f, "stats value");
        }
    }
    a->stats = st;
    a->nstats = n;
    return 0;
}

static int d_task(fields *f, md_task *t)
{
    return req_uint(f, "task", &t->task) || req_ref(f, "name", MD_STRING, &t->name)
           || req_uint(f, "coroutine", &t->coroutine) || opt_ref(f, "stack", MD_STACK, &t->stack) ? -1 : 0;
}

static int d_warning(fields *f, md_warning *w)
{
    return req_str(f, "message", &w->message);
}

static int d_trailer(fields *f, md_trailer *t)
{
    uint32_t n;
    if (req_uint(f, "record_count", &t->record_count) || req_uint(f, "chunk_count", &t->chunk_count)
        || req_uint(f, "raw_bytes", &t->raw_bytes) || req_array(f, "counts_by_kind", &n))
        return -1;
    uint64_t *by = NULL;
    if (n) {
        by = scratch(f->r, (size_t)n * sizeof *by);
        if (!by) return md_rd_fail_rec(f->r, "out of memory for %" PRIu32 " counts", n);
    }
    memset(t->counts, 0, sizeof t->counts);
    for (uint32_t k = 0; k < n; k++) {
        if (md_cur_uint(f->c, &by[k]) < 0) return bad(f, "counts_by_kind");
        if (k < MD_KIND_COUNT) t->counts[k] = by[k];
    }
    if (rest(f) < 0) return -1;
    return md_rd_check_trailer(f->r, t, by, n);
}

/* ---- dispatch ------------------------------------------------------------------------- */

int md_rd_record(md_reader *r, md_record *rec)
{
    md_cur *c = &r->cur;
    r->rec_no++;
    r->rec_pos = md_cur_pos(c);
    r->rec_kind = "kind not read yet";
    fields f = { r, c, 0, 0 };
    if (md_cur_array(c, &f.n) < 0) return bad(&f, "record");
    if (f.n == 0) return md_rd_fail_rec(r, "empty record (an array without a kind)");
    uint64_t kind;
    f.i = 1;
    if (md_cur_uint(c, &kind) < 0) return bad(&f, "kind");
    r->rec_kind = kind < MD_KIND_COUNT ? md_kind_name((unsigned)kind) : "unknown kind";
    if (r->in_trailer && kind != MD_TRAILER)
        return md_rd_fail_rec(r, "the trailer chunk must hold a TRAILER record, found kind %" PRIu64, kind);
    if (!r->in_trailer && kind == MD_TRAILER)
        return md_rd_fail_rec(r, "a TRAILER record outside the trailer chunk");
    memset(rec, 0, sizeof *rec);
    rec->kind = (md_kind)(kind < MD_KIND_COUNT ? kind : 0);
    rec->offset = r->chunk_off;
    int rc;
    switch (kind) {
    case MD_TRAILER: rc = d_trailer(&f, &rec->u.trailer); break;
    case MD_PROCESS: rc = d_process(&f, &rec->u.process); break;
    case MD_SNAPSHOT: rc = d_snapshot(&f, &rec->u.snapshot); break;
    case MD_STRING: rc = d_string(&f, &rec->u.string); break;
    case MD_TYPE: rc = d_type(&f, &rec->u.type); break;
    case MD_MODULE: rc = d_module(&f, &rec->u.module); break;
    case MD_THREAD: rc = d_thread(&f, &rec->u.thread); break;
    case MD_FRAME: rc = d_frame(&f, &rec->u.frame); break;
    case MD_STACK: rc = d_stack(&f, &rec->u.stack); break;
    case MD_NODE: rc = d_node(&f, &rec->u.node); break;
    case MD_EDGES: rc = d_edges(&f, &rec->u.edges); break;
    case MD_ROOT: rc = d_root(&f, &rec->u.root); break;
    case MD_COUNTER: rc = d_counter(&f, &rec->u.counter); break;
    case MD_ALLOCATOR: rc = d_allocator(&f, &rec->u.allocator); break;
    case MD_TASK: rc = d_task(&f, &rec->u.task); break;
    case MD_WARNING: rc = d_warning(&f, &rec->u.warning); break;
    default: rc = 0; break;   /* unknown kind: skipped below, whole */
    }
    if (rc < 0 || rest(&f) < 0) return -1;
    if (kind == MD_TRAILER) return 1;
    r->records++;
    if (kind < MD_RD_SEEN_KINDS) r->seen[kind]++;
    else r->seen_other++;
    if (kind >= MD_KIND_COUNT) return 0;
    r->delivered[kind]++;
    return 1;
}
