#!/usr/bin/python3
"""dumpq.py - answers questions about a .dump for the agent's end-to-end tests.

    dumpq.py DUMP            one JSON object summarising the dump (below)
    dumpq.py DUMP KEY...     just those keys, one value per line (dicts/lists as JSON)

Uses formats/read_dump.py (the format's reference reader) to decode the file, then computes:
  nodes, native, bytes            node counts and total size
  site                            {"FUNC:SIZE": count} - FUNC is the innermost frame that
                                  symbolizes into the dumped executable (nm on its file)
  reach                           {"FUNC:SIZE": [reachable, unreachable]} - BFS from all roots
  roots                           {kind: count}
  edges                           edge count
  types                           {type name: node count}
  counters                        {"allocs", "frees", "live"} summed over COUNTER records
  site_counters                   {"FUNC": [allocs, frees, bytes_allocated, bytes_freed]}
  snapshot, allocator, process    the singleton records (strings resolved)
  trigger_site                    FUNC of the SNAPSHOT's trigger_stack (peak dumps)
  warnings                        list of messages
  threads                         list of THREAD records
"""
import bisect
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "formats"))
import read_dump  # noqa: E402


def s(v):
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


class Symbols:
    def __init__(self):
        self.cache = {}

    def table(self, path):
        if path not in self.cache:
            funcs = []
            try:
                out = subprocess.run(["nm", "-S", "--defined-only", path], capture_output=True,
                                     text=True, check=False).stdout
                for line in out.splitlines():
                    f = line.split()
                    if len(f) == 4 and f[2] in "tTwW":
                        funcs.append((int(f[0], 16), int(f[1], 16), f[3]))
            except OSError:
                pass
            funcs.sort()
            self.cache[path] = (funcs, [a for a, _, _ in funcs])
        return self.cache[path]

    def name(self, path, vaddr):
        funcs, keys = self.table(path)
        i = bisect.bisect_right(keys, vaddr) - 1
        if i >= 0 and funcs[i][0] <= vaddr < funcs[i][0] + max(funcs[i][1], 1):
            return funcs[i][2]
        return None


def analyse(path):
    data = open(path, "rb").read()
    strings, modules, frames, stacks, types = {}, {}, {}, {}, {}
    nodes = {}
    roots = []
    counters = []
    warnings, threads = [], []
    single = {}
    nedges = 0
    for _, r in read_dump.records(data, path):
        k = r["record"]
        if k == "STRING":
            strings[r["id"]] = s(r["text"])
        elif k == "MODULE":
            modules[r["id"]] = r
        elif k == "FRAME":
            frames[r["id"]] = r
        elif k == "STACK":
            stacks[r["id"]] = r["frames"]
        elif k == "TYPE":
            types[r["id"]] = strings.get(r["name"], "?")
        elif k == "NODE":
            nodes[r["addr"]] = [r["size"], r["stack"], r["type"], r["flags"], list(r["edges"])]
            nedges += len(r["edges"])
        elif k == "EDGES":
            nodes[r["from"]][4].extend(r["edges"])
            nedges += len(r["edges"])
        elif k == "ROOT":
            roots.append(r)
        elif k == "COUNTER":
            counters.append(r)
        elif k == "WARNING":
            warnings.append(s(r["message"]))
        elif k == "THREAD":
            t = dict(r)
            t["name"] = strings.get(r["name"]) if r["name"] else None
            threads.append(t)
        elif k in ("PROCESS", "SNAPSHOT", "ALLOCATOR", "TRAILER"):
            single[k] = r
    proc = single.get("PROCESS", {})
    exe = s(proc.get("exe") or "")
    syms = Symbols()

    def func_of(stack_id):
        for fid in stacks.get(stack_id, []):
            f = frames[fid]
            m = modules.get(f["module"])
            if not m or strings.get(m["path"]) != exe:
                continue
            n = syms.name(exe, f["pc"] - m["bias"] - 1)
            if n:
                return n
        return "?"

    # reachability: BFS over node addresses from root targets
    seen = set()
    todo = [r["target"] for r in roots if r["target"] in nodes]
    seen.update(todo)
    while todo:
        a = todo.pop()
        for t in nodes[a][4]:
            if t in nodes and t not in seen:
                seen.add(t)
                todo.append(t)

    site = collections.Counter()
    reach = collections.defaultdict(lambda: [0, 0])
    tcount = collections.Counter()
    for a, (size, st, ty, fl, _) in nodes.items():
        key = f"{func_of(st)}:{size}"
        site[key] += 1
        reach[key][0 if a in seen else 1] += 1
        if ty:
            tcount[types.get(ty, "?")] += 1
    rk = collections.Counter(str(r["kind"]) for r in roots)
    sc = {}
    for c in counters:
        f = func_of(c["stack"])
        v = sc.setdefault(f, [0, 0, 0, 0])
        for i, key in enumerate(("allocs", "frees", "bytes_allocated", "bytes_freed")):
            v[i] += c[key]
    snap = dict(single.get("SNAPSHOT", {}))
    if snap:
        snap["reason"] = s(snap["reason"])
    alloc = {s(k): v for k, v in (single.get("ALLOCATOR", {}).get("stats") or {}).items()}
    out = {
        "trigger_site": func_of(snap.get("trigger_stack")) if snap.get("trigger_stack") else None,
        "nodes": len(nodes),
        "native": sum(1 for v in nodes.values() if v[3] & 4),
        "bytes": sum(v[0] for v in nodes.values()),
        "edges": nedges,
        "site": dict(site),
        "reach": dict(reach),
        "roots": dict(rk),
        "types": dict(tcount),
        "counters": {"allocs": sum(c["allocs"] for c in counters),
                     "frees": sum(c["frees"] for c in counters),
                     "live": sum(c["allocs"] - c["frees"] for c in counters)},
        "site_counters": sc,
        "snapshot": snap,
        "allocator": alloc,
        "process": {"pid": proc.get("pid"), "exe": exe,
                    "python_version": s(proc.get("python_version"))},
        "warnings": warnings,
        "threads": threads,
        "modules": [strings.get(m["path"]) for m in modules.values()],
    }
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        out = analyse(argv[1])
    except (read_dump.DumpError, OSError) as e:
        print(f"dumpq.py: {e}", file=sys.stderr)
        return 1
    if len(argv) == 2:
        print(json.dumps(out, sort_keys=True))
    for key in argv[2:]:
        v, rest = out, key
        while rest and isinstance(v, dict):     # keys may contain dots: longest match first
            parts = rest.split(".")
            for i in range(len(parts), 0, -1):
                k = ".".join(parts[:i])
                if k in v:
                    v, rest = v[k], ".".join(parts[i:])
                    break
            else:
                v, rest = None, ""
        print(json.dumps(v) if isinstance(v, (dict, list)) else ("" if v is None else v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
