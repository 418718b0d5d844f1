/* py_frames.h — threads and their frames as synthetic nodes, and code locations as FRAMEs.
 *
 * Each PyThreadState becomes a synthetic node (its address; size 0) with a PY_THREAD root, and
 * each _PyInterpreterFrame on its chain (tstate->cframe->current_frame, then ->previous) a
 * synthetic node at the frame's address: thread --[i]--> frame i (0 = innermost), and the frame's
 * locals as labeled edges. No frame object is ever created. A frame's node carries as its STACK
 * the frame's own location followed by its callers, so "which line holds this" is on the node.
 *
 * A frame owned by a generator or coroutine (running when the snapshot was taken) gets a node
 * for its location only: its locals are the generator object's references, so that the
 * generator — and the asyncio task that owns it — retains them, as it does in the program.
 *
 * The evaluation stack of a frame is read only where CPython saved its stack pointer: frames
 * that called a Python function directly (the callee is not an "entry" frame) and suspended
 * generators. The innermost frame of each thread is mid-instruction: its stack is skipped.
 */
#ifndef PY_FRAMES_H
#define PY_FRAMES_H

#include "py_walk.h"

/* Discovery: add every thread of interp (except cfg->skip_tstate) with its root. */
void py_threads_roots(pw *w, PyInterpreterState *interp);

/* The references of a synthetic node (both phases). */
void py_thread_refs(pw *w, PyThreadState *ts);
void py_frame_node_refs(pw *w, _PyInterpreterFrame *f, uint8_t otflags);

/* STACK id of f and its callers (innermost first, incomplete frames skipped); 0 if none. */
uint32_t py_frame_stack(pw *w, _PyInterpreterFrame *f);
/* STACK id of a thread's current Python stack. */
uint32_t py_thread_stack(pw *w, PyThreadState *ts);
/* FRAME id of code object co at instruction index lasti (-1 = not started). 0 if unreadable. */
uint32_t py_code_frame(pw *w, PyCodeObject *co, int lasti);

#endif
