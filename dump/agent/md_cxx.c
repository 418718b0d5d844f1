/* md_cxx.c — vtable → typeinfo → mangled name (see md_cxx.h). */
#include "md_cxx.h"
#include "md_child_int.h"
#include "md_modules.h"

#include <string.h>

#define CACHE_CAP (1u << 16)    /* distinct candidate vtable addresses remembered */
#define NAME_MAX_LEN 1024

struct md_cxx {
    md_child *c;
    const md_modtab *mods;
    uint64_t ti[3];
    uint64_t *keys;          /* open-addressed cache: key = candidate word */
    uint32_t *vals;          /* type id + 1, or 1 = not a vtable */
    uint32_t count;
};

md_cxx *md_cxx_new(md_child *c, const md_modtab *mods, const uint64_t ti_vtables[3])
{
    if (!ti_vtables[0] && !ti_vtables[1] && !ti_vtables[2]) return NULL;
    md_cxx *x = md_child_alloc(c, sizeof *x);
    if (!x) return NULL;
    x->c = c;
    x->mods = mods;
    for (int i = 0; i < 3; i++) x->ti[i] = ti_vtables[i] ? ti_vtables[i] + 16 : 0;
    x->keys = md_child_alloc(c, CACHE_CAP * sizeof *x->keys);
    x->vals = md_child_alloc(c, CACHE_CAP * sizeof *x->vals);
    if (!x->keys || !x->vals) return NULL;
    return x;
}

static uint64_t rd64(uint64_t a) { return *(const uint64_t *)(uintptr_t)a; }

static uint32_t resolve(md_cxx *x, uint64_t w)
{
    md_child *c = x->c;
    const md_mod *m = md_modules_lookup(x->mods, w);
    if (!m || m->is_self) return 0;
    long mi = md_maps_find(&c->maps, w);
    if (mi < 0 || (c->maps.e[mi].flags & MD_MAP_W)) return 0;
    if (!md_child_readable(c, w - 16, 16)) return 0;
    if ((int64_t)rd64(w - 16) != 0) return 0;           /* offset-to-top of a complete object */
    uint64_t ti = rd64(w - 8);
    if ((ti & 7) || !md_child_readable(c, ti, 16)) return 0;
    uint64_t tv = rd64(ti);
    if (!tv || (tv != x->ti[0] && tv != x->ti[1] && tv != x->ti[2])) return 0;
    uint64_t name = rd64(ti + 8);
    size_t len = 0;
    while (len < NAME_MAX_LEN && md_child_readable(c, name + len, 1)) {
        char ch = *(const char *)(uintptr_t)(name + len);
        if (!ch) break;
        if (ch < 0x20 || ch > 0x7e) return 0;
        len++;
    }
    if (len == 0 || len == NAME_MAX_LEN) return 0;
    const char *s = (const char *)(uintptr_t)name;
    if (*s == '*') { s++; len--; }     /* gcc marks internal-linkage names with '*' */
    return md_child_type(c, s, len, MD_TYPE_CXX, w);
}

uint32_t md_cxx_type(md_cxx *x, uint64_t w)
{
    if (!x || !w || (w & 7)) return 0;
    if (!md_modules_lookup(x->mods, w)) return 0;      /* fast reject: most words are not code */
    uint32_t j = (uint32_t)((w * 0x9e3779b97f4a7c15ull) >> 48) & (CACHE_CAP - 1);
    for (uint32_t probes = 0; probes < 32; probes++, j = (j + 1) & (CACHE_CAP - 1)) {
        if (x->keys[j] == w) return x->vals[j] - 1;
        if (!x->keys[j]) {
            uint32_t t = resolve(x, w);
            if (x->count < CACHE_CAP / 2) {
                x->keys[j] = w;
                x->vals[j] = t + 1;
                x->count++;
            }
            return t;
        }
    }
    return resolve(x, w);
}
