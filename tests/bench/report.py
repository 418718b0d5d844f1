#!/usr/bin/python3
"""report.py — turns what `make bench` measured into tables: for the terminal, as markdown for
README (build/bench/results.md) and as JSON for machines (build/bench/results.json).

    report.py machine OUT.json                 describe this machine (CPU, RAM, kernel, load)
    report.py final RESULTS_DIR MD JSON [QUICK] gather RESULTS_DIR/*.json and *.txt, judge the
                                               targets, print the report, write MD and JSON

Sections are files in RESULTS_DIR: overhead.json (overhead.py), snapshot.json (snapshot.py),
and NAME.txt for every other benchmark: its output lines as printed. Text sections follow one
convention, "target: WHAT: met|MISSED" for a verdict; the lines of analyze_bench.sh and
diff_bench.sh are read for the analysis table. The other modules import overhead_table and
snapshot_table to print each table as soon as it is measured.

Run-time targets are judged on the ratio of median CPU time (user + system of the workload and
every process it waited for): on a shared 2-core machine, wall time also counts the time the
workload waited for a core, which other jobs decide. The wall-clock ratio is printed next to it;
on an idle machine the two agree for these single-threaded workloads. Pauses, snapshot and
analysis times are wall-clock, as the issues state them.
"""
import datetime
import glob
import json
import os
import platform
import re
import subprocess
import sys


def _f(v, fmt="%.2f"):
    return "–" if v is None else fmt % v


def _ratio(v):
    if v is None:
        return "–"
    return "%.2f×" % v if v < 10 else "%.1f×" % v


# ---- tables -------------------------------------------------------------------------------
def overhead_table(w):
    """Markdown lines for one workload of overhead.py."""
    have_inner = any(c.get("inner") for c in w["configs"])
    head = "| configuration | median s | ratio | min–max s | CPU s | CPU ratio |"
    sep = "|---|---:|---:|---:|---:|---:|"
    if have_inner:
        head += " inner s | inner ratio |"
        sep += "---:|---:|"
    head += " peak RSS MiB |"
    sep += "---:|"
    lines = ["**%s** (%d interleaved rounds)" % (w["title"], w["rounds"]), "", head, sep]
    for c in w["configs"]:
        if c["status"] == "timeout":
            cells = [c["label"], "> %.0f" % c["timeout_s"], "> %s" % _ratio(c.get("ratio_wall_lower_bound")),
                     "timed out", "–", "–"]
            if have_inner:
                cells += ["–", "–"]
            cells.append("–")
        elif c["status"] != "ok" or not c["wall"]:
            cells = [c["label"], c["status"], "–", "–", "–", "–"] + (["–", "–"] if have_inner else []) + ["–"]
        else:
            wl, cpu, inn = c["wall"], c["cpu"], c.get("inner")
            cells = [c["label"], _f(wl["median"]), _ratio(c["ratio_wall"]),
                     "%s–%s" % (_f(wl["min"]), _f(wl["max"])), _f(cpu["median"]), _ratio(c["ratio_cpu"])]
            if have_inner:
                cells += [_f(inn["median"], "%.3f") if inn else "–", _ratio(c.get("ratio_inner"))]
            cells.append(_f(c["maxrss_kb"] / 1024 if c["maxrss_kb"] else None, "%.0f"))
        lines.append("| " + " | ".join(cells) + " |")
    if w.get("note"):
        lines += ["", w["note"]]
    return lines


def snapshot_table(rows):
    lines = ["| target process | RSS MB | objects | pause ms, median (min–max) | first dump's pause ms | "
             "pause limit ms | snapshot child s | file MB | bytes/object | tracker B/block |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        name = "%s, %s" % (r["kind"], r["label"])
        if r["status"] != "ok":
            lines.append("| %s | %s | | | | | | | | |" % (name, r["status"][:120].replace("|", "/")))
            continue
        lines.append("| %s | %.0f | %s | %.2f (%.2f–%.2f) | %s | %.1f | %.2f | %.1f | %.1f | %s |" % (
            name, r["rss"] / 1e6, "{:,}".format(r.get("objects") or r["blocks"]), r["pause_ms"],
            r["pause_ms_min"], r["pause_ms_max"], _f(r.get("pause_ms_first")), pause_limit(r),
            r["child_ms"] / 1e3, r["file"] / 1e6, r["bytes_per_object"] or 0,
            _f(r.get("tracker_bytes_per_block"), "%.1f")))
    return lines


def pause_limit(r):
    """Issue 3: target pause <= 15 ms per GiB resident + 5 ms."""
    return 15.0 * r["rss"] / (1 << 30) + 5.0


ANALYZE_RE = re.compile(r"^memanalyze (\S+)\s+([0-9.]+) M nodes\s+([0-9.]+) M edges:\s+([0-9.]+) s wall,\s+"
                        r"([0-9.]+) s CPU.*peak RSS\s+([0-9]+) MiB.*: (met|MISSED)\s*$")
DIFF_RE = re.compile(r"^memdiff (\S+)\s+([0-9. +]+) M nodes:\s+([0-9.]+) s wall,\s+([0-9.]+) s CPU, peak RSS\s+"
                     r"([0-9]+) MiB; result (\w+);.*: (met|MISSED)\s*$")


def analysis_rows(texts):
    rows = []
    for name in sorted(texts):
        if not name.startswith(("analyze", "diff")):
            continue
        for line in texts[name]:
            m = ANALYZE_RE.match(line)
            if m:
                rows.append({"tool": "memanalyze", "dump": m.group(1), "nodes_m": float(m.group(2)),
                             "edges_m": float(m.group(3)), "wall": float(m.group(4)), "cpu": float(m.group(5)),
                             "rss_mib": int(m.group(6)), "verdict": m.group(7), "result": "",
                             "limit": "< 15 s, < 2 GiB"})
            m = DIFF_RE.match(line)
            if m:
                sizes = [float(x) for x in m.group(2).split("+")]
                rows.append({"tool": "memdiff", "dump": m.group(1), "nodes_m": max(sizes),
                             "files": len(sizes), "wall": float(m.group(3)), "cpu": float(m.group(4)),
                             "rss_mib": int(m.group(5)), "result": m.group(6), "verdict": m.group(7),
                             "limit": "< 30 s, < 4 GiB"})
    return rows


def analysis_table(rows):
    lines = ["| tool | dumps | nodes (M) | wall s | CPU s | peak RSS MiB | result | limit | |",
             "|---|---|---:|---:|---:|---:|---|---|---|"]
    for r in rows:
        dumps = r["dump"] if r["tool"] == "memanalyze" else "%d × %s" % (r["files"], r["dump"])
        lines.append("| %s | %s | %.1f | %.2f | %.2f | %d | %s | %s | %s |" % (
            r["tool"], dumps, r["nodes_m"], r["wall"], r["cpu"], r["rss_mib"], r["result"], r["limit"],
            r["verdict"]))
    return lines


# ---- targets ------------------------------------------------------------------------------
def _cfg(over, wname, label):
    for w in over:
        if w["name"] == wname:
            for c in w["configs"]:
                if c["label"] == label:
                    return c
    return None


def targets(over, snaps, arows, texts, quick):
    """[(what, limit, measured, verdict)] — verdict 'met', 'MISSED' or 'not measured'."""
    out = []

    def ratio_target(what, wname, label, limit):
        c = _cfg(over, wname, label)
        if not c or c["status"] != "ok" or c.get("ratio_wall") is None:
            out.append((what, "≤ %.2f×" % limit, c["status"] if c else "not run", "not measured"))
            return
        r = c["ratio_cpu"]
        meas = "%.2f× CPU (wall %.2f×%s)" % (r, c["ratio_wall"], ", inner %.2f×" % c["ratio_inner"]
                                              if c.get("ratio_inner") else "")
        out.append((what, "≤ %.2f×" % limit, meas, "met" if r <= limit else "MISSED"))

    ratio_target("memdump default on Python (allocation-heavy)", "pyalloc", "memdump (default)", 1.03)
    ratio_target("memdump default on Python (numpy example)", "numpy", "memdump (default)", 1.03)
    ratio_target("--native on the churn microbenchmark", "churn", "memdump --native (default)", 5.0)
    ratio_target("--native on a realistic program (hash map + tree)", "native", "memdump --native (default)", 1.3)
    ratio_target("--native on a realistic program (gcc)", "gcc", "memdump --native (default)", 1.3)
    ratio_target("--python-sites on the Python workload", "pyalloc", "memdump --python-sites", 2.0)

    for r in snaps:
        name = "%s, %s" % (r["kind"], r["label"])
        if r["status"] != "ok":
            out.append(("snapshot pause, " + name, "≤ 15 ms/GiB + 5 ms", r["status"][:80], "not measured"))
            continue
        lim = pause_limit(r)
        out.append(("snapshot pause, " + name, "≤ %.1f ms" % lim, "%.2f ms" % r["pause_ms"],
                    "met" if r["pause_ms"] <= lim else "MISSED"))
        if r["kind"] == "python" and r.get("bytes_per_object") is not None:
            out.append(("file size per object, " + name, "≤ 16 B", "%.1f B" % r["bytes_per_object"],
                        "met" if r["bytes_per_object"] <= 16 else "MISSED"))
        if r["kind"] == "python" and r["label"].startswith("2 M"):
            out.append(("Python 2 M objects: target paused", "≤ 20 ms", "%.2f ms" % r["pause_ms"],
                        "met" if r["pause_ms"] <= 20 else "MISSED"))
            out.append(("Python 2 M objects: child writes the dump", "≤ 2 s", "%.2f s" % (r["child_ms"] / 1e3),
                        "met" if r["child_ms"] <= 2000 else "MISSED"))
        if r.get("tracker_bytes_per_block") is not None:
            out.append(("tracker memory per live block, " + name, "≤ 32 B",
                        "%.1f B" % r["tracker_bytes_per_block"],
                        "met" if r["tracker_bytes_per_block"] <= 32 else "MISSED"))

    big = [r for r in arows if r["nodes_m"] >= 9]
    for r in big:
        if r["tool"] == "memanalyze":
            out.append(("memanalyze, 10 M-node dump (%s)" % r["dump"], r["limit"],
                        "%.2f s, %d MiB" % (r["wall"], r["rss_mib"]), r["verdict"]))
        elif r["files"] == 2:
            out.append(("memdiff, two 10 M-node dumps (%s)" % r["dump"], r["limit"],
                        "%.2f s, %d MiB, result %s" % (r["wall"], r["rss_mib"], r["result"]),
                        r["verdict"] if r["result"] == "right" else "MISSED"))
    if not big and not quick:
        out.append(("10 M-node analysis", "≤ 15 s", "no 10 M-node figures", "not measured"))
    for name in sorted(texts):
        for line in texts[name]:
            m = re.match(r"^target: (.*): (met|MISSED)\s*$", line)
            if m:
                out.append((m.group(1), "", "", m.group(2)))
    return out


# ---- machine ------------------------------------------------------------------------------
def _cmd(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=20, check=False)
        return p.stdout.decode("utf-8", "replace").strip() if p.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    vers = {"gcc": _cmd(["gcc", "-dumpfullversion"]), "python": _cmd(["/usr/bin/python3", "-V"]),
            "heaptrack": _cmd(["sh", "-c", "dpkg-query -W -f='${Version}' heaptrack 2>/dev/null"]),
            "memory_profiler": _cmd(["sh", "-c", "dpkg-query -W -f='${Version}' python3-memory-profiler 2>/dev/null"]),
            "valgrind": _cmd(["sh", "-c", "dpkg-query -W -f='${Version}' valgrind 2>/dev/null"]),
            "numpy": _cmd(["/usr/bin/python3", "-c", "import numpy; print(numpy.__version__)"])}
    return {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "nproc": os.cpu_count(), "cpu": cpu, "ram_bytes": mem, "kernel": platform.release(),
            "arch": platform.machine(), "os": _os_name(),
            "load_start": open("/proc/loadavg").read().split()[:3],
            "commit": _cmd(["git", "-C", root, "rev-parse", "--short", "HEAD"]),
            "versions": vers}


def _os_name():
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def machine_lines(m):
    v = m.get("versions", {})
    return ["- machine: %d cores, %s, %.1f GiB RAM, Linux %s (%s), %s" % (
                m["nproc"], m["cpu"], m["ram_bytes"] / (1 << 30), m["kernel"], m["arch"], m["os"]),
            "- load average (1/5/15 min) at start %s, at end %s" % (
                " ".join(m["load_start"]), " ".join(m.get("load_end", ["?"]))),
            "- tools: gcc %s, %s, numpy %s, heaptrack %s, memory_profiler %s, valgrind %s" % (
                v.get("gcc"), v.get("python"), v.get("numpy"), v.get("heaptrack") or "absent",
                v.get("memory_profiler") or "absent", v.get("valgrind") or "absent"),
            "- date %s, commit %s, total bench time %s" % (m["date"], m.get("commit") or "?",
                                                           m.get("total_time", "?"))]


# ---- final --------------------------------------------------------------------------------
def final(rdir, md_path, json_path, quick):
    def load(name):
        try:
            with open(os.path.join(rdir, name)) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    m = load("machine.json") or machine()
    m["load_end"] = open("/proc/loadavg").read().split()[:3]
    if os.environ.get("BENCH_SECONDS"):
        m["total_time"] = "%s s" % os.environ["BENCH_SECONDS"]
    over = (load("overhead.json") or {}).get("workloads", [])
    snaps = (load("snapshot.json") or {}).get("snapshots", [])
    texts = {}
    for p in sorted(glob.glob(os.path.join(rdir, "*.txt"))):
        with open(p, errors="replace") as f:
            texts[os.path.basename(p)[:-4]] = f.read().splitlines()
    arows = analysis_rows(texts)
    tg = targets(over, snaps, arows, texts, quick)

    md = ["# memdump benchmarks%s" % (" (QUICK: reduced sizes)" if quick else ""), "",
          "Command: `make bench%s` (tests/bench/run.sh). Ratios are medians against the same work "
          "without a profiler, measured in the same run with the configurations interleaved; min–max "
          "is the spread of wall time over the rounds. CPU is user + system time of the workload and "
          "every process it waited for; run-time targets are judged on CPU-time ratios (steadier than "
          "wall time when other jobs share the machine). \"inner\" is the time the workload clocks "
          "itself (without interpreter start-up)." % (" QUICK=1" if quick else ""), ""]
    md += machine_lines(m) + [""]
    md += ["## Targets", "", "| target | limit | measured | |", "|---|---|---|---|"]
    md += ["| %s | %s | %s | **%s** |" % t if t[3] == "MISSED" else "| %s | %s | %s | %s |" % t for t in tg]
    md += ["", "%d met, %d MISSED, %d not measured" % (
        sum(t[3] == "met" for t in tg), sum(t[3] == "MISSED" for t in tg),
        sum(t[3] == "not measured" for t in tg)), ""]
    if over:
        md += ["## Run time under each profiler", ""]
        for w in over:
            md += overhead_table(w) + [""]
    if snaps:
        md += ["## Snapshot cost", "",
               "Pause: how long the target is stopped (the fork, and for Python the wait for the GIL); "
               "snapshot child: how long the copy-on-write child takes to write the dump. "
               "Limit: 15 ms per GiB resident + 5 ms, judged on the median over the dumps; the first "
               "dump of a process is shown apart because it is usually the slowest (a bare fork() of "
               "the same heap without memdump shows the same first-time cost).", ""]
        md += snapshot_table(snaps) + [""]
    if arows:
        md += ["## Analysis cost", "", "Synthetic dumps from build/tools/gen-graph (a long doubly linked "
               "list plus a wide tree), in address order (\"sorted\", as the native agent writes) and "
               "shuffled (as the Python walker writes).", ""]
        md += analysis_table(arows) + [""]
    rest = [n for n in texts if not n.startswith(("analyze", "diff"))]
    if rest:
        md += ["## Other measurements", ""]
        for n in rest:
            md += ["`%s`:" % n, "", "```"] + texts[n] + ["```", ""]
    text = "\n".join(md) + "\n"
    with open(md_path, "w") as f:
        f.write(text)
    with open(json_path, "w") as f:
        json.dump({"quick": bool(quick), "machine": m, "targets": [
            {"target": t[0], "limit": t[1], "measured": t[2], "verdict": t[3]} for t in tg],
            "overhead": over, "snapshots": snaps, "analysis": arows, "text": texts}, f, indent=1)
    print(text)
    print("written: %s, %s" % (md_path, json_path))
    return 0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "machine":
        with open(sys.argv[2], "w") as f:
            json.dump(machine(), f, indent=1)
        return 0
    if len(sys.argv) >= 5 and sys.argv[1] == "final":
        return final(sys.argv[2], sys.argv[3], sys.argv[4], len(sys.argv) > 5 and sys.argv[5] != "")
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
