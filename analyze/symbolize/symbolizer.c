/* symbolizer.c — the public face of the symbolizer (symbolize.h): modules, lookups, fallbacks,
 * warnings.
 *
 * Modules are kept in a hash table keyed by (path, build-id), so the analyzer can ask for the
 * module of every FRAME record without keeping its own map. A module is opened on its first
 * lookup: sym_find.c picks its files, the symbol tables of both the code and the debug file are
 * merged (a stripped binary keeps only .dynsym; its debug file has the full .symtab), and the
 * DWARF is opened for lazy indexing. Whatever cannot be had is reported once per module — the
 * first problem only — and from then on that module answers with what it has: DWARF frames, else
 * a symbol-table function name, else the "module+0xOFFSET" fallback. Names are never guessed: a
 * symbol-table answer requires the address to lie inside the symbol's extent.
 */
#include "sym_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct md_sym_module {
    md_sym_module *next;          /* hash chain */
    md_sym_module *all;           /* every module, for md_sym_close */
    char *path;                   /* as recorded */
    uint8_t *build_id;
    size_t build_id_len;
    uint64_t hash;
    const char *base;             /* interned basename, for fallbacks */
    int opened, warned, dwarf_errors_seen;
    sym_found found;
    sym_symtab symtab;
    sym_dwarf *dwarf;
};

typedef struct sym_warning {
    md_sym_warning_kind kind;
    const char *message;          /* interned */
} sym_warning;

struct md_symbolizer {
    char **dirs;
    size_t ndirs;
    int no_system;
    sym_strings strs;
    sym_demangler dem;
    md_sym_module **buckets;
    size_t nbuckets, nmodules;
    md_sym_module *modules;
    md_sym_warn_fn *warn;
    void *warn_ctx;
    sym_warning *warnings;
    uint32_t nwarnings, capwarnings;
};

static const char SYSTEM_DEBUG_DIR[] = "/usr/lib/debug";

md_symbolizer *md_sym_open(const char *const *debug_dirs, size_t ndirs)
{
    md_symbolizer *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->dirs = calloc(ndirs + 1, sizeof *s->dirs);
    if (!s->dirs) { free(s); return NULL; }
    for (size_t i = 0; i < ndirs; i++) {
        if (!debug_dirs[i] || !debug_dirs[i][0]) continue;
        if (!(s->dirs[s->ndirs++] = strdup(debug_dirs[i]))) { md_sym_close(s); return NULL; }
    }
    return s;
}

void md_sym_close(md_symbolizer *s)
{
    if (!s) return;
    for (md_sym_module *m = s->modules, *next; m; m = next) {
        next = m->all;
        sym_dwarf_close(m->dwarf);
        sym_symtab_free(&m->symtab);
        sym_found_free(&m->found);
        free(m->path);
        free(m->build_id);
        free(m);
    }
    for (size_t i = 0; i < s->ndirs; i++) free(s->dirs[i]);
    free(s->dirs);
    free(s->buckets);
    free(s->warnings);
    sym_demangler_free(&s->dem);
    sym_strings_free(&s->strs);
    free(s);
}

void md_sym_set_warn(md_symbolizer *s, md_sym_warn_fn *fn, void *ctx)
{
    s->warn = fn;
    s->warn_ctx = ctx;
}

void md_sym_no_system_dirs(md_symbolizer *s)
{
    s->no_system = 1;
}

size_t md_sym_warning_count(const md_symbolizer *s)
{
    return s->nwarnings;
}

const char *md_sym_warning(const md_symbolizer *s, size_t i, md_sym_warning_kind *kind)
{
    if (i >= s->nwarnings) return NULL;
    if (kind) *kind = s->warnings[i].kind;
    return s->warnings[i].message;
}

/* Issues the module's one warning (later problems of the same module are not reported). */
static void warn(md_symbolizer *s, md_sym_module *m, md_sym_warning_kind kind, const char *msg)
{
    if (m->warned || !msg) return;
    m->warned = 1;
    sym_warning *nw = sym_grow(s->warnings, &s->capwarnings, s->nwarnings + 1, sizeof *nw);
    if (nw) {
        s->warnings = nw;
        nw[s->nwarnings++] = (sym_warning){ kind, msg };
    }
    if (s->warn) s->warn(s->warn_ctx, kind, m->path, msg);
}

/* ---- modules -------------------------------------------------------------------------------- */

static uint64_t module_hash(const char *path, const uint8_t *id, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = path; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (size_t i = 0; i < len; i++) h = (h ^ id[i]) * 1099511628211ull;
    return h;
}

static int rehash(md_symbolizer *s)
{
    size_t n = s->nbuckets ? s->nbuckets * 2 : 64;
    md_sym_module **b = calloc(n, sizeof *b);
    if (!b) return -1;
    for (md_sym_module *m = s->modules; m; m = m->all) {
        m->next = b[m->hash & (n - 1)];
        b[m->hash & (n - 1)] = m;
    }
    free(s->buckets);
    s->buckets = b;
    s->nbuckets = n;
    return 0;
}

static const char *basename_of(md_symbolizer *s, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    size_t n = strlen(b);
    static const char deleted[] = " (deleted)";
    if (n > sizeof deleted - 1 && !strcmp(b + n - (sizeof deleted - 1), deleted))
        n -= sizeof deleted - 1;
    return n ? sym_intern_n(&s->strs, b, n) : sym_intern(&s->strs, "[unknown]");
}

md_sym_module *md_sym_module_get(md_symbolizer *s, const char *path, const uint8_t *build_id,
                                 size_t build_id_len)
{
    if (!path) path = "";
    if (!build_id) build_id_len = 0;
    uint64_t h = module_hash(path, build_id, build_id_len);
    if (s->nbuckets)
        for (md_sym_module *m = s->buckets[h & (s->nbuckets - 1)]; m; m = m->next)
            if (m->hash == h && !strcmp(m->path, path) && m->build_id_len == build_id_len &&
                (!build_id_len || !memcmp(m->build_id, build_id, build_id_len)))
                return m;
    if (s->nmodules >= s->nbuckets && rehash(s) < 0) return NULL;
    md_sym_module *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->path = strdup(path);
    m->build_id = build_id_len ? malloc(build_id_len) : NULL;
    m->base = basename_of(s, path);
    if (!m->path || (build_id_len && !m->build_id) || !m->base) {
        free(m->path);
        free(m->build_id);
        free(m);
        return NULL;
    }
    if (build_id_len) memcpy(m->build_id, build_id, build_id_len);
    m->build_id_len = build_id_len;
    m->hash = h;
    m->all = s->modules;
    s->modules = m;
    m->next = s->buckets[h & (s->nbuckets - 1)];
    s->buckets[h & (s->nbuckets - 1)] = m;
    s->nmodules++;
    return m;
}

static const char *hex_id(md_symbolizer *s, const uint8_t *id, size_t len)
{
    char h[2 * 64 + 1];
    if (len > 64) len = 64;
    for (size_t i = 0; i < len; i++) snprintf(h + 2 * i, 3, "%02x", id[i]);
    h[2 * len] = 0;
    return sym_intern(&s->strs, len ? h : "none");
}

/* The module's DWARF met new errors: say so once. */
static void check_dwarf_errors(md_symbolizer *s, md_sym_module *m)
{
    if (!m->dwarf || m->dwarf->errors == m->dwarf_errors_seen) return;
    m->dwarf_errors_seen = m->dwarf->errors;
    warn(s, m, MD_SYM_WARN_CORRUPT,
         sym_internf(&s->strs, "%s: damaged DWARF in %s; some of its addresses may lack names or "
                     "lines", m->path, m->found.debug_path));
}

static void open_module(md_symbolizer *s, md_sym_module *m)
{
    m->opened = 1;
    const char *dirs[64 + 1];
    size_t n = 0;
    for (size_t i = 0; i < s->ndirs && n < 64; i++) dirs[n++] = s->dirs[i];
    if (!s->no_system) dirs[n++] = SYSTEM_DEBUG_DIR;
    if (sym_find_files(m->path, m->build_id, m->build_id_len, dirs, n, &m->found) < 0) {
        warn(s, m, MD_SYM_WARN_MISSING,
             sym_internf(&s->strs, "%s: out of memory while looking for its files", m->path));
        return;
    }
    sym_found *f = &m->found;
    const char *tried = f->tried ? f->tried : "nothing";
    if (!f->code_path) {
        if (f->mismatched)
            warn(s, m, MD_SYM_WARN_MISMATCH,
                 sym_internf(&s->strs, "%s: no file with build-id %s (tried %s); its addresses "
                             "are shown as %s+0xOFFSET", m->path,
                             hex_id(s, m->build_id, m->build_id_len), tried, m->base));
        else
            warn(s, m, MD_SYM_WARN_MISSING,
                 sym_internf(&s->strs, "%s: not found (tried %s); its addresses are shown as "
                             "%s+0xOFFSET", m->path, tried, m->base));
        return;
    }
    int bad = sym_symtab_load(&m->symtab, f->code_path, &s->strs) < 0;
    if (f->debug_path && strcmp(f->debug_path, f->code_path) != 0)
        bad |= sym_symtab_load(&m->symtab, f->debug_path, &s->strs) < 0;
    bad |= sym_symtab_finish(&m->symtab) < 0;
    if (!f->debug_path) {
        warn(s, m, MD_SYM_WARN_NO_DEBUG,
             sym_internf(&s->strs, "%s: no debug info (tried %s); function names only, no "
                         "file:line", m->path, tried));
        return;
    }
    const char *why = NULL;
    m->dwarf = sym_dwarf_open(f->debug_path, &s->strs, &s->dem, &why);
    if (!m->dwarf)
        warn(s, m, MD_SYM_WARN_CORRUPT,
             sym_internf(&s->strs, "%s: cannot read the DWARF of %s (%s); function names only",
                         m->path, f->debug_path, why ? why : "error"));
    else if (bad)
        warn(s, m, MD_SYM_WARN_CORRUPT,
             sym_internf(&s->strs, "%s: cannot read the symbol table of %s", m->path,
                         f->code_path));
    check_dwarf_errors(s, m);
}

/* ---- lookups --------------------------------------------------------------------------------- */

static const char *fallback_name(md_symbolizer *s, md_sym_module *m, uint64_t vaddr)
{
    const char *r = sym_internf(&s->strs, "%s+0x%llx", m->base, (unsigned long long)vaddr);
    return r ? r : m->base;
}

size_t md_sym_code(md_symbolizer *s, md_sym_module *m, uint64_t vaddr, unsigned flags,
                   md_sym_frame *out, size_t max, const char **fallback)
{
    const char *fb = m ? fallback_name(s, m, vaddr) : NULL;
    if (fallback) *fallback = fb;
    if (!m || !out || max == 0) return 0;
    if (!m->opened) open_module(s, m);
    uint64_t addr = (flags & MD_SYM_RETURN_ADDRESS) && vaddr > 0 ? vaddr - 1 : vaddr;
    size_t n = 0;
    if (m->dwarf) {
        n = sym_dwarf_lookup(m->dwarf, addr, out, max);
        check_dwarf_errors(s, m);
    }
    const sym_sym *sym = NULL;
    int looked = 0;
    for (size_t i = 0; i < n; i++) {
        if (out[i].function) continue;
        if (!out[i].inlined && !looked) {
            sym = sym_symtab_find(&m->symtab, 0, addr);
            looked = 1;
        }
        out[i].function = !out[i].inlined && sym ? sym_demangle(&s->dem, &s->strs, sym->name, 0)
                                                  : sym_intern(&s->strs, "??");
        if (!out[i].function) out[i].function = fb;
    }
    if (n == 0 && (sym = sym_symtab_find(&m->symtab, 0, addr)) != NULL) {
        memset(&out[0], 0, sizeof out[0]);
        out[0].function = sym_demangle(&s->dem, &s->strs, sym->name, 0);
        n = out[0].function ? 1 : 0;
    }
    return n;
}

int md_sym_data_lookup(md_symbolizer *s, md_sym_module *m, uint64_t vaddr, md_sym_data *out)
{
    memset(out, 0, sizeof *out);
    if (!m) return 0;
    out->text = fallback_name(s, m, vaddr);
    if (!m->opened) open_module(s, m);
    const sym_sym *sym = sym_symtab_find(&m->symtab, 1, vaddr);
    if (!sym) return 0;
    const char *name = sym_demangle(&s->dem, &s->strs, sym->name, 0);
    if (!name) return 0;
    out->name = name;
    out->offset = vaddr - sym->addr;
    out->size = sym->size;
    out->text = out->offset ? sym_internf(&s->strs, "%s+0x%llx", name,
                                          (unsigned long long)out->offset)
                            : name;
    if (!out->text) out->text = name;
    return 1;
}

const char *md_sym_demangle(md_symbolizer *s, const char *name, unsigned flags)
{
    if (!name) return NULL;
    const char *r = sym_demangle(&s->dem, &s->strs, name, flags);
    return r ? r : name;
}

const char *md_sym_module_code_file(md_symbolizer *s, md_sym_module *m)
{
    if (!m->opened) open_module(s, m);
    return m->found.code_path;
}

const char *md_sym_module_debug_file(md_symbolizer *s, md_sym_module *m)
{
    if (!m->opened) open_module(s, m);
    return m->found.debug_path;
}
