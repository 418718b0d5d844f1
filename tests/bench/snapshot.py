#!/usr/bin/python3
"""snapshot.py — what a snapshot costs: how long the target is paused, how long the snapshot
child takes to write the dump, and how many bytes each object costs on disk.

    snapshot.py BUILD OUT.json [--quick]

Targets held under `memdump run` (started once per size, dumped 3 times with `memdump --pid`;
QUICK: twice):
  native  build/bench/agent_heap N 1024: N blocks of 1 KiB, each with 4 pointers to others,
          for about 100 MB, 1 GB and 4 GB resident (QUICK: 100 MB and 1 GB); memdump's default
          for native programs, --native, so the tracker's table is part of what is dumped
  python  tests/bench/wl_pyheap.py N under /usr/bin/python3: about 100 k, 1 M and 2 M objects
From each dump: the summary line `memdump --pid` prints (blocks, pause, snapshot time, file
size) — the same pause_ns / child_ns the dump's SNAPSHOT record holds — the target's RSS from
/proc just before, and, from the first dump of each size, `memanalyze --json --summary` (object
count, the tracker's own memory). Figures are medians over the dumps of a size; the first dump's
pause is also kept apart: the first fork of a freshly built heap is usually the slowest (a bare
fork() of the same heap without memdump shows it too).
"""
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

LINE_RE = re.compile(r"(\d+) blocks, (\d+) bytes, target paused ([0-9.]+) ms, snapshot took ([0-9.]+) ms, "
                     r"file (\d+) bytes")


def vmrss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def measure(B, kind, label, cmd, reps, tmp, log):
    M = os.path.join(B, "bin", "memdump")
    env = dict(os.environ, MEMDUMP_QUIET="1")
    row = {"kind": kind, "label": label, "command": " ".join(cmd), "status": "ok"}
    t0 = time.monotonic()
    runner = subprocess.Popen([M, "run", "-q", "--dir", tmp, "--"] + cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                              start_new_session=True)
    pid = None
    try:
        line = runner.stdout.readline().decode()  # "PID RSS_MIB" once the heap is built
        if not line.strip():
            err = runner.stderr.read().decode("utf-8", "replace")[-400:]
            row["status"] = "failed: target exited before it was ready: " + err
            return row
        pid = int(line.split()[0])
        row["build_seconds"] = round(time.monotonic() - t0, 2)
        samples = []
        for i in range(reps):
            path = os.path.join(tmp, "snap-%d.dump" % i)
            rss = vmrss(pid)
            t1 = time.monotonic()
            p = subprocess.run([M, "--pid", str(pid), "-o", path, "--timeout", "300"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            wall = time.monotonic() - t1
            m = LINE_RE.search(p.stdout.decode())
            if p.returncode != 0 or not m:
                row["status"] = "failed: memdump --pid exit %d: %s" % (
                    p.returncode, (p.stderr.decode("utf-8", "replace") + p.stdout.decode())[-400:].strip())
                return row
            s = {"rss": rss, "blocks": int(m.group(1)), "bytes": int(m.group(2)),
                 "pause_ms": float(m.group(3)), "child_ms": float(m.group(4)), "file": int(m.group(5)),
                 "memdump_wall": wall}
            if i == 0:
                a = subprocess.run([os.path.join(B, "bin", "memanalyze"), "-q", "--json", "--summary", path],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                try:
                    j = json.loads(a.stdout)
                    sm = j["summary"]
                    row["objects"] = sm.get("objects")
                    row["native_objects"] = sm.get("native_objects")
                    row["python_objects"] = sm.get("python_objects")
                    row["edges"] = sm.get("edges")
                    row["agent_overhead"] = sm.get("agent_overhead")
                    row["dump_pause_ns"] = j.get("snapshot", {}).get("pause_ns")
                    row["dump_child_ns"] = j.get("snapshot", {}).get("child_ns")
                except (ValueError, KeyError, TypeError):
                    row["memanalyze_error"] = (a.stderr.decode("utf-8", "replace"))[-300:]
            try:
                os.unlink(path)
            except OSError:
                pass
            samples.append(s)
            log("  %-14s dump %d: pause %.2f ms, child %.0f ms, file %.1f MB, RSS %.0f MB" % (
                label, i + 1, s["pause_ms"], s["child_ms"], s["file"] / 1e6, rss / 1e6))
        med = lambda k: statistics.median(x[k] for x in samples)  # noqa: E731
        row.update({"reps": len(samples), "rss": med("rss"), "blocks": samples[0]["blocks"],
                    "pause_ms": med("pause_ms"), "pause_ms_first": samples[0]["pause_ms"],
                    "pause_ms_min": min(x["pause_ms"] for x in samples),
                    "pause_ms_max": max(x["pause_ms"] for x in samples),
                    "child_ms": med("child_ms"), "child_ms_min": min(x["child_ms"] for x in samples),
                    "child_ms_max": max(x["child_ms"] for x in samples),
                    "file": med("file"), "memdump_wall": med("memdump_wall")})
        n = row.get("objects") or row["blocks"]
        row["bytes_per_object"] = row["file"] / n if n else None
        if row.get("agent_overhead") and row.get("native_objects"):
            row["tracker_bytes_per_block"] = row["agent_overhead"] / row["native_objects"]
        return row
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            runner.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait()
        runner.stdout.close()
        runner.stderr.close()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    if len(args) != 2:
        sys.exit("usage: snapshot.py BUILD OUT.json [--quick]")
    B = os.path.abspath(args[0])
    here = os.path.dirname(os.path.abspath(__file__))
    heap = os.path.join(B, "bench", "agent_heap")
    reps = 2 if quick else 3
    plan = [("native", "100 MB", [heap, "100000", "1024"]),
            ("native", "1 GB", [heap, "1000000", "1024"])]
    if not quick:
        plan.append(("native", "4 GB", [heap, "4000000", "1024"]))
    for n, label in ((100000, "100 k"), (1000000, "1 M"), (2000000, "2 M")):
        plan.append(("python", label + " objects", ["/usr/bin/python3", os.path.join(here, "wl_pyheap.py"), str(n)]))
    tmp = tempfile.mkdtemp(prefix="memdump-bench-snapshot.")
    rows = []
    try:
        for kind, label, cmd in plan:
            t0 = time.monotonic()
            row = measure(B, kind, label, cmd, reps, tmp, lambda s: print(s, flush=True))
            row["seconds"] = round(time.monotonic() - t0, 1)
            if row["status"] != "ok":
                print("  %s %s: %s" % (kind, label, row["status"]), flush=True)
            rows.append(row)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(report.snapshot_table(rows)), flush=True)
    with open(args[1], "w") as f:
        json.dump({"snapshots": rows}, f, indent=1)
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
