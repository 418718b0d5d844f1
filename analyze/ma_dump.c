/* ma_dump.c — tables of a loaded dump: init, free, strings, statistics. */
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

void ma_dump_init(ma_dump *d)
{
    memset(d, 0, sizeof *d);
    ma_strtab *t = &d->strings;
    t->cap = 1024;
    t->off = ma_malloc(t->cap + 1, sizeof *t->off);
    t->len = ma_malloc(t->cap + 1, sizeof *t->len);
    t->pool_cap = 4096;
    t->pool = ma_malloc(t->pool_cap, 1);
    t->pool[0] = 0;
    t->pool_len = 1;
    t->off[0] = 0;
    t->len[0] = 0;
    d->types = ma_calloc(1, sizeof *d->types);
    d->modules = ma_calloc(1, sizeof *d->modules);
    d->frames = ma_calloc(1, sizeof *d->frames);
    d->stack_off = ma_calloc(2, sizeof *d->stack_off);
    d->process.exe = ma_strdup("");
    d->process.cmdline = ma_strdup("");
    d->process.python_version = ma_strdup("");
    d->process.hostname = ma_strdup("");
    d->snapshot.reason = ma_strdup("");
}

uint32_t ma_strtab_add(ma_strtab *t, const char *s, uint32_t len)
{
    if (t->count == t->cap) {
        t->cap *= 2;
        t->off = ma_realloc(t->off, (size_t)t->cap + 1, sizeof *t->off);
        t->len = ma_realloc(t->len, (size_t)t->cap + 1, sizeof *t->len);
    }
    ma_grow((void **)&t->pool, &t->pool_cap, t->pool_len + len + 1, 1);
    uint32_t id = ++t->count;
    t->off[id] = t->pool_len;
    t->len[id] = len;
    if (len) memcpy(t->pool + t->pool_len, s, len);
    t->pool[t->pool_len + len] = 0;
    t->pool_len += (uint64_t)len + 1;
    return id;
}

void ma_strlist_add(ma_strlist *l, char *owned)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = ma_realloc(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = owned;
}

void ma_strlist_free(ma_strlist *l)
{
    for (uint32_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int ma_stat_get(const ma_dump *d, const char *key, int64_t *value)
{
    for (uint32_t i = 0; i < d->nstats; i++)
        if (!strcmp(d->stats[i].key, key)) {
            *value = d->stats[i].value;
            return 1;
        }
    return 0;
}

uint64_t ma_stat_u(const ma_dump *d, const char *key)
{
    int64_t v;
    return ma_stat_get(d, key, &v) && v > 0 ? (uint64_t)v : 0;
}

void ma_dump_free(ma_dump *d)
{
    ma_graph_free(&d->g);
    free(d->strings.pool);
    free(d->strings.off);
    free(d->strings.len);
    free(d->types);
    for (uint32_t i = 0; i <= d->nmodules; i++) free(d->modules[i].build_id);
    free(d->modules);
    free(d->frames);
    free(d->stack_off);
    free(d->stack_frames);
    free(d->threads);
    free(d->roots);
    free(d->counters);
    for (uint32_t i = 0; i < d->nstats; i++) free(d->stats[i].key);
    free(d->stats);
    free(d->tasks);
    ma_strlist_free(&d->warnings);
    ma_strlist_free(&d->load_warnings);
    free(d->process.exe);
    free(d->process.cmdline);
    ma_strlist_free(&d->process.argv);
    free(d->process.python_version);
    free(d->process.hostname);
    free(d->snapshot.reason);
    free(d->status.path);
    free(d->status.error);
    memset(d, 0, sizeof *d);
}
