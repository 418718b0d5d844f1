"""test_walker.py - checks of the CPython walker, driven through the _mdpywalk test module.

Run by tests/e2e/python_walker.sh once per CPython the plugin was built for, with PYTHONPATH
holding that version's _mdpywalk.so. Each check prints "ok NAME" or "not ok NAME: why".
The dump is taken the way the agent takes it (GIL held, raw clone, walk in the child), so these
checks cover the walker itself: sizes, labels, roots, frames, garbage, C-held objects, tasks.
"""
import asyncio
import ctypes
import gc
import os
import sys
import tempfile
import threading

import _mdpywalk
import dumpgraph

TMP = tempfile.mkdtemp(prefix="mdpywalk.")
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"ok {name}")
    else:
        failures += 1
        print(f"not ok {name}: {why}")


def dump(tag):
    path = os.path.join(TMP, tag + ".dump")
    rc = _mdpywalk.dump(path)
    if rc != 0:
        raise RuntimeError(f"snapshot child exited with {rc}")
    return dumpgraph.load(path)


def frame_of(g, function):
    for n in g.by_type("<python frame>"):
        st = g.stack(n.stack)
        if st and st[0][0] == function:
            return n
    return None


def local(g, frame, name):
    return g.edge_to(frame, "locals:" + name) if frame else None


# ---- layout and sizes ---------------------------------------------------------------------------

check("layout_check", _mdpywalk.layout_check() is None, str(_mdpywalk.layout_check()))


class Plain:
    pass


class Slotted:
    __slots__ = ("x", "y")


def sizes_match_getsizeof():
    objs = [[], [1] * 1000, list(range(10)), (), (1, 2, 3), {}, {1: 2}, {"a": 1, "bb": 2},
            dict.fromkeys(range(100)), set(), set(range(100)), frozenset(range(3)), "", "abc",
            "\xe9" * 10, "\u20ac" * 5, "\U0001F600" * 3, "x" * 1000, b"", b"abc" * 100, 10**30,
            -(2**200), 12345, 1.5, bytearray(b"x" * 100), bytearray(), Slotted(), Plain,
            range(5), (i for i in range(3)), lambda: 0, sys, 1j]
    try:
        import numpy as np
        x = np.zeros(1000)
        objs += [x, x[1:], np.arange(12).reshape(3, 4), np.zeros((0,))]
    except ImportError:
        pass
    bad = [(type(o).__name__, repr(o)[:20], sys.getsizeof(o), _mdpywalk.size(o))
           for o in objs if sys.getsizeof(o) != _mdpywalk.size(o)]
    check("sizes_equal_getsizeof", not bad, f"{bad}")


sizes_match_getsizeof()

# Where 3.11's __sizeof__ leaves out memory an object alone owns, the walker counts it.
p = Plain()
p.x = 1
check("size_instance_counts_inline_values", _mdpywalk.size(p) > sys.getsizeof(p),
      f"{_mdpywalk.size(p)} vs {sys.getsizeof(p)}")


# ---- the line table decoder against the interpreter's own --------------------------------------

def all_code():
    seen, todo = set(), [o.__code__ for o in gc.get_objects() if hasattr(o, "__code__")]
    while todo:
        c = todo.pop()
        if id(c) in seen or not hasattr(c, "co_lines"):
            continue
        seen.add(id(c))
        yield c
        todo.extend(k for k in c.co_consts if hasattr(k, "co_lines"))


ncode = mismatches = 0
for code in all_code():
    ncode += 1
    for start, end, line in code.co_lines():
        for off in range(start, end, 2):
            got = _mdpywalk.addr2line(code, off)
            if got != line:
                mismatches += 1
                if mismatches < 4:
                    print(f"# {code.co_qualname} offset {off}: got {got}, want {line}")
check("linetable_matches_co_lines", ncode > 100 and mismatches == 0,
      f"{mismatches} mismatches over {ncode} code objects")
check("linetable_before_first_instruction", _mdpywalk.addr2line(all_code.__code__, -2) ==
      all_code.__code__.co_firstlineno)


# ---- one dump of a function's frame -----------------------------------------------------------

GLOBAL_CACHE = {"k": [7] * 300}


class User:
    def __init__(self, name):
        self.name = name
        self.data = [0] * 50


def memory_allocation():
    gc.collect()
    a = [1] * 1000
    b = [2] * 2000
    c = [3] * 3000
    u = User("ann" * 10)
    inner = "closure-held" * 5

    def closure():
        return inner
    g = dump("frame")
    return g, a, b, c, u, closure


g, a, b, c, u, closure = memory_allocation()
fr = frame_of(g, "memory_allocation")
check("frame_node", fr is not None and fr.flags & dumpgraph.SYNTHETIC and fr.size == 0, f"{fr}")
st = g.stack(fr.stack) if fr else []
check("frame_stack_line", len(st) >= 2 and st[0][2] == memory_allocation.__code__.co_firstlineno + 10
      and st[0][1].endswith("test_walker.py") and st[1][0] == "<module>", f"{st[:2]}")
for name, obj in (("a", a), ("b", b), ("c", c)):
    n = local(g, fr, name)
    check(f"local_{name}_size", n is not None and n.type == "list" and n.size == sys.getsizeof(obj),
          f"{n} vs {sys.getsizeof(obj)}")
un = local(g, fr, "u")
check("class_type_name", un is not None and un.type == "__main__.User", f"{un}")
check("instance_attribute_labels", un is not None and
      g.edge_to(un, "data") is not None and g.edge_to(un, "data").size == sys.getsizeof(u.data)
      and g.edge_to(un, "name") is not None and g.edge_to(un, "name").type == "str",
      f"{un and g.labels(un)}")
cell = local(g, fr, "inner")
check("cell_variable", cell is not None and cell.type == "cell" and
      g.edge_to(cell, "cell_contents") is not None, f"{cell and g.labels(cell)}")
mods = {l: t for k, t, l in g.roots if k == dumpgraph.ROOT_PY_MODULE}
main = g.nodes.get(mods.get("module:__main__"))
mdict = g.edge_to(main, "__dict__") if main else None
cache = g.edge_to(mdict, "GLOBAL_CACHE") if mdict else None
check("module_global", cache is not None and cache.type == "dict" and
      g.edge_to(cache, "k").size == sys.getsizeof(GLOBAL_CACHE["k"]), f"{main} {mdict} {cache}")
threads = [(t, l) for k, t, l in g.roots if k == dumpgraph.ROOT_PY_THREAD]
check("thread_root", len(threads) == 1 and "(main)" in threads[0][1] and
      g.nodes[threads[0][0]].edges[0][1] == ("index", 0), f"{threads}")
check("interpreter_roots", any(l == "sys.modules" for k, t, l in g.roots) and
      any(l == "builtins" for k, t, l in g.roots))
nodes_none = [n for n in g.nodes.values() if n.addr in (id(None), id(True), id(1), id(list))]
check("static_objects_excluded", not nodes_none, f"{nodes_none}")
dangling = sum(1 for n in g.nodes.values() for t, _ in n.edges if t not in g.nodes)
check("no_dangling_edges", dangling == 0, f"{dangling}")
reach = g.reachable()
unreach = [n for a_, n in g.nodes.items() if a_ not in reach]
check("everything_reachable", not unreach, f"{len(unreach)} unreachable: {unreach[:8]}")
check("no_warnings", not g.warnings, f"{g.warnings}")
check("process_version", g.process["python_version"] ==
      ".".join(map(str, sys.version_info[:3])), f"{g.process}")
tracked = [n for n in g.nodes.values() if n.type == "list" and n.flags & dumpgraph.GC_TRACKED]
check("gc_tracked_flag", len(tracked) > 3)
del g

# ---- cyclic garbage is unreachable, not held from C ---------------------------------------------

gc.disable()
x, y = [b"island-x" * 10], [b"island-y" * 10]
x.append(y)
y.append(x)
xa, ya = id(x), id(y)
del x, y
g = dump("garbage")
reach = g.reachable()
check("garbage_dumped", xa in g.nodes and ya in g.nodes)
check("garbage_unreachable", xa not in reach and ya not in reach)
check("garbage_not_c_held", xa in g.nodes and not g.nodes[xa].flags & dumpgraph.C_HELD)
gc.enable()
gc.collect()
del g

# ---- an object referenced only from C (ctypes Py_IncRef) ----------------------------------------

held = [b"held-from-c"] * 10
ha = id(held)
ctypes.pythonapi.Py_IncRef(ctypes.py_object(held))
del held
g = dump("cheld")
n = g.nodes.get(ha)
check("c_held_flag", n is not None and n.flags & dumpgraph.C_HELD, f"{n}")
check("c_held_root", any(k == dumpgraph.ROOT_C_HELD and t == ha for k, t, _ in g.roots))
check("c_held_reachable", ha in g.reachable())
ctypes.pythonapi.Py_DecRef(ctypes.py_object(ctypes.cast(ha, ctypes.py_object).value))
del g

# ---- generators, threads, asyncio -----------------------------------------------------------------


def producer():
    held_by_gen = [5] * 500
    yield 1
    yield len(held_by_gen)


gen = producer()
next(gen)
stop = threading.Event()
ready = threading.Event()


def worker():
    worker_local = [9] * 700
    ready.set()
    while not stop.wait(0.01):
        pass
    return worker_local


th = threading.Thread(target=worker, name="worker-1", daemon=True)
th.start()
ready.wait()
g = dump("gen_thread")
gn = g.nodes.get(id(gen))
hb = g.edge_to(gn, "locals:held_by_gen") if gn else None
check("generator_locals", hb is not None and hb.size == sys.getsizeof([5] * 500), f"{gn and g.labels(gn)}")
wf = frame_of(g, "worker")
wl = local(g, wf, "worker_local")
check("other_thread_frames", wl is not None and wl.size == sys.getsizeof([9] * 700), f"{wf}")
check("two_thread_roots", sum(1 for k, _, _ in g.roots if k == dumpgraph.ROOT_PY_THREAD) == 2)
stop.set()
th.join()
del g


async def hold(nbytes, delay):
    payload = bytearray(nbytes)
    await asyncio.sleep(delay)
    return len(payload)


async def main_async():
    tasks = [asyncio.create_task(hold(n, 30), name=f"holder-{n}") for n in (10000, 50000, 200000)]
    await asyncio.sleep(0)          # let each start and suspend in sleep()
    gr = dump("tasks")
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return gr


g = asyncio.run(main_async())
names = {name: (task, coro, stack) for task, name, coro, stack in g.tasks}
check("task_records", all(f"holder-{n}" in names for n in (10000, 50000, 200000)), f"{list(names)}")
ok = True
why = ""
for n in (10000, 50000, 200000):
    task, coro, stack = names.get(f"holder-{n}", (0, 0, []))
    cn = g.nodes.get(coro)
    payload = g.edge_to(cn, "locals:payload") if cn else None
    if not payload or payload.size != sys.getsizeof(bytearray(n)):
        ok, why = False, f"holder-{n}: {cn and g.labels(cn)}"
    if not stack or stack[-1][0] != "hold" or stack[-1][2] != hold.__code__.co_firstlineno + 2:
        ok, why = False, f"holder-{n} stack {stack}"
check("task_coroutine_payload_and_line", ok, why)
tn = g.nodes.get(names.get("holder-10000", (0,))[0])
check("task_node_edges", tn is not None and g.edge_to(tn, "_coro") is not None, f"{tn}")
del g

# ---- numpy ----------------------------------------------------------------------------------------

try:
    import numpy as np
except ImportError:
    np = None
if np is not None:
    arr = np.ones(100000)
    view = arr[10:]
    g = dump("numpy")
    an, vn = g.nodes.get(id(arr)), g.nodes.get(id(view))
    check("ndarray_owns_buffer", an is not None and an.type == "numpy.ndarray" and
          an.flags & dumpgraph.OWNS_BUFFER and an.size == sys.getsizeof(arr), f"{an}")
    check("ndarray_view", vn is not None and not vn.flags & dumpgraph.OWNS_BUFFER and
          g.edge_to(vn, "base") is an, f"{vn}")
    del g, arr, view

# ---- a dump deferred to the next safe point catches a temporary ---------------------------------


def transient():
    path = os.path.join(TMP, "deferred.dump")
    tmp = _mdpywalk.alloc_then_defer(800_000, path)   # the dump runs as this call returns
    del tmp
    return path


path = transient()
check("deferred_dump_ran", _mdpywalk.deferred_status() == 0, f"{_mdpywalk.deferred_status()}")
if os.path.exists(path):
    g = dumpgraph.load(path)
    big = [n for n in g.by_type("bytearray") if n.size >= 800_000]
    fr = frame_of(g, "transient")
    st = g.stack(fr.stack) if fr else []
    on_stack = g.edge_to(fr, "[stack]") if fr else None
    check("deferred_dump_catches_temporary", len(big) == 1 and on_stack is big[0] and
          not big[0].flags & dumpgraph.C_HELD, f"{big} {fr and g.labels(fr)}")
    check("deferred_dump_line", st and st[0][2] == transient.__code__.co_firstlineno + 2, f"{st[:1]}")
    del g

# ---- a million objects ------------------------------------------------------------------------------

many = [str(i) for i in range(1_000_000)]
g = dump("million")
mn = g.nodes.get(id(many))
check("million_list_edges", mn is not None and len(mn.edges) == 1_000_000 and
      mn.edges[999_999] == (id(many[999_999]), ("index", 999_999)), f"{mn and len(mn.edges)}")
total = sum(g.nodes[t].size for t, _ in mn.edges if t in g.nodes) if mn else 0
check("million_sizes", total == sum(sys.getsizeof(s) for s in many), f"{total}")
del g, many

# ---- --python-sites: the allocation traceback of each object -------------------------------------

_mdpywalk.install_sites()


class Point:
    def __init__(self, x):
        self.x = x


def make_points():
    return [Point(i) for i in range(100)]


def allocation_sites():
    a = [1] * 1000
    b = [2] * 2000
    c = [3] * 3000
    pts = make_points()
    g = dump("sites")
    return g, a, b, c, pts


g, a, b, c, pts = allocation_sites()
first = allocation_sites.__code__.co_firstlineno
ok, why = True, ""
for i, obj in enumerate((a, b, c)):
    st = g.stack(g.nodes[id(obj)].stack) if id(obj) in g.nodes else []
    if not st or st[0][0] != "allocation_sites" or st[0][2] != first + 1 + i:
        ok, why = False, f"{i}: {st[:2]}"
check("sites_line_per_variable", ok, why)
st = g.stack(g.nodes[id(pts[5])].stack) if id(pts[5]) in g.nodes else []
check("sites_nested_calls", [f[0] for f in st[:3]] == ["make_points.<locals>.<listcomp>", "make_points",
      "allocation_sites"] and st[0][2] == make_points.__code__.co_firstlineno + 1, f"{st[:3]}")
check("sites_mode_bit", g.snapshot["mode"] & 4 == 4, f"{g.snapshot}")
del g

sys.stdout.flush()
os._exit(1 if failures else 0)
