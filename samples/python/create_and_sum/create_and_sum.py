"""create_and_sum.py - the seed's Example 1 (overhead), with memdump instead of memory_profiler.

    memdump run -- python3 create_and_sum.py
    memanalyze --variables create_and_sum.dump

The profiled function is decorated with memdump.snapshot_on_return: a snapshot is written as it
returns, from inside its frame, so the dump shows its local `arr`. The other function runs with
nothing requested: under `memdump run` it costs what it costs without memdump. Outside
`memdump run`, the decorator would raise; the script then runs both functions plainly.
"""
import os
import time

import numpy as np

try:
    import memdump
    snapshot_on_return = memdump.snapshot_on_return if memdump.available() else None
except ImportError:
    snapshot_on_return = None


def create_and_sum(n):
    arr = np.random.rand(n)
    return np.sum(arr)


def create_and_sum_no_profile(n):
    arr = np.random.rand(n)
    return np.sum(arr)


if __name__ == '__main__':
    n = 10000000
    profiled = create_and_sum
    if snapshot_on_return:
        profiled = snapshot_on_return(os.environ.get("DUMP", "create_and_sum.dump"))(create_and_sum)
    start = time.perf_counter()
    profiled(n)
    end = time.perf_counter()
    print(f"Snapshot runtime: {end - start:.4f} seconds")

    start = time.perf_counter()
    create_and_sum_no_profile(n)
    end = time.perf_counter()
    print(f"No snapshot runtime: {end - start:.4f} seconds")
