/* py_vec.h — growable arrays for the snapshot child, each in its own anonymous mapping.
 *
 * The walk cannot know in advance how many objects it will meet (a list of a million floats is
 * one GC object and a million leaves), and the child must not call malloc. So every table that
 * grows lives in a private mmap and doubles with mremap(MREMAP_MAYMOVE): no copying by hand, pages
 * that are never touched cost nothing, new pages arrive zeroed. A process-wide budget bounds the
 * total, so a corrupt heap that looks infinite fails the walk with a message instead of eating
 * the machine.
 */
#ifndef PY_VEC_H
#define PY_VEC_H

#include <stddef.h>

typedef struct pyvec {
    void *p;            /* NULL until the first reserve */
    size_t bytes;       /* mapped size */
} pyvec;

/* Make v at least `bytes` long (rounded up by doubling). New bytes read as zero.
 * Returns 0, or -1 when mmap fails or the budget would be exceeded (v is left unchanged). */
int pyvec_reserve(pyvec *v, size_t bytes);
/* Unmap v. */
void pyvec_free(pyvec *v);

/* Total bytes all pyvecs may map (default 8 GiB); the walk sets it from the object count it
 * expects. pyvec_mapped() says how much is mapped now. */
void pyvec_set_budget(size_t bytes);
size_t pyvec_mapped(void);

#endif
