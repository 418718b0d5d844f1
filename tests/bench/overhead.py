#!/usr/bin/python3
"""overhead.py — run time of each workload without a profiler, under memdump's modes, and under
the tools people use today (heaptrack, tracemalloc, memory_profiler, valgrind massif), as ratios.

    overhead.py BUILD OUT.json [--quick] [--only NAME,...]

Workloads (tests/bench/README.md says more):
  churn     build/bench/agent_churn: 10 M malloc/free pairs over 1024 live blocks (QUICK: 3 M)
  native    build/bench/wl_native: word counts in a hash map, an AVL tree of them, a report
  gcc       gcc -O2 -g compiling memdump's own sources (the agent follows gcc into cc1 and as;
            heaptrack does not, see below)
  pyalloc   tests/bench/wl_pyalloc.py: millions of dicts, lists and strs built and dropped
  numpy     tests/bench/wl_numpy.py: the seed's create_and_sum(10 000 000)
Each workload's configurations run interleaved (harness.py); the first is the baseline. For a
native program memdump's default is --native; "agent only" is the agent loaded with tracking
off (--no-native). For Python the default is the object-graph walker with no per-allocation
tracking. memory_profiler runs as `python3 -m memory_profiler SCRIPT`, which puts its @profile on
the function the script marks (work() / create_and_sum()), as its documentation shows.

Prints each workload's table as it finishes and writes all of them to OUT.json (report.py turns
that into the README table).
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import report  # noqa: E402

PY = "/usr/bin/python3"


def workloads(B, root, tmp, quick):
    M = os.path.join(B, "bin", "memdump")
    here = os.path.join(root, "tests", "bench")
    q = {"MEMDUMP_QUIET": "1", "MEMDUMP_DIR": tmp}
    heaptrack = shutil.which("heaptrack")
    valgrind = shutil.which("valgrind")
    have_mprof = os.system(PY + " -c 'import memory_profiler' 2>/dev/null") == 0
    ht_out = os.path.join(tmp, "heaptrack.out")    # heaptrack appends .zst
    ht_clean = [os.path.join(tmp, "heaptrack.*")]

    def native_configs(cmd, heavy_reps):
        cs = [harness.Config("no profiler", cmd),
              harness.Config("memdump, agent only (--no-native)", [M, "run", "--no-native", "--"] + cmd, q),
              harness.Config("memdump --native (default)", [M, "run", "--native", "--"] + cmd, q)]
        if heaptrack:
            cs.append(harness.Config("heaptrack", ["heaptrack", "-o", ht_out] + cmd,
                                     timeout=300, max_reps=heavy_reps, cleanup=ht_clean, heavy=True))
        return cs

    def python_configs(script, args, mprof_timeout):
        cmd = [PY, script] + args
        cs = [harness.Config("no profiler", cmd),
              harness.Config("memdump (default)", [M, "run", "--"] + cmd, q),
              harness.Config("memdump --native", [M, "run", "--native", "--"] + cmd, q),
              harness.Config("memdump --python-sites", [M, "run", "--python-sites", "--"] + cmd, q),
              harness.Config("tracemalloc, 1 frame", [PY, "-X", "tracemalloc=1", script] + args,
                             max_reps=None if quick else 4),
              harness.Config("tracemalloc, 25 frames", [PY, "-X", "tracemalloc=25", script] + args,
                             heavy=True, max_reps=2 if quick else 3)]
        if have_mprof:
            cs.append(harness.Config("memory_profiler @profile", [PY, "-m", "memory_profiler", script] + args,
                                     timeout=mprof_timeout, max_reps=None if mprof_timeout > 60 else 3,
                                     heavy=True))
        return cs

    out = []
    pairs = 3000000 if quick else 10000000
    churn = [os.path.join(B, "bench", "agent_churn"), str(pairs)]
    cs = native_configs(churn, 1 if quick else 3)
    if valgrind and not quick:
        cs.append(harness.Config("valgrind massif", ["valgrind", "--tool=massif", "--massif-out-file=" +
                                 os.path.join(tmp, "massif.out")] + churn, timeout=240, max_reps=1,
                                 cleanup=[os.path.join(tmp, "massif.out")], heavy=True))
    out.append({"name": "churn", "title": "native churn: %d M malloc/free pairs, 1024 live blocks" % (pairs // 1000000),
                "configs": cs, "budget": 5 if quick else 12})

    words = "600000" if quick else "1500000"
    out.append({"name": "native", "title": "native realistic: hash map + AVL tree of %s words" % words,
                "configs": native_configs([os.path.join(B, "bench", "wl_native"), words], 1 if quick else 3),
                "budget": 8 if quick else 25})

    srcs = ["analyze/memanalyze.c"] if quick else \
        ["formats/md_writer.c", "formats/md_reader.c", "analyze/memanalyze.c", "analyze/ma_load.c"]
    srcs = [os.path.join(root, s) for s in srcs if os.path.exists(os.path.join(root, s))]
    gcc = ["gcc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-g"] + \
        ["-I" + os.path.join(root, d) for d in ("formats", "dump/include", "analyze")] + ["-c"] + srcs
    # No heaptrack here: it does not follow child processes (it would see the gcc driver, not
    # cc1), and put on cc1 and as through `gcc -wrapper heaptrack,...`, heaptrack 1.4's
    # interpreter aborts with std::bad_alloc on some of these files after about a minute.
    gcc_cfg = native_configs(gcc, 0)[:3]
    out.append({"name": "gcc", "title": "native realistic: gcc -O2 -g -c, %d file%s of memdump's source" % (len(srcs), "s"[:len(srcs) > 1]),
                "configs": gcc_cfg, "budget": 6 if quick else 20,
                "note": "heaptrack is left out: it does not follow gcc's child processes (cc1, as), and put on "
                        "them with `gcc -wrapper heaptrack,...` its interpreter aborts (std::bad_alloc) on "
                        "some of these files.",
                "cwd": tmp})

    rounds = "1" if quick else "3"
    out.append({"name": "pyalloc",
                "title": "Python allocation-heavy: %s x 200 000 rows of dict + list + strs" % rounds,
                "configs": python_configs(os.path.join(here, "wl_pyalloc.py"), [rounds, "200000"],
                                          5 if quick else 15),
                "budget": 15 if quick else 40})

    np_cfg = python_configs(os.path.join(here, "wl_numpy.py"), ["10000000"], 60 if quick else 120)
    if heaptrack:
        np_cfg.append(harness.Config("heaptrack", ["heaptrack", "-o", ht_out, PY,
                                     os.path.join(here, "wl_numpy.py"), "10000000"],
                                     timeout=120, max_reps=1 if quick else 2, cleanup=ht_clean, heavy=True))
    out.append({"name": "numpy", "title": "the seed's numpy example: create_and_sum(10 000 000)",
                "configs": np_cfg, "budget": 8 if quick else 30, "max_reps": 15})
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    only = None
    for a in sys.argv[1:]:
        if a.startswith("--only="):
            only = set(a[7:].split(","))
    if len(args) != 2:
        sys.exit("usage: overhead.py BUILD OUT.json [--quick] [--only=NAME,...]")
    B = os.path.abspath(args[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    tmp = tempfile.mkdtemp(prefix="memdump-bench-overhead.")
    results = []
    try:
        for w in workloads(B, root, tmp, quick):
            if only and w["name"] not in only:
                continue
            t0 = time.monotonic()
            print("-- %s: %s" % (w["name"], w["title"]), flush=True)
            rows, reps = harness.compare(w["configs"], min_reps=3, max_reps=w.get("max_reps", 11),
                                         budget=w["budget"],
                                         cwd=w.get("cwd"), log=lambda s: print(s, flush=True))
            res = {"name": w["name"], "title": w["title"], "rounds": reps, "configs": rows,
                   "note": w.get("note", ""),
                   "seconds": round(time.monotonic() - t0, 1)}
            results.append(res)
            print("\n".join(report.overhead_table(res)), flush=True)
            print(flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(args[1], "w") as f:
        json.dump({"workloads": results}, f, indent=1)
    return 1 if any(c["status"] not in ("ok", "timeout") for w in results for c in w["configs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
