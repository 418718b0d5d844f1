/* symbolize.h — the offline symbolizer: native addresses from a dump to function, file and line.
 *
 * A dump stores native PCs raw, each with the MODULE it fell in (path, build-id, load bias; see
 * formats/FORMAT.md §3.5, §3.7), and roots store the addresses of the slots that hold them. The
 * analyzer turns those into names here, long after the process is gone:
 *
 *   md_symbolizer *s = md_sym_open(dirs, ndirs);        // --debug-dir values, may be 0 of them
 *   md_sym_module *m = md_sym_module_get(s, path, build_id, build_id_len);   // once per MODULE
 *   md_sym_frame f[MD_SYM_MAX_FRAMES];
 *   const char *fallback;
 *   size_t n = md_sym_code(s, m, pc - bias, MD_SYM_RETURN_ADDRESS, f, MD_SYM_MAX_FRAMES, &fallback);
 *   // n frames, innermost first (inlined frames, then the function that contains the code);
 *   // n == 0: nothing known, print fallback ("libfoo.so+0x1234")
 *   md_sym_close(s);                                    // frees every string handed out
 *
 * Finding the file. A module is identified by its recorded path and build-id. Its code file (for
 * the ELF symbol tables) is the recorded path if that file's NT_GNU_BUILD_ID matches; its debug
 * file (for DWARF) is the code file itself if it has .debug_info, else the first match among, for
 * each --debug-dir D and then /usr/lib/debug: D/.build-id/xx/yyyy.debug, D/PATH, D/PATH.debug,
 * D/DIR/LINK; and finally PATH.debug, DIR/LINK and DIR/.debug/LINK beside the binary (DIR: the
 * binary's directory, LINK: its .gnu_debuglink name). Every candidate must carry the recorded
 * build-id; for a module recorded without one, debug files must match the binary's own build-id,
 * and only with neither is a file accepted unchecked (there is nothing to check against). A
 * separate debug file (objcopy --only-keep-debug) holds a full .symtab too, so a stripped binary
 * plus its debug file give everything. If no matching file exists, the module degrades to
 * "module+0xOFFSET" names with exactly one warning — a stale binary never lends its names.
 *
 * Cost. Modules are opened on first use and kept open until md_sym_close. DWARF is indexed one
 * compilation unit at a time, the first time an address falls in it: its function and inlined
 * subroutine ranges and its line table become sorted arrays, so a lookup is a few binary searches
 * plus a walk down the inline tree of one function. Names are resolved (and demangled) the first
 * time they are needed, then cached.
 *
 * Robustness. Files are untrusted input: libdwarf and libelf errors, loops in DIE references,
 * absurd nesting, and truncated tables all end in "unknown" for the affected addresses (and at
 * most one warning per module), never in a crash, an abort or a wrong name.
 *
 * Not thread-safe: one symbolizer per thread.
 */
#ifndef MD_SYMBOLIZE_H
#define MD_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

typedef struct md_symbolizer md_symbolizer;
typedef struct md_sym_module md_sym_module;

/* Levels of inlining followed from the containing function inward for one address: a frame
 * array of this size always holds a whole answer. */
#define MD_SYM_MAX_FRAMES 32

/* One source-level frame. All strings belong to the symbolizer and stay valid until md_sym_close.
 * function is never NULL (at worst the fallback name); file is NULL and line 0 when unknown. C++
 * names are demangled ("Circle::area() const"); file is the path as compiled, joined with the
 * compilation directory. */
typedef struct md_sym_frame {
    const char *function;
    const char *file;
    uint32_t line;
    uint32_t column;   /* 0 = unknown */
    int inlined;       /* 1: this code was inlined into the next frame of the array */
} md_sym_frame;

/* Why a module gave less than full answers. Each module warns at most once, when first used. */
typedef enum md_sym_warning_kind {
    MD_SYM_WARN_MISSING = 1,   /* no file found at all: names are module+0xOFFSET */
    MD_SYM_WARN_MISMATCH = 2,  /* files found, but none with the recorded build-id: same */
    MD_SYM_WARN_NO_DEBUG = 3,  /* the binary matches but has no DWARF: functions, no lines */
    MD_SYM_WARN_CORRUPT = 4,   /* DWARF or ELF data could not be read: partial answers */
} md_sym_warning_kind;

/* Called once per warning, in order. message is one line without a trailing newline, naming the
 * module and saying what was tried (e.g. "libfoo.so: build-id 1234… not found in /usr/lib/foo.so
 * (build-id 5678…), /dbg/.build-id/12/34….debug; names will be libfoo.so+0xOFFSET"). */
typedef void md_sym_warn_fn(void *ctx, md_sym_warning_kind kind, const char *module_path,
                            const char *message);

/* Creates a symbolizer searching debug_dirs (ndirs of them, in order, then /usr/lib/debug). The
 * strings are copied. Returns NULL only when out of memory. */
md_symbolizer *md_sym_open(const char *const *debug_dirs, size_t ndirs);

/* Frees the symbolizer, every module it opened, and every string it returned. NULL is ignored. */
void md_sym_close(md_symbolizer *s);

/* Sends warnings to fn (ctx is passed back). Without a handler they are only collected, see
 * md_sym_warning(). Warnings are collected either way. */
void md_sym_set_warn(md_symbolizer *s, md_sym_warn_fn *fn, void *ctx);

/* The number of warnings issued so far, and the i-th one's message (NULL if i is out of range). */
size_t md_sym_warning_count(const md_symbolizer *s);
const char *md_sym_warning(const md_symbolizer *s, size_t i, md_sym_warning_kind *kind);

/* Only look in the given debug directories, not /usr/lib/debug (tests use this so that what the
 * machine happens to have installed cannot change their answers). Call before the first lookup:
 * modules already opened keep the files they found. */
void md_sym_no_system_dirs(md_symbolizer *s);

/* The module for a recorded path and build-id (build_id may be NULL with len 0 when the dump has
 * none). Cheap: nothing is opened until the first lookup. The same (path, build-id) pair always
 * returns the same handle, valid until md_sym_close. Returns NULL only when out of memory. A path
 * the kernel marked " (deleted)" is looked up without that suffix. */
md_sym_module *md_sym_module_get(md_symbolizer *s, const char *path, const uint8_t *build_id,
                                 size_t build_id_len);

/* Flags of md_sym_code. */
#define MD_SYM_RETURN_ADDRESS 1u  /* vaddr is a return address: look up vaddr - 1, the call */

/* Symbolizes the code address vaddr (ELF virtual address: runtime pc - module bias). Fills up to
 * max frames innermost first: the inlined subroutines containing the address, then the function
 * containing them (with a smaller max, the innermost max frames). The innermost frame's file/line
 * is the line-table row of the address; each outer frame's is the call site of the frame inside
 * it. Without DWARF the ELF symbol table gives a single frame with a function name and no file.
 * Returns the number of frames; 0 when nothing is known. *fallback (if fallback is not NULL) is
 * always set to "module+0xVADDR" (basename of the module, vaddr as given), so callers may print
 * it whatever the result. */
size_t md_sym_code(md_symbolizer *s, md_sym_module *m, uint64_t vaddr, unsigned flags,
                   md_sym_frame *out, size_t max, const char **fallback);

/* A data address resolved through the ELF symbol tables (STT_OBJECT symbols; thread-locals have
 * no fixed address and are not considered). */
typedef struct md_sym_data {
    const char *name;    /* the symbol, demangled; NULL if no object contains the address */
    uint64_t offset;     /* vaddr - symbol start */
    uint64_t size;       /* the symbol's size */
    const char *text;    /* always set: "name", "name+0x10", or "module+0xVADDR" */
} md_sym_data;

/* Which global holds the data address vaddr (ELF virtual address)? Returns 1 and fills *out when a
 * symbol contains it, 0 otherwise (out->text is the fallback then). */
int md_sym_data_lookup(md_symbolizer *s, md_sym_module *m, uint64_t vaddr, md_sym_data *out);

/* Demangles a C++ name. A function symbol ("_ZNK6Circle4areaEv") gives "Circle::area() const";
 * with MD_SYM_TYPE, a type as std::type_info::name() spells it ("6Circle", "N3app5ShapeE") gives
 * "Circle", "app::Shape". Returns the input itself when it is not a valid mangled name (C names,
 * Python type names), so the result can always be printed. Owned by the symbolizer. */
#define MD_SYM_TYPE 1u
const char *md_sym_demangle(md_symbolizer *s, const char *name, unsigned flags);

/* Where the module's names come from, for diagnostics: the code and debug files chosen (NULL
 * when none). Opens the module if it was not yet. */
const char *md_sym_module_code_file(md_symbolizer *s, md_sym_module *m);
const char *md_sym_module_debug_file(md_symbolizer *s, md_sym_module *m);

#endif
