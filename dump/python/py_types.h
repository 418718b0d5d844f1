/* py_types.h — what the walker knows about each type object it meets, computed once per type.
 *
 * Before any object is read, its ob_type must be proven to be a type: mapped, ready, with a
 * metatype that is `type` or a subclass of it, and sane sizes. The verdict and everything the
 * walker needs per object of that type (layout kind, pre-header size, which base's traversal to
 * use, the dump's TYPE id) are cached in a small open-addressed table keyed by the type's address,
 * so validating an object costs one hash probe once its type is known.
 *
 * Layout kinds name the static (C) type whose layout an object has: a Python subclass of dict is
 * a PK_DICT with "Python class" extras (slots, managed dict, the reference to its class). Types
 * that are not recognized are PK_OTHER: sized as basicsize + itemsize * ob_size, traversed by
 * their own tp_traverse.
 */
#ifndef PY_TYPES_H
#define PY_TYPES_H

#include "py_core.h"

enum py_kind {
    PK_OTHER = 0, PK_OBJECT, PK_LIST, PK_TUPLE, PK_DICT, PK_SET, PK_STR, PK_BYTES, PK_INT,
    PK_FLOAT, PK_BYTEARRAY, PK_TYPE, PK_FUNC, PK_CELL, PK_CODE, PK_MODULE, PK_METHOD, PK_CFUNC,
    PK_GEN, PK_FRAMEOBJ, PK_NDARRAY, PK_FUTURE, PK_TASK, PK_KIND_COUNT
};

/* pytinfo.flags */
#define TI_VALID    0x01    /* passed validation; otherwise objects of this type are skipped */
#define TI_GC       0x02    /* Py_TPFLAGS_HAVE_GC: a PyGC_Head precedes the object */
#define TI_HEAP     0x04    /* heap type: instances hold a reference to it */
#define TI_MANAGED  0x08    /* Py_TPFLAGS_MANAGED_DICT: dict/values pointers precede the GC head */
#define TI_PYCLASS  0x10    /* traversed by subtype_traverse: a class statement's type */
#define TI_BADTRAV  0x20    /* its tp_traverse faulted once: never called again */
#define TI_METATYPE 0x40    /* a subclass of type: instances are type objects */
#define TI_QUEUED   0x80    /* a static type already queued for rooting its references */
#define TI_TREE     0x100   /* seen while walking the subclass tree from `object` */
#define TI_LINKED   0x200   /* (heap type) an instance already has its edge to it */

typedef struct pytinfo {
    uint64_t addr;
    PyTypeObject *base;     /* PYCLASS: first base not traversed by subtype_traverse */
    uint32_t md_type;       /* dump TYPE id, 0 until first needed */
    uint32_t count;         /* nodes of this type (statistics) */
    uint16_t preheader;     /* bytes before the object: GC head, managed dict pointers */
    uint8_t kind;           /* enum py_kind of the layout */
    uint16_t flags;
} pytinfo;

/* Reset the cache; subtype_traverse is the address of CPython's slot for class statements (0 if
 * unknown: then classes are traversed through their tp_traverse, without attribute names). */
int pyt_init(uint64_t subtype_traverse);
void pyt_free(void);

/* Info for the type at addr (validated on first sight), or NULL when the table cannot grow.
 * Check TI_VALID before trusting it. */
pytinfo *pyt_get(uint64_t addr);

/* Is type t (validated) the same as or a subclass of `base`? Bounded walk up tp_base. */
int pyt_is_subtype(PyTypeObject *t, PyTypeObject *base);

/* Fully qualified name: "list", "numpy.ndarray", "myapp.models.User". Returns its length. */
size_t pyt_name(PyTypeObject *t, char *buf, size_t cap);

#endif
