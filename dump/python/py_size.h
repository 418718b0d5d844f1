/* py_size.h — the exact memory footprint of one object, from its layout alone.
 *
 * A node's size is everything the object owns: the pre-header (GC links, and the managed-dict
 * pointers of 3.11 classes), the object itself (tp_basicsize + tp_itemsize * |ob_size|), and the
 * separately allocated tables nobody else shares: a list's item array (its allocated capacity,
 * not its length), a dict's keys table (unless shared) and split values, a set's hash table, a
 * bytearray's buffer, an instance's inline values, a class's shared keys, a numpy array's
 * dimensions and, when it owns it, its data buffer. For list, tuple, dict, set, str, bytes, int,
 * float and numpy arrays this equals sys.getsizeof(); where 3.11's __sizeof__ leaves something
 * out (an instance's inline values, the insertion-order prefix of split values) the footprint
 * here includes it, because it is memory the object alone keeps alive.
 */
#ifndef PY_SIZE_H
#define PY_SIZE_H

#include "py_types.h"

/* Bytes owned by o, whose type info is ti (valid) and whose basic size is known readable.
 * Sets *owns_buffer when the size includes an external data buffer (numpy). */
uint64_t py_size(PyObject *o, const pytinfo *ti, int *owns_buffer);

/* Bytes of the object proper: tp_basicsize + tp_itemsize * items, where items is |ob_size| except
 * for generators and frame objects (allocated as variable-size, but with no ob_size field: their
 * item count is their code's frame size) and ints (never fewer than one digit). Used both to
 * check an object is mapped and to size it. */
uint64_t py_body(PyObject *o, const pytinfo *ti);

/* numpy's major version (the PyArray_Descr layout changed in 2.0); 0 = unknown, read as 1. */
void py_size_numpy_major(int major);

/* The mirror of numpy's public PyArrayObject_fields (stable since 1.7; the last two fields since
 * 1.20 / 1.22, present when tp_basicsize says so). */
typedef struct md_ndarray {
    PyObject_HEAD
    char *data;
    int nd;
    intptr_t *dimensions;
    intptr_t *strides;
    PyObject *base;
    PyObject *descr;
    int flags;
    PyObject *weakreflist;
    void *buffer_info;
    PyObject *mem_handler;
} md_ndarray;
#define MD_NPY_OWNDATA 0x0004

#endif
