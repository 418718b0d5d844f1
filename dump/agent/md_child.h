/* md_child.h — services the snapshot child offers to the code that walks a heap.
 *
 * The snapshot child is a copy-on-write clone of the target, made by the agent's control thread.
 * Only that thread exists in it; every lock another thread held at the fork stays held forever.
 * So nothing here calls malloc, stdio or any lock: memory comes from an mmap'd arena with a
 * fixed budget, strings/types/frames/stacks are interned in open-addressed tables in that arena,
 * and records go straight to the no-malloc writer. Both the native graph emitter and the Python
 * walker plugin (dump/python/) use exactly this interface.
 *
 * All functions return 0 / an id on success. Ids are 0 on failure (arena exhausted, writer
 * error); the walk should continue and the failure is reported once as a WARNING record.
 */
#ifndef MD_CHILD_H
#define MD_CHILD_H

#include "md_writer.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct md_child md_child;

md_writer *md_child_writer(md_child *c);

/* Zeroed memory from the child's arena (never freed; the child exits). NULL when the arena's
 * budget is exhausted. */
void *md_child_alloc(md_child *c, size_t size);

/* Interned ids; the defining record is written on first use. */
uint32_t md_child_string(md_child *c, const char *s, size_t len);
/* Keyed by type_addr when non-zero, else by name. kind is MD_TYPE_*. */
uint32_t md_child_type(md_child *c, const char *name, size_t len, uint32_t kind, uint64_t type_addr);
uint32_t md_child_frame_native(md_child *c, uint64_t pc);
uint32_t md_child_frame_py(md_child *c, uint32_t function_str, uint32_t file_str, uint32_t line);
uint32_t md_child_stack(md_child *c, const uint32_t *frames, uint32_t depth);

/* Is [addr, addr+len) inside a readable mapping of the (frozen) address space? Answers from a
 * table of /proc/self/maps read once in the child; O(log mappings). */
int md_child_readable(md_child *c, uint64_t addr, size_t len);

/* A warning that ends up in the dump (WARNING record) and in memdump's output. Formats with a
 * small no-malloc formatter: %s %d %u %ld %lu %lld %llu %zu %x %lx %p %% only. */
void md_child_warn(md_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Nanoseconds left before the parent kills the child; walkers check it now and then so a slow
 * walk fails with a clear message instead of being killed silently. */
int64_t md_child_time_left_ns(md_child *c);

#endif
