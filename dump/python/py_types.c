/* py_types.c — type validation, classification and naming (see py_types.h). */
#include "py_types.h"
#include "py_dict.h"
#include "py_maps.h"
#include "py_str.h"
#include "py_vec.h"

#include <string.h>

static pyvec vtab;
static pytinfo *tab;
static uint64_t tmask;
static uint32_t tcount;
static uint64_t subtype_trav;

int pyt_init(uint64_t subtype_traverse)
{
    pyt_free();
    subtype_trav = subtype_traverse;
    if (pyvec_reserve(&vtab, 4096 * sizeof(pytinfo)))
        return -1;
    tab = vtab.p;
    tmask = 4095;
    return 0;
}

void pyt_free(void)
{
    pyvec_free(&vtab);
    tab = NULL;
    tmask = 0;
    tcount = 0;
}

static uint64_t thash(uint64_t a) { return ((a >> 3) * 0x9E3779B97F4A7C15ull) >> 17; }

static int grow(void)
{
    uint64_t n = (tmask + 1) * 2;
    pyvec nv = {0};
    if (pyvec_reserve(&nv, n * sizeof(pytinfo)))
        return -1;
    pytinfo *nt = nv.p;
    for (uint64_t i = 0; i <= tmask; i++) {
        if (!tab[i].addr)
            continue;
        uint64_t h = thash(tab[i].addr);
        while (nt[h & (n - 1)].addr)
            h++;
        nt[h & (n - 1)] = tab[i];
    }
    pyvec_free(&vtab);
    vtab = nv;
    tab = nt;
    tmask = n - 1;
    return 0;
}

/* Is m a metatype: `type` itself, or (a bounded chain of) subclasses of it? */
static int is_metatype(PyTypeObject *m)
{
    for (int depth = 0; depth < 8; depth++) {
        if (m == &PyType_Type)
            return 1;
        if (!pymaps_readable(PA(m), sizeof(PyTypeObject)) || !(m->tp_flags & Py_TPFLAGS_TYPE_SUBCLASS))
            return 0;
        PyTypeObject *mm = Py_TYPE(m);
        if (mm != &PyType_Type && !pymaps_readable(PA(mm), sizeof(PyTypeObject)))
            return 0;
        m = mm;
    }
    return 0;
}

static int type_ok(PyTypeObject *t)
{
    if ((PA(t) & 7) || !pymaps_readable(PA(t), sizeof(PyTypeObject)))
        return 0;
    if (!is_metatype(Py_TYPE(t)))
        return 0;
    unsigned long f = t->tp_flags;
    if (!(f & Py_TPFLAGS_READY) || t->tp_basicsize <= 0 || t->tp_basicsize > (1 << 20) ||
        t->tp_itemsize < 0 || t->tp_itemsize > (1 << 16))
        return 0;
    if ((f & Py_TPFLAGS_HEAPTYPE) && !pymaps_readable(PA(t), sizeof(PyHeapTypeObject)))
        return 0;
    return 1;
}

static int name_is(PyTypeObject *t, const char *s)
{
    const char *n = t->tp_name;
    size_t len = strlen(s);
    return n && pymaps_readable(PA(n), len + 1) && memcmp(n, s, len + 1) == 0;
}

/* Layout kind of a static (non-heap) type. */
static uint8_t static_kind(PyTypeObject *t)
{
    if (t == &PyBaseObject_Type) return PK_OBJECT;
    if (t == &PyList_Type) return PK_LIST;
    if (t == &PyTuple_Type) return PK_TUPLE;
    if (t == &PyDict_Type) return PK_DICT;
    if (t == &PySet_Type || t == &PyFrozenSet_Type) return PK_SET;
    if (t == &PyUnicode_Type) return PK_STR;
    if (t == &PyBytes_Type) return PK_BYTES;
    if (t == &PyLong_Type || t == &PyBool_Type) return PK_INT;
    if (t == &PyFloat_Type) return PK_FLOAT;
    if (t == &PyByteArray_Type) return PK_BYTEARRAY;
    if (t == &PyType_Type) return PK_TYPE;
    if (t == &PyFunction_Type) return PK_FUNC;
    if (t == &PyCell_Type) return PK_CELL;
    if (t == &PyCode_Type) return PK_CODE;
    if (t == &PyModule_Type) return PK_MODULE;
    if (t == &PyMethod_Type) return PK_METHOD;
    if (t == &PyCFunction_Type || t == &PyCMethod_Type) return PK_CFUNC;
    if (t == &PyGen_Type || t == &PyCoro_Type || t == &PyAsyncGen_Type) return PK_GEN;
    if (t == &PyFrame_Type) return PK_FRAMEOBJ;
    /* extension types recognized by name and checked against the layout we mirror */
    if (name_is(t, "numpy.ndarray") && t->tp_basicsize >= 88) return PK_NDARRAY;
    if (name_is(t, "_asyncio.Task") && t->tp_basicsize == 176 && t->tp_dictoffset == 104 &&
        t->tp_weaklistoffset == 112)
        return PK_TASK;
    if (name_is(t, "_asyncio.Future") && t->tp_basicsize == 128 && t->tp_dictoffset == 104 &&
        t->tp_weaklistoffset == 112)
        return PK_FUTURE;
    return PK_OTHER;
}

static void classify(pytinfo *ti, PyTypeObject *t)
{
    unsigned long f = t->tp_flags;
    ti->flags = TI_VALID;
    if (f & Py_TPFLAGS_HAVE_GC) ti->flags |= TI_GC;
    if (f & Py_TPFLAGS_HEAPTYPE) ti->flags |= TI_HEAP;
    if (f & Py_TPFLAGS_MANAGED_DICT) ti->flags |= TI_MANAGED;
    if (f & Py_TPFLAGS_TYPE_SUBCLASS) ti->flags |= TI_METATYPE;
    ti->preheader = (uint16_t)(((f & Py_TPFLAGS_HAVE_GC) ? sizeof(PyGC_Head) : 0) +
                               ((f & Py_TPFLAGS_MANAGED_DICT) ? 2 * sizeof(PyObject *) : 0));
    ti->base = t;
    /* The first base that is not a class statement's type decides the layout (and, if it is not
     * one we know, whose tp_traverse finishes the job). */
    PyTypeObject *b = t;
    int depth = 0;
    while (subtype_trav && (b->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
           PA(b->tp_traverse) == subtype_trav && depth++ < 64) {
        PyTypeObject *nb = b->tp_base;
        if (!nb || !type_ok(nb))
            break;
        b = nb;
    }
    if (b != t)
        ti->flags |= TI_PYCLASS;   /* else: traversed by its own tp_traverse, whatever it is */
    ti->base = b;
    /* Layout kind: the nearest static ancestor's. */
    PyTypeObject *s = t;
    depth = 0;
    while ((s->tp_flags & Py_TPFLAGS_HEAPTYPE) && s->tp_base && depth++ < 64 && type_ok(s->tp_base))
        s = s->tp_base;
    ti->kind = (s->tp_flags & Py_TPFLAGS_HEAPTYPE) ? PK_OTHER : static_kind(s);
    if (f & Py_TPFLAGS_TYPE_SUBCLASS)
        ti->kind = PK_TYPE;
}

pytinfo *pyt_get(uint64_t addr)
{
    uint64_t h = thash(addr);
    for (;;) {
        pytinfo *e = &tab[h & tmask];
        if (e->addr == addr)
            return e;
        if (!e->addr)
            break;
        h++;
    }
    if ((uint64_t)(tcount + 1) * 2 > tmask + 1) {
        if (grow())
            return NULL;
        return pyt_get(addr);
    }
    pytinfo *e = &tab[h & tmask];
    memset(e, 0, sizeof *e);
    e->addr = addr;
    tcount++;
    PyTypeObject *t = (PyTypeObject *)(uintptr_t)addr;
    if (type_ok(t))
        classify(e, t);
    return e;
}

int pyt_is_subtype(PyTypeObject *t, PyTypeObject *base)
{
    for (int depth = 0; t && depth < 64; depth++) {
        if (t == base)
            return 1;
        if (!pymaps_readable(PA(t), sizeof(PyTypeObject)))
            return 0;
        t = t->tp_base;
    }
    return 0;
}

size_t pyt_name(PyTypeObject *t, char *buf, size_t cap)
{
    buf[0] = 0;
    if (cap < 8)
        return 0;
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *ht = (PyHeapTypeObject *)t;
        size_t len = 0;
        PyObject *mod = t->tp_dict ? pydict_get_str(t->tp_dict, "__module__") : NULL;
        if (mod) {
            long m = pystr_utf8(mod, buf, cap - 2);
            if (m > 0 && strcmp(buf, "builtins") != 0) {
                len = (size_t)m;
                buf[len++] = '.';
            }
        }
        long q = ht->ht_qualname ? pystr_utf8(ht->ht_qualname, buf + len, cap - len) : -1;
        if (q >= 0)
            return len + (size_t)q;
        buf[len] = 0;   /* fall back to tp_name below, after the module prefix */
        if (!t->tp_name)
            return len;
        for (const char *n = t->tp_name; *n && len + 1 < cap && pymaps_readable(PA(n), 1); n++)
            buf[len++] = *n;
        buf[len] = 0;
        return len;
    }
    size_t len = 0;
    for (const char *n = t->tp_name; n && len + 1 < cap && pymaps_readable(PA(n), 1) && *n; n++)
        buf[len++] = *n;
    buf[len] = 0;
    return len;
}
