/* py_walk.h — the snapshot child's walk of a CPython heap, and the context its parts share.
 *
 * The walk runs in two phases over the frozen heap, so that the NODE records (which carry the
 * C_HELD flag) can be written knowing every reference to each node:
 *
 *   1. discover: from the real roots (interpreter state, sys.modules, every thread's frames,
 *      static types), then from every object on the GC generation lists, follow references
 *      iteratively with an explicit stack; give every node a dense number and count the strong
 *      references found to it. Objects first reached from the GC lists are not reachable from any
 *      root: cyclic garbage, or objects held only from C. A GC object whose ob_refcnt exceeds the
 *      references found is flagged C_HELD; the unreachable ones among them get a C_HELD root.
 *   2. emit: sort the nodes by address (small deltas compress well) and write each node with
 *      its size, type, site, flags and labeled edges, enumerating its references again.
 *   3. with --python-sites, the allocation counters of each traceback (py_counters.c), as
 *      COUNTER records on the STACKs the nodes' sites use.
 *
 * The same per-type enumeration (py_refs.c) serves both phases; pw_ref() does what the phase
 * needs with each reference. Nothing here calls the interpreter, malloc, stdio or a lock.
 */
#ifndef PY_WALK_H
#define PY_WALK_H

#include "md_child.h"
#include "py_core.h"
#include "py_objtab.h"
#include "py_types.h"
#include "py_vec.h"

#include <setjmp.h>

struct pysites;

/* What the parent learned before the fork (see py_plugin.c). */
typedef struct pw_config {
    uint64_t subtype_traverse;   /* address of CPython's subtype_traverse, 0 if unknown */
    uint64_t skip_tstate;        /* our own GIL holder's thread state: not a program thread */
    uint64_t core_lo, core_hi;   /* the interpreter image: static objects live there */
    const struct pysites *sites; /* --python-sites table, or NULL */
    uint64_t snap_tstate;        /* the thread taking the snapshot itself, if it holds the GIL */
    int between_instructions;    /* ... from a pending call: its innermost frame completed its
                                    last instruction (the value stack is known exactly) */
} pw_config;

/* pw_ref `how` bits */
#define E_COUNT 1   /* a strong reference: counts toward the target's ob_refcnt */
#define E_EMIT  2   /* written as an edge */
#define E_REF   (E_COUNT | E_EMIT)

#define PW_BATCH 256

typedef struct pw {
    md_child *c;
    md_writer *w;
    const pw_config *cfg;
    int phase;                  /* 1 discover, 2 emit */
    objtab ot;
    pyvec stack_v;              /* phase 1 work stack of node numbers */
    size_t sp;
    pyvec pend_v;               /* static types whose references become roots */
    size_t npend;
    PyObject *cur;              /* object being enumerated */
    uint8_t cur_flags;          /* its OT_* flags (emit phase) */
    const char *root_label;     /* non-NULL: references become roots of kind root_kind */
    uint32_t root_kind;
    uint32_t root_label_id;
    int rooting;                /* discovery from roots (1) or from the GC lists (0) */
    uint64_t nodes, edges, bad, faults, wbad, wfault, wframe;
    int stopped;                /* deadline or memory budget: the walk ends early */
    sigjmp_buf *jb;             /* fault guard of the object being read, NULL outside */
    uint32_t ty_frame, ty_thread;   /* TYPE ids of the synthetic nodes */
    /* Emit phase: a node's edges are gathered before anything is written, because interning a
     * label writes a STRING record, and a record closes the open NODE. */
    md_node node;               /* the node being emitted */
    int node_written;
    pyvec etgt_v, elbl_v;
    uint32_t nedge;
    /* Discovery phase: references of the object being enumerated, not yet looked up. */
    uint64_t batch[PW_BATCH];
    uint8_t batch_how[PW_BATCH];
    uint32_t nbatch;
} pw;

/* Walk the interpreter's heap into the dump. Returns 0, or -1 after a WARNING record. */
int py_walk(md_child *c, const pw_config *cfg);

/* One reference from w->cur (or from a root, see root_label) to target. */
void pw_ref(pw *w, PyObject *target, int64_t label, int how);
/* The reference an instance of a heap type holds to its class: counted always, but written as an
 * edge only once per class (otherwise a million instances would carry a million edges to a class
 * that its module keeps alive anyway). */
void pw_type_ref(pw *w, PyTypeObject *t);

/* Discovery (phase 1): the node number + 1 of the object at a, added and queued when new; 0 for
 * a static object or an invalid pointer. linked: reached by a reference written as an edge. */
uint32_t pw_discover(pw *w, uint64_t a, int linked);
/* A static type whose references (its dict, MRO, ...) become roots, once. */
void pw_queue_static_type(pw *w, PyTypeObject *t);

/* Roots (py_roots.c). */
void py_interp_roots(pw *w, PyInterpreterState *in);
void py_module_roots(pw *w, PyInterpreterState *in);
void py_static_types_from(pw *w, PyTypeObject *top);

/* Labels (py_labels.c; phase 2 only: 0 in phase 1, where they are not needed). */
int64_t pw_lbl(pw *w, const char *s);                      /* a C string literal (cached) */
int64_t pw_lbl_str(pw *w, const char *prefix, PyObject *s); /* prefix + str object's text */
void pw_labels_free(void);

/* A synthetic node (thread or frame) referenced from the node being enumerated: added with
 * `flags` in discovery, written as an edge when emitting. Never counted. */
void pw_synth(pw *w, uint64_t addr, uint8_t flags, int64_t label);

/* A warning, at most five per counter so a corrupt heap cannot flood the dump. */
#define PW_WARN(w, counter, ...) \
    do { if ((w)->counter++ < 5) md_child_warn((w)->c, __VA_ARGS__); } while (0)

#endif
