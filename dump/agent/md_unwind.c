/* md_unwind.c — the caching unwinder (see md_unwind.h).
 *
 * Rules are 32-bit words: bits 0-1 the kind (FP, SP, STOP), bits 2-17 the frame size K in
 * 8-byte words (CFA = sp + 8K), bits 18-31 where the caller's rbp was saved, R words below the
 * CFA (0 = rbp untouched by this function). The global cache maps return address → rule in an
 * open-addressed table; like the stack table it is read lock-free and grown by publishing a new
 * table (old ones are abandoned: readers may still hold them). An entry's rule is written before
 * its key (release), so a reader that finds the key finds the rule. Each thread keeps the rules
 * it met lately in its own small 2-way cache (md_rcache), in front of the global table.
 *
 * Learning: when an address has no rule, its FDE in the module's .eh_frame gives it (md_cfi.c),
 * which covers nearly everything compilers emit. Otherwise libunwind unwinds the current stack
 * from scratch; the frame with the same (ip, sp) as the walk's current frame is located, and
 * rules for it and every frame above are derived from consecutive frames' SP and the save
 * location of RBP. The walk then continues with the new rules. Signal frames and frames
 * libunwind cannot step past get a STOP rule. A walk that cannot be matched (should not happen)
 * is cut short and its address gets STOP, so a pathological site never pays for libunwind twice.
 *
 * The walk records the words it depends on (md_utrace) and hashes the stack as it goes; see
 * md_unwind.h for why a saved rbp is recorded only when a frame uses it.
 */
#define UNW_LOCAL_ONLY
#include "md_unwind.h"
#include "md_cfi.h"
#include "md_stacktab.h"
#include "md_sys.h"

#include <dlfcn.h>
#include <libunwind.h>
#include <string.h>

enum { R_FP = 1, R_SP = 2, R_STOP = 3 };
#define RULE(kind, k, r) ((uint32_t)(kind) | ((uint32_t)(k) << 2) | ((uint32_t)(r) << 18))
#define R_KIND(x) ((x) & 3u)
#define R_K(x) (((x) >> 2) & 0xffffu)
#define R_R(x) ((x) >> 18)

typedef struct rtab {
    uint32_t cap;           /* power of two */
    uint32_t count;
    struct { uint64_t pc; uint32_t rule; uint32_t pad; } e[];
} rtab;

md_spin md_unwind_lock = MD_SPIN_INIT;
static rtab *tab;
static uint64_t tab_bytes, learned, cfi_learned;

static int (*u_getcontext)(unw_context_t *);
static int (*u_init_local)(unw_cursor_t *, unw_context_t *);
static int (*u_step)(unw_cursor_t *);
static int (*u_get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
static int (*u_get_save_loc)(unw_cursor_t *, int, unw_save_loc_t *);
static int (*u_is_signal_frame)(unw_cursor_t *);
static int have_unwind;

int md_unwind_init(void)
{
    void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (!h) return -1;
    u_getcontext = (int (*)(unw_context_t *))dlsym(h, "_Ux86_64_getcontext");
    u_init_local = (int (*)(unw_cursor_t *, unw_context_t *))dlsym(h, "_ULx86_64_init_local");
    u_step = (int (*)(unw_cursor_t *))dlsym(h, "_ULx86_64_step");
    u_get_reg = (int (*)(unw_cursor_t *, unw_regnum_t, unw_word_t *))dlsym(h, "_ULx86_64_get_reg");
    u_get_save_loc = (int (*)(unw_cursor_t *, int, unw_save_loc_t *))
        dlsym(h, "_ULx86_64_get_save_loc");
    u_is_signal_frame = (int (*)(unw_cursor_t *))dlsym(h, "_ULx86_64_is_signal_frame");
    have_unwind = u_getcontext && u_init_local && u_step && u_get_reg && u_get_save_loc &&
                  u_is_signal_frame;
    /* per-thread caches: no lock, and no sigprocmask around every cache access */
    int (*policy)(unw_addr_space_t, unw_caching_policy_t) =
        (int (*)(unw_addr_space_t, unw_caching_policy_t))dlsym(h, "_ULx86_64_set_caching_policy");
    unw_addr_space_t *as = (unw_addr_space_t *)dlsym(h, "_ULx86_64_local_addr_space");
    if (policy && as) policy(*as, UNW_CACHE_PER_THREAD);
    return have_unwind ? 0 : -1;
}

uint64_t md_unwind_bytes(void) { return tab_bytes; }
uint64_t md_unwind_learned(void) { return learned; }
uint64_t md_unwind_cfi_learned(void) { return cfi_learned; }

static inline uint32_t slot_of(uint64_t pc, uint32_t cap)
{
    return (uint32_t)((pc * 0x9e3779b97f4a7c15ull) >> 40) & (cap - 1);
}

static inline uint32_t lookup(uint64_t pc)
{
    rtab *t = __atomic_load_n(&tab, __ATOMIC_ACQUIRE);
    if (!t) return 0;
    for (uint32_t j = slot_of(pc, t->cap);; j = (j + 1) & (t->cap - 1)) {
        uint64_t k = __atomic_load_n(&t->e[j].pc, __ATOMIC_ACQUIRE);
        if (k == pc) return t->e[j].rule;
        if (k == 0) return 0;
    }
}

static void put_locked(uint64_t pc, uint32_t rule)
{
    rtab *t = tab;
    if (!t || (t->count + 1) * 2 > t->cap) {
        uint32_t ncap = t ? t->cap * 2 : 4096;
        size_t sz = sizeof(rtab) + (size_t)ncap * 16;
        rtab *nt = md_map(sz);
        if (!nt) return;
        tab_bytes += sz;
        nt->cap = ncap;
        if (t) {
            for (uint32_t i = 0; i < t->cap; i++) {
                if (!t->e[i].pc) continue;
                uint32_t j = slot_of(t->e[i].pc, ncap);
                while (nt->e[j].pc) j = (j + 1) & (ncap - 1);
                nt->e[j].rule = t->e[i].rule;
                nt->e[j].pc = t->e[i].pc;
            }
            nt->count = t->count;
        }
        __atomic_store_n(&tab, nt, __ATOMIC_RELEASE);
        t = nt;
    }
    for (uint32_t j = slot_of(pc, t->cap);; j = (j + 1) & (t->cap - 1)) {
        if (t->e[j].pc == pc) return;
        if (t->e[j].pc == 0) {
            t->e[j].rule = rule;
            __atomic_store_n(&t->e[j].pc, pc, __ATOMIC_RELEASE);
            t->count++;
            return;
        }
    }
}

static void put(uint64_t pc, uint32_t rule)
{
    md_spin_acquire(&md_unwind_lock);
    put_locked(pc, rule);
    md_spin_release(&md_unwind_lock);
}

/* The rule for pc from the module's .eh_frame, or 0 if it needs libunwind. */
static uint32_t from_cfi(uint64_t pc)
{
    md_cfi_rule r;
    if (md_cfi_rule_at(pc, &r) < 0) return 0;
    if (r.cfa_reg == 6)     /* rbp-based: only the standard frame-pointer frame */
        return r.cfa_off == 16 && r.rbp_saved && r.rbp_off == -16 ? RULE(R_FP, 0, 0) : 0;
    if (r.cfa_off <= 0 || r.cfa_off % 8 || r.cfa_off / 8 > 0xffff) return 0;
    uint64_t rr = 0;
    if (r.rbp_saved) {
        if (r.rbp_off >= 0 || (-r.rbp_off) % 8 || -r.rbp_off > r.cfa_off || -r.rbp_off / 8 > 0x3fff)
            return 0;
        rr = (uint64_t)(-r.rbp_off / 8);
    }
    return RULE(R_SP, r.cfa_off / 8, rr);
}

/* Derive and cache rules for the frame (pc, sp) and those above it; returns pc's rule. */
__attribute__((noinline)) static uint32_t learn(uint64_t pc, uint64_t sp)
{
    uint32_t quick = from_cfi(pc);
    if (quick) {
        cfi_learned++;
        put(pc, quick);
        return quick;
    }
    if (!have_unwind) {
        put(pc, RULE(R_FP, 0, 0));
        return RULE(R_FP, 0, 0);
    }
    learned++;
    unw_context_t uc;
    unw_cursor_t cur;
    if (u_getcontext(&uc) < 0 || u_init_local(&cur, &uc) < 0) goto fail;
    int found = 0;
    for (int steps = 0; steps < 512; steps++) {
        unw_word_t ip, fsp;
        if (u_step(&cur) <= 0) break;
        u_get_reg(&cur, UNW_REG_IP, &ip);
        u_get_reg(&cur, UNW_REG_SP, &fsp);
        if (fsp > sp) break;
        if (ip == pc && fsp == sp) { found = 1; break; }
    }
    if (!found) goto fail;
    uint32_t first = 0;
    for (int frames = 0; frames < 256; frames++) {
        unw_word_t ip, fsp, rbp, nsp;
        u_get_reg(&cur, UNW_REG_IP, &ip);
        u_get_reg(&cur, UNW_REG_SP, &fsp);
        u_get_reg(&cur, UNW_X86_64_RBP, &rbp);
        uint32_t rule;
        int last = 0;
        if (u_is_signal_frame(&cur) > 0 || u_step(&cur) <= 0) {
            rule = RULE(R_STOP, 0, 0);
            last = 1;
        } else {
            u_get_reg(&cur, UNW_REG_SP, &nsp);
            unw_save_loc_t loc;
            memset(&loc, 0, sizeof loc);
            uint64_t r = 0;
            if (u_get_save_loc(&cur, UNW_X86_64_RBP, &loc) == 0 && loc.type == UNW_SLT_MEMORY &&
                loc.u.addr >= fsp && loc.u.addr < nsp)
                r = (nsp - loc.u.addr) / 8;
            uint64_t k = (nsp - fsp) / 8;
            if (nsp <= fsp || (nsp - fsp) % 8)
                rule = RULE(R_STOP, 0, 0), last = 1;
            else if (r == 2 && rbp == nsp - 16)
                rule = RULE(R_FP, 0, 0);
            else if (k > 0xffff || r > 0x3fff)
                rule = RULE(R_STOP, 0, 0), last = 1;
            else
                rule = RULE(R_SP, k, r);
        }
        if (frames == 0) first = rule;
        put(ip, rule);
        if (last) break;
        /* stop at the first caller whose rule is known: everything above was learned by an
         * earlier walk, and each libunwind step costs as much as a whole fast walk */
        unw_word_t next_ip;
        u_get_reg(&cur, UNW_REG_IP, &next_ip);
        if (lookup(next_ip)) break;
    }
    return first;
fail:
    put(pc, RULE(R_STOP, 0, 0));
    return RULE(R_STOP, 0, 0);
}

/* Rule of pc through the thread's cache: way 0 is checked first and takes new rules, pushing
 * its old one to way 1. */
static inline uint32_t cached_rule(uint64_t pc, md_rcache *rc)
{
    if (!rc) return lookup(pc);
    md_rent *set = md_rcache_set(rc, pc);
    if (set[0].pc == pc) return set[0].rule;
    if (set[1].pc == pc) return set[1].rule;
    uint32_t r = lookup(pc);
    if (r) {
        set[1] = set[0];
        set[0].pc = pc;
        set[0].rule = r;
    }
    return r;
}

static inline uint64_t word_at(uint64_t addr) { return *(const uint64_t *)(uintptr_t)addr; }

/* Records a word the walk depends on. */
#define NOTE(addr, v)                                                                          \
    do {                                                                                       \
        if (tn < tcap) {                                                                       \
            toff[tn] = (uint32_t)((addr) - base);                                              \
            tval[tn] = (v);                                                                    \
        }                                                                                      \
        tn += tn <= tcap;                                                                      \
    } while (0)

uint32_t md_unwind_capture(void *fp, uint64_t stack_hi, uint64_t *pcs, uint32_t max, md_utrace *tr,
                           md_rcache *rc, uint64_t *hash)
{
    uint64_t base = (uint64_t)(uintptr_t)fp;     /* nothing below this is read */
    /* the trace lives in locals during the walk; without one, tcap = 0 and a record only
     * bumps the unused count */
    uint32_t tn = 0, tcap = tr ? tr->cap : 0;
    uint32_t *toff = tr ? tr->off : NULL;
    uint64_t *tval = tr ? tr->val : NULL;
    uint64_t h = MD_STACKHASH_SEED;
    uint32_t n = 0;
    if (stack_hi - base > UINT32_MAX) stack_hi = 0;  /* offsets must fit the trace */
    /* rbp is read eagerly but recorded only when a frame-pointer frame uses it: in code
     * without frame pointers it is a general register that does not affect the walk */
    uint64_t rbp_at = base, rbp = word_at(base);
    uint64_t pc = word_at(base + 8), sp = base + 16;
    NOTE(base + 8, pc);
    while (n < max && pc > 4096) {
        pcs[n++] = pc;
        h = md_stackhash_step(h, pc);
        if (!stack_hi || n == max) break;       /* the next frame is not needed */
        uint32_t rule = cached_rule(pc, rc);
        if (!rule) rule = learn(pc, sp);
        uint64_t cfa;
        if (R_KIND(rule) == R_SP) {
            cfa = sp + 8ull * R_K(rule);
            if (cfa <= sp || cfa > stack_hi) break;
            uint32_t r = R_R(rule);
            if (r) {                        /* r <= K by construction: the slot is in the frame */
                rbp_at = cfa - 8ull * r;
                rbp = word_at(rbp_at);
            }
        } else if (R_KIND(rule) == R_FP) {
            NOTE(rbp_at, rbp);
            if (rbp < sp || rbp + 16 > stack_hi || (rbp & 7)) break;
            cfa = rbp + 16;
            rbp_at = rbp;
            rbp = word_at(rbp);
        } else {
            break;
        }
        pc = word_at(cfa - 8);
        NOTE(cfa - 8, pc);
        sp = cfa;
    }
    if (tr) tr->n = tn;
    if (hash) *hash = md_stackhash_final(h, n);
    return n;
}
