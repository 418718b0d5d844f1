/* sym_lines.c — one compilation unit's line table, as a sorted array.
 *
 * libdwarf runs the line-number program and hands back rows; we keep (address, file, line,
 * column) and the end-of-sequence markers. A unit's sequences are kept whole and ordered by start
 * address, so the array is sorted and, where one sequence ends exactly where the next begins, the
 * end marker comes first: "the last row at or below the address" is then the row that describes
 * it, and landing on an end marker means the address is in no sequence. Among several rows at the
 * same address the last one is taken, like binutils' addr2line.
 *
 * Sequences starting at address 0 describe code the linker discarded (its relocations resolved to
 * 0) and would shadow real code in a PIE; they are dropped, as are sequences that go backwards or
 * never end — a corrupt table loses those rows, never misattributes addresses.
 *
 * File names are built here from the table header rather than with dwarf_srcfiles, which in this
 * libdwarf follows a directory index without checking it (fuzzing crashed it): each file's
 * directory index is checked against the directory count, a relative directory is joined to the
 * compilation directory, and the name to its directory — the same full paths addr2line prints.
 * Numbering differs by version: from DWARF 5, files and directories count from 0 (directory 0 is
 * the compilation directory itself); before, from 1, with directory 0 meaning the compilation
 * directory.
 */
#include "sym_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct seq { uint64_t start; size_t first, count; } seq;

static int cmp_seq(const void *pa, const void *pb)
{
    const seq *a = pa, *b = pb;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/* Reads the rows of the table, keeping only well-formed sequences, in file order. */
static int read_rows(Dwarf_Debug dbg, Dwarf_Line *lines, Dwarf_Signed n, sym_line *rows,
                     size_t *nrows, seq *seqs, size_t *nseqs)
{
    Dwarf_Error err = NULL;
    size_t k = 0, ns = 0, start = 0;
    int bad = 0, rc = 0;
    for (Dwarf_Signed i = 0; i < n; i++) {
        Dwarf_Addr addr = 0;
        Dwarf_Unsigned line = 0, file = 0, col = 0;
        Dwarf_Bool end = 0;
        if (dwarf_lineaddr(lines[i], &addr, &err) != DW_DLV_OK ||
            dwarf_lineno(lines[i], &line, &err) != DW_DLV_OK ||
            dwarf_line_srcfileno(lines[i], &file, &err) != DW_DLV_OK ||
            dwarf_lineendsequence(lines[i], &end, &err) != DW_DLV_OK) {
            if (err) { dwarf_dealloc_error(dbg, err); err = NULL; }
            rc = -1;
            break;
        }
        if (dwarf_lineoff_b(lines[i], &col, &err) != DW_DLV_OK) {
            if (err) { dwarf_dealloc_error(dbg, err); err = NULL; }
            col = 0;
        }
        if (k == start && addr == 0) bad = 1;              /* discarded code */
        if (k > start && addr < rows[k - 1].addr) bad = 1; /* goes backwards */
        rows[k++] = (sym_line){ .addr = addr, .file = file > UINT32_MAX ? UINT32_MAX : (uint32_t)file,
                                .line = line > UINT32_MAX ? 0 : (uint32_t)line,
                                .column = col > UINT32_MAX ? 0 : (uint32_t)col, .end = end ? 1 : 0 };
        if (end) {
            if (!bad && k - start > 1)
                seqs[ns++] = (seq){ .start = rows[start].addr, .first = start, .count = k - start };
            start = k;
            bad = 0;
        }
    }
    *nrows = k;
    *nseqs = ns;
    return rc;
}

static const char *join_path(sym_strings *t, const char *dir, const char *name)
{
    if (!name || !name[0]) return NULL;
    if (name[0] == '/' || !dir || !dir[0]) return sym_intern(t, name);
    size_t dl = strlen(dir);
    return sym_internf(t, "%s%s%s", dir, dir[dl - 1] == '/' ? "" : "/", name);
}

/* The directory with the given number, joined to the compilation directory if relative. */
static const char *directory(Dwarf_Line_Context ctx, Dwarf_Debug dbg, sym_strings *t,
                             const char *comp_dir, Dwarf_Signed ndirs, int v5, Dwarf_Unsigned i)
{
    if (!v5 && i == 0) return comp_dir;
    if (v5 ? i >= (Dwarf_Unsigned)ndirs : i > (Dwarf_Unsigned)ndirs) return NULL;
    const char *dir = NULL;
    Dwarf_Error err = NULL;
    if (dwarf_srclines_include_dir_data(ctx, (Dwarf_Signed)i, &dir, &err) != DW_DLV_OK) {
        if (err) dwarf_dealloc_error(dbg, err);
        return NULL;
    }
    return dir && dir[0] != '/' ? join_path(t, comp_dir, dir) : dir;
}

static int load_files(sym_lines *l, Dwarf_Line_Context ctx, Dwarf_Debug dbg, sym_strings *t)
{
    Dwarf_Error err = NULL;
    Dwarf_Signed base = 0, count = 0, end = 0, ndirs = 0;
    const char *comp_dir = NULL;
    if (dwarf_srclines_comp_dir(ctx, &comp_dir, &err) != DW_DLV_OK) {
        if (err) { dwarf_dealloc_error(dbg, err); err = NULL; }
        comp_dir = NULL;
    }
    if (dwarf_srclines_include_dir_count(ctx, &ndirs, &err) != DW_DLV_OK ||
        dwarf_srclines_files_indexes(ctx, &base, &count, &end, &err) != DW_DLV_OK) {
        if (err) dwarf_dealloc_error(dbg, err);
        return -1;
    }
    if (end <= 0 || base < 0 || base > end || end > 1000000) return 0;
    l->files = calloc((size_t)end, sizeof *l->files);
    if (!l->files) return -2;
    l->nfiles = (uint32_t)end;
    int v5 = l->version >= 5;
    for (Dwarf_Signed i = base; i < end; i++) {
        const char *name = NULL;
        Dwarf_Unsigned dir = 0, mtime = 0, length = 0;
        Dwarf_Form_Data16 *md5 = NULL;
        if (dwarf_srclines_files_data_b(ctx, i, &name, &dir, &mtime, &length, &md5, &err) !=
            DW_DLV_OK) {
            if (err) { dwarf_dealloc_error(dbg, err); err = NULL; }
            continue;
        }
        const char *d = name && name[0] != '/'
                            ? directory(ctx, dbg, t, comp_dir, ndirs, v5, dir) : NULL;
        l->files[i] = join_path(t, d, name);
    }
    return 0;
}

int sym_lines_load(sym_lines *l, Dwarf_Debug dbg, Dwarf_Die cu_die, sym_strings *strs)
{
    memset(l, 0, sizeof *l);
    Dwarf_Unsigned version = 0;
    Dwarf_Small tables = 0;
    Dwarf_Line_Context ctx = NULL;
    Dwarf_Error err = NULL;
    int res = dwarf_srclines_b(cu_die, &version, &tables, &ctx, &err);
    if (res != DW_DLV_OK) {
        if (err) dwarf_dealloc_error(dbg, err);
        return res == DW_DLV_NO_ENTRY ? 0 : -1;
    }
    l->version = (uint32_t)version;
    int rc = load_files(l, ctx, dbg, strs);
    Dwarf_Line *lines = NULL;
    Dwarf_Signed n = 0;
    res = tables == 1 ? dwarf_srclines_from_linecontext(ctx, &lines, &n, &err) : DW_DLV_NO_ENTRY;
    if (res != DW_DLV_OK || n <= 0) {
        if (err) dwarf_dealloc_error(dbg, err);
        dwarf_srclines_dealloc_b(ctx);
        return res == DW_DLV_ERROR ? -1 : rc;
    }
    sym_line *tmp = malloc((size_t)n * sizeof *tmp);
    seq *seqs = malloc((size_t)n * sizeof *seqs);
    size_t ntmp = 0, nseqs = 0;
    if (!tmp || !seqs) rc = -2;
    else if (read_rows(dbg, lines, n, tmp, &ntmp, seqs, &nseqs) < 0 && rc == 0) rc = -1;
    dwarf_srclines_dealloc_b(ctx);

    size_t total = 0;
    for (size_t i = 0; i < nseqs; i++) total += seqs[i].count;
    if (total > 0 && tmp && seqs) {
        l->rows = malloc(total * sizeof *l->rows);
        if (!l->rows) rc = -2;
        else {
            qsort(seqs, nseqs, sizeof *seqs, cmp_seq);
            for (size_t i = 0; i < nseqs; i++) {
                memcpy(l->rows + l->nrows, tmp + seqs[i].first, seqs[i].count * sizeof *tmp);
                l->nrows += seqs[i].count;
            }
        }
    }
    free(tmp);
    free(seqs);
    return rc;
}

const sym_line *sym_lines_find(const sym_lines *l, uint64_t addr)
{
    size_t lo = 0, hi = l->nrows;                /* first row with addr > target */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->rows[mid].addr <= addr) lo = mid + 1; else hi = mid;
    }
    if (lo == 0 || l->rows[lo - 1].end) return NULL;
    return &l->rows[lo - 1];
}

void sym_lines_free(sym_lines *l)
{
    free(l->rows);
    free(l->files);
    memset(l, 0, sizeof *l);
}
