/* md_cfi.c — CFA rules from .eh_frame (see md_cfi.h).
 *
 * Modules: an immutable sorted table of (text range, .eh_frame_hdr) built with dl_iterate_phdr
 * into a local buffer and published with an atomic pointer store; a return address outside
 * every known module triggers one rebuild (a library was loaded since). Old tables are
 * abandoned, never freed: a concurrent reader may hold one. No lock is held while
 * dl_iterate_phdr runs (it takes the loader's lock, and the loader may be allocating).
 *
 * Encodings: DW_EH_PE_* pointer encodings as used by GCC and Clang (absptr, udata/sdata 2/4/8,
 * uleb/sleb, pcrel, datarel for the hdr table); indirect and aligned are refused.
 */
#include "md_cfi.h"
#include "md_sys.h"

#include <link.h>
#include <string.h>

#define MAX_MODS 1024
#define STACK_DEPTH 8

typedef struct mod { uint64_t lo, hi, hdr; } mod;
typedef struct modtab { uint32_t n; mod m[]; } modtab;

static modtab *mods;

/* ---- module table -------------------------------------------------------------------------- */

typedef struct collect { mod *m; uint32_t n; } collect;

static int each(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    collect *c = arg;
    uint64_t lo = UINT64_MAX, hi = 0, hdr = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *p = &info->dlpi_phdr[i];
        if (p->p_type == PT_LOAD && (p->p_flags & PF_X)) {
            uint64_t a = info->dlpi_addr + p->p_vaddr;
            if (a < lo) lo = a;
            if (a + p->p_memsz > hi) hi = a + p->p_memsz;
        } else if (p->p_type == PT_GNU_EH_FRAME) {
            hdr = info->dlpi_addr + p->p_vaddr;
        }
    }
    if (hdr && lo < hi && c->n < MAX_MODS) c->m[c->n++] = (mod){ lo, hi, hdr };
    return 0;
}

static void rebuild(void)
{
    mod buf[MAX_MODS];
    collect c = { buf, 0 };
    dl_iterate_phdr(each, &c);
    for (uint32_t i = 1; i < c.n; i++) {          /* insertion sort by lo */
        mod x = buf[i];
        uint32_t j = i;
        while (j && buf[j - 1].lo > x.lo) { buf[j] = buf[j - 1]; j--; }
        buf[j] = x;
    }
    modtab *t = md_map(sizeof(modtab) + c.n * sizeof(mod));
    if (!t) return;
    t->n = c.n;
    memcpy(t->m, buf, c.n * sizeof(mod));
    __atomic_store_n(&mods, t, __ATOMIC_RELEASE);
}

static const mod *find_mod(uint64_t pc, int retry)
{
    modtab *t = __atomic_load_n(&mods, __ATOMIC_ACQUIRE);
    if (t) {
        uint32_t lo = 0, hi = t->n;
        while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (t->m[mid].hi <= pc) lo = mid + 1;
            else hi = mid;
        }
        if (lo < t->n && t->m[lo].lo <= pc) return &t->m[lo];
    }
    if (!retry) return NULL;
    rebuild();
    return find_mod(pc, 0);
}

/* ---- reading encoded values ------------------------------------------------------------------ */

typedef struct rd { const uint8_t *p, *end; int bad; } rd;

static uint64_t uleb(rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; r->p < r->end && shift < 64; shift += 7) {
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t sleb(rd *r)
{
    int64_t v = 0;
    unsigned shift = 0;
    uint8_t b = 0;
    do {
        if (r->p >= r->end || shift >= 64) { r->bad = 1; return 0; }
        b = *r->p++;
        v |= (int64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) v |= -((int64_t)1 << shift);
    return v;
}

static uint64_t fixed(rd *r, unsigned n)
{
    if (r->end - r->p < (long)n) { r->bad = 1; return 0; }
    uint64_t v = 0;
    memcpy(&v, r->p, n);
    r->p += n;
    return v;
}

/* DW_EH_PE_* */
static uint64_t encoded(rd *r, uint8_t enc, uint64_t datarel)
{
    if (enc == 0xff) { r->bad = 1; return 0; }           /* omit */
    uint64_t at = (uint64_t)(uintptr_t)r->p, v;
    switch (enc & 0x0f) {
    case 0x00: v = fixed(r, 8); break;
    case 0x01: v = uleb(r); break;
    case 0x02: v = fixed(r, 2); break;
    case 0x03: v = fixed(r, 4); break;
    case 0x04: v = fixed(r, 8); break;
    case 0x09: v = (uint64_t)sleb(r); break;
    case 0x0a: v = (uint64_t)(int64_t)(int16_t)fixed(r, 2); break;
    case 0x0b: v = (uint64_t)(int64_t)(int32_t)fixed(r, 4); break;
    case 0x0c: v = fixed(r, 8); break;
    default: r->bad = 1; return 0;
    }
    switch (enc & 0x70) {
    case 0x00: break;
    case 0x10: v += at; break;                           /* pcrel */
    case 0x30: v += datarel; break;                      /* datarel */
    default: r->bad = 1; return 0;
    }
    if (enc & 0x80) r->bad = 1;                          /* indirect */
    return v;
}

/* ---- .eh_frame_hdr search -------------------------------------------------------------------- */

static uint64_t find_fde(uint64_t hdr, uint64_t pc)
{
    const uint8_t *h = (const uint8_t *)(uintptr_t)hdr;
    if (h[0] != 1) return 0;
    uint8_t ptr_enc = h[1], cnt_enc = h[2], tab_enc = h[3];
    rd r = { h + 4, h + 64, 0 };
    encoded(&r, ptr_enc, hdr);
    uint64_t count = encoded(&r, cnt_enc, hdr);
    if (r.bad || tab_enc != 0x3b || count == 0) return 0;   /* datarel|sdata4: what ld emits */
    const int32_t *tab = (const int32_t *)(const void *)r.p;
    uint64_t lo = 0, hi = count;
    while (lo < hi) {                                    /* last entry with start <= pc */
        uint64_t mid = (lo + hi) / 2;
        if (hdr + (uint64_t)(int64_t)tab[2 * mid] <= pc) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return 0;
    return hdr + (uint64_t)(int64_t)tab[2 * (lo - 1) + 1];
}

/* ---- CIE/FDE and the CFA program ------------------------------------------------------------- */

typedef struct row { int cfa_reg; int64_t cfa_off; int rbp_state; int64_t rbp_off; } row;
                     /* rbp_state: 0 same value, 1 saved at CFA+rbp_off, 2 unknown */

typedef struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_enc;
    int has_z, signal;
    const uint8_t *insns, *end;
} cie;

static int parse_cie(const uint8_t *p, cie *c)
{
    uint64_t len = *(const uint32_t *)(const void *)p;
    p += 4;
    if (len == 0xffffffff) return -1;
    rd r = { p, p + len, 0 };
    if (fixed(&r, 4) != 0) return -1;                   /* CIE id */
    uint8_t version = (uint8_t)fixed(&r, 1);
    const char *aug = (const char *)r.p;
    size_t alen = strnlen(aug, 16);
    if (alen == 16) return -1;
    r.p += alen + 1;
    c->code_align = uleb(&r);
    c->data_align = sleb(&r);
    if (version == 1) fixed(&r, 1);
    else uleb(&r);                                       /* return address register */
    c->fde_enc = 0;
    c->has_z = aug[0] == 'z';
    c->signal = 0;
    if (c->has_z) {
        uint64_t alen2 = uleb(&r);
        const uint8_t *aend = r.p + alen2;
        for (const char *a = aug + 1; *a; a++) {
            if (*a == 'R') c->fde_enc = (uint8_t)fixed(&r, 1);
            else if (*a == 'L') fixed(&r, 1);
            else if (*a == 'P') { uint8_t e = (uint8_t)fixed(&r, 1); encoded(&r, e & 0x7f, 0); }
            else if (*a == 'S') c->signal = 1;
            else if (*a == 'B') {}
            else return -1;
        }
        r.p = aend;
    } else if (aug[0]) {
        return -1;
    }
    if (r.bad) return -1;
    c->insns = r.p;
    c->end = p + len;
    return 0;
}

/* Runs a CFA program until the location passes `target`. Returns 0, or -1 on anything the
 * fast walk cannot use. */
static int run(const uint8_t *p, const uint8_t *end, const cie *c, uint64_t loc, uint64_t target,
               row *cur, const row *initial)
{
    row stack[STACK_DEPTH];
    int depth = 0;
    rd r = { p, end, 0 };
    while (r.p < r.end && !r.bad) {
        uint8_t op = *r.p++;
        uint8_t hi2 = op >> 6, low = op & 0x3f;
        uint64_t reg;
        int64_t off;
        if (hi2 == 1) {                                  /* advance_loc */
            loc += low * c->code_align;
            if (loc > target) return 0;
            continue;
        }
        if (hi2 == 2) {                                  /* offset */
            off = (int64_t)uleb(&r) * c->data_align;
            if (low == 6) { cur->rbp_state = 1; cur->rbp_off = off; }
            continue;
        }
        if (hi2 == 3) {                                  /* restore */
            if (low == 6) { cur->rbp_state = initial->rbp_state; cur->rbp_off = initial->rbp_off; }
            continue;
        }
        switch (op) {
        case 0x00: break;                                /* nop */
        case 0x01: return -1;                            /* set_loc: not emitted by GCC */
        case 0x02: loc += fixed(&r, 1) * c->code_align; if (loc > target) return 0; break;
        case 0x03: loc += fixed(&r, 2) * c->code_align; if (loc > target) return 0; break;
        case 0x04: loc += fixed(&r, 4) * c->code_align; if (loc > target) return 0; break;
        case 0x05:                                       /* offset_extended */
            reg = uleb(&r); off = (int64_t)uleb(&r) * c->data_align;
            if (reg == 6) { cur->rbp_state = 1; cur->rbp_off = off; }
            break;
        case 0x06:                                       /* restore_extended */
            reg = uleb(&r);
            if (reg == 6) { cur->rbp_state = initial->rbp_state; cur->rbp_off = initial->rbp_off; }
            break;
        case 0x07: case 0x08:                            /* undefined, same_value */
            reg = uleb(&r);
            if (reg == 6) cur->rbp_state = op == 0x08 ? 0 : 2;
            break;
        case 0x09:                                       /* register */
            reg = uleb(&r); uleb(&r);
            if (reg == 6) cur->rbp_state = 2;
            break;
        case 0x0a:                                       /* remember_state */
            if (depth == STACK_DEPTH) return -1;
            stack[depth++] = *cur;
            break;
        case 0x0b:                                       /* restore_state */
            if (depth == 0) return -1;
            *cur = stack[--depth];
            break;
        case 0x0c: cur->cfa_reg = (int)uleb(&r); cur->cfa_off = (int64_t)uleb(&r); break;
        case 0x0d: cur->cfa_reg = (int)uleb(&r); break;
        case 0x0e: cur->cfa_off = (int64_t)uleb(&r); break;
        case 0x0f: return -1;                            /* def_cfa_expression */
        case 0x10:                                       /* expression */
            reg = uleb(&r);
            { uint64_t n = uleb(&r); r.p += n; }
            if (reg == 6) cur->rbp_state = 2;
            break;
        case 0x11:                                       /* offset_extended_sf */
            reg = uleb(&r); off = sleb(&r) * c->data_align;
            if (reg == 6) { cur->rbp_state = 1; cur->rbp_off = off; }
            break;
        case 0x12: cur->cfa_reg = (int)uleb(&r); cur->cfa_off = sleb(&r) * c->data_align; break;
        case 0x13: cur->cfa_off = sleb(&r) * c->data_align; break;
        case 0x14: case 0x15:                            /* val_offset(_sf) */
            reg = uleb(&r);
            if (op == 0x14) uleb(&r); else sleb(&r);
            if (reg == 6) cur->rbp_state = 2;
            break;
        case 0x16:                                       /* val_expression */
            reg = uleb(&r);
            { uint64_t n = uleb(&r); r.p += n; }
            if (reg == 6) cur->rbp_state = 2;
            break;
        case 0x2e: uleb(&r); break;                      /* GNU_args_size */
        case 0x2f:                                       /* GNU_negative_offset_extended */
            reg = uleb(&r); off = -(int64_t)uleb(&r) * c->data_align;
            if (reg == 6) { cur->rbp_state = 1; cur->rbp_off = off; }
            break;
        default:
            return -1;
        }
    }
    return r.bad ? -1 : 0;
}

int md_cfi_rule_at(uint64_t pc, md_cfi_rule *out)
{
    uint64_t target = pc - 1;                            /* the call instruction */
    const mod *m = find_mod(target, 1);
    if (!m) return -1;
    uint64_t fde = find_fde(m->hdr, target);
    if (!fde) return -1;
    const uint8_t *p = (const uint8_t *)(uintptr_t)fde;
    uint64_t len = *(const uint32_t *)(const void *)p;
    if (len == 0 || len == 0xffffffff) return -1;
    const uint8_t *fend = p + 4 + len;
    uint32_t cie_off = *(const uint32_t *)(const void *)(p + 4);
    if (cie_off == 0) return -1;
    cie c;
    if (parse_cie(p + 4 - cie_off, &c) < 0 || c.signal) return -1;
    rd r = { p + 8, fend, 0 };
    uint64_t begin = encoded(&r, c.fde_enc, 0);
    uint64_t range = encoded(&r, c.fde_enc & 0x0f, 0);
    if (r.bad || target < begin || target >= begin + range) return -1;
    if (c.has_z) { uint64_t n = uleb(&r); r.p += n; }
    row initial = { 7, 8, 0, 0 };
    if (run(c.insns, c.end, &c, begin, UINT64_MAX, &initial, &initial) < 0) return -1;
    row cur = initial;
    if (run(r.p, fend, &c, begin, target, &cur, &initial) < 0) return -1;
    if (cur.rbp_state == 2) return -1;
    out->cfa_reg = cur.cfa_reg;
    out->cfa_off = cur.cfa_off;
    out->rbp_saved = cur.rbp_state == 1;
    out->rbp_off = cur.rbp_off;
    return (cur.cfa_reg == 7 || cur.cfa_reg == 6) ? 0 : -1;
}
