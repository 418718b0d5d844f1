/* py_objtab.h — the walk's table of every node it has met, by address.
 *
 * One entry per node (Python object, or synthetic thread/frame node): its address, how many
 * strong references to it the walk has found (to compare with ob_refcnt), and a few flag bits.
 * Entries are numbered densely in discovery order; an open-addressed hash (linear probing, no
 * deletions, kept at most half full) maps an address to its number. Each 64-bit slot holds the
 * number and 32 bits of the address, so a probe is one cache miss, not two (the address array is
 * only read to confirm a tag match). The walk is bound by these misses: ot_prefetch() lets it
 * start the miss for a batch of references before using them.
 * Memory per node: 8 (address) + 4 (inbound) + 1 (flags) + 16..32 (hash) bytes.
 */
#ifndef PY_OBJTAB_H
#define PY_OBJTAB_H

#include "py_vec.h"
#include <stdint.h>

/* Per-node flag bits. */
#define OT_ROOTED     0x01   /* reached from a real root (not only from the GC lists) */
#define OT_THREAD     0x02   /* synthetic: a PyThreadState */
#define OT_FRAME      0x04   /* synthetic: a thread's _PyInterpreterFrame */
#define OT_BAD        0x08   /* failed validation when re-read; never emitted */
#define OT_CROOT      0x10   /* gets a C_HELD root */
#define OT_STACKOK    0x20   /* frame: its saved stack pointer is valid (its callee was inlined) */
#define OT_AFTER      0x40   /* frame: innermost of the snapshotting thread, between instructions */

typedef struct objtab {
    pyvec addr_v, inb_v, flag_v, slot_v;
    uint64_t *addr;
    uint32_t *inbound;
    uint8_t *flags;
    uint64_t *slots;         /* 0 = empty, else (tag << 32) | (index + 1) */
    uint64_t mask;           /* slots - 1 */
    uint32_t n;              /* nodes */
    uint32_t cap;            /* capacity of the per-node arrays */
} objtab;

/* expect: nodes expected (a hint; the table grows as needed). */
int ot_init(objtab *t, uint64_t expect);
void ot_free(objtab *t);

static inline uint64_t ot_hash(uint64_t addr) { return ((addr >> 3) * 0x9E3779B97F4A7C15ull) >> 20; }
static inline uint64_t ot_tag(uint64_t addr) { return (addr >> 3) & 0xffffffffu; }

/* Index + 1 of the node at addr, 0 if absent. */
static inline uint32_t ot_find(const objtab *t, uint64_t addr)
{
    uint64_t h = ot_hash(addr), tag = ot_tag(addr);
    for (;;) {
        h &= t->mask;
        uint64_t s = t->slots[h];
        if (s == 0)
            return 0;
        if ((s >> 32) == tag && t->addr[(uint32_t)s - 1] == addr)
            return (uint32_t)s;
        h++;
    }
}

static inline void ot_prefetch(const objtab *t, uint64_t addr)
{
    __builtin_prefetch(&t->slots[ot_hash(addr) & t->mask]);
}

/* Index + 1 of the node at addr, adding it (with the given flags) when absent; *added says which.
 * 0 when the table cannot grow. */
uint32_t ot_add(objtab *t, uint64_t addr, uint8_t flags, int *added);

#endif
