/* py_sites.h — --python-sites: the Python traceback of every live object's allocation.
 *
 * In the parent, allocator hooks (PyMem_SetAllocator on the OBJ and MEM domains, which CPython
 * only calls with the GIL held, so the tables need no lock) record for each live block a
 * traceback id; in the snapshot child each node's STACK is looked up by the address its
 * allocation started at (the object minus its pre-header). See py_sites.c for the tables.
 */
#ifndef PY_SITES_H
#define PY_SITES_H

#include <stddef.h>
#include <stdint.h>

typedef struct pysites pysites;
struct pw;

/* Parent: install the hooks, with the GIL held — or before Py_Initialize, while the process has
 * one thread (then the free lists are turned off by the next call, once the interpreter runs).
 * Returns 0, or -1 with a message. */
int pysites_install(char *err, size_t errlen);
/* The tables, or NULL when the hooks are not installed. */
const pysites *pysites_get(void);
/* Statistics for the agent's log: live blocks tracked, distinct tracebacks. */
void pysites_stats(uint64_t *live, uint64_t *traces);

/* Child: STACK id of the traceback recorded for the block at alloc_addr, 0 if none. */
uint32_t pysites_node_stack(struct pw *w, const pysites *s, uint64_t alloc_addr);

#endif
