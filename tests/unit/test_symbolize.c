/* test_symbolize.c — the offline symbolizer (analyze/symbolize/) against real binaries.
 *
 * The fixtures (tests/fixtures/symbolize, built by analyze/symbolize/build.mk) are run; they print
 * their module map, return addresses recorded at lines marked "@mark NAME" in their sources, data
 * addresses and C++ type names. Each return address is symbolized as memanalyze would (pc - bias,
 * as a return address) and must give the expected inline chain, functions and marked lines. Then
 * binutils' addr2line serves as an independent oracle: every byte address of the fixture's own
 * functions (from nm -S), in every build variant (gcc PIE DWARF 5, gcc non-PIE DWARF 4, clang
 * DWARF 5, the shared library), must give the same frames — function, file and line of each
 * inlined level. The rest: data addresses name their globals, demangling, missing and mismatched
 * binaries degrade to module+0xOFFSET with exactly one warning, a .build-id debug directory and
 * the mirror layout are found, and damaged files neither crash nor warn more than once.
 */
#include "check.h"
#include "symbolize/symbolize.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID_EXE   "5ca1ab1e00000000000000000000000000000e01"
#define ID_OTHER "5ca1ab1e0000000000000000000000000000bad1"

static char fixdir[PATH_MAX], srcdir[PATH_MAX], tmpdir[PATH_MAX];

/* ---- small helpers -------------------------------------------------------------------------- */

/* printf into one of a ring of buffers: paths and commands built inline, valid for a few calls. */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
    static char ring[8][3 * PATH_MAX];
    static int next;
    char *b = ring[next++ & 7];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof ring[0], f, ap);
    va_end(ap);
    return b;
}

static char *slurp_cmd(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            else buf = nb;
        }
    }
    if (buf) buf[len] = 0;
    if (pclose(p) != 0) { free(buf); return NULL; }
    return buf;
}

static int parse_hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static const char *base_of(const char *p)
{
    const char *s = p ? strrchr(p, '/') : NULL;
    return s ? s + 1 : p;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char buf[65536];
    ssize_t n;
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) rc = -1;
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    return rc;
}

static int mkdirs(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* The line of "@mark NAME" in the fixture source file. */
static unsigned mark_line(const char *file, const char *name)
{
    char line[512], want[128];
    snprintf(want, sizeof want, "@mark %s", name);
    size_t wl = strlen(want);
    FILE *f = fopen(fmt("%s/%s", srcdir, file), "r");
    if (!f) return 0;
    unsigned n = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        const char *at = strstr(line, want);
        if (at && (at[wl] == ' ' || at[wl] == '\n' || at[wl] == 0)) { found = n; break; }
    }
    fclose(f);
    return found;
}

/* ---- the fixture's report ------------------------------------------------------------------- */

typedef struct module { char path[PATH_MAX]; uint64_t bias, lo, hi; } module;
typedef struct record { char kind[8], label[64], text[128]; uint64_t addr; } record;

typedef struct report {
    module mods[32];
    int nmods;
    record recs[64];
    int nrecs;
} report;

static int run_fixture(const char *name, report *r)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "'%s/%s'", fixdir, name);
    char *out = slurp_cmd(cmd);
    if (!out) return -1;
    memset(r, 0, sizeof *r);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        module m;
        record rec = { 0 };
        unsigned long long a, b, c;
        if (sscanf(line, "module %4095s %llx %llx %llx", m.path, &a, &b, &c) == 4 && r->nmods < 32) {
            m.bias = a; m.lo = b; m.hi = c;
            r->mods[r->nmods++] = m;
        } else if ((sscanf(line, "pc %63s %llx", rec.label, &a) == 2 && strcpy(rec.kind, "pc")) ||
                   (sscanf(line, "data %63s %llx", rec.label, &a) == 2 && strcpy(rec.kind, "data"))) {
            rec.addr = a;
            if (r->nrecs < 64) r->recs[r->nrecs++] = rec;
        } else if (sscanf(line, "type %63s %127s", rec.label, rec.text) == 2 && r->nrecs < 64) {
            strcpy(rec.kind, "type");
            r->recs[r->nrecs++] = rec;
        }
    }
    free(out);
    return 0;
}

static const record *find_rec(const report *r, const char *label)
{
    for (int i = 0; i < r->nrecs; i++)
        if (!strcmp(r->recs[i].label, label)) return &r->recs[i];
    return NULL;
}

static const module *module_of(const report *r, uint64_t addr)
{
    for (int i = 0; i < r->nmods; i++)
        if (addr >= r->mods[i].lo && addr < r->mods[i].hi) return &r->mods[i];
    return NULL;
}

/* ---- expectations from the marks ------------------------------------------------------------ */

typedef struct want_frame { const char *function, *file, *mark; } want_frame;
typedef struct want { const char *label; want_frame frames[4]; } want;

static const want WANTS[] = {
    { "c_plain", { { "fx_plain", "symfix_c.c", "plain" } } },
    { "c_static_noinline", { { "fx_static_noinline", "symfix_c.c", "static_noinline" } } },
    { "c_static_leaf", { { "fx_static_leaf", "symfix_c.c", "static_leaf" },
                         { "fx_outer", "symfix_c.c", "call_static_leaf" } } },
    { "c_inl_header", { { "symfix_inl_header", "symfix_inl.h", "inl_header" },
                        { "symfix_inl_outer", "symfix_inl.h", "inl_outer_call" },
                        { "fx_inline_user", "symfix_c.c", "call_inl_outer" } } },
    { "c_hot", { { "fx_split", "symfix_c.c", "hot" } } },
    { "c_cold", { { "fx_split", "symfix_c.c", "cold" } } },
    { "cpp_area", { { "Circle::area() const", "symfix_cpp.cpp", "cpp_area" } } },
    { "lib_helper", { { "symlib_helper", "symfix_lib.c", "lib_helper" },
                      { "symlib_entry", "symfix_lib.c", "lib_call_helper" } } },
};

static void check_wants(md_symbolizer *s, const char *variant, const report *r)
{
    char name[256];
    for (size_t w = 0; w < sizeof WANTS / sizeof WANTS[0]; w++) {
        const want *wt = &WANTS[w];
        const record *rec = find_rec(r, wt->label);
        snprintf(name, sizeof name, "%s: %s recorded", variant, wt->label);
        CHECK(rec != NULL, name);
        if (!rec) continue;
        const module *mod = module_of(r, rec->addr);
        snprintf(name, sizeof name, "%s: %s has a module", variant, wt->label);
        CHECK(mod != NULL, name);
        if (!mod) continue;
        md_sym_module *m = md_sym_module_get(s, mod->path, NULL, 0);
        md_sym_frame f[MD_SYM_MAX_FRAMES];
        const char *fb = NULL;
        size_t n = md_sym_code(s, m, rec->addr - mod->bias, MD_SYM_RETURN_ADDRESS, f,
                               MD_SYM_MAX_FRAMES, &fb);
        size_t nw = 0;
        while (nw < 4 && wt->frames[nw].function) nw++;
        snprintf(name, sizeof name, "%s: %s frame count", variant, wt->label);
        CHECK_EQ_U(n, nw, name);
        for (size_t k = 0; k < nw && k < n; k++) {
            const want_frame *wf = &wt->frames[k];
            snprintf(name, sizeof name, "%s: %s frame %zu function", variant, wt->label, k);
            CHECK_STR(f[k].function, wf->function, name);
            snprintf(name, sizeof name, "%s: %s frame %zu file", variant, wt->label, k);
            CHECK_STR(base_of(f[k].file), wf->file, name);
            snprintf(name, sizeof name, "%s: %s frame %zu line (@mark %s)", variant, wt->label, k,
                     wf->mark);
            CHECK_EQ_U(f[k].line, mark_line(wf->file, wf->mark), name);
            snprintf(name, sizeof name, "%s: %s frame %zu inlined flag", variant, wt->label, k);
            CHECK_EQ_U(f[k].inlined, k + 1 < nw, name);
        }
    }
}

/* ---- addr2line as the oracle ---------------------------------------------------------------- */

typedef struct oframe { char function[512], file[PATH_MAX]; unsigned line; } oframe;

/* Parses "file:line" or "file:line (discriminator N)" (or "??:0", "??:?"). */
static void parse_loc(const char *s, oframe *o)
{
    char buf[PATH_MAX + 64];
    snprintf(buf, sizeof buf, "%s", s);
    char *disc = strstr(buf, " (discriminator");
    if (disc) *disc = 0;
    char *colon = strrchr(buf, ':');
    o->line = 0;
    if (colon) {
        *colon = 0;
        o->line = (unsigned)strtoul(colon + 1, NULL, 10);
    }
    size_t n = strcmp(buf, "??") ? strnlen(buf, sizeof o->file - 1) : 0;
    memcpy(o->file, buf, n);
    o->file[n] = 0;
}

/* Compares the symbolizer with an oracle (addr2line, or llvm-symbolizer in GNU output style) on
 * every address of each function of file whose name starts with one of prefixes. Returns the
 * number of addresses compared; mismatches are printed and counted. */
static size_t sweep(md_symbolizer *s, const char *oracle, const char *file,
                    const char *const *prefixes, size_t *mismatches)
{
    char *nm = slurp_cmd(fmt("nm -S --defined-only '%s'", file));
    if (!nm) return 0;
    char addrs_path[PATH_MAX];
    snprintf(addrs_path, sizeof addrs_path, "%s", fmt("%s/addrs.txt", tmpdir));
    FILE *af = fopen(addrs_path, "w");
    size_t naddrs = 0;
    uint64_t *addrs = NULL;
    for (char *line = strtok(nm, "\n"); line && af; line = strtok(NULL, "\n")) {
        unsigned long long a, sz;
        char type, sym[256];
        if (sscanf(line, "%llx %llx %c %255s", &a, &sz, &type, sym) != 4) continue;
        if (type != 't' && type != 'T') continue;
        int ok = 0;
        for (const char *const *p = prefixes; *p; p++)
            if (!strncmp(sym, *p, strlen(*p))) ok = 1;
        if (!ok || sz > 4096) continue;
        uint64_t *na = realloc(addrs, (naddrs + sz) * sizeof *addrs);
        if (!na) break;
        addrs = na;
        for (unsigned long long k = 0; k < sz; k++) {
            addrs[naddrs++] = a + k;
            fprintf(af, "0x%llx\n", a + k);
        }
    }
    free(nm);
    if (af) fclose(af);
    char *out = slurp_cmd(fmt(oracle, file, addrs_path));
    if (!out) { free(addrs); return 0; }

    md_sym_module *m = md_sym_module_get(s, file, NULL, 0);
    /* Walk the oracle's output: "0xADDR" then pairs of lines (function, location). */
    char *save = NULL, *line = strtok_r(out, "\n", &save);
    size_t compared = 0;
    for (size_t i = 0; i < naddrs && line; i++) {
        uint64_t a = strtoull(line, NULL, 16);
        oframe of[MD_SYM_MAX_FRAMES];
        size_t no = 0;
        line = strtok_r(NULL, "\n", &save);
        while (line && strncmp(line, "0x", 2) != 0) {
            char *loc = strtok_r(NULL, "\n", &save);
            if (!loc) break;
            if (no < MD_SYM_MAX_FRAMES) {
                snprintf(of[no].function, sizeof of[no].function, "%s", line);
                parse_loc(loc, &of[no]);
                no++;
            }
            line = strtok_r(NULL, "\n", &save);
        }
        if (no == 1 && !strcmp(of[0].function, "??") && !of[0].file[0]) no = 0;
        md_sym_frame f[MD_SYM_MAX_FRAMES];
        size_t n = md_sym_code(s, m, a, 0, f, MD_SYM_MAX_FRAMES, NULL);
        int same = n == no && a == addrs[i];
        for (size_t k = 0; same && k < n; k++) {
            if (strcmp(f[k].function, of[k].function) != 0) same = 0;
            if (strcmp(f[k].file ? f[k].file : "", of[k].file) != 0) same = 0;
            if (f[k].line != of[k].line) same = 0;
        }
        compared++;
        if (!same && (*mismatches)++ < 8) {
            printf("# %s 0x%llx: the oracle says", base_of(file), (unsigned long long)a);
            for (size_t k = 0; k < no; k++) printf(" [%s %s:%u]", of[k].function, base_of(of[k].file), of[k].line);
            printf("; symbolizer says");
            for (size_t k = 0; k < n; k++)
                printf(" [%s %s:%u]", f[k].function, f[k].file ? base_of(f[k].file) : "??", f[k].line);
            printf("\n");
        }
    }
    free(out);
    free(addrs);
    return compared;
}

/* binutils is the oracle for gcc's output. For clang's it cannot be: binutils 2.40 ignores
 * DW_AT_ranges in the DW_FORM_rnglistx form on inlined subroutines (it reports the caller with the
 * inlined callee's line), so clang's build is checked against llvm-symbolizer instead, when that
 * is installed (Debian package llvm). */
static const char ADDR2LINE[] = "addr2line -a -f -i -C -e '%s' < '%s'";
static const char LLVM_SYMBOLIZER[] =
    "llvm-symbolizer --output-style=GNU -a -f -i -C --obj='%s' < '%s'";

static void check_oracle(md_symbolizer *s, const char *variant, const char *oracle, size_t min)
{
    static const char *const prefixes[] = { "fx_", "symfix_", "symlib_", "main", "_ZNK6Circle",
                                            "print_module", "add", NULL };
    char name[256];
    const char *tool = oracle == ADDR2LINE ? "addr2line" : "llvm-symbolizer";
    size_t bad = 0, n = sweep(s, oracle, fmt("%s/%s", fixdir, variant), prefixes, &bad);
    snprintf(name, sizeof name, "%s: %s swept over the fixture's code", variant, tool);
    CHECK(n >= min, name);
    snprintf(name, sizeof name, "%s: every address of %zu agrees with %s -f -i", variant, n, tool);
    CHECK_EQ_U(bad, 0, name);
}

/* ---- the rest --------------------------------------------------------------------------------- */

static void check_data(md_symbolizer *s, const report *r)
{
    static const struct { const char *label, *text; } wants[] = {
        { "c_counter", "fx_counter" },
        { "c_table_3_b", "fx_table+0x54" },
        { "c_static_buf", "fx_static_buf+0x11" },
        { "lib_private", "symlib_private+0x10" },
    };
    char name[128];
    for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++) {
        const record *rec = find_rec(r, wants[i].label);
        const module *mod = rec ? module_of(r, rec->addr) : NULL;
        snprintf(name, sizeof name, "data: %s found in a module", wants[i].label);
        CHECK(mod != NULL, name);
        if (!mod) continue;
        md_sym_data d;
        int ok = md_sym_data_lookup(s, md_sym_module_get(s, mod->path, NULL, 0),
                                    rec->addr - mod->bias, &d);
        snprintf(name, sizeof name, "data: %s names its global", wants[i].label);
        CHECK(ok == 1, name);
        CHECK_STR(d.text, wants[i].text, name);
    }
    const module *exe = &r->mods[0];
    md_sym_data d;
    int ok = md_sym_data_lookup(s, md_sym_module_get(s, exe->path, NULL, 0), 8, &d);
    CHECK(ok == 0 && d.name == NULL, "data: an address in no object has no name");
    CHECK_STR(d.text, "symfix+0x8", "data: ... and falls back to module+0xOFFSET");
}

static void check_demangle(md_symbolizer *s, const report *r)
{
    const record *c = find_rec(r, "circle"), *sh = find_rec(r, "shape");
    CHECK(c && sh, "demangle: the fixture printed its type_info names");
    if (c) CHECK_STR(md_sym_demangle(s, c->text, MD_SYM_TYPE), "Circle", "demangle: typeinfo 6Circle");
    if (sh) CHECK_STR(md_sym_demangle(s, sh->text, MD_SYM_TYPE), "app::Shape",
                      "demangle: typeinfo N3app5ShapeE");
    CHECK_STR(md_sym_demangle(s, "_ZNK6Circle4areaEv", 0), "Circle::area() const",
              "demangle: a member function");
    CHECK_STR(md_sym_demangle(s, "_ZN3app5ShapeD2Ev", 0), "app::Shape::~Shape()",
              "demangle: a destructor");
    CHECK_STR(md_sym_demangle(s, "fx_plain", 0), "fx_plain", "demangle: a C name is itself");
    CHECK_STR(md_sym_demangle(s, "_Z!!bogus", 0), "_Z!!bogus", "demangle: garbage is itself");
    const char *a = md_sym_demangle(s, "N3app5ShapeE", MD_SYM_TYPE);
    CHECK(a == md_sym_demangle(s, "N3app5ShapeE", MD_SYM_TYPE), "demangle: results are cached");
}

typedef struct warnlog { int count; md_sym_warning_kind kind; char last[1024]; } warnlog;

static void on_warn(void *ctx, md_sym_warning_kind kind, const char *path, const char *msg)
{
    warnlog *w = ctx;
    (void)path;
    w->count++;
    w->kind = kind;
    snprintf(w->last, sizeof w->last, "%s", msg);
}

/* Looks up a few addresses in a module that cannot be symbolized; all must fall back. */
static void check_degraded(const char *what, const char *path, const char *id_hex,
                           const char *fallback_base, md_sym_warning_kind kind)
{
    char name[256];
    md_symbolizer *s = md_sym_open(NULL, 0);
    md_sym_no_system_dirs(s);
    warnlog w = { 0 };
    md_sym_set_warn(s, on_warn, &w);
    uint8_t id[20];
    parse_hex(id_hex, id, sizeof id);
    md_sym_module *m = md_sym_module_get(s, path, id, sizeof id);
    int all_fell_back = 1;
    for (uint64_t a = 0x1590; a < 0x1600; a += 7) {
        md_sym_frame f[8];
        const char *fb = NULL;
        size_t n = md_sym_code(s, m, a, MD_SYM_RETURN_ADDRESS, f, 8, &fb);
        char want[128];
        snprintf(want, sizeof want, "%s+0x%llx", fallback_base, (unsigned long long)a);
        if (n != 0 || !fb || strcmp(fb, want) != 0) all_fell_back = 0;
    }
    md_sym_data d;
    if (md_sym_data_lookup(s, m, 0x40c0, &d) != 0) all_fell_back = 0;
    snprintf(name, sizeof name, "%s: every lookup gives module+0xOFFSET", what);
    CHECK(all_fell_back, name);
    snprintf(name, sizeof name, "%s: exactly one warning", what);
    CHECK_EQ_U(w.count, 1, name);
    CHECK_EQ_U(md_sym_warning_count(s), 1, name);
    snprintf(name, sizeof name, "%s: the warning says why", what);
    CHECK_EQ_U(w.kind, kind, name);
    printf("# warning: %s\n", w.last);
    md_sym_close(s);
}

static void check_debug_dirs(const report *r)
{
    char dbg[PATH_MAX + 16], stripped[PATH_MAX + 32], name[128];
    snprintf(dbg, sizeof dbg, "%s/dbg", fixdir);
    snprintf(stripped, sizeof stripped, "%s/symfix-stripped", fixdir);
    uint8_t id[20];
    parse_hex(ID_EXE, id, sizeof id);
    const record *rec = find_rec(r, "c_static_leaf");
    const module *mod = rec ? module_of(r, rec->addr) : NULL;
    CHECK(mod != NULL, "debug dir: have an address to look up");
    if (!mod) return;
    uint64_t vaddr = rec->addr - mod->bias;

    /* Without the debug directory the stripped binary has no DWARF and no local symbols. */
    md_symbolizer *s = md_sym_open(NULL, 0);
    md_sym_no_system_dirs(s);
    md_sym_module *m = md_sym_module_get(s, stripped, id, sizeof id);
    md_sym_frame f[8];
    size_t n = md_sym_code(s, m, vaddr, MD_SYM_RETURN_ADDRESS, f, 8, NULL);
    CHECK(n == 0 || f[0].file == NULL, "debug dir: a stripped binary alone gives no file:line");
    md_sym_warning_kind kind = 0;
    CHECK(md_sym_warning_count(s) == 1 && md_sym_warning(s, 0, &kind) && kind == MD_SYM_WARN_NO_DEBUG,
          "debug dir: ... and one no-debug-info warning");
    md_sym_close(s);

    /* With it, the .build-id/xx/yyyy.debug file supplies DWARF and .symtab. */
    const char *dirs[] = { "/nonexistent-debug-dir", dbg };
    s = md_sym_open(dirs, 2);
    md_sym_no_system_dirs(s);
    m = md_sym_module_get(s, stripped, id, sizeof id);
    n = md_sym_code(s, m, vaddr, MD_SYM_RETURN_ADDRESS, f, 8, NULL);
    CHECK_EQ_U(n, 2, "debug dir: build-id layout gives the inline chain");
    if (n == 2) {
        CHECK_STR(f[0].function, "fx_static_leaf", "debug dir: inlined function");
        CHECK_STR(f[1].function, "fx_outer", "debug dir: containing function");
        CHECK_EQ_U(f[0].line, mark_line("symfix_c.c", "static_leaf"), "debug dir: line");
    }
    const char *df = md_sym_module_debug_file(s, m);
    snprintf(name, sizeof name, ".build-id/%.2s/%s.debug", ID_EXE, ID_EXE + 2);
    CHECK(df && strstr(df, name), "debug dir: the debug file came from the .build-id layout");
    CHECK_STR(md_sym_module_code_file(s, m), stripped, "debug dir: the code file is the binary");
    md_sym_data d;
    const record *dr = find_rec(r, "c_static_buf");
    CHECK(dr && md_sym_data_lookup(s, m, dr->addr - mod->bias, &d) == 1 &&
          !strcmp(d.text, "fx_static_buf+0x11"),
          "debug dir: a static global is named from the debug file's .symtab");
    CHECK_EQ_U(md_sym_warning_count(s), 0, "debug dir: no warning when all is found");
    md_sym_close(s);

    /* The mirror layout: DIR/<path>.debug */
    const char *src = fmt("%s/.build-id/%.2s/%s.debug", dbg, ID_EXE, ID_EXE + 2);
    CHECK(mkdirs(fmt("%s/mirror%s", tmpdir, fixdir)) == 0 &&
          copy_file(src, fmt("%s/mirror%s/symfix-stripped.debug", tmpdir, fixdir)) == 0,
          "debug dir: made a mirror layout");
    const char *mdirs[] = { fmt("%s/mirror", tmpdir) };
    s = md_sym_open(mdirs, 1);
    md_sym_no_system_dirs(s);
    m = md_sym_module_get(s, stripped, id, sizeof id);
    n = md_sym_code(s, m, vaddr, MD_SYM_RETURN_ADDRESS, f, 8, NULL);
    CHECK(n == 2 && !strcmp(f[1].function, "fx_outer"), "debug dir: DIR/PATH.debug is found");
    md_sym_close(s);

    /* A debug file with the wrong build-id is refused even where the layout says it belongs. */
    CHECK(mkdirs(fmt("%s/wrong/.build-id/%.2s", tmpdir, ID_OTHER)) == 0 &&
          copy_file(src, fmt("%s/wrong/.build-id/%.2s/%s.debug", tmpdir, ID_OTHER, ID_OTHER + 2)) == 0,
          "debug dir: planted a wrong debug file");
    const char *wdirs[] = { fmt("%s/wrong", tmpdir) };
    s = md_sym_open(wdirs, 1);
    md_sym_no_system_dirs(s);
    uint8_t other[20];
    parse_hex(ID_OTHER, other, sizeof other);
    m = md_sym_module_get(s, "/nonexistent/symfix", other, sizeof other);
    const char *fb = NULL;
    n = md_sym_code(s, m, vaddr, MD_SYM_RETURN_ADDRESS, f, 8, &fb);
    CHECK(n == 0 && fb && !strncmp(fb, "symfix+0x", 9),
          "debug dir: a debug file whose build-id differs from its name is not used");
    CHECK(md_sym_warning_count(s) == 1 && md_sym_warning(s, 0, &kind) && kind == MD_SYM_WARN_MISMATCH,
          "debug dir: ... and is reported as a mismatch");
    md_sym_close(s);
}

static void check_modules(void)
{
    md_symbolizer *s = md_sym_open(NULL, 0);
    uint8_t a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 4 };
    md_sym_module *m1 = md_sym_module_get(s, "/x/libfoo.so", a, 3);
    CHECK(m1 == md_sym_module_get(s, "/x/libfoo.so", a, 3), "modules: same key, same handle");
    CHECK(m1 != md_sym_module_get(s, "/x/libfoo.so", b, 3), "modules: another build-id, another module");
    CHECK(m1 != md_sym_module_get(s, "/x/libfoo.so", NULL, 0), "modules: no build-id, another module");
    int same = 1;
    md_sym_module *ms[300];
    for (int i = 0; i < 300; i++) {
        char p[32];
        snprintf(p, sizeof p, "/lib/m%d.so", i);
        ms[i] = md_sym_module_get(s, p, a, 3);
    }
    for (int i = 0; i < 300; i++) {
        char p[32];
        snprintf(p, sizeof p, "/lib/m%d.so", i);
        if (md_sym_module_get(s, p, a, 3) != ms[i]) same = 0;
    }
    CHECK(same, "modules: the table keeps its handles as it grows");
    const char *fb = NULL;
    md_sym_frame f[4];
    md_sym_module *del = md_sym_module_get(s, "/gone/libbar.so (deleted)", NULL, 0);
    CHECK(md_sym_code(s, del, 0x10, 0, f, 4, &fb) == 0 && fb && !strcmp(fb, "libbar.so+0x10"),
          "modules: a deleted file's fallback drops the (deleted) suffix");
    md_sym_close(s);
}

/* Corrupted copies of the fixture: random bytes of the DWARF sections overwritten. Nothing may
 * crash or hang, and each module warns at most once. */
static void check_corruption(const report *r)
{
    char src[PATH_MAX + 32], dst[PATH_MAX + 32];
    snprintf(src, sizeof src, "%s/symfix", fixdir);
    snprintf(dst, sizeof dst, "%s/corrupt", tmpdir);
    FILE *f = fopen(src, "rb");
    if (!f) { CHECK(0, "corruption: read the fixture"); return; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *orig = malloc((size_t)size), *buf = malloc((size_t)size);
    size_t got = orig && buf ? fread(orig, 1, (size_t)size, f) : 0;
    fclose(f);
    CHECK(got == (size_t)size, "corruption: read the fixture");
    if (got != (size_t)size) { free(orig); free(buf); return; }
    /* DWARF lives past the loaded segments; corrupt only the file's second half so the build-id
     * note at its start survives and the symbolizer does try the damaged DWARF. */
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int max_warnings = 0, rounds = 0, ok_rounds = 0, warned = 0;
    for (int round = 0; round < 120; round++) {
        memcpy(buf, orig, (size_t)size);
        int flips = 1 + round % 40;
        for (int k = 0; k < flips; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (size_t)size / 2 + (size_t)((seed >> 17) % (uint64_t)(size / 2));
            buf[at] = (unsigned char)(seed >> 40);
        }
        size_t len = round % 7 == 6 ? (size_t)size * 2 / 3 : (size_t)size;   /* truncated */
        FILE *o = fopen(dst, "wb");
        if (!o || fwrite(buf, 1, len, o) != len) { if (o) fclose(o); continue; }
        fclose(o);
        md_symbolizer *s = md_sym_open(NULL, 0);
        md_sym_no_system_dirs(s);
        md_sym_module *m = md_sym_module_get(s, dst, NULL, 0);
        int all_named = 1;
        for (int i = 0; i < r->nrecs; i++) {
            md_sym_frame fr[MD_SYM_MAX_FRAMES];
            const char *fb = NULL;
            const module *mod = module_of(r, r->recs[i].addr);
            if (!mod || mod != &r->mods[0]) continue;
            size_t n = md_sym_code(s, m, r->recs[i].addr - mod->bias, MD_SYM_RETURN_ADDRESS, fr,
                                   MD_SYM_MAX_FRAMES, &fb);
            for (size_t k = 0; k < n; k++) if (!fr[k].function) all_named = 0;
            if (!fb) all_named = 0;
            md_sym_data d;
            md_sym_data_lookup(s, m, r->recs[i].addr - mod->bias, &d);
            if (!d.text) all_named = 0;
        }
        int w = (int)md_sym_warning_count(s);
        if (w > max_warnings) max_warnings = w;
        warned += w > 0;
        md_sym_close(s);
        rounds++;
        ok_rounds += all_named;
    }
    free(orig);
    free(buf);
    printf("# corruption: %d of %d damaged copies drew a warning\n", warned, rounds);
    CHECK(rounds == 120, "corruption: 120 damaged copies symbolized without a crash");
    CHECK_EQ_U(ok_rounds, rounds, "corruption: every frame still has a printable name");
    CHECK(max_warnings <= 1, "corruption: at most one warning per module");
}

/* ---- damage that once crashed or hung libdwarf ------------------------------------------------- */

/* The file offset of a section (readelf -SW), or -1. */
static long section_offset(const char *file, const char *section)
{
    char *out = slurp_cmd(fmt("readelf -SW '%s'", file));
    long off = -1;
    char want[64];
    snprintf(want, sizeof want, "] %s ", section);
    for (char *line = out ? strtok(out, "\n") : NULL; line && off < 0; line = strtok(NULL, "\n")) {
        char *at = strstr(line, want);
        char type[32];
        unsigned long addr, o;
        if (at && sscanf(at + strlen(want), "%31s %lx %lx", type, &addr, &o) == 3) off = (long)o;
    }
    free(out);
    return off;
}

/* Copies src to dst with n bytes replaced at file offset at. */
static int patch_copy(const char *src, const char *dst, long at, const void *bytes, size_t n)
{
    if (at < 0 || copy_file(src, dst) != 0) return -1;
    int fd = open(dst, O_WRONLY);
    int rc = fd >= 0 && pwrite(fd, bytes, n, at) == (ssize_t)n ? 0 : -1;
    if (fd >= 0) close(fd);
    return rc;
}

/* Symbolizes the c_plain return address in a damaged copy: it must end, warn once that the DWARF
 * is damaged, and still name fx_plain (from whatever DWARF survived, or the symbol table). */
static void check_damaged(const char *what, const char *copy, const report *r)
{
    char name[256];
    const record *rec = find_rec(r, "c_plain");
    const module *mod = rec ? module_of(r, rec->addr) : NULL;
    if (!mod) { CHECK(0, "damage: have an address"); return; }
    md_symbolizer *s = md_sym_open(NULL, 0);
    md_sym_no_system_dirs(s);
    md_sym_module *m = md_sym_module_get(s, copy, NULL, 0);
    md_sym_frame f[MD_SYM_MAX_FRAMES];
    size_t n = 0;
    for (int i = 0; i < 3; i++)
        n = md_sym_code(s, m, rec->addr - mod->bias, MD_SYM_RETURN_ADDRESS, f, MD_SYM_MAX_FRAMES,
                        NULL);
    md_sym_warning_kind kind = 0;
    snprintf(name, sizeof name, "damage: %s: one warning, about damaged DWARF", what);
    CHECK(md_sym_warning_count(s) == 1 && md_sym_warning(s, 0, &kind) && kind == MD_SYM_WARN_CORRUPT,
          name);
    snprintf(name, sizeof name, "damage: %s: the function is still named right", what);
    CHECK(n >= 1 && !strcmp(f[n - 1].function, "fx_plain"), name);
    md_sym_close(s);
}

static void check_libdwarf_traps(const report *r)
{
    /* 1. A DW_AT_sibling pointing at its own DIE: libdwarf hands back the same DIE as its own
     *    sibling, so a naive walk never ends (fuzzing found this). readelf shows the DIE as
     *    " <1><11b>: ..." and then the attribute as "    <121>   DW_AT_sibling : <0x196>"; the
     *    first one is in the first unit, which starts at offset 0, so its DW_FORM_ref4 value is
     *    the DIE's section offset. */
    const char *src = fmt("%s/symfix", fixdir);
    char srcbuf[PATH_MAX];
    snprintf(srcbuf, sizeof srcbuf, "%s", src);
    char *info = slurp_cmd(fmt("readelf --debug-dump=info '%s'", srcbuf));
    char *sib = info ? strstr(info, "DW_AT_sibling") : NULL, *die = sib;
    unsigned long attr = 0, die_off = 0;
    while (sib && sib > info && sib[-1] != '<') sib--;      /* back to "<121>   DW_AT_sibling" */
    while (die && die > info + 1 && !(die[0] == '<' && die[-1] == '>')) die--;   /* "><11b>" */
    int found = sib && die && sscanf(sib, "%lx>", &attr) == 1 && sscanf(die + 1, "%lx>", &die_off) == 1;
    free(info);
    long infoff = section_offset(srcbuf, ".debug_info");
    uint8_t back[4] = { (uint8_t)die_off, (uint8_t)(die_off >> 8), (uint8_t)(die_off >> 16), 0 };
    const char *copy = fmt("%s/sibling-loop", tmpdir);
    char copybuf[PATH_MAX];
    snprintf(copybuf, sizeof copybuf, "%s", copy);
    CHECK(found && infoff > 0 && patch_copy(srcbuf, copybuf, infoff + (long)attr, back, 4) == 0,
          "damage: made a DW_AT_sibling loop");
    check_damaged("sibling loop", copybuf, r);

    /* 2. A .debug_rnglists table header with a bad version: this libdwarf double-frees. */
    uint8_t v4[2] = { 4, 0 };
    snprintf(copybuf, sizeof copybuf, "%s", fmt("%s/rnglists-header", tmpdir));
    CHECK(patch_copy(srcbuf, copybuf, section_offset(srcbuf, ".debug_rnglists") + 4, v4, 2) == 0,
          "damage: made a bad .debug_rnglists header");
    check_damaged("rnglists header", copybuf, r);

    /* 3. clang's DW_FORM_rnglistx: an offset-array entry pointing far outside the table, which
     *    this libdwarf reads from without a bound. */
    const char *clang = fmt("%s/symfix-clang", fixdir);
    if (access(clang, R_OK) == 0) {
        snprintf(srcbuf, sizeof srcbuf, "%s", clang);
        uint8_t far[4] = { 0xf0, 0xff, 0xff, 0x7f };
        report rc;
        snprintf(copybuf, sizeof copybuf, "%s", fmt("%s/rnglistx-offset", tmpdir));
        CHECK(run_fixture("symfix-clang", &rc) == 0 &&
              patch_copy(srcbuf, copybuf, section_offset(srcbuf, ".debug_rnglists") + 12, far, 4) == 0,
              "damage: made a wild rnglistx offset");
        check_damaged("rnglistx offset", copybuf, &rc);
    }
}

/* The C library through /usr/lib/debug, when this machine has its debug file (libc6-dbg). */
static void check_system_libc(void)
{
    Dl_info info;
    /* libc's own definition, not an interposer's (ASan defines malloc_usable_size too) */
    void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    void *fn = libc ? dlsym(libc, "malloc_usable_size") : NULL;
    if (libc) dlclose(libc);
    if (!fn || !dladdr(fn, &info) || !info.dli_fname || info.dli_fname[0] != '/') return;
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "readelf -n '%s' 2>/dev/null", info.dli_fname);
    char *out = slurp_cmd(cmd), *id = out ? strstr(out, "Build ID: ") : NULL;
    char dbg[PATH_MAX];
    if (!id) { free(out); return; }
    id += 10;
    snprintf(dbg, sizeof dbg, "/usr/lib/debug/.build-id/%.2s/%.38s.debug", id, id + 2);
    free(out);
    if (access(dbg, R_OK) != 0) {
        printf("# no %s: skipping the /usr/lib/debug check\n", dbg);
        return;
    }
    md_symbolizer *s = md_sym_open(NULL, 0);
    md_sym_module *m = md_sym_module_get(s, info.dli_fname, NULL, 0);
    md_sym_frame f[MD_SYM_MAX_FRAMES];
    size_t n = md_sym_code(s, m, (uint64_t)((char *)fn - (char *)info.dli_fbase), 0, f,
                           MD_SYM_MAX_FRAMES, NULL);
    CHECK(n >= 1 && strstr(f[n - 1].function, "malloc_usable_size") && f[n - 1].file &&
          strstr(f[n - 1].file, "malloc.c"), "system: libc symbolized through /usr/lib/debug");
    md_sym_close(s);
}

static int find_dirs(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = 0;
    *strrchr(exe, '/') = 0;                      /* BUILD/tests */
    snprintf(fixdir, sizeof fixdir, "%.*s/../fixtures/symbolize", (int)(sizeof fixdir - 32), exe);
    char *real = realpath(fixdir, NULL);
    if (!real) return -1;
    snprintf(fixdir, sizeof fixdir, "%s", real);
    free(real);
    const char *root = getenv("MEMDUMP_ROOT");
    char probe[PATH_MAX + 64];
    if (root) snprintf(srcdir, sizeof srcdir, "%s/tests/fixtures/symbolize", root);
    else {                                       /* walk up from the build directory */
        snprintf(srcdir, sizeof srcdir, "%s", fixdir);
        for (;;) {
            char *slash = strrchr(srcdir, '/');
            if (!slash || slash == srcdir) return -1;
            *slash = 0;
            snprintf(probe, sizeof probe, "%s/tests/fixtures/symbolize/symfix.h", srcdir);
            if (access(probe, R_OK) == 0) break;
        }
        strcat(srcdir, "/tests/fixtures/symbolize");
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/md-sym-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(120);            /* a hang on damaged input must fail here, not at the runner's limit */
    if (find_dirs() < 0) {
        CHECK(0, "fixtures: found build/fixtures/symbolize and a scratch directory");
        return check_done();
    }
    report r;
    static const char *const variants[] = { "symfix", "symfix-nopie-dw4", "symfix-clang" };
    md_symbolizer *s = md_sym_open(NULL, 0);
    md_sym_no_system_dirs(s);
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        char path[PATH_MAX + 32], name[128];
        snprintf(path, sizeof path, "%s/%s", fixdir, variants[v]);
        if (v == 2 && access(path, X_OK) != 0) {
            printf("# no clang fixture: skipped\n");
            continue;
        }
        snprintf(name, sizeof name, "%s: fixture ran", variants[v]);
        int ran = run_fixture(variants[v], &r) == 0 && r.nmods > 0;
        CHECK(ran, name);
        if (!ran) continue;
        check_wants(s, variants[v], &r);
        if (v < 2) check_oracle(s, variants[v], ADDR2LINE, 500);
        else if (system("llvm-symbolizer --version >/dev/null 2>&1") == 0)
            check_oracle(s, variants[v], LLVM_SYMBOLIZER, 500);
        else
            printf("# no llvm-symbolizer: clang's build is not swept\n");
    }
    check_oracle(s, "libsymfix.so", ADDR2LINE, 50);
    CHECK_EQ_U(md_sym_warning_count(s), 0, "fixtures: no warnings for matching binaries");
    md_sym_close(s);

    CHECK(run_fixture("symfix", &r) == 0 && r.nmods > 0, "fixture symfix ran again");
    s = md_sym_open(NULL, 0);
    md_sym_no_system_dirs(s);
    check_data(s, &r);
    check_demangle(s, &r);
    md_sym_close(s);

    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/symfix-rebuilt", fixdir);
    check_degraded("mismatched build-id", path, ID_EXE, "symfix-rebuilt", MD_SYM_WARN_MISMATCH);
    check_degraded("missing binary", "/nonexistent/dir/symfix", ID_EXE, "symfix", MD_SYM_WARN_MISSING);
    check_debug_dirs(&r);
    check_modules();
    check_corruption(&r);
    check_libdwarf_traps(&r);
    check_system_libc();

    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) printf("# could not remove %s\n", tmpdir);
    return check_done();
}
