"""wl_pyheap.py — a Python process holding N objects, for the snapshot-cost part of `make bench`.

    python3 wl_pyheap.py N

Builds about N live objects — records of a dict, a unique str and a float (3 objects each) in
one list — then prints "PID RSS_MIB" on one line and sleeps until it is terminated (SIGTERM).
tests/bench/snapshot.py runs it under `memdump run`, takes snapshots with `memdump --pid`, and
counts the objects the dump actually holds (the interpreter's own objects come on top).
"""
import os
import sys
import time


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // (1 << 20)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
records = [{"name": "object-%d" % i, "value": i * 0.5} for i in range(n // 3)]
print(os.getpid(), rss_mib(), flush=True)
while True:
    time.sleep(3600)
