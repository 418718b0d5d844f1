"""sample_checks.py - the Python samples (samples/python/) run under memdump, analyzed with
`memanalyze --json`, with exact expectations. Run by tests/e2e/python_samples.sh:

    sample_checks.py BUILD_DIR SAMPLES_DIR

Prints "ok NAME" / "not ok NAME: why" per check.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pycheck
from pycheck import check

B = os.path.abspath(sys.argv[1])
SAMPLES = os.path.abspath(sys.argv[2])
MEMDUMP = os.path.join(B, "bin", "memdump")
MEMANALYZE = os.path.join(B, "bin", "memanalyze")
TMP = tempfile.mkdtemp(prefix="mdpysamples.")
PY = "/usr/bin/python3"



def run_sample(rel, dump, *opts, extra_env=None):
    env = dict(os.environ, PYTHONPATH=os.path.join(B, "lib", "memdump-py"), DUMP=dump, MEMDUMP_DIR=TMP)
    env.pop("MEMDUMP_PYTHON_SITES", None)
    env.update(extra_env or {})
    return subprocess.run([MEMDUMP, "run", *opts, "--", PY, os.path.join(SAMPLES, rel)],
                          capture_output=True, text=True, cwd=TMP, env=env, timeout=120)


def analyze(dump, *views):
    r = subprocess.run([MEMANALYZE, "--json", "--top", "0", *views, dump], capture_output=True,
                       text=True, timeout=120)
    return json.loads(r.stdout) if r.returncode == 0 else {"error": r.stderr}


def getsizeof(expr):
    return int(subprocess.run([PY, "-c", f"import sys; print(sys.getsizeof({expr}))"],
                              capture_output=True, text=True).stdout)


def local(report, function, name):
    for v in report.get("variables", []):
        if v["function"] == function and v["name"] == name:
            return v
    return None


def by_line(report, filename):
    return {g["key"].rsplit(":", 1)[1]: g for g in report.get("by", {}).get("groups", [])
            if g["key"].rsplit(":", 1)[0].endswith(filename)}


# ---- memory_allocation: a, b, c as separate variables, and separate lines ------------------------

dump = os.path.join(TMP, "memory_allocation.dump")
r = run_sample("memory_allocation/memory_allocation.py", dump)
check("memory_allocation_runs", r.returncode == 0 and os.path.exists(dump), r.stderr[-400:])
rep = analyze(dump, "--variables")
want = {"a": getsizeof("[1] * 1000"), "b": getsizeof("[2] * 2000"), "c": getsizeof("[3] * 3000")}
got = {k: (local(rep, "memory_allocation", k) or {}).get("retained") for k in want}
check("memory_allocation_variables_exact", got == want, f"{got} != {want}")
check("memory_allocation_variables_type", all((local(rep, "memory_allocation", k) or {}).get("type") == "list"
                                              for k in want))

dump = os.path.join(TMP, "memory_allocation_sites.dump")
r = run_sample("memory_allocation/memory_allocation.py", dump, "--python-sites")
rep = analyze(dump, "--by", "line")
lines = by_line(rep, "memory_allocation.py")
got = {ln: lines[ln]["bytes"] for ln in ("17", "18", "19") if ln in lines}
check("memory_allocation_sites_lines", got == {"17": want["a"], "18": want["b"], "19": want["c"]}, f"{got}")

# ---- create_and_sum: the 80 MB array, owned by the local `arr` ------------------------------------

dump = os.path.join(TMP, "create_and_sum.dump")
r = run_sample("create_and_sum/create_and_sum.py", dump)
check("create_and_sum_runs", r.returncode == 0 and os.path.exists(dump), r.stderr[-400:])
rep = analyze(dump, "--variables")
arr = local(rep, "create_and_sum", "arr")
want = getsizeof("__import__('numpy').random.rand(10000000)")
check("create_and_sum_arr", arr is not None and arr["type"] == "numpy.ndarray" and arr["retained"] == want
      and arr["bytes"] == want, f"{arr} (want {want})")
top = rep.get("variables", [{}])[0]
check("create_and_sum_arr_is_top", top.get("name") == "arr", f"{top}")

# ---- asyncio: each task's memory, where it waits, the coroutine lines -----------------------------

dump = os.path.join(TMP, "asyncio_tasks.dump")
r = run_sample("asyncio_tasks/asyncio_tasks.py", dump, "--python-sites")
check("asyncio_runs", r.returncode == 0 and os.path.exists(dump), r.stderr[-400:])
rep = analyze(dump, "--tasks", "--by", "line")
tasks = {t["name"]: t for t in rep.get("tasks", [])}
small, large = getsizeof("bytearray(100_000)"), getsizeof("bytearray(5_000_000)")
ok = ("download-small" in tasks and "download-large" in tasks and "parse-rows" in tasks and
      small <= tasks["download-small"]["retained"] < small + 2000 and
      large <= tasks["download-large"]["retained"] < large + 2000 and
      tasks["parse-rows"]["retained"] > 20_000 * getsizeof("{'id': 1, 'text': 'row 1'}"))
check("asyncio_task_retained", ok, json.dumps(list(tasks.values()))[:600])
where = {n: (t["coroutine"], t["line"], t["awaiting"]) for n, t in tasks.items()}
check("asyncio_task_suspended_line", where.get("download-large") == ("download", 17, "sleep") and
      where.get("parse-rows") == ("parse", 23, "sleep"), f"{where}")
lines = by_line(rep, "asyncio_tasks.py")
check("asyncio_sites_coroutine_lines", lines.get("16", {}).get("bytes") == small + large and
      lines.get("22", {}).get("count", 0) >= 20_000, f"{ {k: v['bytes'] for k, v in lines.items()} }")

# ---- allocate_and_free: --at-peak catches the short-lived 800 KB array -----------------------------

peak_dir = os.path.join(TMP, "peak")
os.mkdir(peak_dir)
r = run_sample("allocate_and_free/allocate_and_free.py", "", "--at-peak=5",
               extra_env={"MEMDUMP_DIR": peak_dir, "MEMDUMP_PEAK_INTERVAL": "0"})
dumps = sorted(os.path.join(peak_dir, f) for f in os.listdir(peak_dir) if f.endswith(".dump"))
found = None
for d in dumps:
    rep = analyze(d, "--variables", "--dominators")
    for dom in rep.get("dominators", []):
        if dom["type"] == "numpy.ndarray" and dom["bytes"] >= 800_000:
            found = (d, dom)
check("allocate_and_free_peak_catches_array", found is not None,
      f"{len(dumps)} peak dumps, none with the 800 KB array")

shutil.rmtree(TMP, ignore_errors=True)
sys.exit(pycheck.exit_status())
