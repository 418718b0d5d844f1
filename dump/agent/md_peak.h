/* md_peak.h — the --at-peak trigger.
 *
 * The tracker calls md_peak_crossed() when the live heap it has published passes the threshold:
 * the last dumped peak plus PCT percent (and at least MEMDUMP_PEAK_MIN, default 1 MiB). Then:
 *   - native programs: the snapshot is taken at the allocation that crossed it — the allocating
 *     thread does the fork phase itself (the pause only) and hands the child to the control
 *     thread, so a transient spike is caught while it is there. Up to 4 peak children may be
 *     writing at once (a spike climbs through several 10% steps in a few milliseconds);
 *   - with a walker plugin (Python): at the runtime's next safe point on the program's own thread
 *     (the plugin's defer: a pending call, run as the allocating call returns), so a short-lived
 *     object is still alive in the dump; if that point does not come within 100 ms (a thread
 *     blocked in C code), or the plugin cannot queue the call, the control thread takes it;
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
/* At exit: wait (up to the snapshot deadline) for the peak children still writing, so the
 * control thread reaps them, keeps the highest and deletes the others. */
void md_peak_at_exit(void);
/* After fork(): no peak in flight in the child. */
void md_peak_after_fork(void);

#endif
