/* sym_demangle.c — C++ demangling through the libstdc++ ABI, behind a cache.
 *
 * __cxa_demangle is part of libstdc++ (linked into the tools already), so no C++ code is needed:
 * it is declared here with C linkage. It decodes both symbol names ("_ZNK6Circle4areaEv") and bare
 * type encodings as std::type_info::name() returns them ("N3app5ShapeE"). Each call allocates and
 * the same few thousand names come back millions of times in a report, so results are cached by
 * the interned name's address (plus the flags) in an open-addressing table.
 *
 * Names longer than MAX_MANGLED are left alone: the demangler recurses on nesting, and a hostile
 * file could otherwise feed it arbitrarily deep input.
 */
#include "sym_internal.h"

#include <stdlib.h>
#include <string.h>

char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

enum { MAX_MANGLED = 4096 };

/* A cache key: the interned name's address, shifted to make room for the flag. */
static uintptr_t key_of(const char *name, unsigned flags)
{
    return ((uintptr_t)name << 1) | (flags & MD_SYM_TYPE);
}

static size_t slot_of(uintptr_t key, size_t nslots)
{
    uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (nslots - 1);
}

static int cache_grow(sym_demangler *d)
{
    size_t n = d->nslots ? d->nslots * 2 : 256;
    uintptr_t *keys = calloc(n, sizeof *keys);
    const char **vals = calloc(n, sizeof *vals);
    if (!keys || !vals) { free(keys); free(vals); return -1; }
    for (size_t i = 0; i < d->nslots; i++) {
        if (!d->keys[i]) continue;
        size_t j = slot_of(d->keys[i], n);
        while (keys[j]) j = (j + 1) & (n - 1);
        keys[j] = d->keys[i];
        vals[j] = d->vals[i];
    }
    free(d->keys);
    free(d->vals);
    d->keys = keys;
    d->vals = vals;
    d->nslots = n;
    return 0;
}

/* The demangled form, interned, or NULL if name does not demangle. */
static const char *demangle_now(sym_strings *t, const char *name, unsigned flags)
{
    size_t len = strlen(name);
    if (len == 0 || len > MAX_MANGLED) return NULL;
    if (!(flags & MD_SYM_TYPE) && strncmp(name, "_Z", 2) != 0) return NULL;
    int status = -1;
    char *out = __cxa_demangle(name, NULL, NULL, &status);
    const char *r = status == 0 && out && out[0] ? sym_intern(t, out) : NULL;
    free(out);
    return r;
}

const char *sym_demangle(sym_demangler *d, sym_strings *t, const char *name, unsigned flags)
{
    if (!name) return NULL;
    name = sym_intern(t, name);          /* no-op for already interned names */
    if (!name) return NULL;
    if ((d->count + 1) * 4 > d->nslots * 3 && cache_grow(d) < 0) {
        const char *r = demangle_now(t, name, flags);   /* uncached, still correct */
        return r ? r : name;
    }
    uintptr_t key = key_of(name, flags);
    size_t j = slot_of(key, d->nslots);
    for (; d->keys[j]; j = (j + 1) & (d->nslots - 1))
        if (d->keys[j] == key) return d->vals[j];
    const char *r = demangle_now(t, name, flags);
    d->keys[j] = key;
    d->vals[j] = r ? r : name;
    d->count++;
    return d->vals[j];
}

void sym_demangler_free(sym_demangler *d)
{
    free(d->keys);
    free(d->vals);
    memset(d, 0, sizeof *d);
}
