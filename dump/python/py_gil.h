/* py_gil.h — bringing CPython to a safe point (the GIL held) within a deadline.
 *
 * PyGILState_Ensure has no timeout, and a thread can hold the GIL for as long as it likes (a long
 * C call that does not release it). So the GIL is taken by a helper thread owned by the plugin:
 * the control thread asks, then waits on a condition variable with a deadline. If the deadline
 * passes, the request is marked abandoned and the control thread reports "could not reach a safe
 * point"; whenever the helper does get the GIL later, it sees the abandonment and releases it at
 * once, so the process is never left stopped. While an abandoned request is still pending, new
 * requests fail immediately rather than queue up.
 *
 * The helper thread has every signal blocked and holds nothing but the GIL while parked.
 */
#ifndef PY_GIL_H
#define PY_GIL_H

#include <stddef.h>
#include <stdint.h>

/* Start the helper (parent, once). 0 or -1 with a message. */
int pygil_start(char *err, size_t errlen);
/* Hold the GIL (through the helper) within timeout_ns. 0, or -1 with a message. */
int pygil_acquire(uint64_t timeout_ns, char *err, size_t errlen);
/* Give it back (after pygil_acquire succeeded). Returns once the helper has released it. */
void pygil_release(void);
/* The helper's PyThreadState while it holds the GIL (it is not a program thread). */
uint64_t pygil_tstate(void);
/* Run fn(arg) on the helper while it holds the GIL (between acquire and release). */
void pygil_run(void (*fn)(void *), void *arg);

#endif
