/* py_stackdepth.h — the number of live evaluation-stack slots of a frame at an instruction,
 * computed from its code object's bytecode (see py_stackdepth.c for why and how). */
#ifndef PY_STACKDEPTH_H
#define PY_STACKDEPTH_H

#include "py_core.h"

/* Depth of co's evaluation stack just before the instruction at code-unit index `target`
 * (an instruction, not one of its EXTENDED_ARG prefixes or caches); -1 if the analysis cannot
 * tell. When effect is not NULL it receives the instruction's own stack effect (not jumping). */
int py_stack_depth(PyCodeObject *co, Py_ssize_t target, int *effect);

#endif
