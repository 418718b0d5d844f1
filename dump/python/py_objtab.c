/* py_objtab.c — address → dense node number, with per-node counters (see py_objtab.h). */
#include "py_objtab.h"

#include <string.h>

static int grow_nodes(objtab *t, uint64_t want)
{
    uint64_t cap = t->cap ? (uint64_t)t->cap * 2 : 1u << 16;
    while (cap < want)
        cap *= 2;
    if (cap > UINT32_MAX - 1)
        cap = UINT32_MAX - 1;
    if (cap <= t->cap)
        return -1;
    if (pyvec_reserve(&t->addr_v, cap * 8) || pyvec_reserve(&t->inb_v, cap * 4) ||
        pyvec_reserve(&t->flag_v, cap))
        return -1;
    t->addr = t->addr_v.p;
    t->inbound = t->inb_v.p;
    t->flags = t->flag_v.p;
    t->cap = (uint32_t)cap;
    return 0;
}

static void place(objtab *t, uint32_t idx)
{
    uint64_t a = t->addr[idx];
    uint64_t h = ot_hash(a);
    for (;;) {
        h &= t->mask;
        if (t->slots[h] == 0) {
            t->slots[h] = ot_tag(a) << 32 | (idx + 1);
            return;
        }
        h++;
    }
}

static int grow_slots(objtab *t, uint64_t want)
{
    uint64_t nslots = t->mask ? (t->mask + 1) * 2 : 1u << 17;
    while (nslots < want)
        nslots *= 2;
    pyvec nv = {0};
    if (pyvec_reserve(&nv, nslots * 8))
        return -1;
    pyvec_free(&t->slot_v);
    t->slot_v = nv;
    t->slots = nv.p;
    memset(t->slots, 0, nslots * 8);
    t->mask = nslots - 1;
    for (uint32_t i = 0; i < t->n; i++)
        place(t, i);
    return 0;
}

int ot_init(objtab *t, uint64_t expect)
{
    memset(t, 0, sizeof *t);
    return grow_nodes(t, expect) || grow_slots(t, expect * 2) ? -1 : 0;
}

void ot_free(objtab *t)
{
    pyvec_free(&t->addr_v);
    pyvec_free(&t->inb_v);
    pyvec_free(&t->flag_v);
    pyvec_free(&t->slot_v);
    memset(t, 0, sizeof *t);
}

uint32_t ot_add(objtab *t, uint64_t addr, uint8_t flags, int *added)
{
    uint64_t h = ot_hash(addr), tag = ot_tag(addr);
    *added = 0;
    for (;;) {
        h &= t->mask;
        uint64_t s = t->slots[h];
        if (s == 0)
            break;
        if ((s >> 32) == tag && t->addr[(uint32_t)s - 1] == addr)
            return (uint32_t)s;
        h++;
    }
    if (t->n >= UINT32_MAX - 2)
        return 0;
    if (t->n == t->cap && grow_nodes(t, 0))
        return 0;
    if ((uint64_t)(t->n + 1) * 2 > t->mask + 1) {
        if (grow_slots(t, 0))
            return 0;
        h = ot_hash(addr);      /* re-probe in the new table */
        for (;;) {
            h &= t->mask;
            if (t->slots[h] == 0)
                break;
            h++;
        }
    }
    uint32_t idx = t->n++;
    t->addr[idx] = addr;
    t->inbound[idx] = 0;
    t->flags[idx] = flags;
    t->slots[h] = tag << 32 | (idx + 1);
    *added = 1;
    return idx + 1;
}
