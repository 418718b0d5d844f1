/* md_maps.h — a table of the address space, read from /proc/self/maps without malloc.
 *
 * Used in the snapshot child (md_child_readable, module discovery, the main thread's stack) and
 * in the parent at start-up (main thread stack bounds). Entries are sorted by address, as the
 * kernel lists them. Memory comes from the caller (an arena allocator callback), so the same code
 * serves both sides.
 */
#ifndef MD_MAPS_H
#define MD_MAPS_H

#include <stddef.h>
#include <stdint.h>

#define MD_MAP_R 1u
#define MD_MAP_W 2u
#define MD_MAP_X 4u
#define MD_MAP_STACK 8u     /* the main thread's [stack] */
#define MD_MAP_SPECIAL 16u  /* [vvar], [vsyscall]...: readable bits that must not be scanned */

typedef struct md_map_ent {
    uint64_t lo, hi;
    uint64_t offset;
    uint64_t inode;
    uint32_t flags;         /* MD_MAP_* */
    uint32_t path_off;      /* offset of the path in md_maps.paths, or UINT32_MAX */
} md_map_ent;

typedef struct md_maps {
    md_map_ent *e;
    size_t n;
    char *paths;            /* NUL-separated paths */
    size_t paths_len;
} md_maps;

/* alloc(ctx, size) returns zeroed memory or NULL; it is never freed. Returns 0 or -1. */
typedef void *(*md_alloc_fn)(void *ctx, size_t size);
int md_maps_read(md_maps *m, md_alloc_fn alloc, void *ctx);

/* Index of the mapping containing addr, or -1. */
long md_maps_find(const md_maps *m, uint64_t addr);
/* Is [addr, addr+len) covered by readable mappings (not [vvar]-like)? */
int md_maps_readable(const md_maps *m, uint64_t addr, uint64_t len);
const char *md_maps_path(const md_maps *m, const md_map_ent *e);   /* "" when anonymous */

/* Bounds of the main thread's stack from /proc/self/maps, using a stack buffer only. */
int md_maps_main_stack(uint64_t *lo, uint64_t *hi);

#endif
