/* md_cfi.h — the unwind rule of a return address, read straight from the module's .eh_frame.
 *
 * The caching unwinder (md_unwind.c) needs, for each return address it meets, how to find the
 * caller's frame: CFA = rsp + K or rbp + 16, and where rbp was saved. Asking libunwind costs tens
 * of microseconds per address (it unwinds the whole stack, with sigprocmask calls around its
 * lookups); a compiler has thousands of distinct call sites. This reads the answer from the
 * call frame information directly: binary search in .eh_frame_hdr, then run the FDE's CFA
 * program up to the call instruction. Only what x86-64 compilers emit for ordinary functions is
 * handled; anything else (DWARF expressions, signal frames, no .eh_frame_hdr) returns -1 and
 * the caller falls back to libunwind.
 */
#ifndef MD_CFI_H
#define MD_CFI_H

#include <stdint.h>

typedef struct md_cfi_rule {
    int cfa_reg;            /* 7 = rsp, 6 = rbp */
    int64_t cfa_off;
    int rbp_saved;          /* 1: rbp saved at CFA + rbp_off */
    int64_t rbp_off;
} md_cfi_rule;

/* Rule in effect at the call instruction before return address pc. 0, or -1 if unknown. */
int md_cfi_rule_at(uint64_t pc, md_cfi_rule *r);

#endif
