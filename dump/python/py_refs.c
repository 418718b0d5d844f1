/* py_refs.c — per-layout reference enumeration (see py_refs.h).
 *
 * Every pointer read here belongs to an object whose header and basic size were validated when
 * it was discovered; variable parts (item arrays, tables, frames) are checked before they are
 * read. Labels are computed only in the emit phase (pw_lbl* return 0 in discovery).
 */
#include "py_refs.h"
#include "py_dict.h"
#include "py_maps.h"
#include "py_size.h"
#include "py_stackdepth.h"
#include "py_str.h"
#include "py_tasks.h"

static int visit_cb(PyObject *o, void *arg)
{
    pw *w = arg;
    if (o && w->cur && o == (PyObject *)Py_TYPE(w->cur))
        pw_type_ref(w, (PyTypeObject *)o);
    else
        pw_ref(w, o, 0, E_REF);
    return 0;
}

static void call_traverse(pw *w, PyObject *o, PyTypeObject *t)
{
    traverseproc tr = t->tp_traverse;
    if (tr && (t->tp_flags & Py_TPFLAGS_HAVE_GC))
        tr(o, visit_cb, w);
}

/* ---- containers ------------------------------------------------------------------------- */

static void list_refs(pw *w, PyListObject *l)
{
    Py_ssize_t n = Py_SIZE(l);
    if (n <= 0 || n > l->allocated || !pymaps_readable(PA(l->ob_item), (size_t)n * sizeof(PyObject *)))
        return;
    for (Py_ssize_t i = 0; i < n; i++)
        pw_ref(w, l->ob_item[i], MD_LABEL_INDEX(i), E_REF);
}

static void tuple_refs(pw *w, PyTupleObject *t)
{
    Py_ssize_t n = Py_SIZE(t);
    for (Py_ssize_t i = 0; i < n; i++)
        pw_ref(w, t->ob_item[i], MD_LABEL_INDEX(i), E_REF);
}

static int interned_str(PyObject *k)
{
    return Py_TYPE(k) == &PyUnicode_Type && ((PyASCIIObject *)k)->state.interned;
}

static void dict_refs(pw *w, PyObject *d)
{
    pydict_it it;
    PyObject *k, *v;
    Py_ssize_t i;
    if (!pydict_iter(&it, d))
        return;
    int split = it.values != NULL;
    while (pydict_next(&it, &k, &v, &i)) {
        /* Keys of a split table belong to the shared keys (their class); interned str keys are
         * kept alive by the interpreter's interned table: neither is this dict's to retain. */
        if (!split && !(pymaps_readable(PA(k), sizeof(PyASCIIObject)) && interned_str(k)))
            pw_ref(w, k, pw_lbl(w, "[key]"), E_REF);
        if (v)
            pw_ref(w, v, w->phase == 2 ? pw_lbl_str(w, "", k) : 0, E_REF);
    }
}

static void set_refs(pw *w, PySetObject *s)
{
    if (s->mask < 0 || !pymaps_readable(PA(s->table), ((size_t)s->mask + 1) * sizeof(setentry)))
        return;
    for (Py_ssize_t i = 0; i <= s->mask; i++)
        if (s->table[i].key)
            pw_ref(w, s->table[i].key, 0, E_REF);
}

/* ---- types, functions, code ------------------------------------------------------------- */

void py_type_refs(pw *w, PyTypeObject *t)
{
    pw_ref(w, t->tp_dict, pw_lbl(w, "__dict__"), E_REF);
    pw_ref(w, t->tp_mro, pw_lbl(w, "__mro__"), E_REF);
    pw_ref(w, t->tp_bases, pw_lbl(w, "__bases__"), E_REF);
    pw_ref(w, t->tp_cache, pw_lbl(w, "[cache]"), E_REF);
    pw_ref(w, t->tp_subclasses, pw_lbl(w, "__subclasses__"), E_REF);
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *h = (PyHeapTypeObject *)t;
        pw_ref(w, (PyObject *)t->tp_base, pw_lbl(w, "__base__"), E_REF);
        pw_ref(w, h->ht_name, pw_lbl(w, "__name__"), E_REF);
        pw_ref(w, h->ht_qualname, pw_lbl(w, "__qualname__"), E_REF);
        pw_ref(w, h->ht_slots, pw_lbl(w, "__slots__"), E_REF);
        pw_ref(w, h->ht_module, pw_lbl(w, "[module]"), E_REF);
    }
}

static void func_refs(pw *w, PyFunctionObject *f)
{
    pw_ref(w, f->func_code, pw_lbl(w, "__code__"), E_REF);
    pw_ref(w, f->func_globals, pw_lbl(w, "__globals__"), E_REF);
    pw_ref(w, f->func_builtins, pw_lbl(w, "__builtins__"), E_REF);
    pw_ref(w, f->func_name, pw_lbl(w, "__name__"), E_REF);
    pw_ref(w, f->func_qualname, pw_lbl(w, "__qualname__"), E_REF);
    pw_ref(w, f->func_defaults, pw_lbl(w, "__defaults__"), E_REF);
    pw_ref(w, f->func_kwdefaults, pw_lbl(w, "__kwdefaults__"), E_REF);
    pw_ref(w, f->func_closure, pw_lbl(w, "__closure__"), E_REF);
    pw_ref(w, f->func_doc, pw_lbl(w, "__doc__"), E_REF);
    pw_ref(w, f->func_dict, pw_lbl(w, "__dict__"), E_REF);
    pw_ref(w, f->func_module, pw_lbl(w, "__module__"), E_REF);
    pw_ref(w, f->func_annotations, pw_lbl(w, "__annotations__"), E_REF);
}

static void code_refs(pw *w, PyCodeObject *c)
{
    pw_ref(w, c->co_consts, pw_lbl(w, "co_consts"), E_REF);
    pw_ref(w, c->co_names, pw_lbl(w, "co_names"), E_REF);
    pw_ref(w, c->co_exceptiontable, pw_lbl(w, "co_exceptiontable"), E_REF);
    pw_ref(w, c->co_localsplusnames, pw_lbl(w, "co_varnames"), E_REF);
    pw_ref(w, c->co_localspluskinds, pw_lbl(w, "[localspluskinds]"), E_REF);
    pw_ref(w, c->co_filename, pw_lbl(w, "co_filename"), E_REF);
    pw_ref(w, c->co_name, pw_lbl(w, "co_name"), E_REF);
    pw_ref(w, c->co_qualname, pw_lbl(w, "co_qualname"), E_REF);
    pw_ref(w, c->co_linetable, pw_lbl(w, "co_linetable"), E_REF);
    pw_ref(w, c->_co_code, pw_lbl(w, "co_code"), E_REF);
}

static void module_refs(pw *w, PyModuleObject *m)
{
    pw_ref(w, m->md_dict, pw_lbl(w, "__dict__"), E_REF);
    pw_ref(w, m->md_name, pw_lbl(w, "__name__"), E_REF);
    PyModuleDef *def = m->md_def;
    /* extension module state: only its own m_traverse knows its layout */
    if (def && pymaps_readable(PA(def), sizeof(PyModuleDef)) && def->m_traverse &&
        (def->m_size <= 0 || m->md_state))
        def->m_traverse((PyObject *)m, visit_cb, w);
}

static void cfunc_refs(pw *w, PyCFunctionObject *f)
{
    pw_ref(w, f->m_self, pw_lbl(w, "__self__"), E_REF);
    pw_ref(w, f->m_module, pw_lbl(w, "__module__"), E_REF);
    if (Py_TYPE(f) == &PyCMethod_Type || (f->m_ml && pymaps_readable(PA(f->m_ml), sizeof(PyMethodDef)) &&
                                          (f->m_ml->ml_flags & METH_METHOD)))
        pw_ref(w, (PyObject *)((PyCMethodObject *)f)->mm_class, pw_lbl(w, "__objclass__"), E_REF);
}

/* ---- frames and generators --------------------------------------------------------------- */

int py_frame_ok(_PyInterpreterFrame *f)
{
    if (!f || (PA(f) & 7) || !pymaps_readable(PA(f), sizeof(_PyInterpreterFrame)))
        return 0;
    PyCodeObject *co = f->f_code;
    if (!co || (PA(co) & 7) || !pymaps_readable(PA(co), sizeof(PyCodeObject)) || Py_TYPE(co) != &PyCode_Type)
        return 0;
    if (co->co_nlocalsplus < 0 || co->co_stacksize < 0 || co->co_nlocalsplus > 1 << 20 ||
        co->co_stacksize > 1 << 20)
        return 0;
    return pymaps_readable(PA(f->localsplus), (size_t)co->co_nlocalsplus * sizeof(PyObject *));
}

void py_frame_refs(pw *w, _PyInterpreterFrame *f, int stack_mode)
{
    if (!py_frame_ok(f))
        return;
    PyCodeObject *co = f->f_code;
    pw_ref(w, (PyObject *)f->f_func, pw_lbl(w, "[function]"), E_REF);
    pw_ref(w, (PyObject *)co, pw_lbl(w, "[code]"), E_REF);
    pw_ref(w, f->f_locals, pw_lbl(w, "[f_locals]"), E_REF);
    pw_ref(w, (PyObject *)f->frame_obj, pw_lbl(w, "[frame object]"), E_REF);
    int n = co->co_nlocalsplus;
    PyObject *names = co->co_localsplusnames, *kinds = co->co_localspluskinds;
    int named = w->phase == 2 && pymaps_readable(PA(names), sizeof(PyTupleObject)) &&
                Py_TYPE(names) == &PyTuple_Type && Py_SIZE(names) >= n &&
                pymaps_readable(PA(names), sizeof(PyTupleObject) + (size_t)n * sizeof(PyObject *)) &&
                pymaps_readable(PA(kinds), sizeof(PyBytesObject)) && Py_TYPE(kinds) == &PyBytes_Type &&
                Py_SIZE(kinds) >= n && pymaps_readable(PA(kinds), sizeof(PyBytesObject) + (size_t)n);
    for (int i = 0; i < n; i++) {
        PyObject *v = f->localsplus[i];
        if (!v)
            continue;
        int64_t label = 0;
        if (named) {
            unsigned kind = (uint8_t)((PyBytesObject *)kinds)->ob_sval[i];
            label = pw_lbl_str(w, (kind & CO_FAST_FREE) ? "[closure] " : "locals:",
                               ((PyTupleObject *)names)->ob_item[i]);
        }
        pw_ref(w, v, label, E_REF);
    }
    int top;
    if (stack_mode == STACK_SAVED) {
        top = f->stacktop;
    } else if (stack_mode == STACK_SAFE || stack_mode == STACK_AFTER) {
        Py_ssize_t at = f->prev_instr - _PyCode_CODE(co);
        int effect = 0, d = at >= 0 ? py_stack_depth(co, at, &effect) : -1;
        if (d < 0 || effect == PY_INVALID_STACK_EFFECT)
            return;
        if (stack_mode == STACK_AFTER)
            d += effect;
        else if (effect < 0)
            d += effect;        /* the slots the instruction pops may already be dead */
        top = n + d;
    } else {
        return;
    }
    if (top <= n || top > n + co->co_stacksize ||
        !pymaps_readable(PA(f->localsplus), (size_t)top * sizeof(PyObject *)))
        return;
    for (int i = n; i < top; i++)
        pw_ref(w, f->localsplus[i], pw_lbl(w, "[stack]"), E_REF);
}

PyObject *py_gen_awaiting(PyGenObject *g)
{
    if (g->gi_frame_state != FRAME_SUSPENDED)
        return NULL;
    _PyInterpreterFrame *f = (_PyInterpreterFrame *)g->gi_iframe;
    if (!py_frame_ok(f))
        return NULL;
    /* A frame suspended inside `yield from` / `await` stops before a RESUME whose oparg is >= 2,
     * with the awaited object on top of its stack (as _PyGen_yf reads it). */
    _Py_CODEUNIT *code = _PyCode_CODE(f->f_code);
    Py_ssize_t ninstr = Py_SIZE(f->f_code);
    Py_ssize_t next = f->prev_instr + 1 - code;
    if (next < 0 || next >= ninstr)
        return NULL;
    _Py_CODEUNIT u = code[next];
    int op = _Py_OPCODE(u);
    if ((op != RESUME && op != RESUME_QUICK) || _Py_OPARG(u) < 2)
        return NULL;
    int n = f->f_code->co_nlocalsplus, top = f->stacktop;
    if (top <= n || top > n + f->f_code->co_stacksize ||
        !pymaps_readable(PA(f->localsplus), (size_t)top * sizeof(PyObject *)))
        return NULL;
    return f->localsplus[top - 1];
}

static void gen_refs(pw *w, PyGenObject *g)
{
    pw_ref(w, (PyObject *)g->gi_code, pw_lbl(w, "gi_code"), E_REF);
    pw_ref(w, g->gi_name, pw_lbl(w, "__name__"), E_REF);
    pw_ref(w, g->gi_qualname, pw_lbl(w, "__qualname__"), E_REF);
    pw_ref(w, g->gi_exc_state.exc_value, pw_lbl(w, "[exception]"), E_REF);
    pw_ref(w, g->gi_origin_or_finalizer, pw_lbl(w, "[origin]"), E_REF);
    if (g->gi_frame_state >= FRAME_CLEARED)
        return;
    _PyInterpreterFrame *f = (_PyInterpreterFrame *)g->gi_iframe;
    /* A suspended (or not yet started) frame saved its stack pointer; a running one is inside a
     * call through C (generators are always resumed from C in 3.11). */
    int suspended = g->gi_frame_state == FRAME_SUSPENDED || g->gi_frame_state == FRAME_CREATED;
    if (w->phase == 2 && suspended) {
        PyObject *aw = py_gen_awaiting(g);
        if (aw) {
            /* label the awaited object; the rest of the stack as usual */
            py_frame_refs(w, f, STACK_NONE);
            int n = f->f_code->co_nlocalsplus;
            for (int i = n; i < f->stacktop - 1; i++)
                pw_ref(w, f->localsplus[i], pw_lbl(w, "[stack]"), E_REF);
            pw_ref(w, aw, pw_lbl(w, "[awaiting]"), E_REF);
            return;
        }
    }
    int mode = STACK_SAVED;
    if (!suspended) {       /* running: how, its thread's frame node says */
        uint32_t s = ot_find(&w->ot, PA(f));
        uint8_t fl = s ? w->ot.flags[s - 1] : 0;
        mode = (fl & OT_STACKOK) ? STACK_SAVED : (fl & OT_AFTER) ? STACK_AFTER : STACK_SAFE;
    }
    py_frame_refs(w, f, mode);
}

static void frameobj_refs(pw *w, PyFrameObject *fo)
{
    pw_ref(w, (PyObject *)fo->f_back, pw_lbl(w, "f_back"), E_REF);
    pw_ref(w, fo->f_trace, pw_lbl(w, "f_trace"), E_REF);
    _PyInterpreterFrame *f = fo->f_frame;
    /* Only a frame whose data the frame object owns (the function returned) is enumerated here;
     * a live frame's references belong to its thread or generator. */
    if (f == (_PyInterpreterFrame *)fo->_f_frame_data && py_frame_ok(f) &&
        f->owner == FRAME_OWNED_BY_FRAME_OBJECT)
        py_frame_refs(w, f, STACK_SAVED);
}

/* ---- extension types we mirror ------------------------------------------------------------ */

static void ndarray_refs(pw *w, md_ndarray *a)
{
    pw_ref(w, a->base, pw_lbl(w, "base"), E_REF);
    pw_ref(w, a->descr, pw_lbl(w, "dtype"), E_REF);
    if (Py_TYPE(a)->tp_basicsize >= (Py_ssize_t)sizeof(md_ndarray))
        pw_ref(w, a->mem_handler, pw_lbl(w, "[mem_handler]"), E_REF);
}

static void future_refs(pw *w, aio_future *f)
{
    pw_ref(w, f->loop, pw_lbl(w, "_loop"), E_REF);
    pw_ref(w, f->callback0, pw_lbl(w, "[callback]"), E_REF);
    pw_ref(w, f->context0, pw_lbl(w, "[callback context]"), E_REF);
    pw_ref(w, f->callbacks, pw_lbl(w, "_callbacks"), E_REF);
    pw_ref(w, f->exception, pw_lbl(w, "_exception"), E_REF);
    pw_ref(w, f->exception_tb, pw_lbl(w, "[exception traceback]"), E_REF);
    pw_ref(w, f->result, pw_lbl(w, "_result"), E_REF);
    pw_ref(w, f->source_tb, pw_lbl(w, "_source_traceback"), E_REF);
    pw_ref(w, f->cancel_msg, pw_lbl(w, "_cancel_message"), E_REF);
    pw_ref(w, f->dict, pw_lbl(w, "__dict__"), E_REF);
    pw_ref(w, f->cancelled_exc, pw_lbl(w, "_cancelled_exc"), E_REF);
}

static void task_refs(pw *w, aio_task *t)
{
    future_refs(w, &t->fut);
    pw_ref(w, t->fut_waiter, pw_lbl(w, "_fut_waiter"), E_REF);
    pw_ref(w, t->coro, pw_lbl(w, "_coro"), E_REF);
    pw_ref(w, t->name, pw_lbl(w, "_name"), E_REF);
    pw_ref(w, t->context, pw_lbl(w, "_context"), E_REF);
}

/* ---- classes ----------------------------------------------------------------------------- */

/* What subtype_traverse visits for the class-statement types between t and its first other
 * base: __slots__ members, then the instance dict (managed values, managed dict, or the dict at
 * tp_dictoffset when a class added one). */
static void class_refs(pw *w, PyObject *o, PyTypeObject *t, PyTypeObject *stop)
{
    int depth = 0;
    for (PyTypeObject *b = t; b && b != stop && depth < 64; b = b->tp_base, depth++) {
        Py_ssize_t nm = Py_SIZE(b);
        if (nm <= 0 || nm > 4096)
            continue;
        PyMemberDef *mp = (PyMemberDef *)((char *)b + Py_TYPE(b)->tp_basicsize);
        if (!pymaps_readable(PA(mp), (size_t)nm * sizeof(PyMemberDef)))
            continue;
        for (Py_ssize_t i = 0; i < nm; i++, mp++) {
            if (mp->type != T_OBJECT_EX || mp->offset < (Py_ssize_t)sizeof(PyObject) ||
                mp->offset + (Py_ssize_t)sizeof(PyObject *) > t->tp_basicsize)
                continue;
            PyObject *v = *(PyObject **)((char *)o + mp->offset);
            int64_t label = 0;
            if (w->phase == 2 && mp->name && pymaps_readable(PA(mp->name), 1))
                label = pw_lbl(w, mp->name);   /* member names are owned by the class: stable */
            pw_ref(w, v, label, E_REF);
        }
    }
    if (t->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
        PyDictValues *values = *_PyObject_ValuesPointer(o);
        if (values) {
            pydict_it it;
            PyObject *k, *v;
            Py_ssize_t i;
            if (pydict_iter_values(&it, ((PyHeapTypeObject *)t)->ht_cached_keys, values))
                while (pydict_next(&it, &k, &v, &i))
                    if (v)
                        pw_ref(w, v, w->phase == 2 ? pw_lbl_str(w, "", k) : 0, E_REF);
        } else {
            pw_ref(w, *_PyObject_ManagedDictPointer(o), pw_lbl(w, "__dict__"), E_REF);
        }
    } else if (t->tp_dictoffset && stop && t->tp_dictoffset != stop->tp_dictoffset) {
        Py_ssize_t off = t->tp_dictoffset;
        if (off < 0) {  /* counted from the end of a variable-size object */
            Py_ssize_t n = Py_SIZE(o);
            if (n < 0) n = -n;
            off += t->tp_basicsize + n * t->tp_itemsize;
            off = (off + (Py_ssize_t)sizeof(void *) - 1) & ~(Py_ssize_t)(sizeof(void *) - 1);
        }
        if (off >= (Py_ssize_t)sizeof(PyObject) && pymaps_readable(PA(o) + (uint64_t)off, sizeof(PyObject *)))
            pw_ref(w, *(PyObject **)((char *)o + off), pw_lbl(w, "__dict__"), E_REF);
    }
}

/* References of the static layout `kind`; 0 when this kind has no reimplementation. */
static int kind_refs(pw *w, PyObject *o, int kind)
{
    switch (kind) {
    case PK_OBJECT: case PK_STR: case PK_BYTES: case PK_INT: case PK_FLOAT: case PK_BYTEARRAY:
        return 1;
    case PK_LIST: list_refs(w, (PyListObject *)o); return 1;
    case PK_TUPLE: tuple_refs(w, (PyTupleObject *)o); return 1;
    case PK_DICT: dict_refs(w, o); return 1;
    case PK_SET: set_refs(w, (PySetObject *)o); return 1;
    case PK_TYPE: py_type_refs(w, (PyTypeObject *)o); return 1;
    case PK_FUNC: func_refs(w, (PyFunctionObject *)o); return 1;
    case PK_CELL: pw_ref(w, ((PyCellObject *)o)->ob_ref, pw_lbl(w, "cell_contents"), E_REF); return 1;
    case PK_CODE: code_refs(w, (PyCodeObject *)o); return 1;
    case PK_MODULE: module_refs(w, (PyModuleObject *)o); return 1;
    case PK_METHOD:
        pw_ref(w, ((PyMethodObject *)o)->im_func, pw_lbl(w, "__func__"), E_REF);
        pw_ref(w, ((PyMethodObject *)o)->im_self, pw_lbl(w, "__self__"), E_REF);
        return 1;
    case PK_CFUNC: cfunc_refs(w, (PyCFunctionObject *)o); return 1;
    case PK_GEN: gen_refs(w, (PyGenObject *)o); return 1;
    case PK_FRAMEOBJ: frameobj_refs(w, (PyFrameObject *)o); return 1;
    case PK_NDARRAY: ndarray_refs(w, (md_ndarray *)o); return 1;
    case PK_FUTURE: future_refs(w, (aio_future *)o); return 1;
    case PK_TASK: task_refs(w, (aio_task *)o); return 1;
    default: return 0;
    }
}

void py_refs(pw *w, PyObject *o, const pytinfo *ti)
{
    PyTypeObject *t = Py_TYPE(o);
    if (ti->flags & TI_PYCLASS) {
        PyTypeObject *b = ti->base;
        class_refs(w, o, t, b);
        if (b->tp_flags & Py_TPFLAGS_HEAPTYPE) {
            call_traverse(w, o, b);        /* an extension heap type: it visits the class too */
        } else {
            if (!kind_refs(w, o, ti->kind))
                call_traverse(w, o, b);
            pw_type_ref(w, t);
        }
    } else if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        call_traverse(w, o, t);            /* visits Py_TYPE(o) itself, by convention since 3.9 */
        if (!(t->tp_flags & Py_TPFLAGS_HAVE_GC))
            pw_type_ref(w, t);
    } else if (!kind_refs(w, o, ti->kind)) {
        call_traverse(w, o, t);
    }
}
