/* py_labels.c — edge labels for the emit phase: C string literals and str objects (with a
 * prefix such as "locals:") turned into STRING ids once each. A label is looked up per edge, so
 * they are cached by the address of the C string or str object (and of the prefix): in the frozen
 * heap an address always means the same text. Discovery does not need labels: 0 there. */
#include "py_walk.h"
#include "py_maps.h"
#include "py_str.h"

#include <string.h>

typedef struct lblent { uint64_t a, b; int64_t id; } lblent;
static pyvec vlbl;
static uint64_t lmask;
static uint32_t lcount;

static lblent *lbl_slot(uint64_t a, uint64_t b)
{
    if (!vlbl.p || (uint64_t)(lcount + 1) * 2 > lmask + 1) {
        uint64_t n = lmask ? (lmask + 1) * 2 : 4096;
        pyvec nv = {0};
        if (pyvec_reserve(&nv, n * sizeof(lblent)))
            return NULL;
        lblent *nt = nv.p, *ot = vlbl.p;
        for (uint64_t i = 0; ot && i <= lmask; i++)
            if (ot[i].a) {
                uint64_t h = ((ot[i].a ^ ot[i].b * 31) >> 3) * 0x9E3779B97F4A7C15ull >> 20;
                while (nt[h & (n - 1)].a) h++;
                nt[h & (n - 1)] = ot[i];
            }
        pyvec_free(&vlbl);
        vlbl = nv;
        lmask = n - 1;
    }
    lblent *t = vlbl.p;
    uint64_t h = ((a ^ b * 31) >> 3) * 0x9E3779B97F4A7C15ull >> 20;
    for (;; h++) {
        lblent *e = &t[h & lmask];
        if (e->a == a && e->b == b)
            return e;
        if (!e->a) {
            e->a = a;
            e->b = b;
            e->id = -1;
            lcount++;
            return e;
        }
    }
}

int64_t pw_lbl(pw *w, const char *s)
{
    if (w->phase != 2 || !s)
        return 0;
    lblent *e = lbl_slot(PA(s), 1);
    if (!e)
        return 0;
    if (e->id < 0) {
        size_t n = 0;
        while (n < 256 && pymaps_readable(PA(s) + n, 1) && s[n])
            n++;
        e->id = md_child_string(w->c, s, n);
    }
    return e->id;
}

int64_t pw_lbl_str(pw *w, const char *prefix, PyObject *s)
{
    if (w->phase != 2 || !s)
        return 0;
    lblent *e = lbl_slot(PA(s), PA(prefix) + 2);
    if (!e)
        return 0;
    if (e->id < 0) {
        char buf[320];
        size_t p = strlen(prefix);
        if (p > 64)
            p = 64;
        memcpy(buf, prefix, p);
        long n = pystr_utf8(s, buf + p, sizeof buf - p);
        e->id = n < 0 ? 0 : md_child_string(w->c, buf, p + (size_t)n);
    }
    return e->id;
}

void pw_labels_free(void)
{
    pyvec_free(&vlbl);
    lmask = 0;
    lcount = 0;
}
