#!/usr/bin/python3
"""compare.py — compares what a consumer read from a memanalyze export with memanalyze --json.

Used by tests/e2e/export_*.sh; prints "ok NAME" / "not ok NAME: why" lines (tests/run.sh counts
them). REF is `memanalyze --json --top 0 --types --sites --dominators --by function DUMP`.

  compare.py pprof LABEL REF TOP_SPACE TOP_OBJECTS TRACES
        go tool pprof -top (bytes and objects) and -traces -lines against memanalyze's totals,
        memory by function, and allocation sites with their whole stacks
  compare.py heapsnapshot LABEL REF CONSUMER_JSON
        memlab_check.js / devtools_check.js output against memanalyze's node count, total bytes,
        reachable bytes and top dominators
  compare.py sqlite LABEL REF DB
        the SQLite export's tables (and aggregates computed from its raw rows) against
        memanalyze's summary, types, sites and dominators
  compare.py collapsed LABEL REF COLLAPSED [SPEEDSCOPE_JSON]
        memanalyze --collapsed as flamegraph.pl/inferno/speedscope read it, against the sites,
        and speedscope's own export of what it imported
"""
import json
import posixpath
import re
import sqlite3
import sys

failures = 0


def ok(name):
    print("ok " + name)


def not_ok(name, why):
    global failures
    failures += 1
    print("not ok %s: %s" % (name, why))


def check_eq(name, got, want):
    if got == want:
        ok(name)
    else:
        g, w = repr(got), repr(want)
        not_ok(name, "got %s, want %s" % (g[:700], w[:700]))


def load(path):
    with open(path) as f:
        return json.load(f)


def norm_file(f):
    """pprof prints paths cleaned (./csu/../csu/x.c -> csu/x.c); compare cleaned paths."""
    if not f:
        return ""
    return posixpath.normpath(f)


def ref_site_stacks(ref):
    """{(frames innermost first): (count, bytes)} of memanalyze's sites; frames (function, file, line)."""
    out = {}
    for s in ref["sites"]:
        if s["stack"]:
            key = tuple((l["function"], norm_file(l["file"]), l["line"] or 0) for l in s["stack"])
        else:
            key = (("(no stack recorded)", "", 0),)
        c, b = out.get(key, (0, 0))
        out[key] = (c + s["count"], b + s["bytes"])
    return out


# ---- pprof -------------------------------------------------------------------------------------

TOP_ROW = re.compile(r"^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.*)$")


def pprof_value(s):
    s = s.strip()
    if s.endswith("B"):
        s = s[:-1]
    return int(s)


def parse_top(path):
    total, flat = None, {}
    with open(path) as f:
        for line in f:
            m = re.search(r"of (\S+) total", line)
            if m:
                total = pprof_value(m.group(1))
                continue
            m = TOP_ROW.match(line)
            if not m or m.group(1) == "flat":
                continue
            v, name = pprof_value(m.group(1)), m.group(3)
            if name.endswith(" (inline)"):
                name = name[: -len(" (inline)")]
            if v:
                flat[name] = flat.get(name, 0) + v
    return total, flat


def parse_traces(path):
    """[(value, [(function, file, line), ...])] from pprof -traces -lines."""
    traces, cur = [], None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("-----------+"):
                cur = None
                continue
            if len(line) < 14 or line[10:13] != "   ":
                continue
            head, frame = line[:10].strip(), line[13:]
            if frame.endswith(" (inline)"):
                frame = frame[: -len(" (inline)")]
            m = re.match(r"^(.*) (\S+):(\d+)$", frame)
            fr = (m.group(1), norm_file(m.group(2)), int(m.group(3))) if m else (frame, "", 0)
            if head:
                cur = [pprof_value(head), []]
                traces.append(cur)
            if cur is not None:
                cur[1].append(fr)
    return [(v, fs) for v, fs in traces]


def cmd_pprof(label, ref, top_space, top_objects, traces):
    ref = load(ref)
    s = ref["summary"]
    total, flat = parse_top(top_space)
    check_eq(label + ": pprof total inuse_space = memanalyze bytes", total, s["bytes"])
    want = {g["key"]: g["bytes"] for g in ref["by"]["groups"] if g["bytes"]}
    check_eq(label + ": pprof -top flat bytes by function = memanalyze --by function", flat, want)
    total, flat = parse_top(top_objects)
    check_eq(label + ": pprof total inuse_objects = memanalyze objects", total, s["objects"])
    want = {g["key"]: g["count"] for g in ref["by"]["groups"] if g["count"]}
    check_eq(label + ": pprof -top flat objects by function = memanalyze --by function", flat, want)
    got = {}
    for v, frames in parse_traces(traces):
        if v:
            key = tuple(frames)
            got[key] = got.get(key, 0) + v
    want = {k: b for k, (c, b) in ref_site_stacks(ref).items() if b}
    check_eq(label + ": pprof -traces stacks and bytes = memanalyze sites", got, want)


# ---- heapsnapshot ------------------------------------------------------------------------------

def cmd_heapsnapshot(label, ref, consumer):
    ref, got = load(ref), load(consumer)
    s = ref["summary"]
    check_eq(label + ": node count = memanalyze nodes", got["nodes"], s["nodes"])
    check_eq(label + ": total self size = memanalyze bytes", got["self_size"], s["bytes"])
    check_eq(label + ": retained by top-level objects = memanalyze reachable bytes",
             got["top_level_retained"], s["reachable_bytes"])
    n = len(got["dominators"])
    want = [[d["type"], d["bytes"], d["retained"]] for d in ref["dominators"][:n]]
    check_eq(label + ": top retained objects = memanalyze dominators", got["dominators"], want)
    if not got["dominators"] and s["reachable_objects"]:
        not_ok(label + ": top retained objects", "the consumer found none")
    if s["roots"] and not got["groups"]:
        not_ok(label + ": root groups under (GC roots)", "none")


# ---- sqlite ------------------------------------------------------------------------------------

def cmd_sqlite(label, ref, db):
    ref = load(ref)
    s = ref["summary"]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    q = lambda sql, *a: con.execute(sql, a).fetchall()
    row = q("SELECT nodes, edges, roots, objects, bytes, reachable_objects, reachable_bytes,"
            " unreachable_objects, unreachable_bytes FROM dump")
    check_eq(label + ": dump row = memanalyze summary", row,
             [(s["nodes"], s["edges"], s["roots"], s["objects"], s["bytes"], s["reachable_objects"],
               s["reachable_bytes"], s["unreachable_objects"], s["unreachable_bytes"])])
    check_eq(label + ": rows in nodes, edges, roots",
             q("SELECT (SELECT count(*) FROM nodes), (SELECT count(*) FROM edges), (SELECT count(*) FROM roots),"
               " (SELECT count(*) FROM dominators)"),
             [(s["nodes"], s["edges"], s["roots"], s["nodes"])])
    check_eq(label + ": sum(nodes.size) over non-synthetic nodes = memanalyze bytes",
             q("SELECT count(*), ifnull(sum(size), 0) FROM nodes WHERE flags & 1 = 0"), [(s["objects"], s["bytes"])])
    want = {t["type"]: (t["count"], t["bytes"], t["retained"]) for t in ref["types"]}
    got = {n: (c, b, r) for n, c, b, r in q("SELECT name, count, bytes, retained FROM types WHERE count > 0")}
    check_eq(label + ": types table = memanalyze --types", got, want)
    got = {n: (c, b) for n, c, b in q("SELECT t.name, count(*), sum(n.size) FROM nodes n JOIN types t ON t.id = n.type"
                                      " WHERE n.flags & 1 = 0 GROUP BY t.name")}
    check_eq(label + ": types aggregated from nodes = memanalyze --types", got,
             {k: v[:2] for k, v in want.items()})
    # sites with their stacks rebuilt from site_frames and frames
    frames = {}
    for site, depth, fn, fl, ln in q("SELECT sf.site, sf.depth, f.function, f.file, f.line FROM site_frames sf"
                                     " JOIN frames f ON f.id = sf.frame ORDER BY sf.site, sf.depth"):
        frames.setdefault(site, []).append((fn, norm_file(fl), ln or 0))
    got = {}
    for sid, c, b in q("SELECT id, count, bytes FROM sites WHERE count > 0"):
        key = tuple(frames.get(sid, [])) or (("(no stack recorded)", "", 0),)
        gc, gb = got.get(key, (0, 0))
        got[key] = (gc + c, gb + b)
    check_eq(label + ": sites with stacks = memanalyze --sites", got, ref_site_stacks(ref))
    retained = {}
    for s_ in ref["sites"]:
        key = (s_["function"] or "(no stack recorded)", s_["file"], s_["line"] or None)
        retained[key] = retained.get(key, 0) + s_["retained"]
    got = {}
    for fn, fl, ln, r in q("SELECT function, file, line, retained FROM sites WHERE count > 0"):
        got[(fn, fl, ln)] = got.get((fn, fl, ln), 0) + r
    check_eq(label + ": site retained sizes = memanalyze --sites", got, retained)
    # top-level dominators: idom chain through synthetic nodes reaches no real node
    idom = dict(q("SELECT node, idom FROM dominators"))
    info = {i: (a, sz, f, r) for i, a, sz, f, r in
            q("SELECT n.id, n.addr, n.size, n.flags, d.retained FROM nodes n JOIN dominators d ON d.node = n.id")}
    top = []
    for v, (addr, size, flags, ret) in info.items():
        if flags & 1 or flags & 0x200:
            continue
        p = idom[v]
        while p is not None and info[p][2] & 1:
            p = idom[p]
        if p is None:
            top.append((-ret, v, addr, size, ret))
    top.sort()
    n = min(len(top), 20)
    check_eq(label + ": top-level dominators (addr, self, retained) = memanalyze --dominators",
             [t[2:] for t in top[:n]], [(d["id"], d["bytes"], d["retained"]) for d in ref["dominators"][:n]])
    # who retains X: the dominator chain of the deepest node, through the edge_labels view too
    deep = q("WITH RECURSIVE chain(node, depth) AS (SELECT node, 0 FROM dominators WHERE idom IS NULL"
             " UNION ALL SELECT d.node, c.depth + 1 FROM dominators d JOIN chain c ON d.idom = c.node)"
             " SELECT max(depth) FROM chain")[0][0]
    if s["nodes"] and deep is None:
        not_ok(label + ": dominator tree walk", "no rows")
    elif s["nodes"]:
        ok(label + ": dominator tree walks with a recursive query (depth %d)" % deep)
    labels = q("SELECT count(*) FROM edge_labels WHERE label IS NOT NULL")[0][0]
    named = q("SELECT count(*) FROM edges WHERE name IS NOT NULL OR idx IS NOT NULL")[0][0]
    check_eq(label + ": edge_labels view labels every labeled edge", labels, named)


# ---- collapsed ---------------------------------------------------------------------------------

def loc_text(l):
    if l["file"] and l["line"]:
        t = "%s (%s:%d)" % (l["function"], l["file"], l["line"])
    elif l["file"]:
        t = "%s (%s)" % (l["function"], l["file"])
    else:
        t = l["function"]
    return t.replace(";", ":").replace("\n", " ").replace("\r", " ")


def cmd_collapsed(label, ref, collapsed, speedscope=None):
    ref = load(ref)
    lines = open(collapsed).read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    got, bad = {}, []
    for line in lines:
        # flamegraph.pl and inferno: everything before the last run of spaces is the stack,
        # frames split on ';', the count is a number at the end of the line
        m = re.match(r"^(.*\S)\s+(\d+)$", line)
        if not m or any(not f for f in m.group(1).split(";")):
            bad.append(line)
            continue
        got[m.group(1)] = got.get(m.group(1), 0) + int(m.group(2))
    check_eq(label + ": every --collapsed line is 'frame;frame;… count'", bad, [])
    check_eq(label + ": --collapsed total = memanalyze bytes", sum(got.values()), ref["summary"]["bytes"])
    want = {}
    for s in ref["sites"]:
        key = ";".join(loc_text(l) for l in reversed(s["stack"])) or "(no stack recorded)"
        want[key] = want.get(key, 0) + s["bytes"]
    check_eq(label + ": --collapsed stacks = memanalyze sites", got, want)
    if speedscope:
        sp = load(speedscope)
        frames = [f["name"] for f in sp["shared"]["frames"]]
        prof = sp["profiles"][sp.get("activeProfileIndex", 0)]
        read = {}
        if prof["type"] == "sampled":
            for st, w in zip(prof["samples"], prof["weights"]):
                k = ";".join(frames[i] for i in st)
                read[k] = read.get(k, 0) + w
        else:
            # evented: open/close events along one axis; the weight of a stack is the span
            # during which it is exactly the open stack
            stack, at = [], prof["startValue"]
            for ev in prof["events"]:
                if stack and ev["at"] > at:
                    k = ";".join(frames[i] for i in stack)
                    read[k] = read.get(k, 0) + ev["at"] - at
                at = ev["at"]
                if ev["type"] == "O":
                    stack.append(ev["frame"])
                elif not stack or stack.pop() != ev["frame"]:
                    not_ok(label + ": speedscope events", "unbalanced close of frame %d" % ev["frame"])
                    return
        check_eq(label + ": speedscope imported exactly the --collapsed stacks and weights",
                 {k: v for k, v in read.items() if v}, {k: v for k, v in got.items() if v})


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"pprof": cmd_pprof, "heapsnapshot": cmd_heapsnapshot, "sqlite": cmd_sqlite,
     "collapsed": cmd_collapsed}[cmd](*args)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
