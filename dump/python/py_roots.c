/* py_roots.c — where discovery starts: the interpreter state (sys.modules, sys, builtins,
 * codecs, warnings, atexit, gc.garbage, the ast module's types, ...), every module in
 * sys.modules (a PY_MODULE root "module:NAME" each), the threads (py_frames.c), and the static
 * types, found by walking the subclass tree from `object`. References the interpreter itself
 * holds are counted as explained, so that they never look held from C. */
#include "py_walk.h"
#include "py_dict.h"
#include "py_frames.h"
#include "py_maps.h"
#include "py_str.h"

#include <string.h>

static void root(pw *w, PyObject *o, uint32_t kind, const char *label, int counted)
{
    if (!o)
        return;
    uint32_t s = pw_discover(w, PA(o), 1);
    if (!s)
        return;
    if (counted)
        w->ot.inbound[s - 1]++;
    md_root r = {kind, PA(o), md_child_string(w->c, label, strlen(label)), 0};
    md_w_root(w->w, &r);
}

void py_interp_roots(pw *w, PyInterpreterState *in)
{
    root(w, in->modules, MD_ROOT_PY_INTERP, "sys.modules", 1);
    root(w, in->modules_by_index, MD_ROOT_PY_INTERP, "interpreter: modules by index", 1);
    root(w, in->sysdict, MD_ROOT_PY_INTERP, "sys", 1);
    root(w, in->builtins, MD_ROOT_PY_INTERP, "builtins", 1);
    root(w, in->importlib, MD_ROOT_PY_INTERP, "interpreter: importlib", 1);
    root(w, in->codec_search_path, MD_ROOT_PY_INTERP, "interpreter: codec search path", 1);
    root(w, in->codec_search_cache, MD_ROOT_PY_INTERP, "interpreter: codec cache", 1);
    root(w, in->codec_error_registry, MD_ROOT_PY_INTERP, "interpreter: codec error registry", 1);
    root(w, in->dict, MD_ROOT_PY_INTERP, "interpreter: dict", 1);
    root(w, in->builtins_copy, MD_ROOT_PY_INTERP, "interpreter: builtins copy", 1);
    root(w, in->import_func, MD_ROOT_PY_INTERP, "interpreter: __import__", 1);
    root(w, in->before_forkers, MD_ROOT_PY_INTERP, "os.register_at_fork (before)", 1);
    root(w, in->after_forkers_parent, MD_ROOT_PY_INTERP, "os.register_at_fork (parent)", 1);
    root(w, in->after_forkers_child, MD_ROOT_PY_INTERP, "os.register_at_fork (child)", 1);
    root(w, in->audit_hooks, MD_ROOT_PY_INTERP, "sys.audit hooks", 1);
    root(w, in->gc.garbage, MD_ROOT_PY_INTERP, "gc.garbage", 1);
    root(w, in->gc.callbacks, MD_ROOT_PY_INTERP, "gc.callbacks", 1);
    root(w, in->warnings.filters, MD_ROOT_PY_INTERP, "warnings.filters", 1);
    root(w, in->warnings.once_registry, MD_ROOT_PY_INTERP, "warnings.onceregistry", 1);
    root(w, in->warnings.default_action, MD_ROOT_PY_INTERP, "warnings.defaultaction", 1);
    root(w, in->exc_state.errnomap, MD_ROOT_PY_INTERP, "interpreter: OSError errno map", 1);
    root(w, in->exc_state.PyExc_ExceptionGroup, MD_ROOT_PY_INTERP, "interpreter: ExceptionGroup", 1);
    /* the ast module's types and singletons: every field after the three ints is an object */
    if (in->ast.initialized) {
        PyObject **p = &in->ast.AST_type, **end = (PyObject **)(&in->ast + 1);
        for (; p < end; p++)
            root(w, *p, MD_ROOT_PY_INTERP, "interpreter: ast types", 1);
    }
    struct atexit_state *ax = &in->atexit;
    if (ax->callbacks && ax->ncallbacks > 0 && ax->ncallbacks < 1 << 20 &&
        pymaps_readable(PA(ax->callbacks), (size_t)ax->ncallbacks * sizeof(void *))) {
        for (int i = 0; i < ax->ncallbacks; i++) {
            atexit_callback *cb = ax->callbacks[i];
            if (!cb || !pymaps_readable(PA(cb), sizeof *cb))
                continue;
            root(w, cb->func, MD_ROOT_PY_INTERP, "atexit", 1);
            root(w, cb->args, MD_ROOT_PY_INTERP, "atexit", 1);
            root(w, cb->kwargs, MD_ROOT_PY_INTERP, "atexit", 1);
        }
    }
}

void py_module_roots(pw *w, PyInterpreterState *in)
{
    pydict_it it;
    PyObject *k, *v;
    Py_ssize_t i;
    if (!in->modules || !pydict_iter(&it, in->modules))
        return;
    while (pydict_next(&it, &k, &v, &i)) {
        if (!v)
            continue;
        char buf[320];
        memcpy(buf, "module:", 7);
        long n = pystr_utf8(k, buf + 7, sizeof buf - 7);
        if (n < 0)
            continue;
        uint32_t s = pw_discover(w, PA(v), 1);
        if (!s)
            continue;
        md_root r = {MD_ROOT_PY_MODULE, PA(v), md_child_string(w->c, buf, 7 + (size_t)n), 0};
        md_w_root(w->w, &r);
    }
}

/* Every ready type is in its base's tp_subclasses (a dict of weak references): walking that
 * tree from `object` finds the static types even when no instance of them is alive, so their
 * dicts and MROs are explained as roots rather than reported as held from C. */
void py_static_types_from(pw *w, PyTypeObject *top)
{
    pyvec tv = {0};
    size_t n = 0;
    if (pyvec_reserve(&tv, 64 * sizeof(uint64_t)))
        return;
    ((uint64_t *)tv.p)[n++] = PA(top);
    for (size_t visited = 0; n && visited < 1000000; visited++) {
        PyTypeObject *t = (PyTypeObject *)PP(((uint64_t *)tv.p)[--n]);
        pytinfo *ti = pyt_get(PA(t));
        if (!ti || !(ti->flags & TI_VALID) || (ti->flags & TI_TREE))
            continue;
        ti->flags |= TI_TREE;
        if (!(t->tp_flags & Py_TPFLAGS_HEAPTYPE))
            pw_queue_static_type(w, t);
        pydict_it it;
        PyObject *k, *v;
        Py_ssize_t i;
        if (!t->tp_subclasses || !pydict_iter(&it, t->tp_subclasses))
            continue;
        while (pydict_next(&it, &k, &v, &i)) {
            if (!v || !pymaps_readable(PA(v), sizeof(PyWeakReference)) ||
                !pyt_is_subtype(Py_TYPE(v), &_PyWeakref_RefType))
                continue;
            PyObject *sub = ((PyWeakReference *)v)->wr_object;
            if (!sub || sub == Py_None || pymaps_readable(PA(sub), sizeof(PyTypeObject)) == 0)
                continue;
            pytinfo *si = pyt_get(PA(sub));
            if (!si || !(si->flags & TI_VALID) || (si->flags & TI_TREE))
                continue;
            if (pyvec_reserve(&tv, (n + 1) * sizeof(uint64_t)))
                break;
            ((uint64_t *)tv.p)[n++] = PA(sub);
        }
    }
    pyvec_free(&tv);
}

