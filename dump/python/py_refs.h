/* py_refs.h — the references one object holds, with their labels, per layout kind.
 *
 * This is tp_traverse reimplemented for the core types so that each reference can carry a name
 * (the attribute, the dict key, the list index, the local variable) and so that references the
 * garbage collector does not need (strings, ints: they cannot form cycles) are counted too.
 * Types without a reimplementation are traversed by their own tp_traverse, which is C code that
 * only reads and calls our visit function; a fault inside it is caught by the walk's guard.
 */
#ifndef PY_REFS_H
#define PY_REFS_H

#include "py_walk.h"

/* Every reference held by object o (type info ti), handed to pw_ref. */
void py_refs(pw *w, PyObject *o, const pytinfo *ti);

/* The references held by an interpreter frame: function, code, locals (labeled locals:NAME,
 * closure cells "[closure] NAME") and, when stack_ok, the values on its evaluation stack. */
void py_frame_refs(pw *w, _PyInterpreterFrame *f, int stack_ok);

/* The references a type object holds (its dict, mro, bases, …). */
void py_type_refs(pw *w, PyTypeObject *t);

/* Is f a readable frame with a valid code object? */
int py_frame_ok(_PyInterpreterFrame *f);

/* For a suspended generator/coroutine: the object it is awaiting (yield from / await), if any. */
PyObject *py_gen_awaiting(PyGenObject *g);

#endif
