"""counters_checks.py - reconcile the --python-sites COUNTER records of a dump with its nodes.
Run by tests/e2e/python_counters.sh on the dumps of tests/python/counters_app.py:

    counters_checks.py DUMP APP STEPS

DUMP was taken after STEPS steps of APP. Checks, printing "ok NAME" / "not ok NAME: why":
  - the records: one COUNTER per STACK, each referring to a defined STACK, allocs >= frees and
    bytes_allocated >= bytes_freed (both differences are what is live at the site);
  - the statistics: pysites.counter_live (allocs - frees over all sites) equals
    pysites.live_blocks (the blocks the hooks' live table tracks);
  - every site: no more nodes carry its STACK than its counters say are live (a node with a site
    is a tracked live block);
  - the app's sites, where every block made is one object and nothing else happened: live count
    and bytes from the counters equal the nodes and their sizes exactly, and the totals since the
    start are the app's own arithmetic (e.g. 2 * N_CHURN * STEPS allocations at CHURN_LINE, all
    freed, 80 bytes each).
"""
import ast
import sys

import dumpgraph
import pycheck
from pycheck import check


def markers(app):
    """Line numbers of the "# NAME_LINE" comments, and the app's literal constants (N_CHURN, ...)."""
    lines, consts = {}, {}
    with open(app) as f:
        src = f.read()
    for no, text in enumerate(src.splitlines(), 1):
        if "# " in text and text.rstrip().endswith("_LINE"):
            lines[text.rsplit("# ", 1)[1].strip()] = no
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            tuples = [t for t in node.targets if isinstance(t, ast.Tuple)]
            for n in names:
                consts[n] = value
            for t in tuples:
                for e, v in zip(t.elts, value):
                    consts[e.id] = v
    return lines, consts


def load(path):
    g = dumpgraph.load(path)
    counters, stats = [], {}
    for r in dumpgraph._records(path):
        if r["record"] == "COUNTER":
            counters.append(r)
        elif r["record"] == "ALLOCATOR":
            stats.update({(k.decode() if isinstance(k, bytes) else k): v for k, v in r["stats"].items()})
    return g, counters, stats


def main():
    path, app, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lines, c = markers(app)
    g, counters, stats = load(path)
    tag = f"[{steps} step{'s' if steps > 1 else ''}]"

    by_stack = {}
    for r in counters:
        by_stack.setdefault(r["stack"], []).append(r)
    check(f"{tag} counters: some were written", len(counters) > 0, "no COUNTER record")
    check(f"{tag} counters: one per STACK", all(len(v) == 1 for v in by_stack.values()),
          f"{[k for k, v in by_stack.items() if len(v) > 1][:5]}")
    check(f"{tag} counters: every one refers to a defined STACK", all(s in g.stacks for s in by_stack),
          f"{[s for s in by_stack if s not in g.stacks][:5]}")
    bad = [r for r in counters if r["allocs"] < r["frees"] or r["bytes_allocated"] < r["bytes_freed"]]
    check(f"{tag} counters: allocs >= frees and bytes allocated >= bytes freed", not bad, f"{bad[:3]}")

    check(f"{tag} stats: pysites.counter_live equals pysites.live_blocks",
          stats.get("pysites.live_blocks", -1) > 0 and
          stats.get("pysites.counter_live") == stats.get("pysites.live_blocks"), f"{stats}")

    nodes_at, bytes_at = {}, {}
    for n in g.nodes.values():
        if n.stack and not n.flags & dumpgraph.SYNTHETIC:     # frames carry their location
            nodes_at[n.stack] = nodes_at.get(n.stack, 0) + 1
            bytes_at[n.stack] = bytes_at.get(n.stack, 0) + n.size
    live = {s: r[0]["allocs"] - r[0]["frees"] for s, r in by_stack.items()}
    over = [(g.stack(s)[:1], k, live.get(s, 0)) for s, k in nodes_at.items() if k > live.get(s, 0)]
    check(f"{tag} every site: nodes <= live blocks by its counters", not over, f"{over[:5]}")

    def site(name):
        """The COUNTER record and STACK id of the app's line marked name (innermost frame)."""
        want = lines[name]
        sids = [s for s, fr in g.stacks.items()
                if fr and g.frames[fr[0]][1] == app and g.frames[fr[0]][2] == want]
        recs = [by_stack[s][0] for s in sids if s in by_stack]
        return (recs[0] if len(recs) == 1 else None), (sids[0] if len(sids) == 1 else None)

    def counts(r):
        return (r["allocs"], r["frees"], r["bytes_allocated"], r["bytes_freed"]) if r else None

    # floats and object()s, kept: one object per block, nothing freed
    for name, size in (("FLOAT_LINE", 24), ("OBJ_LINE", 16)):
        r, sid = site(name)
        n = c["N_KEEP"] * steps
        check(f"{tag} {name}: counters are {n} allocations of {size} bytes, none freed",
              counts(r) == (n, 0, n * size, 0), f"{counts(r)}")
        check(f"{tag} {name}: allocs - frees = the live nodes at the site, bytes = their sizes",
              r is not None and (nodes_at.get(sid, 0), bytes_at.get(sid, 0)) ==
              (r["allocs"] - r["frees"], r["bytes_allocated"] - r["bytes_freed"]),
              f"nodes {nodes_at.get(sid)} ({bytes_at.get(sid)} B), counters {counts(r)}")

    # the churn: a float and a 2-tuple per iteration, all freed by the snapshot
    r, sid = site("CHURN_LINE")
    n = 2 * c["N_CHURN"] * steps
    check(f"{tag} CHURN_LINE: {n} allocations, all freed, 80 bytes per iteration both ways",
          counts(r) == (n, n, n * 40, n * 40), f"{counts(r)}")
    check(f"{tag} CHURN_LINE: no node left there", nodes_at.get(sid, 0) == 0, f"{nodes_at.get(sid)}")

    # the big bytes object: its size (two side-table words) comes back exactly when it is freed
    r, _ = site("BIG_LINE")
    big = c["BIG"] + 33          # PyBytesObject_SIZE + data
    check(f"{tag} BIG_LINE: freed bytes equal allocated bytes, {steps} x {big} and small change",
          r is not None and r["allocs"] == r["frees"] >= steps and r["bytes_freed"] == r["bytes_allocated"]
          and steps * big <= r["bytes_allocated"] < steps * (big + 1024), f"{counts(r)}")

    # the bytearray: its object at BA_LINE, its buffer grown by reallocs at BUF_LINE; together
    # their live bytes are the bytearrays' sizes (object + buffer capacity)
    ra, sa = site("BA_LINE")
    rb, sb = site("BUF_LINE")
    arrays = [n for n in g.nodes.values() if n.stack == sa and n.type == "bytearray"]
    check(f"{tag} BUF_LINE: one buffer per step, made once and resized (a realloc is no alloc)",
          rb is not None and (rb["allocs"], rb["frees"]) == (steps, 0) and len(arrays) == steps,
          f"{counts(rb)}, {len(arrays)} bytearrays")
    check(f"{tag} BA_LINE + BUF_LINE: live bytes by the counters = the bytearrays' sizes",
          ra is not None and rb is not None and
          (ra["bytes_allocated"] - ra["bytes_freed"]) + (rb["bytes_allocated"] - rb["bytes_freed"]) ==
          sum(n.size for n in arrays), f"{counts(ra)} {counts(rb)} {[n.size for n in arrays]}")
    return pycheck.exit_status()


sys.exit(main())
