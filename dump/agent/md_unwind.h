/* md_unwind.h — fast native stack capture for the allocation tracker.
 *
 * Frame pointers alone are wrong whenever a function on the stack was compiled without them
 * (most distribution libraries, and any -O2 program): the caller of such a function vanishes
 * from the walk. A full DWARF unwind (libunwind) is right but costs microseconds per call. So
 * this is a caching unwinder: for each return address it keeps a tiny rule — "the caller's frame
 * is at rbp+16" (a frame-pointer function) or "at sp+K, with the caller's rbp saved at CFA-R or
 * untouched" — learned once from libunwind the first time that address is seen, then applied
 * with two or three loads per frame. Every computed address is checked against the thread's
 * stack bounds, so garbage can end a walk early but never fault.
 *
 * Without libunwind (it is loaded with dlopen only when native tracking is on, and may be
 * missing), unknown addresses fall back to the frame-pointer rule.
 */
#ifndef MD_UNWIND_H
#define MD_UNWIND_H

#include <stdint.h>

#include "md_spin.h"

extern md_spin md_unwind_lock;

/* Loads libunwind (constructor, native mode only). Returns 0 if available. */
int md_unwind_init(void);

/* The stack words a walk read, as offsets from its starting frame pointer, with their values.
 * A walk is a pure function of those words (rules depend only on return addresses), so if they
 * all still hold the same values, walking again would give the same stack: see md_tracker.c's
 * per-thread stack cache. */
#define MD_TRACE_MAX 72
typedef struct md_utrace {
    uint32_t n;             /* MD_TRACE_MAX + 1 = overflowed, not usable */
    uint32_t off[MD_TRACE_MAX];
    uint64_t val[MD_TRACE_MAX];
} md_utrace;

/* A small per-thread cache of rules (the global table is shared and too big to stay in L1/L2). */
#define MD_RCACHE 512
typedef struct md_rcache {
    uint64_t pc[MD_RCACHE];
    uint32_t rule[MD_RCACHE];
} md_rcache;

/* Captures at most max return addresses of the caller of the function whose frame pointer is
 * fp (an interposer compiled with frame pointers), innermost first. stack_hi bounds the walk
 * (0 = unknown: only the first frame). tr (may be NULL) receives the words read; rc (may be
 * NULL) is the calling thread's rule cache. Returns the depth. */
uint32_t md_unwind_capture(void *fp, uint64_t stack_hi, uint64_t *pcs, uint32_t max, md_utrace *tr,
                           md_rcache *rc);

uint64_t md_unwind_bytes(void);     /* rule cache memory, for tracker.overhead */
uint64_t md_unwind_learned(void);   /* libunwind runs so far */
uint64_t md_unwind_cfi_learned(void);   /* rules read from .eh_frame */

#endif
