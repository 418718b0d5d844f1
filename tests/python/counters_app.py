"""counters_app.py - the target of tests/e2e/python_counters.sh: a program whose allocations
between two snapshots are known exactly, for the --python-sites counters (COUNTER records).

    memdump run --python-sites -- python3 counters_app.py DIR [STEPS]

Each step (STEPS, default 2, then a snapshot DIR/cN.dump after step N, 0-based) makes, at the
lines marked in comments (the test finds them by these markers):
  CHURN_LINE   N_CHURN times a float and a 2-tuple (24 + 56 bytes), each dropped by the next
  BIG_LINE     one bytes object of BIG bytes of data (calloc, 2^27 + 5 bytes: its size needs
               two words of the hooks' side table), dropped at once
  FLOAT_LINE   N_KEEP floats, kept (24 bytes each)
  OBJ_LINE     N_KEEP object()s, kept (16 bytes: a block of one 16-byte granule)
  BUF_LINE     one bytearray's buffer, grown by N_GROW reallocs, kept (made at BA_LINE)
so between two snapshots the counters at CHURN_LINE grow by exactly 2 * N_CHURN allocations and
as many frees, and the ones at FLOAT_LINE and OBJ_LINE by N_KEEP allocations and no free.
Every step calls the same functions from the same lines, so their sites are the same STACKs.
"""
import os
import sys

import memdump

N_CHURN, N_KEEP, N_GROW = 1000, 300, 20
BIG = 134217733  # 2**27 + 5
CHUNK = b"x" * 1000
kept = []


def churn(n):
    for i in range(n):
        t = (i, float(i))  # CHURN_LINE
    del t
    big = bytes(BIG)  # BIG_LINE
    del big


def keep(n):
    for i in range(n):
        kept.append(float(i))  # FLOAT_LINE
        kept.append(object())  # OBJ_LINE
    ba = bytearray()  # BA_LINE
    for _ in range(N_GROW):
        ba.extend(CHUNK)  # BUF_LINE
    kept.append(ba)


def step():
    churn(N_CHURN)
    keep(N_KEEP)


def main():
    out = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    for k in range(steps):
        step()
        memdump.snapshot(os.path.join(out, "c%d.dump" % k))


main()
