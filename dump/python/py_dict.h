/* py_dict.h — reading 3.11 dicts (combined and split tables, instance values) from raw memory.
 *
 * A dict is a PyDictObject pointing to a keys table (PyDictKeysObject: header, index array of
 * 1 << dk_log2_index_bytes bytes, then the entries) and, when split, to a values array whose
 * keys table is shared with every instance of a class (the class owns it: ht_cached_keys).
 * Objects of classes with Py_TPFLAGS_MANAGED_DICT may have no dict at all, only a values array
 * behind a pointer before their GC header. All three are read here with every bound checked.
 */
#ifndef PY_DICT_H
#define PY_DICT_H

#include "py_core.h"

/* Is k a plausible keys table whose whole extent is mapped? */
int pydict_keys_ok(PyDictKeysObject *k);
/* _PyDict_KeysSize: bytes of the keys table. */
size_t pydict_keys_size(PyDictKeysObject *k);
/* Bytes allocated for a values array (its prefix of insertion-order bytes, then one pointer per
 * usable slot of the shared keys); 0 when unreadable. */
size_t pydict_values_size(PyDictValues *v, PyDictKeysObject *shared);

typedef struct pydict_it {
    PyDictKeysObject *keys;
    PyDictValues *values;     /* split: values here, keys' me_value unused */
    Py_ssize_t i, n;
    int unicode;
} pydict_it;

/* Start iterating a dict (0 when it is not readable). */
int pydict_iter(pydict_it *it, PyObject *dict);
/* Start iterating an instance's values over its class's shared keys. */
int pydict_iter_values(pydict_it *it, PyDictKeysObject *shared, PyDictValues *values);
/* Next live entry: 1 with *key and *value set (value may be NULL for a split slot without a value),
 * 0 at the end. *index is the entry index (stable position in insertion order). */
int pydict_next(pydict_it *it, PyObject **key, PyObject **value, Py_ssize_t *index);

/* The value for an ASCII str key, by scanning (no hashing: this is for a few names, such as
 * __module__, on small dicts). NULL when absent or unreadable. */
PyObject *pydict_get_str(PyObject *dict, const char *key);

#endif
