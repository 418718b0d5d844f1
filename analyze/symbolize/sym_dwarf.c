/* sym_dwarf.c — a module's DWARF: which compilation unit holds an address, and the frames there.
 *
 * Opening reads only the unit headers and each unit DIE's address ranges into one sorted table;
 * units are indexed (sym_dwarf_cu.c) the first time a lookup lands in them, so symbolizing a few
 * hundred allocation sites in a 20 MB libpython touches a few dozen units, not all of them. A
 * unit that states no ranges at all is indexed at once and its extent derived from its functions
 * and line sequences. Ranges may overlap (a unit's ranges can cover padding another unit claims),
 * so lookups try every unit containing the address, innermost start first, until one knows it.
 *
 * A lookup inside a unit: the innermost function range containing the address, then down its
 * inline tree (scopes are in pre-order with subtree ends, so non-matching subtrees are skipped
 * whole), then the line-table row. The chain of scopes turns into frames innermost first: the
 * innermost frame's location is the row's, every outer frame's is the call site recorded on the
 * inlined instance inside it (DW_AT_call_file/line/column).
 *
 * libdwarf is given an error handler and an error pointer on every call, so it reports instead of
 * aborting; every error is counted (the module warns once) and the affected data left out.
 */
#include "sym_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libdwarf calls this only where a call site passed no error pointer; we always pass one, so it
 * is a safety net that keeps libdwarf from aborting the analyzer. */
static void on_dwarf_error(Dwarf_Error err, Dwarf_Ptr arg)
{
    (void)err;
    (void)arg;
}

long sym_ranges_upper(const sym_range *r, size_t n, uint64_t addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].lo <= addr) lo = mid + 1; else hi = mid;
    }
    return (long)lo - 1;
}

static int cmp_range(const void *pa, const void *pb)
{
    const sym_range *a = pa, *b = pb;
    if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi) return a->hi > b->hi ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int push_unit_range(sym_dwarf *d, uint32_t *n, uint32_t *cap, sym_range r)
{
    sym_range *nv = sym_grow(d->cu_ranges, cap, *n + 1, sizeof *nv);
    if (!nv) return -1;
    d->cu_ranges = nv;
    nv[(*n)++] = r;
    return 0;
}

/* A unit without stated ranges: index it now and use the extent of its code. */
static int derive_ranges(sym_dwarf *d, sym_cu *cu, uint32_t idx, uint32_t *n, uint32_t *cap)
{
    sym_cu_index(d, cu);
    for (uint32_t i = 0; i < cu->nfuncs; i++)
        if (push_unit_range(d, n, cap, (sym_range){ cu->funcs[i].lo, cu->funcs[i].hi, idx }) < 0)
            return -1;
    const sym_line *rows = cu->lines.rows;
    for (size_t i = 0, start = 0; i < cu->lines.nrows; i++) {
        if (!rows[i].end) continue;
        if (push_unit_range(d, n, cap, (sym_range){ rows[start].addr, rows[i].addr, idx }) < 0)
            return -1;
        start = i + 1;
    }
    return 0;
}

/* Records the .debug_rnglists tables, which libdwarf loads with the first unit header
 * (sym_preflight.c checked their headers first, so that is safe). They are listed through the
 * context accessor because this libdwarf's dwarf_load_rnglists reloads them on every call and
 * leaks the previous list. Returns -2 when out of memory. */
static int read_rnglist_tables(sym_dwarf *d)
{
    uint32_t cap = 0, n = 0;
    for (;;) {
        Dwarf_Unsigned header = 0, nentries = 0, offsets = 0, first = 0, end = 0;
        Dwarf_Small offset_size = 0, ext_size = 0, addr_size = 0, seg_size = 0;
        unsigned version = 0;
        Dwarf_Error err = NULL;
        int res = dwarf_get_rnglist_context_basics(d->dbg, n, &header, &offset_size, &ext_size,
                                                   &version, &addr_size, &seg_size, &nentries,
                                                   &offsets, &first, &end, &err);
        if (res != DW_DLV_OK) {
            if (err) { dwarf_dealloc_error(d->dbg, err); d->errors++; }
            break;
        }
        sym_rnglist_table *nt = sym_grow(d->rtabs, &cap, n + 1, sizeof *nt);
        if (!nt) return -2;
        d->rtabs = nt;
        nt[n++] = (sym_rnglist_table){ header, offsets, first, end, nentries };
        d->nrtabs = n;
    }
    return 0;
}

/* Reads every unit header of .debug_info. Returns 0, -1 on a DWARF error (units read so far are
 * kept), -2 when out of memory. */
static int read_units(sym_dwarf *d)
{
    uint32_t ncus = 0, capcus = 0, nr = 0, capr = 0;
    int rc = 0;
    for (;;) {
        Dwarf_Unsigned hdr_len = 0, typeoff = 0, next = 0;
        Dwarf_Half version = 0, addr_size = 0, len_size = 0, ext_size = 0, unit_type = 0;
        Dwarf_Off abbrev = 0;
        Dwarf_Sig8 sig;
        Dwarf_Error err = NULL;
        int res = dwarf_next_cu_header_d(d->dbg, 1, &hdr_len, &version, &abbrev, &addr_size,
                                         &len_size, &ext_size, &sig, &typeoff, &next, &unit_type,
                                         &err);
        if (res == DW_DLV_NO_ENTRY) break;
        if (res == DW_DLV_ERROR) {    /* the iteration cannot resume past a bad header */
            if (err) dwarf_dealloc_error(d->dbg, err);
            d->errors++;
            rc = -1;
            break;
        }
        if (ncus == 0 && read_rnglist_tables(d) < 0) { rc = -2; break; }
        Dwarf_Die cu_die = NULL;
        res = dwarf_siblingof_b(d->dbg, NULL, 1, &cu_die, &err);
        if (res != DW_DLV_OK) {
            if (err) dwarf_dealloc_error(d->dbg, err);
            d->errors++;
            continue;
        }
        Dwarf_Off off = 0;
        Dwarf_Addr low = 0;
        sym_cu *ncu = NULL;
        if (dwarf_dieoffset(cu_die, &off, &err) != DW_DLV_OK ||
            !(ncu = sym_grow(d->cus, &capcus, ncus + 1, sizeof *ncu))) {
            if (err) { dwarf_dealloc_error(d->dbg, err); d->errors++; rc = -1; }
            else rc = -2;
            dwarf_dealloc_die(cu_die);
            break;
        }
        d->cus = ncu;
        if (dwarf_lowpc(cu_die, &low, &err) != DW_DLV_OK) {
            if (err) { dwarf_dealloc_error(d->dbg, err); err = NULL; }
            low = 0;
        }
        sym_cu *cu = &d->cus[ncus];
        memset(cu, 0, sizeof *cu);
        cu->die = off;
        cu->version = version;
        cu->base = low;
        Dwarf_Attribute rb = NULL;
        if (dwarf_attr(cu_die, DW_AT_rnglists_base, &rb, &err) == DW_DLV_OK) {
            Dwarf_Off v = 0;
            if (dwarf_global_formref(rb, &v, &err) == DW_DLV_OK) {
                cu->rnglists_base = v;
                cu->has_rnglists_base = 1;
            }
            dwarf_dealloc_attribute(rb);
        }
        if (err) { dwarf_dealloc_error(d->dbg, err); err = NULL; }
        d->ncus = ++ncus;
        Dwarf_Bool has_low = 0, has_ranges = 0;
        if (dwarf_hasattr(cu_die, DW_AT_low_pc, &has_low, &err) != DW_DLV_OK ||
            dwarf_hasattr(cu_die, DW_AT_ranges, &has_ranges, &err) != DW_DLV_OK) {
            if (err) { dwarf_dealloc_error(d->dbg, err); err = NULL; }
            d->errors++;
        }
        int got = has_low || has_ranges
                      ? sym_die_ranges(d, cu, cu_die, &d->cu_ranges, &nr, &capr, ncus - 1)
                      : 0;
        dwarf_dealloc_die(cu_die);
        if (got == -2) { rc = -2; break; }
        if (!has_low && !has_ranges && derive_ranges(d, cu, ncus - 1, &nr, &capr) < 0) {
            rc = -2;
            break;
        }
    }
    d->ncu_ranges = nr;
    if (nr > 0) {
        qsort(d->cu_ranges, nr, sizeof *d->cu_ranges, cmp_range);
        d->cu_maxhi = malloc(nr * sizeof *d->cu_maxhi);
        if (!d->cu_maxhi) { d->ncu_ranges = 0; return -2; }
        uint64_t m = 0;
        for (uint32_t i = 0; i < nr; i++) {
            if (d->cu_ranges[i].hi > m) m = d->cu_ranges[i].hi;
            d->cu_maxhi[i] = m;
        }
    }
    return rc;
}

sym_dwarf *sym_dwarf_open(const char *path, sym_strings *strs, sym_demangler *dem,
                          const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    if (sym_dwarf_preflight(path, why) < 0) return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { *why = "cannot open"; return NULL; }
    sym_dwarf *d = calloc(1, sizeof *d);
    if (!d) { close(fd); *why = "out of memory"; return NULL; }
    d->fd = fd;
    d->strs = strs;
    d->dem = dem;
    Dwarf_Error err = NULL;
    int res = dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, on_dwarf_error, NULL, &d->dbg, &err);
    if (res != DW_DLV_OK) {
        *why = res == DW_DLV_NO_ENTRY ? "no DWARF" : "unreadable DWARF";
        if (err) dwarf_dealloc_error(NULL, err);
        close(fd);
        free(d);
        return NULL;
    }
    if (read_units(d) == -2) {
        *why = "out of memory";
        sym_dwarf_close(d);
        return NULL;
    }
    return d;
}

void sym_dwarf_close(sym_dwarf *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->ncus; i++) sym_cu_free(&d->cus[i]);
    free(d->cus);
    free(d->cu_ranges);
    free(d->cu_maxhi);
    free(d->rtabs);
    if (d->dbg) {
        Dwarf_Error err = NULL;
        if (dwarf_finish(d->dbg, &err) != DW_DLV_OK && err) dwarf_dealloc_error(NULL, err);
    }
    close(d->fd);
    free(d);
}

static int scope_contains(const sym_cu *cu, const sym_scope *s, uint64_t addr)
{
    for (uint32_t k = 0; k < s->nrng; k++) {
        const sym_range *r = &cu->scope_ranges[s->rng + k];
        if (addr >= r->lo && addr < r->hi) return 1;
    }
    return 0;
}

static const char *file_name(const sym_cu *cu, uint32_t file)
{
    return file < cu->lines.nfiles ? cu->lines.files[file] : NULL;
}

static size_t lookup_unit(sym_dwarf *d, sym_cu *cu, uint64_t addr, md_sym_frame *out, size_t max)
{
    uint32_t chain[MD_SYM_MAX_FRAMES];
    size_t depth = 0;
    long f = -1;
    for (long i = sym_ranges_upper(cu->funcs, cu->nfuncs, addr); i >= 0 && cu->funcs_maxhi[i] > addr; i--)
        if (addr < cu->funcs[i].hi) { f = cu->funcs[i].idx; break; }
    const sym_line *row = sym_lines_find(&cu->lines, addr);
    if (f < 0 && !row) return 0;
    if (f >= 0) {
        chain[depth++] = (uint32_t)f;
        uint32_t j = (uint32_t)f + 1, bound = cu->scopes[f].end;
        while (j < bound && j < cu->nscopes && depth < MD_SYM_MAX_FRAMES) {
            const sym_scope *s = &cu->scopes[j];
            uint32_t next = s->end > j ? s->end : j + 1;
            if (s->inlined && scope_contains(cu, s, addr)) {
                chain[depth++] = j;
                bound = next;
                j++;
            } else {
                j = next;                 /* not here, or a nested function: skip the subtree */
            }
        }
    }
    size_t n = depth ? depth : 1;
    if (n > max) n = max;
    for (size_t k = 0; k < n; k++) {
        md_sym_frame *fr = &out[k];
        memset(fr, 0, sizeof *fr);
        if (depth) {
            sym_scope *s = &cu->scopes[chain[depth - 1 - k]];
            fr->function = sym_scope_name(d, s);
            fr->inlined = s->inlined;
        }
        if (k == 0) {
            if (row) {
                fr->file = file_name(cu, row->file);
                fr->line = row->line;
                fr->column = row->column;
            }
        } else {
            const sym_scope *inner = &cu->scopes[chain[depth - k]];
            fr->file = file_name(cu, inner->call_file);
            fr->line = inner->call_line;
            fr->column = inner->call_column;
        }
    }
    return n;
}

size_t sym_dwarf_lookup(sym_dwarf *d, uint64_t addr, md_sym_frame *out, size_t max)
{
    if (max == 0) return 0;
    for (long i = sym_ranges_upper(d->cu_ranges, d->ncu_ranges, addr);
         i >= 0 && d->cu_maxhi[i] > addr; i--) {
        const sym_range *r = &d->cu_ranges[i];
        if (addr >= r->hi) continue;
        sym_cu *cu = &d->cus[r->idx];
        if (cu->state == 0) sym_cu_index(d, cu);
        size_t n = lookup_unit(d, cu, addr, out, max);
        if (n) return n;
    }
    return 0;
}
