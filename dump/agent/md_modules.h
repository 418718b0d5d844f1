/* md_modules.h — the loaded ELF objects, discovered inside the snapshot child.
 *
 * dl_iterate_phdr takes the loader's lock, which another thread may have held at the fork, so
 * the child instead walks the link_map list from _r_debug (its address is resolved in the parent
 * at start-up) and reads each object's program headers from memory, validating every pointer
 * against the frozen /proc/self/maps. That works for every snapshot path, the fatal-signal one
 * included. Each module yields a MODULE record (path, build-id, bias, extent) and its writable
 * PT_LOAD segments, which become GLOBAL roots.
 */
#ifndef MD_MODULES_H
#define MD_MODULES_H

#include <stdint.h>

typedef struct md_child md_child;

#define MD_MOD_MAX_WSEG 4

typedef struct md_mod {
    uint32_t id;            /* MODULE id */
    uint32_t path_str;      /* STRING id */
    uint64_t lo, hi, bias;
    const char *path;       /* in the child's arena */
    uint32_t nwseg;
    uint64_t wseg_lo[MD_MOD_MAX_WSEG], wseg_hi[MD_MOD_MAX_WSEG];
    int is_self;            /* libmemdump.so itself */
    int is_libc;            /* glibc: its malloc state points at chunk headers */
} md_mod;

typedef struct md_modtab {
    md_mod *m;              /* sorted by lo */
    uint32_t n;
} md_modtab;

/* Discovers modules and writes their MODULE records. r_debug is the address of _r_debug in the
 * target (0 = unknown: fall back to ELF headers found in /proc/self/maps); self_addr is any
 * address inside libmemdump.so. Returns 0 (possibly with warnings) or -1. */
int md_modules_collect(md_child *c, md_modtab *t, uint64_t r_debug, uint64_t self_addr);

/* MODULE id of the module containing pc, or 0. */
uint32_t md_modules_find(const md_modtab *t, uint64_t pc);
const md_mod *md_modules_lookup(const md_modtab *t, uint64_t addr);

#endif
