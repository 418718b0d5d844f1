"""allocate_and_free.py - the seed's Example 2 (sampling granularity), as it is: no decorator.

    memdump run --at-peak -- python3 allocate_and_free.py
    memanalyze python3.PID.N.dump          (the peak dump the agent kept)

With --at-peak the agent counts live heap bytes and, when an allocation takes the heap past the
last peak dumped, snapshots at the interpreter's next safe point: here, as np.random.rand()
returns, before its result is even stored in `arr`. The 800 KB array, alive for microseconds,
is in the dump, on the evaluation stack of allocate_and_free() at its first line.
"""
import time
import numpy as np

def allocate_and_free():
    arr = np.random.rand(100000)
    del arr
    time.sleep(0.01)  # Simulate some work between allocate and free
    arr2 = np.random.rand(100000)
    return np.sum(arr2)


if __name__ == '__main__':
    allocate_and_free()
