/* sym_strings.c — interned strings: every name, file and fallback the symbolizer hands out.
 *
 * The API promises strings stable until md_sym_close, and the analyzer keeps millions of frame
 * references to a few thousand distinct names, so strings live in an append-only arena of chunks
 * (nothing ever moves or is freed early) and are interned through an open-addressing hash set:
 * equal strings share one copy, and callers may compare names by pointer.
 */
#include "sym_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sym_chunk {
    struct sym_chunk *next;
    char data[];
};

enum { CHUNK_SIZE = 64 * 1024 };

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* Copies s[0..n) into the arena. Long strings get a chunk of their own so a chunk's tail is never
 * wasted on them. */
static char *arena_copy(sym_strings *t, const char *s, size_t n)
{
    if (!t->chunks || t->cap - t->used < n + 1) {
        size_t cap = n + 1 > CHUNK_SIZE / 4 ? n + 1 : CHUNK_SIZE;
        struct sym_chunk *c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        if (cap == CHUNK_SIZE || !t->chunks) {
            c->next = t->chunks;
            t->chunks = c;
            t->used = 0;
            t->cap = cap;
        } else {                  /* keep filling the current chunk afterwards */
            c->next = t->chunks->next;
            t->chunks->next = c;
            memcpy(c->data, s, n);
            c->data[n] = 0;
            return c->data;
        }
    }
    char *p = t->chunks->data + t->used;
    memcpy(p, s, n);
    p[n] = 0;
    t->used += n + 1;
    return p;
}

static int set_grow(sym_strings *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 1024;
    const char **slots = calloc(n, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < t->nslots; i++) {
        const char *s = t->slots[i];
        if (!s) continue;
        size_t j = hash_bytes(s, strlen(s)) & (n - 1);
        while (slots[j]) j = (j + 1) & (n - 1);
        slots[j] = s;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

const char *sym_intern_n(sym_strings *t, const char *s, size_t len)
{
    if (!s) return NULL;
    if ((t->count + 1) * 4 > t->nslots * 3 && set_grow(t) < 0) return NULL;
    size_t mask = t->nslots - 1, j = hash_bytes(s, len) & mask;
    for (const char *e; (e = t->slots[j]) != NULL; j = (j + 1) & mask)
        if (strncmp(e, s, len) == 0 && e[len] == 0) return e;
    char *copy = arena_copy(t, s, len);
    if (!copy) return NULL;
    t->slots[j] = copy;
    t->count++;
    return copy;
}

const char *sym_intern(sym_strings *t, const char *s)
{
    return s ? sym_intern_n(t, s, strlen(s)) : NULL;
}

const char *sym_internf(sym_strings *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    if ((size_t)n < sizeof buf) return sym_intern_n(t, buf, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) return NULL;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    const char *r = sym_intern_n(t, big, (size_t)n);
    free(big);
    return r;
}

void sym_strings_free(sym_strings *t)
{
    for (struct sym_chunk *c = t->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(t->slots);
    memset(t, 0, sizeof *t);
}
