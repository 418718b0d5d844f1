"""memdump - take heap snapshots from inside a Python program running under `memdump run`.

    import memdump

    memdump.snapshot("before.dump")          # now; returns the path

    with memdump.snapshot_at_end("load.dump"):
        rows = load()                        # dumped as the block ends, `rows` still alive

    @memdump.snapshot_on_return("parse-{n}.dump")
    def parse(text):                         # dumped as parse() returns, its locals still alive
        ...

The snapshot is taken by the memdump agent (libmemdump.so, preloaded by `memdump run`): the
program is paused only for a copy-on-write fork, and the dump is written by a child process; the
calling thread waits until the file is complete. Paths may use {n} (a counter in this process)
and {pid}. memdump never overwrites a file: an existing path is an error.

Outside `memdump run` the agent is not there, and every call raises MemdumpError saying so;
`memdump.available()` tells beforehand. This module is pure Python (ctypes), has no state besides
a counter, and works with any CPython the agent supports.
"""
import ctypes
import errno
import functools
import itertools
import os
import sys

__all__ = ["MemdumpError", "available", "snapshot", "snapshot_at_end", "snapshot_on_return"]


class MemdumpError(RuntimeError):
    """A snapshot could not be taken (the message says why)."""


_counter = itertools.count(1)
_fn = None


def _agent():
    """memdump_snapshot() from the preloaded agent, or None."""
    global _fn
    if _fn is None:
        try:
            lib = ctypes.CDLL(None, use_errno=True)     # the process's global symbols
            fn = lib.memdump_snapshot
        except (OSError, AttributeError):
            return None
        fn.argtypes = [ctypes.c_char_p]
        fn.restype = ctypes.c_int
        _fn = fn
    return _fn


def available():
    """True when this process runs under the memdump agent."""
    return _agent() is not None


_WHY = {
    errno.EEXIST: "the file already exists (memdump never overwrites a dump)",
    errno.EAGAIN: "the agent could not reach a safe point or is not ready (see its message on stderr)",
    errno.ETIMEDOUT: "the snapshot exceeded its deadline (MEMDUMP_TIMEOUT)",
    errno.ENOSPC: "the disk is full",
    errno.EACCES: "permission denied",
    errno.ENOENT: "the directory does not exist",
}


def snapshot(path=None):
    """Write a snapshot of this process to `path` ({n} and {pid} are expanded; None = the agent's
    default name in its directory). Returns the path written (None for the default name).
    Raises MemdumpError when not under `memdump run`, or when the snapshot fails."""
    fn = _agent()
    if fn is None:
        raise MemdumpError("memdump.snapshot(): this process is not running under the memdump agent "
                           "(libmemdump.so is not loaded); start it with `memdump run -- python3 ...`")
    if path is not None:
        path = os.fspath(path).format(n=next(_counter), pid=os.getpid())
    arg = os.fsencode(path) if path is not None else None
    if fn(arg) != 0:
        e = ctypes.get_errno()
        why = _WHY.get(e, os.strerror(e) if e else "unknown error (see the agent's message on stderr)")
        raise MemdumpError(f"memdump.snapshot({path!r}) failed: {why}")
    return path


class snapshot_at_end:
    """Context manager: snapshot when the block ends, while the enclosing function's locals are
    still alive (also when the block is left by return or an exception)."""

    def __init__(self, path=None):
        self.path = path
        self.written = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.written = snapshot(self.path)
        return False


def snapshot_on_return(path=None):
    """Decorator: snapshot at the moment the decorated function returns (or raises), from inside
    its frame, so that its local variables are in the dump. Uses a profile hook on the calling
    thread for the duration of the call (chained to any profiler already set)."""
    def wrap(func):
        code = func.__code__

        @functools.wraps(func)
        def call(*args, **kwargs):
            previous = sys.getprofile()
            state = {"frame": None, "done": False}

            def hook(frame, event, arg):
                if previous is not None:
                    previous(frame, event, arg)
                if event == "call" and state["frame"] is None and frame.f_code is code:
                    state["frame"] = frame
                elif event == "return" and frame is state["frame"] and not state["done"]:
                    state["done"] = True
                    snapshot(path)
            sys.setprofile(hook)
            try:
                return func(*args, **kwargs)
            finally:
                sys.setprofile(previous)
        return call
    return wrap
