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

/* How much of a frame's evaluation stack holds live values:
 *   STACK_NONE   none are read
 *   STACK_SAVED  up to its saved stack pointer (it made an inlined call, or is suspended)
 *   STACK_SAFE   it is inside an instruction (a call into C, or waiting for the GIL between
 *                instructions — which one is not known): the slots live in both cases, from the
 *                bytecode (py_stackdepth.c)
 *   STACK_AFTER  it is between instructions, the last one completed (a pending call runs the
 *                snapshot on this very thread) */
enum { STACK_NONE, STACK_SAVED, STACK_SAFE, STACK_AFTER };

/* The references held by an interpreter frame: function, code, locals (labeled locals:NAME,
 * closure cells "[closure] NAME") and the values on its evaluation stack ("[stack]"). */
void py_frame_refs(pw *w, _PyInterpreterFrame *f, int stack_mode);

/* The references a type object holds (its dict, mro, bases, …). */
void py_type_refs(pw *w, PyTypeObject *t);

/* Is f a readable frame with a valid code object? */
int py_frame_ok(_PyInterpreterFrame *f);

/* For a suspended generator/coroutine: the object it is awaiting (yield from / await), if any. */
PyObject *py_gen_awaiting(PyGenObject *g);

#endif
