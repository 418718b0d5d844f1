/* py_vec.c — mmap/mremap-backed growable arrays (see py_vec.h). Only system calls: safe in the
 * snapshot child, where malloc may be locked forever by a thread that does not exist there. */
#include "py_vec.h"

#include <stdint.h>
#include <sys/mman.h>

static size_t budget = (size_t)8 << 30;
static size_t mapped;

void pyvec_set_budget(size_t bytes) { budget = bytes; }
size_t pyvec_mapped(void) { return mapped; }

int pyvec_reserve(pyvec *v, size_t bytes)
{
    if (bytes <= v->bytes)
        return 0;
    size_t want = v->bytes ? v->bytes : 64u << 10;
    while (want < bytes) {
        if (want > SIZE_MAX / 2)
            return -1;
        want *= 2;
    }
    if (want - v->bytes > budget - mapped || mapped > budget)
        return -1;
    void *p;
    if (v->p)
        p = mremap(v->p, v->bytes, want, MREMAP_MAYMOVE);
    else
        p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    mapped += want - v->bytes;
    v->p = p;
    v->bytes = want;
    return 0;
}

void pyvec_free(pyvec *v)
{
    if (v->p) {
        munmap(v->p, v->bytes);
        mapped -= v->bytes;
    }
    v->p = NULL;
    v->bytes = 0;
}
