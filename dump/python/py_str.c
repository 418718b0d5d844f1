/* py_str.c — PEP 393 strings read from raw memory (see py_str.h). */
#include "py_str.h"
#include "py_maps.h"

#include <string.h>

int pystr_view(PyObject *o, const void **data, int *kind, Py_ssize_t *length)
{
    if ((PA(o) & 7) || !pymaps_readable(PA(o), sizeof(PyASCIIObject)))
        return 0;
    PyTypeObject *t = Py_TYPE(o);
    if (t != &PyUnicode_Type &&
        (!pymaps_readable(PA(t), sizeof(PyTypeObject)) || !(t->tp_flags & Py_TPFLAGS_UNICODE_SUBCLASS)))
        return 0;
    PyASCIIObject *a = (PyASCIIObject *)o;
    if (!a->state.ready || a->length < 0)
        return 0;
    int k = a->state.kind;
    if (k != 1 && k != 2 && k != 4)
        return 0;
    const void *d;
    if (a->state.compact) {
        if (a->state.ascii)
            d = a + 1;
        else {
            if (!pymaps_readable(PA(o), sizeof(PyCompactUnicodeObject)))
                return 0;
            d = (PyCompactUnicodeObject *)o + 1;
        }
    } else {
        if (!pymaps_readable(PA(o), sizeof(PyUnicodeObject)))
            return 0;
        d = ((PyUnicodeObject *)o)->data.any;
    }
    if ((size_t)a->length > ((size_t)1 << 40) || !pymaps_readable(PA(d), (size_t)a->length * (size_t)k))
        return 0;
    *data = d;
    *kind = k;
    *length = a->length;
    return 1;
}

static size_t put_utf8(char *out, uint32_t ch)
{
    if (ch < 0x80) { out[0] = (char)ch; return 1; }
    if (ch < 0x800) { out[0] = (char)(0xC0 | ch >> 6); out[1] = (char)(0x80 | (ch & 63)); return 2; }
    if (ch < 0x10000) {
        if (ch >= 0xD800 && ch < 0xE000)
            ch = 0xFFFD;             /* a lone surrogate cannot be UTF-8 */
        out[0] = (char)(0xE0 | ch >> 12); out[1] = (char)(0x80 | ((ch >> 6) & 63));
        out[2] = (char)(0x80 | (ch & 63));
        return 3;
    }
    if (ch > 0x10FFFF)
        ch = 0xFFFD;
    if (ch < 0x10000)
        return put_utf8(out, ch);
    out[0] = (char)(0xF0 | ch >> 18); out[1] = (char)(0x80 | ((ch >> 12) & 63));
    out[2] = (char)(0x80 | ((ch >> 6) & 63)); out[3] = (char)(0x80 | (ch & 63));
    return 4;
}

long pystr_utf8(PyObject *o, char *buf, size_t cap)
{
    const void *d;
    int kind;
    Py_ssize_t n;
    if (cap == 0 || !pystr_view(o, &d, &kind, &n))
        return -1;
    size_t len = 0;
    if (((PyASCIIObject *)o)->state.ascii) {
        len = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
        memcpy(buf, d, len);
    } else {
        for (Py_ssize_t i = 0; i < n; i++) {
            uint32_t ch = kind == 1 ? ((const uint8_t *)d)[i]
                        : kind == 2 ? ((const uint16_t *)d)[i] : ((const uint32_t *)d)[i];
            char tmp[4];
            size_t k = put_utf8(tmp, ch);
            if (len + k > cap - 1)
                break;
            memcpy(buf + len, tmp, k);
            len += k;
        }
    }
    buf[len] = 0;
    return (long)len;
}

int pystr_eq(PyObject *o, const char *s)
{
    const void *d;
    int kind;
    Py_ssize_t n;
    if (!pystr_view(o, &d, &kind, &n) || kind != 1 || (size_t)n != strlen(s))
        return 0;
    return memcmp(d, s, (size_t)n) == 0;
}

size_t pystr_sizeof(PyObject *o)
{
    PyASCIIObject *a = (PyASCIIObject *)o;
    size_t len = a->length > 0 ? (size_t)a->length : 0;
    size_t kind = a->state.kind ? a->state.kind : 1;
    size_t size;
    void *data = NULL;
    if (a->state.compact && a->state.ascii) {
        size = sizeof(PyASCIIObject) + len + 1;
        data = a + 1;
    } else if (a->state.compact) {
        size = sizeof(PyCompactUnicodeObject) + (len + 1) * kind;
        data = (PyCompactUnicodeObject *)o + 1;
    } else {
        size = sizeof(PyUnicodeObject);
        data = ((PyUnicodeObject *)o)->data.any;
        if (data)
            size += (len + 1) * kind;
    }
    /* wstr and utf8 caches, when they are separate blocks */
    if (a->wstr && (!a->state.ready || (void *)a->wstr != data)) {
        PyCompactUnicodeObject *cu = (PyCompactUnicodeObject *)o;
        size_t wl = a->state.ascii ? len : (size_t)cu->wstr_length;
        size += (wl + 1) * sizeof(wchar_t);
    }
    if (!(a->state.compact && a->state.ascii)) {
        PyCompactUnicodeObject *cu = (PyCompactUnicodeObject *)o;
        if (cu->utf8 && (void *)cu->utf8 != data)
            size += (size_t)cu->utf8_length + 1;
    }
    return size;
}
