/* ma_load.c — records → tables and graph (see ma_load.h).
 *
 * Every table record is copied out of the reader's buffers (they are only valid until the next
 * record). Ids arrive in order 1, 2, 3 … per table (the reader checks), so tables are arrays
 * indexed by id. Nodes, edges and roots go to the builder, which resolves addresses at the end.
 */
#include "ma_load.h"
#include "ma_builder.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_mem.h"
#include "md_reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    ma_dump *d;
    ma_builder b;
    uint64_t cap_types, cap_modules, cap_frames, cap_stacks, cap_sframes;
    uint64_t cap_threads, cap_counters, cap_stats, cap_tasks;
    uint64_t last_chunk_off;
    int have_chunk;
    int stats_capped;       /* the MAX_STATS warning was given */
} loader;

static char *copy_str(md_str s) { return ma_strndup(s.ptr ? s.ptr : "", s.len); }

static void on_process(loader *l, const md_process *p)
{
    ma_process *q = &l->d->process;
    free(q->exe); free(q->cmdline); free(q->python_version); free(q->hostname);
    ma_strlist_free(&q->argv);
    q->present = 1;
    q->pid = p->pid;
    q->ppid = p->ppid;
    q->time_ns = p->time_ns;
    q->page_size = p->page_size;
    q->exe = copy_str(p->exe);
    q->python_version = copy_str(p->python_version);
    q->hostname = copy_str(p->hostname);
    size_t len = 0;
    for (uint32_t i = 0; i < p->argc; i++) len += p->argv[i].len + 1;
    q->cmdline = ma_malloc(len + 1, 1);
    char *o = q->cmdline;
    for (uint32_t i = 0; i < p->argc; i++) {
        if (i) *o++ = ' ';
        memcpy(o, p->argv[i].ptr, p->argv[i].len);
        o += p->argv[i].len;
        ma_strlist_add(&q->argv, copy_str(p->argv[i]));
    }
    *o = 0;
}

static void on_snapshot(loader *l, const md_snapshot *s)
{
    ma_snapshot *q = &l->d->snapshot;
    free(q->reason);
    q->present = 1;
    q->reason = copy_str(s->reason);
    q->mode = s->mode;
    q->seq = s->seq;
    q->pause_ns = s->pause_ns;
    q->child_ns = s->child_ns;
    q->trigger_bytes = s->trigger_bytes;
    q->trigger_stack = s->trigger_stack;
    q->heap_peak = s->heap_peak;
}

/* Several ALLOCATOR records merge key by key, the later winning. The lookup is linear, so the
 * number of distinct keys is capped: a hostile dump cannot make loading quadratic. */
#define MAX_STATS 4096

static void on_stats(loader *l, const md_allocator *a)
{
    ma_dump *d = l->d;
    for (uint32_t i = 0; i < a->nstats; i++) {
        if (d->nstats >= MAX_STATS) {
            if (!l->stats_capped)
                ma_strlist_add(&d->load_warnings, ma_sprintf("more than %d allocator statistics: the rest ignored",
                                                             MAX_STATS));
            l->stats_capped = 1;
            return;
        }
        char *key = copy_str(a->stats[i].key);
        uint32_t j;
        for (j = 0; j < d->nstats; j++)
            if (!strcmp(d->stats[j].key, key)) break;
        if (j < d->nstats) {
            free(key);
            d->stats[j].value = a->stats[i].value;
            continue;
        }
        ma_grow((void **)&d->stats, &l->cap_stats, (uint64_t)d->nstats + 1, sizeof *d->stats);
        d->stats[d->nstats++] = (ma_stat){key, a->stats[i].value};
    }
}

/* Definitions must come as id = count + 1 (the reader enforces it; re-checked so a reader bug
 * cannot make us index out of bounds). */
static int next_id(loader *l, uint32_t id, uint32_t count, const char *what)
{
    if (id == count + 1) return 1;
    ma_strlist_add(&l->d->load_warnings, ma_sprintf("%s id %u out of sequence (expected %u): ignored",
                                                    what, id, count + 1));
    return 0;
}

static void on_record(loader *l, const md_record *r)
{
    ma_dump *d = l->d;
    switch (r->kind) {
    case MD_PROCESS: on_process(l, &r->u.process); break;
    case MD_SNAPSHOT: on_snapshot(l, &r->u.snapshot); break;
    case MD_STRING:
        if (next_id(l, r->u.string.id, d->strings.count, "STRING"))
            ma_strtab_add(&d->strings, r->u.string.text.ptr, r->u.string.text.len);
        break;
    case MD_TYPE:
        if (next_id(l, r->u.type.id, d->ntypes, "TYPE")) {
            ma_grow((void **)&d->types, &l->cap_types, (uint64_t)d->ntypes + 2, sizeof *d->types);
            d->types[++d->ntypes] = (ma_type){r->u.type.name, r->u.type.kind, r->u.type.type_addr};
        }
        break;
    case MD_MODULE:
        if (next_id(l, r->u.module.id, d->nmodules, "MODULE")) {
            const md_module *m = &r->u.module;
            ma_grow((void **)&d->modules, &l->cap_modules, (uint64_t)d->nmodules + 2, sizeof *d->modules);
            ma_module *q = &d->modules[++d->nmodules];
            *q = (ma_module){m->path, m->build_id_len, NULL, m->bias, m->lo, m->hi};
            if (m->build_id_len) {
                q->build_id = ma_malloc(m->build_id_len, 1);
                memcpy(q->build_id, m->build_id, m->build_id_len);
            }
        }
        break;
    case MD_THREAD: {
        const md_thread *t = &r->u.thread;
        ma_grow((void **)&d->threads, &l->cap_threads, d->nthreads + 1, sizeof *d->threads);
        d->threads[d->nthreads++] = (ma_thread){t->tid, t->name, t->flags, t->stack_lo, t->stack_hi};
        break;
    }
    case MD_FRAME:
        if (next_id(l, r->u.frame.id, d->nframes, "FRAME")) {
            const md_frame *f = &r->u.frame;
            ma_grow((void **)&d->frames, &l->cap_frames, (uint64_t)d->nframes + 2, sizeof *d->frames);
            d->frames[++d->nframes] = (ma_frame){f->pc, f->module, f->function, f->file, f->line};
        }
        break;
    case MD_STACK:
        if (next_id(l, r->u.stack.id, d->nstacks, "STACK")) {
            const md_stack *s = &r->u.stack;
            ma_grow((void **)&d->stack_off, &l->cap_stacks, (uint64_t)d->nstacks + 3, sizeof *d->stack_off);
            ma_grow((void **)&d->stack_frames, &l->cap_sframes, d->nstack_frames + s->depth + 1,
                    sizeof *d->stack_frames);
            memcpy(d->stack_frames + d->nstack_frames, s->frames, (size_t)s->depth * sizeof *s->frames);
            d->nstack_frames += s->depth;
            d->nstacks++;
            d->stack_off[d->nstacks + 1] = d->nstack_frames;
        }
        break;
    case MD_NODE: {
        const md_node *n = &r->u.node;
        if (ma_builder_node(&l->b, n->addr, n->size, n->type, n->stack, n->flags, n->usable_size) < 0)
            break;
        for (uint32_t i = 0; i < n->nedges; i++)
            ma_builder_edge(&l->b, n->edges[i], n->labels ? n->labels[i] : 0);
        break;
    }
    case MD_EDGES: {
        const md_edges *e = &r->u.edges;
        ma_builder_edges_of(&l->b, e->from);
        for (uint32_t i = 0; i < e->nedges; i++)
            ma_builder_edge(&l->b, e->edges[i], e->labels ? e->labels[i] : 0);
        break;
    }
    case MD_ROOT: {
        const md_root *t = &r->u.root;
        uint32_t kind = t->kind >= MD_ROOT_GLOBAL && t->kind <= MD_ROOT_OTHER ? t->kind : MD_ROOT_OTHER;
        ma_builder_root(&l->b, kind, t->target, t->label, t->source);
        break;
    }
    case MD_COUNTER: {
        const md_counter *c = &r->u.counter;
        ma_grow((void **)&d->counters, &l->cap_counters, d->ncounters + 1, sizeof *d->counters);
        d->counters[d->ncounters++] = (ma_counter){c->stack, c->allocs, c->frees, c->bytes_allocated,
                                                   c->bytes_freed};
        break;
    }
    case MD_ALLOCATOR: on_stats(l, &r->u.allocator); break;
    case MD_TASK: {
        const md_task *t = &r->u.task;
        ma_grow((void **)&d->tasks, &l->cap_tasks, d->ntasks + 1, sizeof *d->tasks);
        d->tasks[d->ntasks++] = (ma_task){t->task, t->coroutine, MA_NONE, MA_NONE, t->name, t->stack};
        break;
    }
    case MD_WARNING: ma_strlist_add(&d->warnings, copy_str(r->u.warning.message)); break;
    case MD_TRAILER: l->d->status.chunks_expected = r->u.trailer.chunk_count; break;
    default: break;
    }
}

static int load(ma_dump *d, md_reader *r, const char *name, char *err, size_t errlen)
{
    loader l = {.d = d};
    ma_builder_init(&l.b, d);
    free(d->status.path);
    d->status.path = ma_strdup(name);
    d->status.file_size = md_reader_file_size(r);
    md_reader_version(r, &d->status.major, &d->status.minor);
    md_record rec;
    int rc;
    while ((rc = md_reader_next(r, &rec)) == 1) {
        if (rec.kind != MD_TRAILER) d->status.records++;
        on_record(&l, &rec);
    }
    d->status.chunks = md_reader_chunks(r);
    d->status.stopped_at = md_reader_offset(r);
    const uint64_t *counts = md_reader_counts(r);
    for (int k = 0; k < 16 && k < MD_KIND_COUNT; k++) d->status.counts[k] = counts[k];
    if (rc < 0) {
        const char *e = md_reader_error(r);
        d->status.error = ma_strdup(e ? e : "unknown read error");
        if (d->status.records == 0) {
            snprintf(err, errlen, "%s", d->status.error);
            ma_builder_finish(&l.b);    /* leaves an empty, consistent graph */
            return -1;
        }
    } else {
        d->status.complete = 1;
        d->status.stopped_at = d->status.file_size;
    }
    if (l.b.error) ma_strlist_add(&d->load_warnings, ma_strdup(l.b.error));
    ma_builder_finish(&l.b);
    /* tasks name their task and coroutine objects by address */
    for (uint64_t i = 0; i < d->ntasks; i++) {
        d->tasks[i].task_node = ma_graph_find(&d->g, d->tasks[i].task);
        d->tasks[i].coro_node = ma_graph_find(&d->g, d->tasks[i].coroutine);
    }
    if (d->g.edges_unknown)
        ma_strlist_add(&d->load_warnings, ma_sprintf("%" PRIu64 " edges point to addresses with no node "
                                                     "(ignored)", d->g.edges_unknown));
    if (d->g.edges_orphan)
        ma_strlist_add(&d->load_warnings, ma_sprintf("%" PRIu64 " edges of EDGES records whose source is "
                                                     "not a node (ignored)", d->g.edges_orphan));
    if (d->roots_unknown)
        ma_strlist_add(&d->load_warnings, ma_sprintf("%" PRIu64 " roots point to addresses with no node "
                                                     "(ignored)", d->roots_unknown));
    if (d->g.dup_addrs)
        ma_strlist_add(&d->load_warnings, ma_sprintf("%" PRIu64 " nodes repeat an earlier node's address "
                                                     "(edges resolve to the first)", d->g.dup_addrs));
    if (d->g.labels_clamped)
        ma_strlist_add(&d->load_warnings, ma_sprintf("%" PRIu64 " edge labels out of range (dropped)",
                                                     d->g.labels_clamped));
    return d->status.complete ? 0 : 1;
}

int ma_load(ma_dump *d, const char *path, char *err, size_t errlen)
{
    md_reader *r = md_reader_open(path, err, errlen);
    if (!r) return -1;
    int rc = load(d, r, path, err, errlen);
    md_reader_close(r);
    return rc;
}

int ma_load_mem(ma_dump *d, const void *data, size_t len, const char *name, char *err, size_t errlen)
{
    md_reader *r = md_reader_open_mem(data, len, name, err, errlen);
    if (!r) return -1;
    int rc = load(d, r, name, err, errlen);
    md_reader_close(r);
    return rc;
}

char *ma_load_summary(const ma_dump *d)
{
    const ma_load_status *s = &d->status;
    if (s->complete) return ma_strdup("complete");
    if (s->chunks_expected)
        return ma_sprintf("incomplete dump: analyzed %" PRIu64 " of %" PRIu64 " chunks (%s)", s->chunks,
                          s->chunks_expected, s->error ? s->error : "");
    return ma_sprintf("incomplete dump: analyzed %" PRIu64 " chunks, the first %" PRIu64 " of %" PRIu64
                      " bytes (%s)", s->chunks, s->stopped_at, s->file_size, s->error ? s->error : "");
}
