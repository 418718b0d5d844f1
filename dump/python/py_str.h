/* py_str.h — reading str objects in the snapshot child, without the interpreter.
 *
 * Names come from str objects: dict keys, attribute names, co_name, co_filename, __module__.
 * These read the 3.11 PEP 393 layout directly (compact ASCII, compact, or legacy with a separate
 * data block), check that every byte is mapped, and produce UTF-8, truncated to the caller's
 * buffer. Sizes follow str.__sizeof__ exactly.
 */
#ifndef PY_STR_H
#define PY_STR_H

#include "py_core.h"

/* Is o a readable, ready str (exact type or subclass is the caller's business)? Fills the
 * character data pointer, kind (1, 2, 4) and length in code points. */
int pystr_view(PyObject *o, const void **data, int *kind, Py_ssize_t *length);

/* UTF-8 of str o into buf (at most cap-1 bytes, NUL-terminated, cut at a code point boundary).
 * Returns the byte length, or -1 when o is not a readable str. */
long pystr_utf8(PyObject *o, char *buf, size_t cap);

/* Does str o equal the ASCII literal s? */
int pystr_eq(PyObject *o, const char *s);

/* str.__sizeof__ of a str whose header is known to be readable. */
size_t pystr_sizeof(PyObject *o);

#endif
