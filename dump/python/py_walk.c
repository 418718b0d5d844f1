/* py_walk.c — the two-phase walk of a frozen CPython heap (design in py_walk.h).
 *
 * Runs only in the snapshot child: one thread, a frozen copy of the heap, no malloc, no stdio,
 * no locks, no Python code. The only interpreter functions called are ones that just read:
 * tp_traverse / m_traverse of types the walker does not reimplement (py_refs.c), and the
 * compiler's opcode stack-effect table (py_stackdepth.c). The discovery phase is split over
 * py_roots.c (where it starts) and this file; labels are in py_labels.c. Memory comes from
 * private mappings (py_vec.c); reading a bad
 * pointer is prevented by the mapping table (py_maps.c) and, as a last resort, caught by a
 * SIGSEGV/SIGBUS guard around each object, which then is skipped with a warning.
 */
#include "py_walk.h"
#include "py_counters.h"
#include "py_dict.h"
#include "py_frames.h"
#include "py_maps.h"
#include "py_refs.h"
#include "py_sites.h"
#include "py_size.h"
#include "py_str.h"
#include "py_tasks.h"

#include <signal.h>
#include <string.h>

static pw W;

/* ---- addresses the emit phase must not write edges to --------------------------------------------
 *
 * Emitting an edge needs no table lookup when its target is known to be a node; the exceptions
 * are the objects discovery rejected (invalid ones, and static types outside the interpreter's
 * image). They are few, so they go in a small set of their own. */

static pyvec skip_v;
static uint64_t skip_mask, skip_n;

static void skip_add(uint64_t a)
{
    if ((skip_n + 1) * 2 > skip_mask + 1) {
        uint64_t n = skip_mask ? (skip_mask + 1) * 2 : 1024;
        pyvec nv = {0};
        if (pyvec_reserve(&nv, n * 8))
            return;
        uint64_t *nt = nv.p, *ot = skip_v.p;
        for (uint64_t i = 0; ot && i <= skip_mask; i++)
            if (ot[i]) {
                uint64_t h = ot_hash(ot[i]);
                while (nt[h & (n - 1)]) h++;
                nt[h & (n - 1)] = ot[i];
            }
        pyvec_free(&skip_v);
        skip_v = nv;
        skip_mask = n - 1;
    }
    uint64_t *t = skip_v.p;
    for (uint64_t h = ot_hash(a);; h++) {
        if (t[h & skip_mask] == a)
            return;
        if (!t[h & skip_mask]) {
            t[h & skip_mask] = a;
            skip_n++;
            return;
        }
    }
}

static int skipped(uint64_t a)
{
    const uint64_t *t = skip_v.p;
    if (!skip_n)
        return 0;
    for (uint64_t h = ot_hash(a);; h++) {
        if (t[h & skip_mask] == a)
            return 1;
        if (!t[h & skip_mask])
            return 0;
    }
}

/* ---- fault guard ---------------------------------------------------------------------------- */

static sigjmp_buf *volatile guard_jb;
static struct sigaction old_segv, old_bus;

static void on_fault(int sig)
{
    sigjmp_buf *jb = guard_jb;
    if (jb)
        siglongjmp(*jb, sig);
    /* a fault outside any guarded read: let the previous disposition handle it */
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    raise(sig);
}

static void guard_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_NODEFER;   /* siglongjmp without restoring the mask: keep SIGSEGV unblocked */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
}

static void guard_remove(void)
{
    guard_jb = NULL;
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
}

/* ---- the work stack and pending static types ------------------------------------------------- */

static int push(pw *w, uint32_t idx)
{
    if (pyvec_reserve(&w->stack_v, (w->sp + 1) * sizeof(uint32_t))) {
        w->stopped = 1;
        return -1;
    }
    ((uint32_t *)w->stack_v.p)[w->sp++] = idx;
    return 0;
}

void pw_queue_static_type(pw *w, PyTypeObject *t)
{
    pytinfo *ti = pyt_get(PA(t));
    if (!ti || !(ti->flags & TI_VALID) || (ti->flags & (TI_QUEUED | TI_HEAP)))
        return;
    ti->flags |= TI_QUEUED;
    if (pyvec_reserve(&w->pend_v, (w->npend + 1) * sizeof(uint64_t)))
        return;
    ((uint64_t *)w->pend_v.p)[w->npend++] = PA(t);
}

/* ---- discovery ------------------------------------------------------------------------------ */

/* Node number + 1 of the object at a (adding and queueing it when new), or 0 when a is a static
 * object (not part of the graph) or not a valid object. `linked`: reached by a reference that
 * will be written as an edge (while discovering from the roots, that makes the node OT_ROOTED). */
uint32_t pw_discover(pw *w, uint64_t a, int linked)
{
    if (pymaps_in_core(a)) {
        /* None, small ints, static types: not heap objects. A static type's own references
         * (its __dict__, __mro__) become roots instead. */
        PyObject *o = PP(a);
        if (!(a & 7) && pymaps_readable(a, sizeof(PyObject)) && Py_TYPE(o) == &PyType_Type)
            pw_queue_static_type(w, (PyTypeObject *)o);
        return 0;
    }
    uint32_t s = ot_find(&w->ot, a);
    if (s) {
        if (w->ot.flags[s - 1] & OT_BAD)
            return 0;
        if (linked && w->rooting)
            w->ot.flags[s - 1] |= OT_ROOTED;
        return s;
    }
    int added;
    const char *why = NULL;
    PyObject *o = PP(a);
    pytinfo *ti = NULL;
    if ((a & 7) || !pymaps_readable(a, sizeof(PyVarObject)))
        why = "unreadable";
    else if (o->ob_refcnt <= 0)
        why = "bad refcount";
    else if (!(ti = pyt_get(PA(Py_TYPE(o)))) || !(ti->flags & TI_VALID))
        why = "bad type";
    else if (ti->kind == PK_TYPE && !(((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        if (pymaps_readable(a, sizeof(PyTypeObject)))
            pw_queue_static_type(w, (PyTypeObject *)o);
        skip_add(a);
        return 0;                         /* an extension module's static type */
    } else {
        PyTypeObject *t = Py_TYPE(o);
        uint64_t body = py_body(o, ti);
        if (body > ((uint64_t)1 << 40) || !pymaps_readable(a - ti->preheader, ti->preheader + body))
            why = "truncated";
        if (!(ti->flags & TI_HEAP))
            pw_queue_static_type(w, t);
    }
    if (why) {
        w->bad++;
        PW_WARN(w, wbad, "python: skipped invalid object at %p (%s)", (void *)(uintptr_t)a, why);
        ot_add(&w->ot, a, OT_BAD, &added);
        skip_add(a);
        return 0;
    }
    s = ot_add(&w->ot, a, w->rooting && linked ? OT_ROOTED : 0, &added);
    if (!s) {
        w->stopped = 1;
        return 0;
    }
    if (added && push(w, s - 1))
        return 0;
    return s;
}

#define EDGE_BATCH 65536

/* Write the gathered edges: with the NODE record the first time, as EDGES records after. */
static void flush_edges(pw *w)
{
    uint64_t *tg = w->etgt_v.p;
    int64_t *lb = w->elbl_v.p;
    if (!w->node_written) {
        md_w_node(w->w, &w->node);
        for (uint32_t i = 0; i < w->nedge; i++)
            md_w_edge(w->w, tg[i], lb[i]);
        w->node_written = 1;
    } else if (w->nedge) {
        int any = 0;
        for (uint32_t i = 0; i < w->nedge; i++)
            any |= lb[i] != 0;
        md_edges e = {w->node.addr, tg, any ? lb : NULL, w->nedge};
        md_w_edges(w->w, &e);
    }
    w->nedge = 0;
}

static void add_edge(pw *w, uint64_t a, int64_t label)
{
    if (w->nedge == EDGE_BATCH)
        flush_edges(w);
    if (!w->etgt_v.p && (pyvec_reserve(&w->etgt_v, EDGE_BATCH * 8) || pyvec_reserve(&w->elbl_v, EDGE_BATCH * 8)))
        return;
    ((uint64_t *)w->etgt_v.p)[w->nedge] = a;
    ((int64_t *)w->elbl_v.p)[w->nedge] = label;
    w->nedge++;
    w->edges++;
}

/* Discovery of one reference (phase 1). */
static void discover_ref(pw *w, uint64_t a, int how)
{
    uint32_t s = pw_discover(w, a, how & E_EMIT);
    if (!s)
        return;
    if (how & E_COUNT)
        w->ot.inbound[s - 1]++;
    if (w->root_label) {
        md_root r = {w->root_kind, a, w->root_label_id, 0};
        md_w_root(w->w, &r);
    }
}

/* References are gathered (from the objects enumerated since the last flush) and the cache
 * misses their table slots and headers will cost are started when each is gathered, long before
 * it is used: the walk is bound by those misses, and this overlaps them. */
static void flush_batch(pw *w)
{
    for (uint32_t i = 0; i < w->nbatch; i++)
        discover_ref(w, w->batch[i], w->batch_how[i]);
    w->nbatch = 0;
}

void pw_ref(pw *w, PyObject *target, int64_t label, int how)
{
    if (!target)
        return;
    uint64_t a = PA(target);
    if (w->phase == 2) {
        if ((how & E_EMIT) && !pymaps_in_core(a) && !skipped(a))
            add_edge(w, a, label);
        return;
    }
    if (pymaps_in_core(a)) {
        pw_discover(w, a, 0);      /* static: nothing to count, but a static type is queued */
        return;
    }
    if (w->nbatch == PW_BATCH)
        flush_batch(w);
    ot_prefetch(&w->ot, a);
    __builtin_prefetch(target);
    w->batch[w->nbatch] = a;
    w->batch_how[w->nbatch++] = (uint8_t)how;
}

void pw_type_ref(pw *w, PyTypeObject *t)
{
    if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
        return;
    if (w->phase == 1) {
        pw_ref(w, (PyObject *)t, 0, E_COUNT);
        return;
    }
    /* One edge per class, from an instance reachable from the roots, is enough to keep a class
     * that only its instances refer to reachable; instances found only on the GC lists keep
     * theirs (they are few). */
    pytinfo *ti = pyt_get(PA(t));
    if (!ti || ((w->cur_flags & OT_ROOTED) && (ti->flags & TI_LINKED)))
        return;
    ti->flags |= TI_LINKED;
    pw_ref(w, (PyObject *)t, pw_lbl(w, "__class__"), E_EMIT);
}

void pw_synth(pw *w, uint64_t addr, uint8_t flags, int64_t label)
{
    if (w->phase == 2) {
        add_edge(w, addr, label);       /* threads and frames are always nodes */
        return;
    }
    int added;
    uint32_t s = ot_add(&w->ot, addr, flags, &added);
    if (!s)
        w->stopped = 1;
    else if (added)
        push(w, s - 1);
}

/* ---- phase 1: the loop ---------------------------------------------------------------------- */

static void enumerate(pw *w, uint32_t idx)
{
    uint64_t a = w->ot.addr[idx];
    uint8_t fl = w->ot.flags[idx];
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        w->nbatch = 0;
        w->faults++;
        w->ot.flags[idx] |= OT_BAD;
        PW_WARN(w, wfault, "python: fault while reading the object at %p: skipped", (void *)(uintptr_t)a);
        return;
    }
    guard_jb = &jb;
    w->cur = NULL;
    if (fl & OT_THREAD) {
        py_thread_refs(w, (PyThreadState *)(uintptr_t)a);
    } else if (fl & OT_FRAME) {
        py_frame_node_refs(w, (_PyInterpreterFrame *)(uintptr_t)a, fl);
    } else {
        PyObject *o = PP(a);
        pytinfo *ti = pyt_get(PA(Py_TYPE(o)));
        if (ti && (ti->flags & TI_VALID)) {
            w->cur = o;
            py_refs(w, o, ti);
        }
    }
    guard_jb = NULL;
}

/* Look up the gathered references (see flush_batch), under a guard of its own. */
static void guarded_flush(pw *w)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        w->faults++;
        w->nbatch = 0;
        PW_WARN(w, wfault, "python: fault while looking up references: some were skipped");
        return;
    }
    guard_jb = &jb;
    flush_batch(w);
    guard_jb = NULL;
}

/* A static type: its references become roots labeled with its name. */
static void root_static_type(pw *w, PyTypeObject *t)
{
    char buf[300];
    memcpy(buf, "type ", 5);
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        w->nbatch = 0;
        w->faults++;
        w->root_label = NULL;
        return;
    }
    guard_jb = &jb;
    size_t n = pyt_name(t, buf + 5, sizeof buf - 5);
    w->root_label = buf;
    w->root_kind = MD_ROOT_PY_INTERP;
    w->root_label_id = md_child_string(w->c, buf, 5 + n);
    w->cur = NULL;
    py_type_refs(w, t);
    flush_batch(w);
    w->root_label = NULL;
    guard_jb = NULL;
}

static void drain(pw *w)
{
    for (;;) {
        while ((w->sp || w->nbatch) && !w->stopped) {
            /* references gathered from several objects are looked up together: their cache
             * misses overlap (see flush_batch) */
            if (!w->sp || w->nbatch >= PW_BATCH / 2) {
                guarded_flush(w);
                continue;
            }
            uint32_t idx = ((uint32_t *)w->stack_v.p)[--w->sp];
            enumerate(w, idx);
            if ((++w->nodes & 0xffff) == 0 && md_child_time_left_ns(w->c) < 200000000) {
                md_child_warn(w->c, "python: walk stopped early: the snapshot deadline is near");
                w->stopped = 1;
            }
        }
        if (w->stopped || !w->npend)
            return;
        root_static_type(w, (PyTypeObject *)PP(((uint64_t *)w->pend_v.p)[--w->npend]));
    }
}

static void gc_list(pw *w, PyGC_Head *head)
{
    if (!pymaps_readable(PA(head), sizeof *head))
        return;
    PyGC_Head *g = (PyGC_Head *)(uintptr_t)head->_gc_next;
    for (uint64_t n = 0; g != head && !w->stopped; n++) {
        if (!g || (PA(g) & 7) || !pymaps_readable(PA(g), sizeof *g) || n > ((uint64_t)1 << 32)) {
            PW_WARN(w, wbad, "python: a GC list is damaged at %p: rest of it skipped", (void *)g);
            return;
        }
        pw_discover(w, PA(g + 1), 1);
        drain(w);
        g = (PyGC_Head *)(uintptr_t)g->_gc_next;
    }
}

/* Is node idx (an object) a GC object whose references found do not explain its refcount? */
static int c_held(pw *w, uint32_t idx)
{
    uint8_t fl = w->ot.flags[idx];
    if (fl & (OT_THREAD | OT_FRAME | OT_BAD))
        return 0;
    PyObject *o = PP(w->ot.addr[idx]);
    pytinfo *ti = pyt_get(PA(Py_TYPE(o)));
    return ti && (ti->flags & TI_GC) && (uint64_t)o->ob_refcnt > w->ot.inbound[idx];
}

/* A C_HELD root for unrooted node i when its refcount is not explained. */
static void held_root(pw *w, uint32_t i)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        return;
    }
    guard_jb = &jb;
    if (c_held(w, i)) {
        w->ot.flags[i] |= OT_CROOT;
        md_root r = {MD_ROOT_C_HELD, w->ot.addr[i],
                     md_child_string(w->c, "held from C (refcount not explained)", 36), 0};
        md_w_root(w->w, &r);
    }
    guard_jb = NULL;
}

/* ---- phase 2 -------------------------------------------------------------------------------- */

/* Nodes in address order: small address deltas compress well, and reading the objects in
 * address order is kind to the caches. LSD radix sort of (address, node) pairs on address bits
 * 3..50 (objects are 8-aligned; user space is 47 bits). */
typedef struct apair { uint64_t addr; uint64_t idx; } apair;

static int sort_pairs(apair *a, apair *tmp, uint32_t n)
{
    pyvec cv = {0};
    if (pyvec_reserve(&cv, 65536 * sizeof(uint32_t)))
        return -1;
    uint32_t *cnt = cv.p;
    for (int pass = 0; pass < 3; pass++) {
        int shift = 3 + 16 * pass;
        memset(cnt, 0, 65536 * sizeof(uint32_t));
        for (uint32_t i = 0; i < n; i++)
            cnt[(a[i].addr >> shift) & 0xffff]++;
        uint32_t sum = 0;
        for (uint32_t d = 0; d < 65536; d++) {
            uint32_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++)
            tmp[cnt[(a[i].addr >> shift) & 0xffff]++] = a[i];
        memcpy(a, tmp, (size_t)n * sizeof *a);
    }
    pyvec_free(&cv);
    return 0;
}

static uint32_t type_id(pw *w, pytinfo *ti)
{
    if (!ti->md_type) {
        char buf[320];
        size_t n = pyt_name((PyTypeObject *)PP(ti->addr), buf, sizeof buf);
        ti->md_type = md_child_type(w->c, buf, n, MD_TYPE_PYTHON, ti->addr);
    }
    return ti->md_type;
}

static void emit(pw *w, uint32_t idx)
{
    uint64_t a = w->ot.addr[idx];
    uint8_t fl = w->ot.flags[idx];
    if (fl & OT_BAD)
        return;
    md_node *n = &w->node;
    memset(n, 0, sizeof *n);
    n->addr = a;
    w->cur_flags = fl;
    w->node_written = 0;
    w->nedge = 0;
    w->cur = NULL;
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        w->faults++;
        PW_WARN(w, wfault, "python: fault while writing the object at %p", (void *)(uintptr_t)a);
        if (w->node_written || n->type)
            flush_edges(w);       /* what was gathered before the fault */
        return;
    }
    guard_jb = &jb;
    if (fl & OT_THREAD) {
        PyThreadState *ts = (PyThreadState *)(uintptr_t)a;
        n->stack = py_thread_stack(w, ts);
        n->type = w->ty_thread;
        n->flags = MD_NODE_SYNTHETIC;
        py_thread_refs(w, ts);
    } else if (fl & OT_FRAME) {
        _PyInterpreterFrame *f = (_PyInterpreterFrame *)(uintptr_t)a;
        n->stack = py_frame_stack(w, f);
        n->type = w->ty_frame;
        n->flags = MD_NODE_SYNTHETIC;
        py_frame_node_refs(w, f, fl);
    } else {
        PyObject *o = PP(a);
        pytinfo *ti = pyt_get(PA(Py_TYPE(o)));
        if (!ti || !(ti->flags & TI_VALID)) {
            guard_jb = NULL;
            return;
        }
        int owns = 0;
        n->size = py_size(o, ti, &owns);
        n->flags = MD_NODE_PYOBJ;
        if (owns)
            n->flags |= MD_NODE_OWNS_BUFFER;
        if ((ti->flags & TI_GC) && _PyGCHead_NEXT(_Py_AS_GC(o)))
            n->flags |= MD_NODE_GC_TRACKED;
        if (c_held(w, idx))
            n->flags |= MD_NODE_C_HELD;
        if (w->cfg->sites)
            n->stack = pysites_node_stack(w, w->cfg->sites, a - ti->preheader);
        n->type = type_id(w, ti);
        /* a class: a TYPE record of its own names it for the analyzer, even without instances */
        if (ti->kind == PK_TYPE && (((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
            pytinfo *self = pyt_get(a);
            if (self && (self->flags & TI_VALID))
                type_id(w, self);
        }
        w->cur = o;
        py_refs(w, o, ti);
        flush_edges(w);
        if (ti->kind == PK_TASK)
            py_task_record(w, o);
        guard_jb = NULL;
        w->nodes++;
        return;
    }
    flush_edges(w);
    guard_jb = NULL;
    w->nodes++;
}

/* ---- driver --------------------------------------------------------------------------------- */

static int numpy_major_version(PyInterpreterState *in)
{
    PyObject *np = in->modules ? pydict_get_str(in->modules, "numpy") : NULL;
    if (!np || !pymaps_readable(PA(np), sizeof(PyModuleObject)) || Py_TYPE(np) != &PyModule_Type)
        return 0;
    PyObject *v = pydict_get_str(((PyModuleObject *)np)->md_dict, "__version__");
    char buf[16];
    if (!v || pystr_utf8(v, buf, sizeof buf) < 1)
        return 0;
    return buf[0] - '0';
}

/* numpy's version, then discovery from the roots (all under one guard). */
static void prologue(pw *w, PyInterpreterState *in)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        md_child_warn(w->c, "python: fault while reading the interpreter's roots");
        return;
    }
    guard_jb = &jb;
    py_size_numpy_major(numpy_major_version(in));
    /* phase 1: discover, first from the roots … */
    w->phase = 1;
    w->rooting = 1;
    py_interp_roots(w, in);
    py_module_roots(w, in);
    py_threads_roots(w, in);
    py_static_types_from(w, &PyBaseObject_Type);
    guard_jb = NULL;
}

/* CPython's subtype_traverse (static in typeobject.c): the tp_traverse of every class made by a
 * class statement. Read off one that always exists: importlib's ModuleSpec. */
static uint64_t find_subtype_traverse(PyInterpreterState *in)
{
    PyObject *m = in->modules ? pydict_get_str(in->modules, "_frozen_importlib") : NULL;
    if (!m || !pymaps_readable(PA(m), sizeof(PyModuleObject)) || Py_TYPE(m) != &PyModule_Type)
        return 0;
    PyObject *t = pydict_get_str(((PyModuleObject *)m)->md_dict, "ModuleSpec");
    if (!t || !pymaps_readable(PA(t), sizeof(PyHeapTypeObject)) || Py_TYPE(t) != &PyType_Type)
        return 0;
    PyTypeObject *tt = (PyTypeObject *)t;
    unsigned long want = Py_TPFLAGS_HEAPTYPE | Py_TPFLAGS_HAVE_GC;
    return (tt->tp_flags & want) == want ? PA(tt->tp_traverse) : 0;
}

static uint64_t guarded_subtype_traverse(PyInterpreterState *in)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        return 0;
    }
    guard_jb = &jb;
    uint64_t st = find_subtype_traverse(in);
    guard_jb = NULL;
    return st;
}

/* --python-sites: the per-traceback counters (py_counters.c), after the nodes so that their
 * STACKs are shared, under a guard of their own (naming a line reads a code object). */
static void guarded_counters(pw *w)
{
    if (md_child_time_left_ns(w->c) < 50000000) {
        md_child_warn(w->c, "python: allocation counters not written: the snapshot deadline is near");
        return;
    }
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        guard_jb = NULL;
        md_child_warn(w->c, "python: fault while writing the allocation counters: some are missing");
        return;
    }
    guard_jb = &jb;
    py_counters_emit(w, w->cfg->sites);
    guard_jb = NULL;
}

int py_walk(md_child *c, const pw_config *cfg)
{
    pw *w = &W;
    memset(w, 0, sizeof *w);
    w->c = c;
    w->w = md_child_writer(c);
    w->cfg = cfg;
    if (pymaps_load()) {
        md_child_warn(c, "python: cannot read /proc/self/maps in the snapshot child");
        return -1;
    }
    pymaps_set_core(cfg->core_lo, cfg->core_hi);
    PyInterpreterState *in = _PyRuntime.interpreters.main;
    if (!in || !pymaps_readable(PA(in), sizeof *in)) {
        md_child_warn(c, "python: the interpreter state is not readable");
        pymaps_free();
        return -1;
    }
    guard_install();
    uint64_t st = cfg->subtype_traverse ? cfg->subtype_traverse : guarded_subtype_traverse(in);
    if (!st)
        md_child_warn(c, "python: cannot find subtype_traverse: class instances are traversed "
                         "without attribute names");
    /* objects that survived the last full collection: a floor for the table's size */
    uint64_t expect = (uint64_t)(in->gc.long_lived_total > 0 ? in->gc.long_lived_total : 0) * 2 + 65536;
    if (pyt_init(st) || ot_init(&w->ot, expect)) {
        md_child_warn(c, "python: out of memory for the walk's tables");
        guard_remove();
        pymaps_free();
        return -1;
    }
    if (_PyRuntime.interpreters.head != in || in->next)
        md_child_warn(c, "python: sub-interpreters are not walked (only the main interpreter)");
    if (in->gc.collecting)
        md_child_warn(c, "python: the snapshot was taken during a garbage collection: objects the "
                         "collector had moved to its private lists may be missing");
    w->ty_frame = md_child_type(c, "<python frame>", 14, MD_TYPE_PYTHON, 0);
    w->ty_thread = md_child_type(c, "<python thread>", 15, MD_TYPE_PYTHON, 0);
    prologue(w, in);
    drain(w);
    /* … then from the GC lists: what is found now is unreachable from every root */
    w->rooting = 0;
    for (int g = 0; g < NUM_GENERATIONS; g++)
        gc_list(w, &in->gc.generations[g].head);
    gc_list(w, &in->gc.permanent_generation.head);
    for (uint32_t i = 0; i < w->ot.n && !w->stopped; i++)
        if (!(w->ot.flags[i] & OT_ROOTED))
            held_root(w, i);

    /* phase 2: emit in address order */
    w->phase = 2;
    w->nodes = 0;
    pyvec sv = {0}, tv = {0};
    uint32_t n = w->ot.n;
    if (pyvec_reserve(&sv, ((size_t)n + 1) * sizeof(apair)) ||
        pyvec_reserve(&tv, ((size_t)n + 1) * sizeof(apair))) {
        md_child_warn(c, "python: out of memory sorting %u nodes", n);
        guard_remove();
        return -1;
    }
    apair *sorted = sv.p;
    for (uint32_t i = 0; i < n; i++)
        sorted[i] = (apair){w->ot.addr[i], i};
    sort_pairs(sorted, tv.p, n);
    pyvec_free(&tv);
    for (uint32_t i = 0; i < n; i++) {
        emit(w, (uint32_t)sorted[i].idx);
        if ((i & 0xffff) == 0xffff && md_child_time_left_ns(c) < 100000000) {
            md_child_warn(c, "python: wrote %u of %u nodes before the snapshot deadline", i + 1, n);
            break;
        }
    }
    pyvec_free(&sv);
    if (cfg->sites)
        guarded_counters(w);
    guard_remove();
    if (w->bad)
        md_child_warn(c, "python: %lu invalid pointers skipped", (unsigned long)w->bad);
    if (w->faults)
        md_child_warn(c, "python: %lu objects skipped after a fault", (unsigned long)w->faults);
    ot_free(&w->ot);
    pyt_free();
    pyvec_free(&w->stack_v);
    pyvec_free(&w->pend_v);
    pyvec_free(&w->etgt_v);
    pyvec_free(&w->elbl_v);
    pyvec_free(&skip_v);
    skip_mask = skip_n = 0;
    pw_labels_free();
    pymaps_free();
    return 0;
}
