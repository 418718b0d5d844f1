/* md_peak.h — the --at-peak trigger.
 *
 * The tracker calls md_peak_crossed() when the live heap it has published passes the threshold:
 * the last dumped peak plus PCT percent (and at least MEMDUMP_PEAK_MIN, default 1 MiB). Then:
 *   - native programs: the snapshot is taken at the allocation that crossed it — the allocating
 *     thread does the fork phase itself (the pause only) and hands the child to the control
 *     thread, so a transient spike is caught while it is there. Up to 4 peak children may be
 *     writing at once (a spike climbs through several 10% steps in a few milliseconds);
 *   - with a walker plugin (Python): by the control thread, at the next moment it can reach a
 *     safe point (the allocating thread may not be at one);
 *   - when 4 peak children are already running, or within MEMDUMP_PEAK_INTERVAL (default 0) of
 *     the last peak snapshot (the rate limit): the highest crossing is remembered and the control
 *     thread takes it afterwards, if the live heap is still above the best dump by then.
 * Of the peak dumps, only the highest is kept (a lower one is deleted once a higher one is
 * complete; MEMDUMP_PEAK_KEEP=1 keeps them all), so what remains is the highest peak seen,
 * within PCT of the true top.
 */
#ifndef MD_PEAK_H
#define MD_PEAK_H

#include <stdint.h>

extern uint64_t md_peak_threshold;  /* UINT64_MAX when --at-peak is off */

void md_peak_init(void);
/* Called with no tracker lock held; may take a snapshot. */
void md_peak_crossed(uint64_t live, uint32_t stack);
/* Control thread: handles deferred peaks; returns ns until it wants to run again, -1 = idle. */
int64_t md_peak_poll(void);
/* After fork(): no peak in flight in the child. */
void md_peak_after_fork(void);

#endif
