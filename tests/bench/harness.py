"""harness.py — how `make bench` times a command, and compares configurations fairly.

One run of a command (run_once) is timed from fork to reaping with os.wait4, which also gives
the CPU time (user + system) of the command and of every descendant it waited for (heaptrack's
interpreter, gcc's cc1, memory_profiler's sampler all count), and the peak RSS of the largest
of them. A command that prints "bench_seconds=S" on stdout also reports its own inner time
(the part of the work it clocks itself, without interpreter start-up).

Configurations of one workload (compare) are run interleaved: one untimed warm-up round (which
also checks that each one works, and sizes the number of rounds), then rounds in which every
configuration runs once, in forward order on even rounds and reversed on odd ones, so load from
elsewhere on the machine and slow drift (thermal, page cache) hit all of them alike. Each figure
is the median of the rounds with its min and max; ratios are medians over the first
configuration's median (the unprofiled run). A configuration that fails is reported with the
tail of its stderr and left out of later rounds; one that exceeds its time limit in the warm-up
is reported as "timeout" with a lower bound on its ratio and not run again — comparison tools
that are 100× slower would otherwise eat the whole budget.

Python standard library only; runs under /usr/bin/python3.
"""
import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time

INNER_RE = re.compile(rb"bench_seconds=([0-9.]+)")


class Config:
    """One way of running the workload: label, argv, extra environment, time limit, max rounds.

    cleanup: paths (globs) removed after every run, e.g. heaptrack's output file.
    heavy: a slow comparison tool — its warm-up run counts as its first sample (it takes
    seconds, so a cold page cache hardly matters, and running it once more would not fit).
    """

    def __init__(self, label, argv, env=None, timeout=120.0, max_reps=None, cleanup=(), note="",
                 heavy=False):
        self.heavy = heavy
        self.label = label
        self.argv = [str(a) for a in argv]
        self.env = env or {}
        self.timeout = timeout
        self.max_reps = max_reps
        self.cleanup = list(cleanup)
        self.note = note


def run_once(cfg, cwd=None):
    """Run cfg once. Returns dict(wall, cpu, maxrss_kb, inner, rc, status, stderr_tail)."""
    env = dict(os.environ)
    env.update(cfg.env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cfg.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                             cwd=cwd, start_new_session=True)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(cfg.timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # tells Popen it is reaped
        # a timed-out command may leave grandchildren in its group: end them too
        if timed_out.is_set():
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        out.seek(0)
        m = INNER_RE.search(out.read())
        err.seek(0)
        tail = err.read()[-600:].decode("utf-8", "replace").strip()
    for pat in cfg.cleanup:
        for path in _glob(pat):
            try:
                os.unlink(path)
            except OSError:
                pass
    res = {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss,
           "inner": float(m.group(1)) if m else None, "rc": p.returncode, "stderr_tail": tail}
    if timed_out.is_set():
        res["status"] = "timeout"
    elif p.returncode != 0:
        res["status"] = "failed (exit %d)" % p.returncode
    else:
        res["status"] = "ok"
    return res


def _glob(pat):
    import glob
    return glob.glob(pat)


def spread(values):
    """median, min, max of a non-empty list (None when empty)."""
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "samples": [round(v, 4) for v in values]}


def compare(configs, min_reps=3, max_reps=9, budget=60.0, cwd=None, log=None):
    """Run configs interleaved; configs[0] is the baseline. Returns a list of result dicts.

    The number of timed rounds is what fits in `budget` seconds judging by the warm-up round,
    clamped to [min_reps, max_reps]; a config's own max_reps caps how many rounds it joins.
    """
    say = log or (lambda s: None)
    state = []
    fixed = per_round = 0.0  # seconds: capped configs' whole share, and one round of the rest
    for c in configs:
        r = run_once(c, cwd)
        st = {"cfg": c, "runs": [], "status": r["status"], "stderr_tail": r["stderr_tail"],
              "warmup_wall": r["wall"]}
        if r["status"] == "ok":
            if c.heavy:
                st["runs"].append(r)
            if c.max_reps is None:
                per_round += r["wall"]
            else:
                fixed += r["wall"] * (c.max_reps - len(st["runs"]))
        say("  warm-up %-34s %7.2f s  %s" % (c.label, r["wall"], r["status"]))
        state.append(st)
    reps = int((budget - fixed) / per_round) if per_round > 0 else min_reps
    reps = max(min_reps, min(max_reps, reps))
    for rnd in range(reps):
        order = list(range(len(state)))
        if rnd % 2:
            order.reverse()
        for i in order:
            st = state[i]
            c = st["cfg"]
            if st["status"] != "ok":
                continue
            if c.max_reps is not None and len(st["runs"]) >= c.max_reps:
                continue
            r = run_once(c, cwd)
            if r["status"] != "ok":
                st["status"], st["stderr_tail"] = r["status"], r["stderr_tail"]
                continue
            st["runs"].append(r)
        say("  round %d/%d done" % (rnd + 1, reps))
    results = []
    for st in state:
        c = st["cfg"]
        runs = st["runs"]
        res = {"label": c.label, "command": " ".join(c.argv), "env": c.env, "note": c.note,
               "status": st["status"], "reps": len(runs),
               "wall": spread([r["wall"] for r in runs]),
               "cpu": spread([r["cpu"] for r in runs]),
               "inner": spread([r["inner"] for r in runs if r["inner"] is not None]),
               "maxrss_kb": statistics.median([r["maxrss_kb"] for r in runs]) if runs else None}
        if st["status"] == "timeout":
            res["timeout_s"] = c.timeout
        if st["status"] not in ("ok", "timeout"):
            res["stderr_tail"] = st["stderr_tail"]
        results.append(res)
    base = results[0]
    for res in results:
        for k in ("wall", "cpu", "inner"):
            b, v = base.get(k), res.get(k)
            res["ratio_" + k] = (v["median"] / b["median"]) if (b and v and b["median"] > 0) else None
        if res["status"] == "timeout" and base["wall"]:
            res["ratio_wall_lower_bound"] = res["timeout_s"] / base["wall"]["median"]
    return results, reps
