"""wl_numpy.py — the seed's numpy example for `make bench`: create_and_sum(10 000 000).

    python3 wl_numpy.py [N [CALLS]]        default N = 10 000 000, CALLS = 1

create_and_sum is the function from the example that motivated memdump (memory_profiler's
@profile made it measurably slower): an 80 MB array of random floats, summed. Under
`python3 -m memory_profiler` the function carries memory_profiler's @profile (the module
defines `profile` as a builtin); otherwise the decorator is a no-op, so every configuration runs
the same code. CALLS > 1 repeats the call, for a steadier inner time on a noisy machine.
Prints "bench_seconds=S", the time of the calls alone (without interpreter and numpy start-up).
"""
import sys
import time

import numpy as np

try:
    profile  # noqa: B018 - defined by `python3 -m memory_profiler`
except NameError:
    def profile(f):
        return f


@profile
def create_and_sum(n):
    arr = np.random.rand(n)
    return np.sum(arr)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000000
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t = time.perf_counter()
    s = 0.0
    for _ in range(calls):
        s += create_and_sum(n)
    print("bench_seconds=%.4f sum=%.1f" % (time.perf_counter() - t, s))
