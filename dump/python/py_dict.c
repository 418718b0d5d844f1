/* py_dict.c — 3.11 dict tables read with bounds checks (see py_dict.h). */
#include "py_dict.h"
#include "py_maps.h"
#include "py_str.h"

static size_t entry_size(PyDictKeysObject *k)
{
    return k->dk_kind == DICT_KEYS_GENERAL ? sizeof(PyDictKeyEntry) : sizeof(PyDictUnicodeEntry);
}

int pydict_keys_ok(PyDictKeysObject *k)
{
    if (!k || (PA(k) & 7) || !pymaps_readable(PA(k), sizeof(PyDictKeysObject)))
        return 0;
    unsigned ls = k->dk_log2_size, lib = k->dk_log2_index_bytes;
    if (ls < 3 || ls > 40 || lib < ls || lib > ls + 3 || k->dk_kind > DICT_KEYS_SPLIT)
        return 0;
    Py_ssize_t usable = (Py_ssize_t)((((int64_t)1 << ls) << 1) / 3);
    if (k->dk_nentries < 0 || k->dk_nentries > usable || k->dk_usable < 0)
        return 0;
    return pymaps_readable(PA(k), pydict_keys_size(k));
}

size_t pydict_keys_size(PyDictKeysObject *k)
{
    return sizeof(PyDictKeysObject) + ((size_t)1 << k->dk_log2_index_bytes) +
           (size_t)(((((int64_t)1) << k->dk_log2_size) << 1) / 3) * entry_size(k);
}

size_t pydict_values_size(PyDictValues *v, PyDictKeysObject *shared)
{
    if (!v || !pymaps_readable(PA(v) - 1, 1) || !pydict_keys_ok(shared))
        return 0;
    size_t prefix = ((uint8_t *)v)[-1];
    return prefix + (size_t)(shared->dk_nentries + shared->dk_usable) * sizeof(PyObject *);
}

static int start(pydict_it *it, PyDictKeysObject *k, PyDictValues *v)
{
    it->keys = k;
    it->values = v;
    it->i = 0;
    it->n = 0;
    if (!pydict_keys_ok(k))
        return 0;
    it->unicode = k->dk_kind != DICT_KEYS_GENERAL;
    it->n = k->dk_nentries;
    if (v && !pymaps_readable(PA(v), (size_t)it->n * sizeof(PyObject *)))
        return it->n = 0, 0;
    return 1;
}

int pydict_iter(pydict_it *it, PyObject *dict)
{
    it->n = 0;
    if (!pymaps_readable(PA(dict), sizeof(PyDictObject)))
        return 0;
    PyDictObject *d = (PyDictObject *)dict;
    return start(it, d->ma_keys, d->ma_values);
}

int pydict_iter_values(pydict_it *it, PyDictKeysObject *shared, PyDictValues *values)
{
    it->n = 0;
    return values ? start(it, shared, values) : 0;
}

int pydict_next(pydict_it *it, PyObject **key, PyObject **value, Py_ssize_t *index)
{
    PyDictKeysObject *k = it->keys;
    char *ent = (char *)k->dk_indices + ((size_t)1 << k->dk_log2_index_bytes);
    while (it->i < it->n) {
        Py_ssize_t i = it->i++;
        PyObject *kk, *vv;
        if (it->unicode) {
            PyDictUnicodeEntry *e = (PyDictUnicodeEntry *)ent + i;
            kk = e->me_key;
            vv = e->me_value;
        } else {
            PyDictKeyEntry *e = (PyDictKeyEntry *)ent + i;
            kk = e->me_key;
            vv = e->me_value;
        }
        if (it->values)
            vv = it->values->values[i];
        if (!kk)
            continue;           /* deleted entry */
        if (!vv && !it->values)
            continue;
        *key = kk;
        *value = vv;
        *index = i;
        return 1;
    }
    return 0;
}

PyObject *pydict_get_str(PyObject *dict, const char *key)
{
    pydict_it it;
    PyObject *k, *v;
    Py_ssize_t i;
    if (!pydict_iter(&it, dict))
        return NULL;
    while (pydict_next(&it, &k, &v, &i))
        if (v && pystr_eq(k, key))
            return v;
    return NULL;
}
