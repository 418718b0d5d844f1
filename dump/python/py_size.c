/* py_size.c — per-layout footprints (see py_size.h). */
#include "py_size.h"
#include "py_dict.h"
#include "py_maps.h"
#include "py_str.h"

static int numpy_major;

void py_size_numpy_major(int major) { numpy_major = major; }

static uint64_t ndarray_extra(md_ndarray *a, int *owns)
{
    if (a->nd < 0 || a->nd > 64)
        return 0;
    uint64_t size = 2 * (uint64_t)a->nd * sizeof(intptr_t);
    if (!(a->flags & MD_NPY_OWNDATA) || a->base)
        return size;
    /* elsize: an int at offset 32 of PyArray_Descr in numpy 1.x, an npy_intp at 40 in 2.x */
    const char *d = (const char *)a->descr;
    int64_t elsize;
    if (numpy_major >= 2) {
        if (!pymaps_readable(PA(d), 48)) return size;
        elsize = *(const int64_t *)(d + 40);
    } else {
        if (!pymaps_readable(PA(d), 36)) return size;
        elsize = *(const int *)(d + 32);
    }
    if (elsize < 0 || (a->nd && !pymaps_readable(PA(a->dimensions), (size_t)a->nd * sizeof(intptr_t))))
        return size;
    uint64_t n = (uint64_t)elsize;
    for (int i = 0; i < a->nd; i++) {
        intptr_t dim = a->dimensions[i];
        if (dim < 0)
            return size;
        if (dim && n > UINT64_MAX / (uint64_t)dim)
            return size;
        n *= (uint64_t)dim;
    }
    *owns = 1;
    return size + n;
}

static uint64_t frame_slots(PyCodeObject *co)
{
    if (!co || (PA(co) & 7) || !pymaps_readable(PA(co), sizeof(PyCodeObject)) || Py_TYPE(co) != &PyCode_Type ||
        co->co_nlocalsplus < 0 || co->co_stacksize < 0)
        return 0;
    return (uint64_t)co->co_nlocalsplus + (uint64_t)co->co_stacksize;
}

uint64_t py_body(PyObject *o, const pytinfo *ti)
{
    PyTypeObject *t = Py_TYPE(o);
    uint64_t items;
    switch (ti->kind) {
    case PK_GEN:
        items = frame_slots(((PyGenObject *)o)->gi_code);
        break;
    case PK_FRAMEOBJ: {
        _PyInterpreterFrame *f = ((PyFrameObject *)o)->f_frame;
        items = f && pymaps_readable(PA(f), sizeof *f) ? frame_slots(f->f_code) : 0;
        break;
    }
    case PK_INT:
        if (t == &PyLong_Type || t == &PyBool_Type) {
            Py_ssize_t n = Py_SIZE(o);
            if (n < 0) n = -n;
            return offsetof(PyLongObject, ob_digit) + (uint64_t)(n ? n : 1) * sizeof(digit);
        }
        /* fall through */
    default: {
        if (!t->tp_itemsize)
            return (uint64_t)t->tp_basicsize;
        Py_ssize_t n = Py_SIZE(o);
        if (n < 0) n = -n;
        items = (uint64_t)n;
    }
    }
    return (uint64_t)t->tp_basicsize + items * (uint64_t)t->tp_itemsize;
}

uint64_t py_size(PyObject *o, const pytinfo *ti, int *owns_buffer)
{
    PyTypeObject *t = Py_TYPE(o);
    uint64_t size = (uint64_t)ti->preheader + py_body(o, ti);
    *owns_buffer = 0;
    switch (ti->kind) {
    case PK_LIST: {
        Py_ssize_t a = ((PyListObject *)o)->allocated;
        if (a > 0)
            size += (uint64_t)a * sizeof(PyObject *);
        break;
    }
    case PK_DICT: {
        PyDictObject *d = (PyDictObject *)o;
        PyDictKeysObject *k = d->ma_keys;
        if (!pydict_keys_ok(k) || pymaps_in_core(PA(k)))
            break;              /* the static empty keys, or unreadable */
        if (d->ma_values)
            size += pydict_values_size(d->ma_values, k);
        if (k->dk_refcnt == 1)
            size += pydict_keys_size(k);
        break;
    }
    case PK_SET: {
        PySetObject *s = (PySetObject *)o;
        if (s->table != s->smalltable && s->mask > 0)
            size += ((uint64_t)s->mask + 1) * sizeof(setentry);
        break;
    }
    case PK_STR:
        if (t == &PyUnicode_Type)
            size = pystr_sizeof(o);
        break;
    case PK_BYTEARRAY: {
        Py_ssize_t a = ((PyByteArrayObject *)o)->ob_alloc;
        if (a > 0)
            size += (uint64_t)a;
        break;
    }
    case PK_TYPE:
        if (t->tp_flags & Py_TPFLAGS_HEAPTYPE || ((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE) {
            PyDictKeysObject *k = ((PyHeapTypeObject *)o)->ht_cached_keys;
            if (k && pydict_keys_ok(k))
                size += pydict_keys_size(k);
        }
        break;
    case PK_NDARRAY:
        size += ndarray_extra((md_ndarray *)o, owns_buffer);
        break;
    default:
        break;
    }
    if (ti->flags & TI_MANAGED) {
        PyDictValues *v = *_PyObject_ValuesPointer(o);
        if (v && (t->tp_flags & Py_TPFLAGS_HEAPTYPE))
            size += pydict_values_size(v, ((PyHeapTypeObject *)t)->ht_cached_keys);
    }
    return size;
}
