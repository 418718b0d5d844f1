/* py_counters.c — COUNTER records for --python-sites (design in py_counters.h).
 *
 * Two passes over the tracebacks (one per distinct allocating call path: thousands, against
 * millions of objects; their frames are named once each, see pysites_trace_stack): the
 * first turns each traceback with counts into its STACK id and adds its counters to that STACK's
 * (a table indexed by STACK id, since ids are dense), remembering the STACKs in first-seen order;
 * the second writes one COUNTER per STACK. STACK (and FRAME, STRING) records a traceback needs
 * are written by pysites_trace_stack before the COUNTER that refers to them, as the format wants.
 */
#include "py_counters.h"
#include "py_vec.h"

int py_counters_emit(pw *w, const pysites *s)
{
    uint32_t ntr = pysites_ntraces(s);
    pyvec by_stack = {0}, order = {0};
    uint32_t nsites = 0;
    uint64_t allocs = 0, frees = 0, lost = 0;
    int rc = 0;
    for (uint32_t id = 1; id <= ntr; id++) {
        const pysites_ctr *c = pysites_counts(s, id);
        if (!c || (!c->allocs && !c->frees))
            continue;
        allocs += c->allocs;
        frees += c->frees;
        uint32_t sid = pysites_trace_stack(w, s, id);
        if (!sid || pyvec_reserve(&by_stack, ((size_t)sid + 1) * sizeof(pysites_ctr))) {
            lost++;
            continue;
        }
        pysites_ctr *t = &((pysites_ctr *)by_stack.p)[sid];
        if (!t->allocs && !t->frees) {
            if (pyvec_reserve(&order, ((size_t)nsites + 1) * sizeof(uint32_t))) {
                lost++;
                continue;
            }
            ((uint32_t *)order.p)[nsites++] = sid;
        }
        t->allocs += c->allocs;
        t->frees += c->frees;
        t->bytes_allocated += c->bytes_allocated;
        t->bytes_freed += c->bytes_freed;
    }
    for (uint32_t i = 0; i < nsites; i++) {
        uint32_t sid = ((uint32_t *)order.p)[i];
        const pysites_ctr *t = &((pysites_ctr *)by_stack.p)[sid];
        md_counter r = {sid, t->allocs, t->frees, t->bytes_allocated, t->bytes_freed};
        if (md_w_counter(w->w, &r) < 0) {
            rc = -1;
            break;
        }
    }
    pyvec_free(&by_stack);
    pyvec_free(&order);
    if (lost) {
        md_child_warn(w->c, "python: the counters of %lu allocation tracebacks were not written "
                            "(no STACK for them: out of memory)", (unsigned long)lost);
        rc = -1;
    }

    pysites_stats_t st;
    pysites_stats(s, &st);
    md_stat v[5];
    uint32_t n = 0;
#define STAT(k, x) (v[n++] = (md_stat){{k, sizeof k - 1}, (int64_t)(x)})
    STAT("pysites.live_blocks", st.live_blocks);
    STAT("pysites.counter_live", allocs - frees);
    STAT("pysites.traces", st.traces);
    STAT("pysites.overhead", st.overhead);
    if (st.unaligned)
        STAT("pysites.unaligned", st.unaligned);
#undef STAT
    md_allocator a = {v, n};
    if (md_w_allocator(w->w, &a) < 0)
        rc = -1;
    if (allocs - frees != st.live_blocks)
        md_child_warn(w->c, "python: the --python-sites counters say %lu live blocks, the live table "
                            "%lu", (unsigned long)(allocs - frees), (unsigned long)st.live_blocks);
    return rc;
}
