/* sym_dwarf_cu.c — indexing one compilation unit: which code belongs to which function, inlined
 * where, and what each is called.
 *
 * The unit's DIE tree is walked once, iteratively (an explicit stack of levels, capped in depth:
 * a hostile file cannot overflow ours), descending only where concrete code can be: namespaces,
 * functions, inlined subroutines, lexical blocks. Every DW_TAG_subprogram and
 * DW_TAG_inlined_subroutine that owns addresses becomes a "scope", stored in pre-order with the
 * index one past its subtree (end), so the scopes nested in a function are a contiguous run and a
 * lookup can descend by skipping whole subtrees that do not contain the address. A scope's ranges
 * come from DW_AT_low_pc/DW_AT_high_pc (high as address or, DWARF 4+, as length) or DW_AT_ranges
 * (.debug_ranges up to DWARF 4, .debug_rnglists in 5, including the indexed forms clang emits).
 *
 * Names are not read during the walk — most functions are never asked about. A scope keeps its
 * DIE offset; sym_scope_name() follows DW_AT_abstract_origin / DW_AT_specification (an inlined
 * instance points at the abstract function, a C++ out-of-line definition at its declaration) to
 * the linkage name, demangled, or else the plain DW_AT_name, and caches the answer. A linkage
 * name that does not demangle is an assembler label (glibc's "__GI___getcwd" for __getcwd), so
 * the source name wins over it. References into a different file (dwz's DW_FORM_GNU_ref_alt,
 * type signatures) are not followed: no name is better than a wrong one.
 */
#include "sym_internal.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 256, MAX_NAME_HOPS = 8 };

void *sym_grow(void *v, uint32_t *cap, uint32_t need, size_t sz)
{
    if (need <= *cap && v) return v;
    if (need > UINT32_MAX / 2) return NULL;
    uint32_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *nv = realloc(v, (size_t)c * sz);
    if (nv) *cap = c;
    return nv;
}

static void drop_error(sym_dwarf *d, Dwarf_Error *err)
{
    if (*err) {
        dwarf_dealloc_error(d->dbg, *err);
        *err = NULL;
    }
    d->errors++;
}

static int append_range(sym_range **v, uint32_t *n, uint32_t *cap, uint64_t lo, uint64_t hi,
                        uint32_t idx)
{
    if (lo == 0 || hi <= lo || lo >= UINT64_MAX - 1) return 0;   /* discarded or empty */
    sym_range *nv = sym_grow(*v, cap, *n + 1, sizeof *nv);
    if (!nv) return -2;
    *v = nv;
    nv[(*n)++] = (sym_range){ .lo = lo, .hi = hi, .idx = idx };
    return 1;
}

/* Whether libdwarf can safely follow this range-list reference: it reads the offset array entry
 * and the list itself without checking either against the table, so we locate the table the way
 * it will (by DW_AT_rnglists_base if the unit has one, else the table containing the offset) and
 * check that the list starts inside that table's lists. */
static int rnglist_ref_ok(sym_dwarf *d, const sym_cu *cu, Dwarf_Half form, Dwarf_Unsigned value)
{
    const sym_rnglist_table *t = NULL;
    for (size_t i = 0; i < d->nrtabs && !t; i++) {
        const sym_rnglist_table *c = &d->rtabs[i];
        if (cu->has_rnglists_base ? c->offsets == cu->rnglists_base
                                  : value >= c->header && value < c->end)
            t = c;
    }
    if (!t) return 0;
    Dwarf_Unsigned target = value;
    if (form == DW_FORM_rnglistx) {
        if (!cu->has_rnglists_base || value >= t->count) return 0;
        Dwarf_Unsigned rel = 0;
        Dwarf_Error err = NULL;
        int res = dwarf_get_rnglist_offset_index_value(d->dbg, (Dwarf_Unsigned)(t - d->rtabs),
                                                       value, &rel, &target, &err);
        if (res != DW_DLV_OK) {
            if (err) dwarf_dealloc_error(d->dbg, err);
            return 0;
        }
    }
    return target >= t->first && target < t->end;
}

/* DWARF 5 range lists (.debug_rnglists), DW_FORM_sec_offset or DW_FORM_rnglistx. */
static int rnglists(sym_dwarf *d, const sym_cu *cu, Dwarf_Attribute attr, Dwarf_Half form,
                    sym_range **v, uint32_t *n, uint32_t *cap, uint32_t idx)
{
    Dwarf_Error err = NULL;
    Dwarf_Unsigned value = 0, count = 0, global_off = 0;
    int res = form == DW_FORM_rnglistx ? dwarf_formudata(attr, &value, &err)
                                       : dwarf_global_formref(attr, &value, &err);
    if (res != DW_DLV_OK) { drop_error(d, &err); return -1; }
    if (!rnglist_ref_ok(d, cu, form, value)) { d->errors++; return -1; }
    Dwarf_Rnglists_Head head = NULL;
    res = dwarf_rnglists_get_rle_head(attr, form, value, &head, &count, &global_off, &err);
    if (res != DW_DLV_OK) { drop_error(d, &err); return -1; }
    int added = 0;
    for (Dwarf_Unsigned i = 0; i < count; i++) {
        unsigned len = 0, code = 0;
        Dwarf_Unsigned raw1 = 0, raw2 = 0, lo = 0, hi = 0;
        Dwarf_Bool unavailable = 0;
        res = dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &raw1, &raw2, &unavailable,
                                                &lo, &hi, &err);
        if (res != DW_DLV_OK) { drop_error(d, &err); break; }
        if (unavailable) continue;
        if (code == DW_RLE_offset_pair || code == DW_RLE_start_end || code == DW_RLE_start_length ||
            code == DW_RLE_startx_endx || code == DW_RLE_startx_length) {
            int r = append_range(v, n, cap, lo, hi, idx);
            if (r < 0) { added = r; break; }
            added += r;
        } else if (code == DW_RLE_end_of_list) {
            break;
        }
    }
    dwarf_dealloc_rnglists_head(head);
    return added;
}

/* DWARF 2-4 range lists (.debug_ranges): entries are offsets from the unit's base address,
 * which a base-address-selection entry may change. */
static int ranges(sym_dwarf *d, sym_cu *cu, Dwarf_Die die, Dwarf_Attribute attr, sym_range **v,
                  uint32_t *n, uint32_t *cap, uint32_t idx)
{
    Dwarf_Error err = NULL;
    Dwarf_Off off = 0, real = 0;
    if (dwarf_global_formref(attr, &off, &err) != DW_DLV_OK) {
        Dwarf_Unsigned u = 0;
        if (err) { dwarf_dealloc_error(d->dbg, err); err = NULL; }
        if (dwarf_formudata(attr, &u, &err) != DW_DLV_OK) { drop_error(d, &err); return -1; }
        off = u;
    }
    Dwarf_Ranges *r = NULL;
    Dwarf_Signed count = 0;
    Dwarf_Unsigned bytes = 0;
    if (dwarf_get_ranges_b(d->dbg, off, die, &real, &r, &count, &bytes, &err) != DW_DLV_OK) {
        drop_error(d, &err);
        return -1;
    }
    uint64_t base = cu->base;
    int added = 0;
    for (Dwarf_Signed i = 0; i < count; i++) {
        if (r[i].dwr_type == DW_RANGES_END) break;
        if (r[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) { base = r[i].dwr_addr2; continue; }
        int a = append_range(v, n, cap, base + r[i].dwr_addr1, base + r[i].dwr_addr2, idx);
        if (a < 0) { added = a; break; }
        added += a;
    }
    dwarf_ranges_dealloc(d->dbg, r, count);
    return added;
}

int sym_die_ranges(sym_dwarf *d, sym_cu *cu, Dwarf_Die die, sym_range **v, uint32_t *n,
                   uint32_t *cap, uint32_t idx)
{
    Dwarf_Error err = NULL;
    Dwarf_Addr low = 0, high = 0;
    int res = dwarf_lowpc(die, &low, &err);
    if (res == DW_DLV_ERROR) { drop_error(d, &err); return -1; }
    if (res == DW_DLV_OK) {
        Dwarf_Half form = 0;
        enum Dwarf_Form_Class cls = DW_FORM_CLASS_UNKNOWN;
        res = dwarf_highpc_b(die, &high, &form, &cls, &err);
        if (res == DW_DLV_ERROR) { drop_error(d, &err); return -1; }
        if (res == DW_DLV_OK) {
            if (cls == DW_FORM_CLASS_CONSTANT) high = low + high < low ? UINT64_MAX : low + high;
            return append_range(v, n, cap, low, high, idx);
        }
    }
    Dwarf_Attribute attr = NULL;
    res = dwarf_attr(die, DW_AT_ranges, &attr, &err);
    if (res == DW_DLV_NO_ENTRY) return 0;
    if (res == DW_DLV_ERROR) { drop_error(d, &err); return -1; }
    Dwarf_Half form = 0;
    int added;
    if (dwarf_whatform(attr, &form, &err) != DW_DLV_OK) { drop_error(d, &err); added = -1; }
    else if (cu->version >= 5 || form == DW_FORM_rnglistx) added = rnglists(d, cu, attr, form, v, n, cap, idx);
    else added = ranges(d, cu, die, attr, v, n, cap, idx);
    dwarf_dealloc_attribute(attr);
    return added;
}

static uint32_t udata_attr(sym_dwarf *d, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Error err = NULL;
    Dwarf_Attribute attr = NULL;
    Dwarf_Unsigned u = 0;
    int res = dwarf_attr(die, at, &attr, &err);
    if (res != DW_DLV_OK) {
        if (res == DW_DLV_ERROR) drop_error(d, &err);
        return 0;
    }
    if (dwarf_formudata(attr, &u, &err) != DW_DLV_OK) {
        /* This libdwarf's formudata rejects DW_FORM_implicit_const, which gcc uses for
         * DW_AT_call_file in DWARF 5; formsdata reads it. */
        Dwarf_Signed sv = 0;
        if (err) { dwarf_dealloc_error(d->dbg, err); err = NULL; }
        if (dwarf_formsdata(attr, &sv, &err) != DW_DLV_OK || sv < 0) {
            if (err) drop_error(d, &err);
            sv = 0;
        }
        u = (Dwarf_Unsigned)sv;
    }
    dwarf_dealloc_attribute(attr);
    return u > UINT32_MAX ? 0 : (uint32_t)u;
}

/* Makes a scope of a function or inlined-subroutine DIE if it owns code. Returns its index, -1
 * if it owns none, -2 when out of memory. */
static long add_scope(sym_dwarf *d, sym_cu *cu, Dwarf_Die die, int inlined, uint32_t *cap_scopes,
                      uint32_t *cap_ranges)
{
    uint32_t idx = cu->nscopes, first = cu->nscope_ranges;
    int n = sym_die_ranges(d, cu, die, &cu->scope_ranges, &cu->nscope_ranges, cap_ranges, idx);
    if (n <= 0) return n == -2 ? -2 : -1;
    sym_scope *ns = sym_grow(cu->scopes, cap_scopes, idx + 1, sizeof *ns);
    if (!ns) return -2;
    cu->scopes = ns;
    Dwarf_Error err = NULL;
    Dwarf_Off off = 0;
    if (dwarf_dieoffset(die, &off, &err) != DW_DLV_OK) drop_error(d, &err);
    sym_scope *s = &cu->scopes[idx];
    memset(s, 0, sizeof *s);
    s->die = off;
    s->end = idx + 1;
    s->rng = first;
    s->nrng = cu->nscope_ranges - first;
    s->inlined = (uint8_t)inlined;
    if (inlined) {
        s->call_file = udata_attr(d, die, DW_AT_call_file);
        s->call_line = udata_attr(d, die, DW_AT_call_line);
        s->call_column = udata_attr(d, die, DW_AT_call_column);
    }
    cu->nscopes = idx + 1;
    return idx;
}

/* Whether the walk looks inside a DIE of this tag (scope: it became a scope). */
static int descend(Dwarf_Half tag, long scope)
{
    switch (tag) {
    case DW_TAG_subprogram:
    case DW_TAG_inlined_subroutine:
        return scope >= 0;
    case DW_TAG_namespace:
    case DW_TAG_module:
    case DW_TAG_lexical_block:
    case DW_TAG_try_block:
    case DW_TAG_catch_block:
    case DW_TAG_with_stmt:
        return 1;
    default:
        return 0;
    }
}

/* The pre-order walk. Returns 0, -1 on a DWARF error (what was read is kept), -2 out of memory.
 * DIEs are stored in pre-order, so every DIE the walk reaches lies after the one before it; a
 * damaged DW_AT_sibling pointing backwards (which libdwarf follows) would loop forever, so each
 * new DIE's offset must exceed the last — which also bounds the walk by the section size. */
static int walk(sym_dwarf *d, sym_cu *cu, Dwarf_Die cu_die)
{
    struct level { Dwarf_Die die; long scope; } stack[MAX_DEPTH];
    uint32_t cap_scopes = 0, cap_ranges = 0;
    Dwarf_Error err = NULL;
    Dwarf_Die first = NULL;
    int res = dwarf_child(cu_die, &first, &err);
    if (res == DW_DLV_NO_ENTRY) return 0;
    if (res == DW_DLV_ERROR) { drop_error(d, &err); return -1; }
    int depth = 0, rc = 0;
    Dwarf_Off last = 0;
    if (dwarf_dieoffset(cu_die, &last, &err) != DW_DLV_OK) { drop_error(d, &err); rc = -1; }
    stack[0] = (struct level){ first, -1 };
    while (depth >= 0) {
        struct level *L = &stack[depth];
        Dwarf_Die die = L->die;
        Dwarf_Half tag = 0;
        long scope = -1;
        Dwarf_Off off = 0;
        if (rc == 0 && dwarf_dieoffset(die, &off, &err) != DW_DLV_OK) { drop_error(d, &err); rc = -1; }
        if (rc == 0 && off <= last) { d->errors++; rc = -1; }     /* going backwards: damaged */
        last = off;
        if (rc == 0 && dwarf_tag(die, &tag, &err) != DW_DLV_OK) { drop_error(d, &err); rc = -1; }
        if (rc == 0 && (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)) {
            scope = add_scope(d, cu, die, tag == DW_TAG_inlined_subroutine, &cap_scopes, &cap_ranges);
            if (scope == -2) rc = -2;
        }
        L->scope = scope;
        if (rc == 0 && descend(tag, scope) && depth + 1 < MAX_DEPTH) {
            Dwarf_Die child = NULL;
            res = dwarf_child(die, &child, &err);
            if (res == DW_DLV_ERROR) { drop_error(d, &err); rc = -1; }
            if (res == DW_DLV_OK) {
                stack[++depth] = (struct level){ child, -1 };
                continue;
            }
        }
        /* Done with this DIE and its subtree: close it, move to its sibling, or pop up a level
         * (closing the parent too) until a sibling is found. */
        for (;;) {
            L = &stack[depth];
            if (L->scope >= 0) cu->scopes[L->scope].end = cu->nscopes;
            Dwarf_Die sib = NULL;
            res = rc == 0 ? dwarf_siblingof_b(d->dbg, L->die, 1, &sib, &err) : DW_DLV_NO_ENTRY;
            if (res == DW_DLV_ERROR) { drop_error(d, &err); rc = -1; }
            dwarf_dealloc_die(L->die);
            if (res == DW_DLV_OK) {
                L->die = sib;
                L->scope = -1;
                break;
            }
            if (--depth < 0) break;
        }
    }
    return rc;
}

static int cmp_range(const void *pa, const void *pb)
{
    const sym_range *a = pa, *b = pb;
    if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi) return a->hi > b->hi ? -1 : 1;   /* outer before inner */
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sorted ranges of the unit's functions (not inlined instances), with prefix maxima of hi. */
static int index_functions(sym_cu *cu)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < cu->nscopes; i++)
        if (!cu->scopes[i].inlined) n += cu->scopes[i].nrng;
    if (n == 0) return 0;
    cu->funcs = malloc((size_t)n * sizeof *cu->funcs);
    cu->funcs_maxhi = malloc((size_t)n * sizeof *cu->funcs_maxhi);
    if (!cu->funcs || !cu->funcs_maxhi) return -2;
    for (uint32_t i = 0; i < cu->nscopes; i++) {
        const sym_scope *s = &cu->scopes[i];
        if (s->inlined) continue;
        for (uint32_t k = 0; k < s->nrng; k++) {
            sym_range r = cu->scope_ranges[s->rng + k];
            r.idx = i;
            cu->funcs[cu->nfuncs++] = r;
        }
    }
    qsort(cu->funcs, cu->nfuncs, sizeof *cu->funcs, cmp_range);
    uint64_t m = 0;
    for (uint32_t i = 0; i < cu->nfuncs; i++) {
        if (cu->funcs[i].hi > m) m = cu->funcs[i].hi;
        cu->funcs_maxhi[i] = m;
    }
    return 0;
}

void sym_cu_index(sym_dwarf *d, sym_cu *cu)
{
    Dwarf_Die cu_die = NULL;
    Dwarf_Error err = NULL;
    cu->state = -1;
    if (dwarf_offdie_b(d->dbg, cu->die, 1, &cu_die, &err) != DW_DLV_OK) {
        drop_error(d, &err);
        return;
    }
    int rc = 0;
    int lr = sym_lines_load(&cu->lines, d->dbg, cu_die, d->strs);
    if (lr < 0) {
        if (lr == -1) d->errors++;
        rc = -1;
    }
    if (walk(d, cu, cu_die) < 0) rc = -1;
    if (index_functions(cu) < 0) rc = -1;
    dwarf_dealloc_die(cu_die);
    cu->state = rc == 0 ? 1 : -1;
}

/* Follows one reference attribute to a DIE offset in this file. */
static int follow(sym_dwarf *d, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *off)
{
    Dwarf_Error err = NULL;
    Dwarf_Attribute attr = NULL;
    int res = dwarf_attr(die, at, &attr, &err);
    if (res != DW_DLV_OK) {
        if (res == DW_DLV_ERROR) drop_error(d, &err);
        return 0;
    }
    Dwarf_Half form = 0;
    int ok = dwarf_whatform(attr, &form, &err) == DW_DLV_OK && form != DW_FORM_GNU_ref_alt &&
             form != DW_FORM_ref_sig8 && dwarf_global_formref(attr, off, &err) == DW_DLV_OK;
    if (!ok && err) drop_error(d, &err);
    dwarf_dealloc_attribute(attr);
    return ok;
}

static const char *die_string(sym_dwarf *d, Dwarf_Die die, Dwarf_Half at)
{
    Dwarf_Error err = NULL;
    char *s = NULL;
    int res = dwarf_die_text(die, at, &s, &err);
    if (res == DW_DLV_ERROR) drop_error(d, &err);
    return res == DW_DLV_OK && s && s[0] ? sym_intern(d->strs, s) : NULL;
}

const char *sym_scope_name(sym_dwarf *d, sym_scope *s)
{
    if (s->named) return s->name;
    s->named = 1;
    const char *plain = NULL, *linkage = NULL;
    Dwarf_Off off = s->die;
    for (int hop = 0; hop < MAX_NAME_HOPS && !linkage; hop++) {
        Dwarf_Die die = NULL;
        Dwarf_Error err = NULL;
        if (dwarf_offdie_b(d->dbg, off, 1, &die, &err) != DW_DLV_OK) { drop_error(d, &err); break; }
        linkage = die_string(d, die, DW_AT_linkage_name);
        if (!linkage) linkage = die_string(d, die, DW_AT_MIPS_linkage_name);
        if (!plain) plain = die_string(d, die, DW_AT_name);
        int more = follow(d, die, DW_AT_abstract_origin, &off) ||
                   follow(d, die, DW_AT_specification, &off);
        dwarf_dealloc_die(die);
        if (!more) break;
    }
    if (linkage) {
        const char *dm = sym_demangle(d->dem, d->strs, linkage, 0);
        s->name = dm != linkage ? dm : plain ? plain : linkage;
    } else {
        s->name = plain;
    }
    return s->name;
}

void sym_cu_free(sym_cu *cu)
{
    free(cu->scopes);
    free(cu->scope_ranges);
    free(cu->funcs);
    free(cu->funcs_maxhi);
    sym_lines_free(&cu->lines);
}
