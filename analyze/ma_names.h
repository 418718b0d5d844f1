/* ma_names.h — everything the analyzer shows as a name: source locations of frames and stacks,
 * type names, root names, edge labels.
 *
 * This is the only file that talks to the symbolizer (analyze/symbolize/symbolize.h). Native
 * frames are symbolized on first use and cached per FRAME id (the symbolizer caches per module
 * too); a frame may expand to several locations when code was inlined. Frames that already carry
 * names (Python frames, or natives the agent named) are used as they are. When a module cannot be
 * symbolized, its frames print as "module+0xOFFSET" (the symbolizer warns once per module).
 *
 * Allocation sites. The site of a stack is its innermost frame that is not part of the allocator:
 * leading frames in the malloc family, operator new, the C++ allocator templates, libc, libstdc++
 * and the agent itself are skipped (ma_is_allocator_loc), because "malloc" is never the answer
 * to "which line allocated this".
 */
#ifndef MA_NAMES_H
#define MA_NAMES_H

#include "ma_types.h"
#include <stdio.h>

typedef struct ma_loc {
    const char *function;   /* never NULL: at worst "module+0xOFFSET" or "?" */
    const char *file;       /* NULL when unknown */
    uint32_t line;          /* 0 when unknown */
    const char *module;     /* basename of the module, NULL for Python frames */
    int inlined;            /* inlined into the next location of the same frame */
} ma_loc;

typedef struct ma_names ma_names;

/* debug_dirs: --debug-dir values. no_system_dirs: do not search /usr/lib/debug (tests).
 * warn: where symbolizer warnings go as they happen (NULL: only collected). */
ma_names *ma_names_open(const ma_dump *d, const char *const *debug_dirs, size_t ndirs,
                        int no_system_dirs, FILE *warn);
void ma_names_close(ma_names *nm);
/* Symbolizer warnings so far (for the JSON "warnings" list). */
size_t ma_names_warning_count(const ma_names *nm);
const char *ma_names_warning(const ma_names *nm, size_t i);

/* The locations of one frame, innermost first; *n >= 1 for any valid frame id. */
const ma_loc *ma_frame_locs(ma_names *nm, uint32_t frame, uint32_t *n);

/* The locations of a stack from its allocation site outwards (inlined frames expanded, allocator
 * frames skipped), innermost first. The array is valid until the next call; *n may be 0. */
const ma_loc *ma_stack_locs(ma_names *nm, uint32_t stack, uint32_t *n);
/* The allocation site of a stack (its first location above), or NULL. */
const ma_loc *ma_stack_site(ma_names *nm, uint32_t stack);

int ma_is_allocator_loc(const ma_loc *l);

/* "function (file:line)", "function (file)", or "function". */
char *ma_loc_text(const ma_loc *l, char *buf, size_t len);

/* Type names: Python names as recorded, C++ names demangled ("6Circle" → "Circle"). */
const char *ma_type_name(ma_names *nm, uint32_t type);
/* The type name of a node, with readable stand-ins for untyped nodes: "(native block)",
 * "(unknown type)". */
const char *ma_node_type(ma_names *nm, ma_id v);

/* How a root is shown: its label, and for native globals the symbol holding the pointer
 * ("global g_cache (prog)"). Cached. */
const char *ma_root_name(ma_names *nm, uint64_t root_index);

/* The same, with every slot of one global merged: "global cache (prog)" for each pointer inside
 * the array `cache` (ma_root_name says "global cache+0x10 (prog)"), so a table of pointers in
 * static memory is one root group. Other roots: ma_root_name. Cached. */
const char *ma_root_group_name(ma_names *nm, uint64_t root_index);

/* An edge label: "name" for a string label, "[i]" for an index, "" for none. */
char *ma_label_text(const ma_dump *d, int32_t label, char *buf, size_t len);

#endif
