/* py_tasks.h — asyncio's C Task and Future, mirrored for the snapshot child.
 *
 * _asyncio's TaskObj and FutureObj are private to _asynciomodule.c, so their 3.11 layout is
 * mirrored here field by field. The mirror is trusted only for a type named "_asyncio.Task" /
 * "_asyncio.Future" whose tp_basicsize, tp_dictoffset and tp_weaklistoffset all equal the
 * mirror's (py_types.c checks; anything else is traversed generically and gets no TASK record),
 * and each task's fields are checked again when read (the coroutine must be a coroutine, the
 * name a str). The alternative, collecting tasks in the parent under the GIL, costs pause time
 * that grows with the number of tasks; this costs nothing until the child meets a task.
 */
#ifndef PY_TASKS_H
#define PY_TASKS_H

#include "py_core.h"

typedef struct aio_future {
    PyObject_HEAD
    PyObject *loop, *callback0, *context0, *callbacks, *exception, *exception_tb, *result,
             *source_tb, *cancel_msg;
    int state, log_tb, blocking;
    PyObject *dict, *weakreflist, *cancelled_exc;
} aio_future;

typedef struct aio_task {
    aio_future fut;
    PyObject *fut_waiter, *coro, *name, *context;
    int must_cancel, log_destroy_pending, num_cancels_requested;
} aio_task;

_Static_assert(sizeof(aio_future) == 128 && offsetof(aio_future, dict) == 104 &&
               offsetof(aio_future, weakreflist) == 112, "3.11 FutureObj layout");
_Static_assert(sizeof(aio_task) == 176, "3.11 TaskObj layout");

struct pw;
/* Write the TASK record of task object o (phase 2). */
void py_task_record(struct pw *w, PyObject *o);

#endif
