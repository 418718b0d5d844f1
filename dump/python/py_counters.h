/* py_counters.h — the snapshot child's COUNTER records for --python-sites.
 *
 * The allocator hooks (py_sites.c) count, per Python traceback, the blocks allocated there since
 * they went in and those of them freed since, with their requested bytes. In the child each
 * traceback with counts becomes its STACK — the same STACK the nodes allocated there carry, so a
 * site's counters and its live objects meet in the analyzer — and one COUNTER record is written
 * per STACK (tracebacks that differ only in instruction, not in line, share a STACK and are
 * added up). An ALLOCATOR record with the pysites.* statistics follows, for reconciliation:
 *
 *   pysites.live_blocks    blocks the hooks' live table tracks at the snapshot
 *   pysites.counter_live   sum over all tracebacks of allocs - frees: equal to live_blocks
 *                          (the Python analogue of tracker.counter_live / tracker.live_blocks)
 *   pysites.traces         distinct tracebacks recorded
 *   pysites.overhead       bytes of the hooks' tables
 *   pysites.unaligned      blocks left untracked because not 16-byte aligned (when any)
 *
 * Runs in the snapshot child: no malloc, no stdio, no locks (scratch memory from py_vec.c).
 */
#ifndef PY_COUNTERS_H
#define PY_COUNTERS_H

#include "py_sites.h"
#include "py_walk.h"

/* Write the COUNTER records and the pysites.* ALLOCATOR record. Returns 0, or -1 after a
 * WARNING record when some could not be written. */
int py_counters_emit(pw *w, const pysites *s);

#endif
