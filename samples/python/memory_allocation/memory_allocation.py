"""memory_allocation.py - the seed's Example 3 (function-scope attribution), with memdump.

    memdump run [--python-sites] -- python3 memory_allocation.py
    memanalyze --variables memory_allocation.dump      a, b and c, each with its own size
    memanalyze --by line memory_allocation.dump        (with --python-sites) one line each

memory_profiler's @profile is replaced by memdump.snapshot_on_return: the snapshot is taken as
the function returns, with its three lists still in its frame.
"""
import os

import memdump


@memdump.snapshot_on_return(os.environ.get("DUMP", "memory_allocation.dump"))
def memory_allocation():
   a = [1] * 1000
   b = [2] * 2000
   c = [3] * 3000
   return sum(a) + sum(b) + sum(c)


if __name__ == '__main__':
  memory_allocation()
