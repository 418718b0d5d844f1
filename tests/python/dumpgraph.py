"""dumpgraph.py - load a .dump into Python structures, for the walker's tests.

    g = dumpgraph.load("x.dump")
    g.nodes[addr]      -> Node(addr, size, type, flags, stack, edges=[(target, label)])
    g.roots            -> [(kind, target, label)]
    g.tasks            -> [(task, name, coroutine, [(function, file, line), ...])]
    g.warnings         -> [str]
    g.by_type("list"), g.edge_to(node, label), g.stack(stack_id), g.reachable()

Uses formats/read_dump.py (the format's reference reader), so the tests also check that what the
walker writes is a valid file. Labels are decoded: str label, ("index", i), or None.
"""
import os
import sys

FORMATS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "formats")
sys.path.insert(0, FORMATS)
try:
    import read_dump  # noqa: E402  (needs python3-msgpack)
except ImportError:     # an interpreter without msgpack: read through Debian's python3
    read_dump = None

SYNTHETIC, PYOBJ, NATIVE, GC_TRACKED, C_HELD, OWNS_BUFFER = 1, 2, 4, 8, 16, 32
ROOT_PY_MODULE, ROOT_PY_THREAD, ROOT_PY_INTERP, ROOT_C_HELD = 4, 5, 6, 7


class Node:
    __slots__ = ("addr", "size", "type", "flags", "stack", "edges")

    def __init__(self, addr, size, type, flags, stack):
        self.addr, self.size, self.type, self.flags, self.stack = addr, size, type, flags, stack
        self.edges = []

    def __repr__(self):
        return f"<{self.type} @{self.addr:#x} size={self.size} flags={self.flags}>"


class Graph:
    def __init__(self):
        self.nodes, self.roots, self.tasks, self.warnings = {}, [], [], []
        self.strings, self.types, self.frames, self.stacks = {}, {}, {}, {}
        self.process = self.snapshot = None

    def label(self, raw):
        if raw is None or raw == 0:
            return None
        if raw < 0:
            return ("index", -raw - 1)
        return self.strings.get(raw)

    def stack(self, sid):
        return [self.frames[f] for f in self.stacks.get(sid, [])]

    def by_type(self, name):
        return [n for n in self.nodes.values() if n.type == name]

    def edge_to(self, node, label):
        for t, l in node.edges:
            if l == label:
                return self.nodes.get(t)
        return None

    def labels(self, node):
        return [l for _, l in node.edges]

    def reachable(self):
        """Addresses reachable from any root (iteratively)."""
        seen = set()
        todo = [t for _, t, _ in self.roots if t in self.nodes]
        while todo:
            a = todo.pop()
            if a in seen:
                continue
            seen.add(a)
            todo.extend(t for t, _ in self.nodes[a].edges if t in self.nodes and t not in seen)
        return seen

    def inbound(self):
        inb = {}
        for n in self.nodes.values():
            for t, l in n.edges:
                inb.setdefault(t, []).append((n.addr, l))
        return inb


def _records(path):
    if read_dump is not None:
        with open(path, "rb") as f:
            data = f.read()
        for _, r in read_dump.records(data, path):
            yield {k: read_dump.plain(v) if k in ("text", "message", "python_version", "exe")
                   else v for k, v in r.items()}
        return
    import json
    import subprocess
    p = subprocess.Popen(["/usr/bin/python3", os.path.join(FORMATS, "read_dump.py"), "--json", path],
                         stdout=subprocess.PIPE, text=True)
    for line in p.stdout:
        yield json.loads(line)
    if p.wait() != 0:
        raise RuntimeError(f"read_dump.py failed on {path}")


def load(path):
    g = Graph()
    pending_edges = []
    for r in _records(path):
        k = r["record"]
        if k == "STRING":
            g.strings[r["id"]] = r["text"]
        elif k == "TYPE":
            g.types[r["id"]] = g.strings.get(r["name"])
        elif k == "FRAME":
            g.frames[r["id"]] = (g.strings.get(r["function"]), g.strings.get(r["file"]), r["line"])
        elif k == "STACK":
            g.stacks[r["id"]] = r["frames"]
        elif k == "NODE":
            n = Node(r["addr"], r["size"], g.types.get(r["type"]), r["flags"], r["stack"])
            labels = r["labels"] or [0] * len(r["edges"])
            n.edges = [(t, g.label(l)) for t, l in zip(r["edges"], labels)]
            g.nodes[n.addr] = n
        elif k == "EDGES":
            labels = r["labels"] or [0] * len(r["edges"])
            pending_edges.append((r["from"], [(t, g.label(l)) for t, l in zip(r["edges"], labels)]))
        elif k == "ROOT":
            g.roots.append((r["kind"], r["target"], g.strings.get(r["label"])))
        elif k == "TASK":
            g.tasks.append((r["task"], g.strings.get(r["name"]), r["coroutine"], g.stack(r["stack"])))
        elif k == "WARNING":
            g.warnings.append(r["message"])
        elif k == "PROCESS":
            g.process = r
        elif k == "SNAPSHOT":
            g.snapshot = r
    for src, edges in pending_edges:
        if src in g.nodes:
            g.nodes[src].edges.extend(edges)
    return g
