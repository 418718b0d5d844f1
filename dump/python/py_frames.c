/* py_frames.c — thread and frame synthetic nodes, FRAME/STACK records (see py_frames.h). */
#include "py_frames.h"
#include "py_linetable.h"
#include "py_maps.h"
#include "py_refs.h"
#include "py_str.h"

#include <string.h>

#define MAX_DEPTH 100000     /* frames followed per thread (a cycle guard, not a real limit) */
#define STACK_MAX 128        /* frames recorded per STACK */

static int ts_ok(PyThreadState *ts)
{
    return ts && !(PA(ts) & 7) && pymaps_readable(PA(ts), sizeof(PyThreadState));
}

static _PyInterpreterFrame *current_frame(PyThreadState *ts)
{
    _PyCFrame *cf = ts->cframe;
    if (!cf || !pymaps_readable(PA(cf), sizeof(_PyCFrame)))
        return NULL;
    return cf->current_frame;
}

static void thread_frames(pw *w, PyThreadState *ts);

void py_threads_roots(pw *w, PyInterpreterState *interp)
{
    PyThreadState *ts = interp->threads.head;
    for (int n = 0; ts && n < 100000; n++, ts = ts->next) {
        if (!ts_ok(ts))
            break;
        if (PA(ts) == w->cfg->skip_tstate)
            continue;
        char label[96];
        const char *main = ts->thread_id == _PyRuntime.main_thread ? " (main)" : "";
        /* no snprintf in the child: format by hand */
        char num[24];
        int k = 0;
        unsigned long id = ts->native_thread_id ? ts->native_thread_id : ts->thread_id;
        do { num[k++] = (char)('0' + id % 10); id /= 10; } while (id && k < 23);
        size_t len = 0;
        memcpy(label, "thread ", 7);
        len = 7;
        while (k) label[len++] = num[--k];
        size_t ml = strlen(main);
        memcpy(label + len, main, ml);
        len += ml;
        pw_synth(w, PA(ts), OT_THREAD | OT_ROOTED, 0);
        /* frames first, so that a running generator can find its frame's node (py_refs.c) */
        thread_frames(w, ts);
        md_root r = {MD_ROOT_PY_THREAD, PA(ts), md_child_string(w->c, label, len), 0};
        md_w_root(w->w, &r);
    }
}

/* The frames of ts as synthetic nodes (edges from the thread node in the emit phase). */
static void thread_frames(pw *w, PyThreadState *ts)
{
    _PyInterpreterFrame *f = current_frame(ts), *callee = NULL;
    for (int depth = 0; f && depth < MAX_DEPTH; depth++) {
        if (!py_frame_ok(f)) {
            PW_WARN(w, wframe, "python: thread %lu: unreadable frame at %p", ts->native_thread_id, (void *)f);
            break;
        }
        /* A frame's saved stack pointer is valid when its callee was pushed by an inlined call
         * (the callee is not an entry frame); the innermost frame's never is. */
        uint8_t fl = OT_FRAME | OT_ROOTED;
        if (callee && !callee->is_entry)
            fl |= OT_STACKOK;
        if (!callee && PA(ts) == w->cfg->snap_tstate && w->cfg->between_instructions)
            fl |= OT_AFTER;
        pw_synth(w, PA(f), fl, MD_LABEL_INDEX(depth));
        callee = f;
        f = f->previous;
    }
}

void py_thread_refs(pw *w, PyThreadState *ts)
{
    if (!ts_ok(ts))
        return;
    thread_frames(w, ts);
    pw_ref(w, ts->dict, pw_lbl(w, "[thread dict]"), E_REF);
    pw_ref(w, ts->async_exc, pw_lbl(w, "[async exception]"), E_REF);
    pw_ref(w, ts->curexc_type, pw_lbl(w, "[current exception type]"), E_REF);
    pw_ref(w, ts->curexc_value, pw_lbl(w, "[current exception]"), E_REF);
    pw_ref(w, ts->curexc_traceback, pw_lbl(w, "[current traceback]"), E_REF);
    pw_ref(w, ts->exc_state.exc_value, pw_lbl(w, "[handled exception]"), E_REF);
    pw_ref(w, ts->context, pw_lbl(w, "[context]"), E_REF);
    pw_ref(w, ts->c_profileobj, pw_lbl(w, "[profiler]"), E_REF);
    pw_ref(w, ts->c_traceobj, pw_lbl(w, "[tracer]"), E_REF);
    pw_ref(w, ts->async_gen_firstiter, pw_lbl(w, "[async gen firstiter]"), E_REF);
    pw_ref(w, ts->async_gen_finalizer, pw_lbl(w, "[async gen finalizer]"), E_REF);
}

void py_frame_node_refs(pw *w, _PyInterpreterFrame *f, uint8_t otflags)
{
    if (!py_frame_ok(f) || f->owner == FRAME_OWNED_BY_GENERATOR)
        return;
    py_frame_refs(w, f, (otflags & OT_STACKOK) ? STACK_SAVED : (otflags & OT_AFTER) ? STACK_AFTER : STACK_SAFE);
}

/* ---- locations ---------------------------------------------------------------------------- */

/* code object -> (function, file) STRING ids, so each code is named once per dump */
typedef struct codeent { uint64_t code; uint32_t fn, file; } codeent;
static pyvec vcodes;
static uint64_t cmask;
static uint32_t ccount;

static codeent *code_slot(uint64_t code)
{
    if (!vcodes.p || (uint64_t)(ccount + 1) * 2 > cmask + 1) {
        uint64_t n = cmask ? (cmask + 1) * 2 : 1024;
        pyvec nv = {0};
        if (pyvec_reserve(&nv, n * sizeof(codeent)))
            return NULL;
        codeent *nt = nv.p, *ot = vcodes.p;
        for (uint64_t i = 0; ot && i <= cmask; i++)
            if (ot[i].code) {
                uint64_t h = (ot[i].code >> 4) * 0x9E3779B97F4A7C15ull >> 20;
                while (nt[h & (n - 1)].code) h++;
                nt[h & (n - 1)] = ot[i];
            }
        pyvec_free(&vcodes);
        vcodes = nv;
        cmask = n - 1;
    }
    codeent *t = vcodes.p;
    uint64_t h = (code >> 4) * 0x9E3779B97F4A7C15ull >> 20;
    for (;; h++) {
        codeent *e = &t[h & cmask];
        if (e->code == code)
            return e;
        if (!e->code) {
            e->code = code;
            ccount++;
            return e;
        }
    }
}

static int code_ok(PyCodeObject *co)
{
    return co && !(PA(co) & 7) && pymaps_readable(PA(co), sizeof(PyCodeObject)) &&
           Py_TYPE(co) == &PyCode_Type && Py_SIZE(co) >= 0 &&
           pymaps_readable(PA(co), (size_t)PyCode_Type.tp_basicsize + (size_t)Py_SIZE(co) * 2);
}

uint32_t py_code_frame(pw *w, PyCodeObject *co, int lasti)
{
    if (!code_ok(co))
        return 0;
    codeent *e = code_slot(PA(co));
    if (!e)
        return 0;
    if (!e->fn && !e->file) {
        char buf[512];
        long n = pystr_utf8(co->co_qualname, buf, sizeof buf);
        if (n < 0)
            n = pystr_utf8(co->co_name, buf, sizeof buf);
        e->fn = n >= 0 ? md_child_string(w->c, buf, (size_t)n) : 0;
        n = pystr_utf8(co->co_filename, buf, sizeof buf);
        e->file = n >= 0 ? md_child_string(w->c, buf, (size_t)n) : 0;
    }
    int line = 0;
    PyObject *lt = co->co_linetable;
    if (lt && pymaps_readable(PA(lt), sizeof(PyBytesObject)) && Py_TYPE(lt) == &PyBytes_Type &&
        Py_SIZE(lt) >= 0 && pymaps_readable(PA(lt), sizeof(PyBytesObject) + (size_t)Py_SIZE(lt))) {
        line = py_addr2line((const uint8_t *)((PyBytesObject *)lt)->ob_sval, (size_t)Py_SIZE(lt),
                            co->co_firstlineno, lasti < 0 ? -1 : lasti * 2);
        if (line < 0)
            line = 0;
    }
    return md_child_frame_py(w->c, e->fn, e->file, (uint32_t)line);
}

static int incomplete(_PyInterpreterFrame *f)
{
    return f->owner != FRAME_OWNED_BY_GENERATOR &&
           f->prev_instr < _PyCode_CODE(f->f_code) + f->f_code->_co_firsttraceable;
}

uint32_t py_frame_stack(pw *w, _PyInterpreterFrame *f)
{
    uint32_t ids[STACK_MAX];
    uint32_t n = 0;
    for (int depth = 0; f && n < STACK_MAX && depth < MAX_DEPTH; depth++, f = f->previous) {
        if (!py_frame_ok(f))
            break;
        if (incomplete(f))
            continue;
        int lasti = (int)(f->prev_instr - _PyCode_CODE(f->f_code));
        uint32_t id = py_code_frame(w, f->f_code, lasti);
        if (id)
            ids[n++] = id;
    }
    return n ? md_child_stack(w->c, ids, n) : 0;
}

uint32_t py_thread_stack(pw *w, PyThreadState *ts)
{
    return ts_ok(ts) ? py_frame_stack(w, current_frame(ts)) : 0;
}
