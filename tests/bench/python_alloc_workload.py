"""python_alloc_workload.py - an allocation-heavy pure-Python workload for the --python-sites bench.

Builds and drops many small objects of the common kinds (class instances with attributes,
tuples, lists, dicts, strings, floats), the way parsers and ORMs do. Prints its own run time:
    python3 python_alloc_workload.py [ROUNDS] [--tracemalloc]
"""
import sys
import time


class Record:
    def __init__(self, key, value):
        self.key = key
        self.value = value
        self.tags = [key, value]


def parse(n):
    out = []
    for i in range(n):
        key = "k" + str(i)
        rec = Record(key, i * 0.5)
        out.append((key, rec, {"id": i, "name": key}))
    return out


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 20
    if "--tracemalloc" in sys.argv:
        import tracemalloc
        tracemalloc.start(1)
    t0 = time.perf_counter()
    keep = []
    for r in range(rounds):
        batch = parse(50_000)
        keep.append(batch[::100])
        del batch
    dt = time.perf_counter() - t0
    print(f"{dt:.4f}")


if __name__ == "__main__":
    main()
