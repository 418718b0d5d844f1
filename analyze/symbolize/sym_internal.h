/* sym_internal.h — the pieces of the symbolizer and how they fit (private to analyze/symbolize/).
 *
 *   sym_strings.c   interned strings in an arena: every name handed out lives here until close
 *   sym_demangle.c  __cxa_demangle behind a cache
 *   sym_elf.c       ELF facts through libelf: build-id note, .debug_info presence, symbol tables
 *   sym_find.c      which files describe a module (recorded path, debug dirs, build-id checks)
 *   sym_preflight.c damage libdwarf itself cannot survive, caught before it reads the file
 *   sym_dwarf.c     a module's DWARF: the compilation-unit table and address lookups
 *   sym_dwarf_cu.c  indexing one compilation unit: function and inline ranges, names
 *   sym_lines.c     one compilation unit's line table as a sorted array, and its file names
 *   symbolizer.c    the public API (symbolize.h): modules, warnings, fallbacks
 */
#ifndef MD_SYM_INTERNAL_H
#define MD_SYM_INTERNAL_H

#include "symbolize.h"

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- sym_strings.c: interned strings ------------------------------------------------------ */

typedef struct sym_strings {
    struct sym_chunk *chunks;     /* arena, newest first; strings never move */
    size_t used, cap;             /* of the newest chunk */
    const char **slots;           /* open-addressing set of interned strings */
    size_t nslots, count;
} sym_strings;

/* The unique copy of s[0..len) (NUL-terminated), or NULL when out of memory. Equal strings give
 * the same pointer, so interned strings compare by address. */
const char *sym_intern_n(sym_strings *t, const char *s, size_t len);
const char *sym_intern(sym_strings *t, const char *s);
const char *sym_internf(sym_strings *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sym_strings_free(sym_strings *t);

/* ---- sym_demangle.c --------------------------------------------------------------------------- */

typedef struct sym_demangler {
    uintptr_t *keys;              /* interned name's address << 1 | MD_SYM_TYPE; 0 = empty */
    const char **vals;            /* its interned result */
    size_t nslots, count;
} sym_demangler;

/* Demangled form of an interned name (MD_SYM_TYPE: a type_info name), interned; name itself if it
 * does not demangle. */
const char *sym_demangle(sym_demangler *d, sym_strings *t, const char *name, unsigned flags);
void sym_demangler_free(sym_demangler *d);

/* ---- sym_elf.c: ELF files --------------------------------------------------------------------- */

#define SYM_BUILD_ID_MAX 64

typedef struct sym_elf_info {
    int ok;                              /* a readable ELF file */
    uint8_t build_id[SYM_BUILD_ID_MAX];
    size_t build_id_len;                 /* 0 = none */
    int has_dwarf;                       /* .debug_info with contents */
    int has_symtab;                      /* .symtab (not only .dynsym) */
    char debuglink[256];                 /* .gnu_debuglink file name, "" if none */
} sym_elf_info;

/* Reads the identifying facts of the ELF file at path. Returns 0 with info->ok set, or -1 when the
 * file cannot be opened or is not ELF (errno-style reason in why, if why is not NULL). */
int sym_elf_probe(const char *path, sym_elf_info *info, const char **why);

typedef struct sym_sym {
    uint64_t addr, size;
    const char *name;                    /* interned, as in the file (mangled) */
    uint32_t rank;                       /* preference among aliases: lower is better */
} sym_sym;

typedef struct sym_symtab {
    sym_sym *funcs, *objs;
    size_t nfuncs, nobjs, capfuncs, capobjs;
    uint64_t *funcs_maxend, *objs_maxend; /* prefix maxima of addr + size, for overlaps */
} sym_symtab;

/* Adds the defined function and object symbols of .symtab and .dynsym of the file at path. Returns
 * 0, or -1 if the file could not be read (the table keeps whatever was added). */
int sym_symtab_load(sym_symtab *tab, const char *path, sym_strings *t);
/* Sorts and indexes; call once after the last load. Returns -1 when out of memory. */
int sym_symtab_finish(sym_symtab *tab);
/* The symbol containing addr (the innermost when several do), or NULL. objects: 1 data, 0 code. */
const sym_sym *sym_symtab_find(const sym_symtab *tab, int objects, uint64_t addr);
void sym_symtab_free(sym_symtab *tab);

/* ---- sym_find.c: locating a module's files ---------------------------------------------------- */

typedef struct sym_found {
    char *code_path;     /* file for the symbol tables (the binary, else the debug file); NULL */
    char *debug_path;    /* file with DWARF; NULL */
    int mismatched;      /* some candidate existed but carried another build-id */
    char *tried;         /* human-readable list of what was tried and why it failed */
} sym_found;

/* Searches for the files of the module (path, build_id) in the debug dirs. Returns 0, or -1 when
 * out of memory. Free with sym_found_free. */
int sym_find_files(const char *path, const uint8_t *build_id, size_t build_id_len,
                   const char *const *dirs, size_t ndirs, sym_found *out);
void sym_found_free(sym_found *f);

/* ---- sym_lines.c: a line table ----------------------------------------------------------------- */

typedef struct sym_line {
    uint64_t addr;
    uint32_t file;       /* index into the unit's file names */
    uint32_t line;
    uint32_t column;
    uint32_t end;        /* 1: end_sequence row (the address after the sequence) */
} sym_line;

typedef struct sym_lines {
    sym_line *rows;
    size_t nrows;
    const char **files;  /* interned full paths by DWARF file number (NULL: none or invalid) */
    uint32_t nfiles;
    uint32_t version;    /* of the line table: file numbers start at 0 from version 5, else 1 */
} sym_lines;

/* Reads the line table of the unit whose DIE is cu_die, and its file names (joined with their
 * directory and the compilation directory). Drops sequences that start at address 0 (code removed
 * by the linker). Returns 0 (possibly with no rows), -1 on a DWARF error (what was read before it
 * is kept), -2 when out of memory. */
int sym_lines_load(sym_lines *l, Dwarf_Debug dbg, Dwarf_Die cu_die, sym_strings *strs);
/* The row describing addr, or NULL (no row, or addr falls past an end of sequence). */
const sym_line *sym_lines_find(const sym_lines *l, uint64_t addr);
void sym_lines_free(sym_lines *l);

/* ---- sym_dwarf.c / sym_dwarf_cu.c: DWARF of one module ----------------------------------------- */

typedef struct sym_range {
    uint64_t lo, hi;     /* [lo, hi) */
    uint32_t idx;        /* what it belongs to: a scope (in a unit) or a unit (in a module) */
} sym_range;

typedef struct sym_scope {
    Dwarf_Off die;       /* global offset of the DIE, for its name */
    const char *name;    /* resolved lazily; NULL until then */
    uint32_t end;        /* one past the last scope nested in this one (pre-order) */
    uint32_t rng, nrng;  /* its ranges: cu->scope_ranges[rng .. rng+nrng) */
    uint32_t call_file, call_line, call_column;
    uint8_t inlined;     /* DW_TAG_inlined_subroutine, else a DW_TAG_subprogram */
    uint8_t named;       /* name resolution was attempted */
} sym_scope;

typedef struct sym_cu {
    Dwarf_Off die;       /* global offset of the unit DIE */
    uint16_t version;
    int8_t state;        /* 0 not indexed, 1 indexed, -1 indexing failed (partial data kept) */
    uint64_t base;       /* DW_AT_low_pc of the unit: base of DWARF 4 range lists */
    uint64_t rnglists_base;    /* DW_AT_rnglists_base, if has_rnglists_base */
    uint8_t has_rnglists_base;
    sym_scope *scopes;
    uint32_t nscopes;
    sym_range *scope_ranges;   /* grouped per scope */
    uint32_t nscope_ranges;
    sym_range *funcs;          /* ranges of non-inlined scopes, sorted by lo */
    uint64_t *funcs_maxhi;     /* prefix maxima of funcs[].hi */
    uint32_t nfuncs;
    sym_lines lines;
} sym_cu;

/* One .debug_rnglists table as libdwarf parsed it: used to check a range-list reference before
 * libdwarf follows it (this libdwarf does not bound the offsets it reads from the table). */
typedef struct sym_rnglist_table {
    uint64_t header, offsets, first, end;   /* section offsets: header, offset array, lists, end */
    uint64_t count;                          /* entries of the offset array */
} sym_rnglist_table;

typedef struct sym_dwarf {
    Dwarf_Debug dbg;
    int fd;
    sym_strings *strs;
    sym_demangler *dem;
    sym_cu *cus;
    size_t ncus;
    sym_range *cu_ranges;      /* sorted by lo */
    uint64_t *cu_maxhi;
    size_t ncu_ranges;
    sym_rnglist_table *rtabs;  /* .debug_rnglists tables, in section order */
    size_t nrtabs;
    int errors;                /* DWARF errors met so far (the module warns once) */
} sym_dwarf;

/* Whether the file's DWARF is safe to hand to libdwarf (sym_preflight.c): 0, or -1 with the
 * reason in *why. */
int sym_dwarf_preflight(const char *path, const char **why);

/* Opens the DWARF of the file at path. Returns NULL if the file has none or cannot be read
 * (reason in *why). */
sym_dwarf *sym_dwarf_open(const char *path, sym_strings *strs, sym_demangler *dem,
                          const char **why);
void sym_dwarf_close(sym_dwarf *d);

/* Fills out with the frames at addr, innermost first, as md_sym_code documents, except that a
 * frame whose function has no DWARF name has function == NULL (the caller asks the symbol table).
 * Returns 0 when no unit describes addr. */
size_t sym_dwarf_lookup(sym_dwarf *d, uint64_t addr, md_sym_frame *out, size_t max);

/* Reads one unit's scopes, ranges, file names and line table (sym_dwarf_cu.c). Sets cu->state. */
void sym_cu_index(sym_dwarf *d, sym_cu *cu);
/* The name of a scope: demangled linkage name, else DW_AT_name, following abstract origins and
 * specifications. NULL if it has none. */
const char *sym_scope_name(sym_dwarf *d, sym_scope *s);
/* The address ranges of die (low/high pc or DW_AT_ranges) appended to *v (grown with realloc).
 * Ranges that start at 0 or are empty are dropped. Returns the number appended, -1 on a DWARF
 * error, -2 when out of memory. */
int sym_die_ranges(sym_dwarf *d, sym_cu *cu, Dwarf_Die die, sym_range **v, uint32_t *n,
                   uint32_t *cap, uint32_t idx);
void sym_cu_free(sym_cu *cu);

/* The array v (capacity *cap elements of size sz) with room for at least need elements: v itself
 * or a larger copy (*cap updated); NULL when out of memory, v then unchanged. */
void *sym_grow(void *v, uint32_t *cap, uint32_t need, size_t sz);
/* Index of the last range with lo <= addr, given ranges sorted by lo, or -1. */
long sym_ranges_upper(const sym_range *r, size_t n, uint64_t addr);

#endif
