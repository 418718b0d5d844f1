/* py_tasks.c — TASK records for asyncio tasks met during the emit phase (see py_tasks.h). */
#include "py_tasks.h"
#include "py_frames.h"
#include "py_maps.h"
#include "py_refs.h"
#include "py_str.h"
#include "py_types.h"
#include "py_walk.h"

#define AWAIT_DEPTH 64

static PyGenObject *as_coroutine(PyObject *o)
{
    if (!o || (PA(o) & 7) || !pymaps_readable(PA(o), sizeof(PyGenObject)))
        return NULL;
    pytinfo *ti = pyt_get(PA(Py_TYPE(o)));
    return ti && (ti->flags & TI_VALID) && ti->kind == PK_GEN ? (PyGenObject *)o : NULL;
}

static uint32_t gen_frame(pw *w, PyGenObject *g)
{
    if (g->gi_frame_state >= FRAME_CLEARED)
        return 0;
    _PyInterpreterFrame *f = (_PyInterpreterFrame *)g->gi_iframe;
    if (!py_frame_ok(f))
        return 0;
    return py_code_frame(w, f->f_code, (int)(f->prev_instr - _PyCode_CODE(f->f_code)));
}

void py_task_record(pw *w, PyObject *o)
{
    aio_task *t = (aio_task *)o;
    PyGenObject *chain[AWAIT_DEPTH];
    int n = 0;
    PyGenObject *g = as_coroutine(t->coro);
    /* the task's coroutine, then what it awaits, and so on: the innermost is where it waits */
    while (g && n < AWAIT_DEPTH) {
        chain[n++] = g;
        g = as_coroutine(py_gen_awaiting(g));
    }
    uint32_t frames[AWAIT_DEPTH];
    uint32_t depth = 0;
    for (int i = n - 1; i >= 0; i--) {
        uint32_t id = gen_frame(w, chain[i]);
        if (id)
            frames[depth++] = id;
    }
    char buf[256];
    long len = t->name ? pystr_utf8(t->name, buf, sizeof buf) : -1;
    md_task rec = {
        .task = PA(o),
        .name = len >= 0 ? md_child_string(w->c, buf, (size_t)len) : 0,
        .coroutine = PA(t->coro),
        .stack = depth ? md_child_stack(w->c, frames, depth) : 0,
    };
    md_w_task(w->w, &rec);
}
