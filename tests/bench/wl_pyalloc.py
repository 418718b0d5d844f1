"""wl_pyalloc.py — the allocation-heavy pure-Python workload of `make bench`.

    python3 wl_pyalloc.py [ROUNDS [ROWS]]      default 5 rounds of 200 000 rows

Each round builds ROWS records the way a data-loading script does — a dict per row holding an
int, a formatted str and a small list of strs — indexes them by name in a second dict, totals a
field, then drops everything; so about 6 objects are created and freed per row, a few million in
all, with a live set that grows to one round's worth and falls back to nothing. This is the
workload the issue's "--python-sites <= 2x" and "default <= 1.03x" targets are measured on.

`work` carries memory_profiler's @profile when the script runs under `python3 -m
memory_profiler` (which defines `profile` as a builtin); otherwise the decorator is a no-op, so
every configuration runs the same code. Prints "bench_seconds=S" (the time of work(), without
interpreter start-up) for the harness.
"""
import sys
import time

try:
    profile  # noqa: B018 - defined by `python3 -m memory_profiler`
except NameError:
    def profile(f):
        return f


@profile
def work(rounds, n):
    total = 0
    for _ in range(rounds):
        rows = []
        for i in range(n):
            rows.append({"id": i, "name": "user%d" % i, "tags": [str(i % 10), "x"]})
        index = {row["name"]: row for row in rows}
        total += len(index) + sum(len(row["tags"]) for row in rows)
        del rows, index
    return total


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200000
    t = time.perf_counter()
    total = work(rounds, n)
    print("bench_seconds=%.4f total=%d" % (time.perf_counter() - t, total))
