/* py_maps.h — the snapshot child's view of its own address space.
 *
 * Every pointer the walker follows comes from a heap that may be corrupt, so before reading an
 * object the walker asks whether the bytes are mapped and readable. The answer comes from
 * /proc/self/maps, read once at the start of the walk with plain system calls (the child is a
 * frozen copy, so the map cannot change under it). Lookups are a binary search with a one-entry
 * cache of the last mapping hit: almost every object lives in one of a handful of arenas.
 *
 * It also says which objects are "static": those inside the interpreter's own image (the python
 * executable or libpython: None, True, small ints, deep-frozen code and strings, _PyRuntime),
 * which are not heap allocations and are left out of the graph. The image's extent comes from
 * its program headers (py_plugin.c), not from the map: the kernel may merge an anonymous
 * mapping placed right after its .bss with it.
 */
#ifndef PY_MAPS_H
#define PY_MAPS_H

#include <stddef.h>
#include <stdint.h>

/* Read /proc/self/maps. Returns 0, or -1 (nothing is readable then). */
int pymaps_load(void);
void pymaps_free(void);

/* Is [addr, addr+len) inside readable mappings? */
int pymaps_readable(uint64_t addr, size_t len);

/* The interpreter's image [lo, hi): the loaded segments (with .bss) of the executable or
 * libpython, as the plugin's init found them from the program headers. Survives pymaps_load. */
void pymaps_set_core(uint64_t lo, uint64_t hi);
/* Is addr inside that image? */
int pymaps_in_core(uint64_t addr);

#endif
