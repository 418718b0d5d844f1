/* md_child_int.h — the inside of md_child, shared by the agent's own child-side code (the child
 * entry, module and native-graph emitters). Walker plugins only see md_child.h.
 */
#ifndef MD_CHILD_INT_H
#define MD_CHILD_INT_H

#include "md_child.h"
#include "md_maps.h"

/* Per-id data of an interned table entry; meaning depends on the table (see md_child.c). */
typedef struct md_centry {
    uint64_t h;
    const void *p;
    uint64_t a, b;
    uint32_t len, kind;
} md_centry;

typedef struct md_itab {
    uint32_t *slots;        /* ids, 0 = empty */
    uint32_t cap, count;    /* cap is a power of two */
    md_centry *ent;         /* by id; ent[0] unused */
    uint32_t ent_cap;
} md_itab;

typedef struct md_modtab md_modtab;
struct md_shared;

struct md_child {
    md_writer *w;
    char *arena;
    size_t used, cap;
    int exhausted;          /* arena ran out (warned once) */
    uint64_t deadline_ns;   /* CLOCK_MONOTONIC */
    md_maps maps;
    int maps_ok;
    md_itab strings, types, frames, stacks;
    const md_modtab *mods;  /* for FRAME.module; NULL until modules are known */
    struct md_shared *sh;   /* warnings are copied there for memdump's output */
    uint32_t nwarn;
};

/* Sets up c over an mmap'd arena of cap bytes; reads /proc/self/maps. Returns 0 or -1. */
int md_child_init(md_child *c, size_t arena_cap, uint64_t deadline_ns, struct md_shared *sh);
void md_child_set_writer(md_child *c, md_writer *w);

/* Writes the "N more warnings were suppressed" warning, if any. */
void md_child_warn_flush(md_child *c);

/* Arena allocation usable as an md_alloc_fn (ctx = md_child *). */
void *md_child_alloc_cb(void *ctx, size_t size);

/* Interning a string by a 64-bit FNV-style hash (also used for other keys). */
uint64_t md_hash_bytes(const void *p, size_t n, uint64_t seed);

#endif
