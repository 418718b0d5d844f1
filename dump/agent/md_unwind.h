/* md_unwind.h — fast native stack capture for the allocation tracker.
 *
 * Frame pointers alone are wrong whenever a function on the stack was compiled without them
 * (most distribution libraries, and any -O2 program): the caller of such a function vanishes
 * from the walk. A full DWARF unwind (libunwind) is right but costs microseconds per call. So
 * this is a caching unwinder: for each return address it keeps a tiny rule — "the caller's frame
 * is at rbp+16" (a frame-pointer function) or "at sp+K, with the caller's rbp saved at CFA-R or
 * untouched" — learned once (from the module's .eh_frame, or from libunwind) the first time that
 * address is seen, then applied with two or three loads per frame. Every computed address is
 * checked against the thread's stack bounds, so garbage can end a walk early but never fault.
 *
 * Without libunwind (it is loaded with dlopen only when native tracking is on, and may be
 * missing), addresses .eh_frame cannot explain fall back to the frame-pointer rule.
 */
#ifndef MD_UNWIND_H
#define MD_UNWIND_H

#include <stdint.h>

#include "md_spin.h"

extern md_spin md_unwind_lock;

/* Loads libunwind (constructor, native mode only). Returns 0 if available. */
int md_unwind_init(void);

/* The stack words a walk depended on, as offsets from its starting frame pointer, with their
 * values: every return address it read, and the saved rbp values that a frame-pointer frame
 * actually used (an rbp that no frame uses — a general register in code without frame
 * pointers — is left out, or every call would look different). Rules depend only on return
 * addresses, so a walk is a pure function of its starting state and those words: if they all
 * still hold the same values, walking again would give the same stack (see md_tracker.c's
 * per-thread stack cache). The caller provides the arrays (cap words each). */
typedef struct md_utrace {
    uint32_t n;             /* words recorded; cap + 1 = overflowed, not usable */
    uint32_t cap;
    uint32_t *off;
    uint64_t *val;
} md_utrace;

/* A per-thread cache of rules (in the thread's registry slot, used only by its thread), since
 * the global table is shared and too big to stay in L1/L2: 2-way set associative, the most
 * recently learned way first, 8 KiB. Its array is named pc because it is keyed by return
 * address (md_threads.c clears it when a slot is reused). */
typedef struct md_rent {
    uint64_t pc;            /* 0 = empty */
    uint32_t rule;
    uint32_t pad;
} md_rent;
#define MD_RCACHE 512
typedef struct md_rcache {
    md_rent pc[MD_RCACHE];
} md_rcache;

/* The set (2 entries) of the rule cache that holds pc's rule: for prefetching. */
static inline md_rent *md_rcache_set(md_rcache *rc, uint64_t pc)
{
    return &rc->pc[((pc ^ (pc >> 11)) & (MD_RCACHE / 2 - 1)) * 2];
}

/* Captures at most max return addresses of the caller of the function whose frame pointer is
 * fp (an interposer compiled with frame pointers), innermost first. stack_hi bounds the walk
 * (0 = unknown: only the first frame). tr (may be NULL) receives the words the walk depended
 * on; rc (may be NULL) is the calling thread's rule cache. *hash (may be NULL) receives the
 * stack's md_stackhash (md_stacktab.h), computed along the walk where it costs nothing.
 * Returns the depth. */
uint32_t md_unwind_capture(void *fp, uint64_t stack_hi, uint64_t *pcs, uint32_t max, md_utrace *tr,
                           md_rcache *rc, uint64_t *hash);

uint64_t md_unwind_bytes(void);     /* rule cache memory, for tracker.overhead */
uint64_t md_unwind_learned(void);   /* libunwind runs so far */
uint64_t md_unwind_cfi_learned(void);   /* rules read from .eh_frame */

#endif
