"""agent_checks.py - the Python walker through the real agent: `memdump run`, `memdump --pid`,
the `memdump` module, --python-sites, the safe-point timeout, threads running during snapshots,
and version refusal. Run by tests/e2e/python_agent.sh:

    agent_checks.py BUILD_DIR

Prints "ok NAME" / "not ok NAME: why" per check. Target programs are small scripts written to a
scratch directory; dumps are read with tests/python/dumpgraph.py.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import dumpgraph
import pycheck
from pycheck import check

B = os.path.abspath(sys.argv[1])
MEMDUMP = os.path.join(B, "bin", "memdump")
PYLIB = os.path.join(B, "lib", "memdump-py")
TMP = tempfile.mkdtemp(prefix="mdpyagent.")
PY = "/usr/bin/python3"



def script(name, body):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(body).lstrip("\n"))
    return path


def env(**extra):
    e = dict(os.environ)
    e["PYTHONPATH"] = PYLIB
    e["MEMDUMP_DIR"] = TMP
    e.pop("MEMDUMP_PYTHON_SITES", None)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def run(args, timeout=60, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=TMP, **kw)


def start(args, **kw):
    """Start a target that prints 'ready' on stdout when it is in position."""
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=TMP, **kw)
    line = p.stdout.readline()
    if not line.startswith("ready"):
        p.kill()
        raise RuntimeError(f"target did not start: {line!r} {p.stderr.read()}")
    p.target = int(line.split()[1])     # `memdump run` starts the program as its child
    return p


def frame(g, function):
    for n in g.by_type("<python frame>"):
        st = g.stack(n.stack)
        if st and st[0][0] == function:
            return n
    return None


def local_size(g, fr, name):
    n = g.edge_to(fr, "locals:" + name) if fr else None
    return n.size if n else None


# ---- memdump.snapshot() from inside the program -------------------------------------------------

app = script("app_api.py", """
    import json, sys, memdump
    def memory_allocation():
        a = [1] * 1000
        b = [2] * 2000
        c = [3] * 3000
        memdump.snapshot(sys.argv[1])
        json.dump({k: sys.getsizeof(v) for k, v in (("a", a), ("b", b), ("c", c))}, open(sys.argv[2], "w"))
    memory_allocation()
""")
dump = os.path.join(TMP, "api.dump")
r = run([MEMDUMP, "run", "--", PY, app, dump, os.path.join(TMP, "api.json")], env=env())
check("api_run", r.returncode == 0 and os.path.exists(dump), r.stderr[-500:])
if os.path.exists(dump):
    g = dumpgraph.load(dump)
    want = json.load(open(os.path.join(TMP, "api.json")))
    fr = frame(g, "memory_allocation")
    got = {k: local_size(g, fr, k) for k in want}
    check("api_local_sizes", got == want, f"{got} != {want}")
    check("api_python_version", g.process["python_version"] == "%d.%d.%d" % sys.version_info[:3],
          f"{g.process}")
    check("api_reason", g.snapshot["reason"] in (b"api", "api"), f"{g.snapshot}")
    check("api_no_warnings", not [w for w in g.warnings if "python" in w.lower()], f"{g.warnings}")

# ---- memdump --pid on a running program -------------------------------------------------------------

app = script("app_pid.py", """
    import os, time
    def serve():
        cache = {i: str(i) * 10 for i in range(1000)}
        print("ready", os.getpid(), flush=True)
        time.sleep(30)
        return cache
    serve()
""")
p = start([MEMDUMP, "run", "--", PY, app], env=env())
try:
    r = run([MEMDUMP, "--pid", str(p.target)])
    path = r.stdout.split("\n")[0].strip()
    check("pid_snapshot", r.returncode == 0 and os.path.exists(path), r.stdout + r.stderr)
    if os.path.exists(path):
        g = dumpgraph.load(path)
        fr = frame(g, "serve")
        cache = g.edge_to(fr, "locals:cache") if fr else None
        check("pid_frame_locals", cache is not None and cache.type == "dict" and len(cache.edges) >= 1000,
              f"{fr} {cache}")
        st = g.stack(fr.stack) if fr else []
        check("pid_frame_line", st and st[0][2] == 5 and st[1][0] == "<module>", f"{st}")
        threads = [l for k, t, l in g.roots if k == dumpgraph.ROOT_PY_THREAD]
        check("pid_only_program_threads", len(threads) == 1 and "(main)" in threads[0], f"{threads}")
finally:
    p.kill()
    p.wait()

# ---- --python-sites ---------------------------------------------------------------------------------

# (the agent loads the walker once its control thread sees the interpreter running, a few ms
# later; `import memdump` waits for its hooks, so the lists below have their sites)
app = script("app_sites.py", """
    import sys, memdump
    def memory_allocation():
        a = [1] * 1000
        b = [2] * 2000
        c = [3] * 3000
        memdump.snapshot(sys.argv[1])
        return a, b, c
    memory_allocation()
""")
dump = os.path.join(TMP, "sites.dump")
r = run([MEMDUMP, "run", "--python-sites", "--", PY, app, dump], env=env())
check("sites_run", r.returncode == 0 and os.path.exists(dump), r.stderr[-500:])
if os.path.exists(dump):
    g = dumpgraph.load(dump)
    fr = frame(g, "memory_allocation")
    lines = {}
    for name in "abc":
        n = g.edge_to(fr, "locals:" + name) if fr else None
        st = g.stack(n.stack) if n else []
        lines[name] = (st[0][0], st[0][2]) if st else None
    check("sites_separate_lines", lines == {"a": ("memory_allocation", 3), "b": ("memory_allocation", 4),
                                             "c": ("memory_allocation", 5)}, f"{lines}")
    check("sites_mode", g.snapshot["mode"] & 4 == 4, f"{g.snapshot}")

# --python-sites from the first allocation: the agent's constructor lets the walker hook the
# allocator before Py_Initialize, so objects made while the interpreter starts (the frozen
# codecs module, imported by Py_Initialize itself) have their sites too
if os.path.exists(dump):
    early = [n for n in g.nodes.values() if n.stack and g.stack(n.stack)[0][1] == "<frozen codecs>"]
    check("sites_from_interpreter_start", len(early) >= 50, f"{len(early)} objects with a site in codecs")

# ---- a thread holding the GIL in a long C call: a clear failure, not a hang -------------------------

app = script("app_gil.py", """
    import ctypes, os, time
    print("ready", os.getpid(), flush=True)
    ctypes.PyDLL(None).sleep(6)      # a C call that keeps the GIL
    print("released", flush=True)
    time.sleep(30)
""")
p = start([MEMDUMP, "run", "--", PY, app], env=env())
try:
    t0 = time.monotonic()
    r = run([MEMDUMP, "--pid", str(p.target), "--safe-point-timeout=1"], timeout=30)
    dt = time.monotonic() - t0
    check("gil_held_fails_cleanly", r.returncode != 0 and "could not reach a safe point" in r.stderr,
          f"rc={r.returncode} {r.stdout} {r.stderr}")
    check("gil_held_fails_within_timeout", dt < 4, f"{dt:.2f} s (the GIL holder's call lasts 6 s)")
    line = p.stdout.readline()          # the C call ends; the helper gets and drops the GIL
    r = run([MEMDUMP, "--pid", str(p.target)], timeout=30)
    check("gil_released_then_snapshot_works", line.startswith("released") and r.returncode == 0,
          f"{line!r} {r.stdout} {r.stderr}")
    check("gil_target_alive", p.poll() is None)
finally:
    p.kill()
    p.wait()

# the same wait set for the whole run (memdump run --safe-point-timeout), and bad values refused
p = start([MEMDUMP, "run", "--safe-point-timeout=0.5", "--", PY, app], env=env())
try:
    t0 = time.monotonic()
    r = run([MEMDUMP, "--pid", str(p.target)], timeout=30)
    dt = time.monotonic() - t0
    check("run_safe_point_timeout", r.returncode != 0 and "could not reach a safe point" in r.stderr
          and dt < 3, f"rc={r.returncode} {dt:.2f} s {r.stderr}")
finally:
    p.kill()
    p.wait()
r = run([MEMDUMP, "run", "--safe-point-timeout=soon", "--", PY, "-c", "pass"], timeout=30)
check("run_safe_point_timeout_malformed", r.returncode == 2 and "--safe-point-timeout" in r.stderr,
      f"rc={r.returncode} {r.stderr}")

# ---- threads that keep running during snapshots do not disturb them ---------------------------------

app = script("app_threads.py", """
    import sys, threading, memdump
    stop = threading.Event()
    shared = {}
    def churn(k):
        n = 0
        while not stop.is_set():
            shared[(k, n % 5000)] = [n] * (n % 50)
            if n % 3 == 0:
                shared.pop((k, (n * 7) % 5000), None)
            n += 1
    workers = [threading.Thread(target=churn, args=(k,)) for k in range(4)]
    for w in workers:
        w.start()
    def main():
        anchor = [b"anchor"] * 777
        for i in range(5):
            memdump.snapshot(sys.argv[1] + f".{i}")
        return anchor
    main()
    stop.set()
    for w in workers:
        w.join()
    print("clean exit")
""")
base = os.path.join(TMP, "threads.dump")
r = run([MEMDUMP, "run", "--", PY, app, base], env=env(), timeout=120)
check("threads_run", r.returncode == 0 and "clean exit" in r.stdout, r.stderr[-800:])
ok, why = True, ""
for i in range(5):
    path = f"{base}.{i}"
    if not os.path.exists(path):
        ok, why = False, f"{path} missing"
        break
    g = dumpgraph.load(path)
    fr = frame(g, "main")
    sz = local_size(g, fr, "anchor")
    if sz != sys.getsizeof([b"anchor"] * 777):
        ok, why = False, f"dump {i}: anchor size {sz}"
    nthreads = sum(1 for k, _, _ in g.roots if k == dumpgraph.ROOT_PY_THREAD)
    workers = [n for n in g.by_type("<python frame>") if g.stack(n.stack)[0][0] == "churn"]
    if nthreads != 5 or len(workers) != 4:
        ok, why = False, f"dump {i}: {nthreads} thread roots, {len(workers)} churn frames"
    bad = [w for w in g.warnings if "invalid" in w or "fault" in w]
    dangling = sum(1 for n in g.nodes.values() for t, _ in n.edges if t not in g.nodes)
    if bad or dangling:
        ok, why = False, f"dump {i}: {bad} {dangling} dangling edges"
    shared = None
    for n in g.nodes.values():
        if n.type == "dict" and any(l == "shared" for _, l in n.edges):
            shared = g.edge_to(n, "shared")
    if shared is None or shared.type != "dict":
        ok, why = False, f"dump {i}: the shared dict is missing"
check("threads_snapshots_consistent", ok, why)

# ---- an interpreter whose version the plugin was not built for is refused ---------------------------

other = os.path.join(PYLIB, "python-3.11.7.so")
if os.path.exists(other):
    app = script("app_refuse.py", """
        import sys, memdump
        memdump.snapshot(sys.argv[1])
    """)
    dump = os.path.join(TMP, "refused.dump")
    r = run([MEMDUMP, "run", "--", PY, app, dump], env=env(MEMDUMP_PLUGIN=other))
    g = dumpgraph.load(dump) if os.path.exists(dump) else None
    msg = " ".join(g.warnings) if g else r.stderr
    check("version_mismatch_refused", "built for Python 3.11.7" in msg and
          (g is None or not g.by_type("<python frame>")), msg[-400:])
else:
    print("ok version_mismatch_refused # skipped: no second 3.11 build")

# ---- a program that forks: its child can take snapshots too (the GIL helper starts afresh) -------

app = script("app_fork.py", """
    import os, sys, memdump
    memdump.snapshot(sys.argv[1] + ".parent")
    pid = os.fork()
    if pid == 0:
        in_child = [7] * 999
        memdump.snapshot(sys.argv[1] + ".child")
        os._exit(0)
    os.waitpid(pid, 0)
    memdump.snapshot(sys.argv[1] + ".parent2")
""")
base = os.path.join(TMP, "fork.dump")
r = run([MEMDUMP, "run", "--", PY, app, base], env=env())
ok = all(os.path.exists(base + s) for s in (".parent", ".child", ".parent2"))
g = dumpgraph.load(base + ".child") if ok else None
held = [g.nodes[t].size for n in g.nodes.values() for t, l in n.edges if l == "in_child"] if g else []
check("fork_child_snapshot", ok and held == [8 * 999 + 56], f"{held} {r.stderr[-400:]}")

# ---- every other CPython the plugin was built for: the agent picks the matching plugin ---------------

for line in open(os.path.join(PYLIB, "pythons.txt")):
    version, _inc, _lib, exe = line.split()
    if os.path.realpath(exe) == os.path.realpath(PY):
        continue
    app = script("app_other.py", """
        import sys, memdump
        def holder():
            data = [0] * 4321
            memdump.snapshot(sys.argv[1])
        holder()
    """)
    dump = os.path.join(TMP, f"other-{version}.dump")
    r = run([MEMDUMP, "run", "--", exe, app, dump], env=env())
    ok = r.returncode == 0 and os.path.exists(dump)
    g = dumpgraph.load(dump) if ok else None
    fr = frame(g, "holder") if g else None
    check(f"other_python_{version}", ok and g.process["python_version"] == version and
          local_size(g, fr, "data") == 8 * 4321 + 56, r.stderr[-400:] if not ok else f"{g.process} {fr}")

# ---- the memdump module outside the agent -------------------------------------------------------------

r = run([PY, "-c", "import memdump\nprint(memdump.available())\nmemdump.snapshot('x.dump')"], env=env())
check("module_without_agent", "False" in r.stdout and "not running under the memdump agent" in r.stderr,
      r.stdout + r.stderr)

shutil.rmtree(TMP, ignore_errors=True)
sys.exit(pycheck.exit_status())
