/* ma_intern.c — see ma_intern.h. FNV-1a hashing, linear probing, load ≤ 0.5. */
#include "ma_intern.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void ma_intern_init(ma_intern *t)
{
    memset(t, 0, sizeof *t);
    t->mask = 63;
    t->slot = ma_calloc(64, sizeof *t->slot);
}

static void rehash(ma_intern *t)
{
    uint64_t size = (t->mask + 1) * 2;
    free(t->slot);
    t->slot = ma_calloc(size, sizeof *t->slot);
    t->mask = size - 1;
    for (uint32_t id = 0; id < t->n; id++) {
        uint64_t i = hash(t->str[id], t->len[id]) & t->mask;
        while (t->slot[i]) i = (i + 1) & t->mask;
        t->slot[i] = id + 1;
    }
}

uint32_t ma_intern_add(ma_intern *t, const char *s, size_t len)
{
    uint64_t i = hash(s, len) & t->mask;
    while (t->slot[i]) {
        uint32_t id = t->slot[i] - 1;
        if (t->len[id] == len && !memcmp(t->str[id], s, len)) return id;
        i = (i + 1) & t->mask;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->str = ma_realloc(t->str, t->cap, sizeof *t->str);
        t->len = ma_realloc(t->len, t->cap, sizeof *t->len);
    }
    uint32_t id = t->n++;
    t->str[id] = ma_strndup(s, len);
    t->len[id] = len;
    t->slot[i] = id + 1;
    if ((uint64_t)t->n * 2 > t->mask) rehash(t);
    return id;
}

uint32_t ma_intern_cstr(ma_intern *t, const char *s)
{
    return ma_intern_add(t, s, strlen(s));
}

void ma_intern_free(ma_intern *t)
{
    for (uint32_t i = 0; i < t->n; i++) free(t->str[i]);
    free(t->str);
    free(t->len);
    free(t->slot);
    memset(t, 0, sizeof *t);
}
