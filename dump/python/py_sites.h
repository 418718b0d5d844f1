/* py_sites.h — --python-sites: the Python traceback of every live object's allocation, and
 * per-traceback counters of what was allocated and freed since the hooks went in.
 *
 * In the parent, allocator hooks (PyMem_SetAllocator on the OBJ domain, which CPython only calls
 * with the GIL held, so the tables need no lock) record for each live block a traceback id and
 * its requested size, and count per traceback; in the snapshot child each node's STACK is looked
 * up by the address its allocation started at (the object minus its pre-header), and the
 * counters become COUNTER records (py_counters.c). See py_sites.c for the tables.
 */
#ifndef PY_SITES_H
#define PY_SITES_H

#include <stddef.h>
#include <stdint.h>

typedef struct pysites pysites;
struct pw;

/* Totals of one traceback since the hooks went in (FORMAT.md §3.12): blocks allocated there,
 * those of them freed since (wherever), and their requested bytes. A realloc adds its old size
 * to bytes_freed and its new size to bytes_allocated, and no count. */
typedef struct pysites_ctr {
    uint64_t allocs, frees, bytes_allocated, bytes_freed;
} pysites_ctr;

typedef struct pysites_stats_t {
    uint64_t live_blocks;       /* blocks the live table tracks now */
    uint64_t traces;            /* distinct tracebacks */
    uint64_t unaligned;         /* blocks left untracked: not 16-byte aligned (never seen) */
    uint64_t overhead;          /* bytes the tables use */
} pysites_stats_t;

/* Parent: install the hooks, with the GIL held — or before Py_Initialize, while the process has
 * one thread (then the free lists are turned off by the next call, once the interpreter runs).
 * Returns 0, or -1 with a message. */
int pysites_install(char *err, size_t errlen);
/* The tables, or NULL when the hooks are not installed. */
const pysites *pysites_get(void);
/* Statistics of the tables (parent, with the GIL; or the child). */
void pysites_stats(const pysites *s, pysites_stats_t *st);

/* Tracebacks have ids 1..pysites_ntraces(s); their counters (NULL for an id out of range). */
uint32_t pysites_ntraces(const pysites *s);
const pysites_ctr *pysites_counts(const pysites *s, uint32_t id);

/* Child: STACK id of traceback id (written on first use, then cached), 0 if none. */
uint32_t pysites_trace_stack(struct pw *w, const pysites *s, uint32_t id);
/* Child: STACK id of the traceback recorded for the block at alloc_addr, 0 if none. */
uint32_t pysites_node_stack(struct pw *w, const pysites *s, uint64_t alloc_addr);

#endif
