/* md_control.h — the agent's control thread: the one place that takes snapshots in response to
 * asynchronous triggers (signal, memdump --pid, deferred peaks, RSS threshold), loads the walker
 * plugin, and reaps snapshot children started on other threads.
 *
 * It is created by the constructor with every signal blocked except the trigger signal (so no
 * application handler ever runs on it, while a request can be aimed at it), on a small stack, and
 * sleeps on a futex. Nothing else ever needs to wake it but md_control_wake(), which is
 * async-signal-safe (an atomic increment and a FUTEX_WAKE) — no file descriptor is kept open in
 * the target that the application could close or reuse.
 */
#ifndef MD_CONTROL_H
#define MD_CONTROL_H

#include "md_snapshot.h"

/* Hand a forked snapshot child to the control thread for reaping; done (may be NULL) is called
 * on the control thread with the outcome. Returns 0, or -1 if the control thread is not running
 * or its queue is full (then the caller must wait itself). */
typedef void (*md_done_fn)(const md_snap_result *r);
int md_control_adopt(const md_inflight *inf, const char *what, md_done_fn done);
/* Rename the control thread after the trigger signal changed. */
void md_control_rename(void);
/* In the child of fork(): start a fresh control thread. */
void md_control_after_fork(void);

#endif
