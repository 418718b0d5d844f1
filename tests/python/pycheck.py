"""pycheck.py - the test vocabulary of the Python-side test scripts, as tests/run.sh reads it:
one line per check, "ok NAME" or "not ok NAME: why"; exit_status() is 1 if any check failed."""
import sys

failures = 0


def check(name, cond, why=""):
    global failures
    print(f"ok {name}" if cond else f"not ok {name}: {why}", flush=True)
    failures += 0 if cond else 1


def exit_status():
    return 1 if failures else 0
