#!/bin/bash
# analyze_bench.sh — memanalyze at scale: a 10-million-long doubly linked list plus a wide tree
# (10.1 M nodes, 20.1 M edges), written once in address order (as the native agent writes) and
# once shuffled (as the Python walker writes), each analyzed under /usr/bin/time -v.
#
# usage: tests/bench/analyze_bench.sh BUILD_DIR [QUICK]     QUICK (non-empty): 1 M nodes
#
# Prints one line per dump: wall and CPU time, peak RSS, and the bytes per node (and per edge)
# the analysis holds, against the targets (under 15 s and 2 GiB for 10 M nodes + 20 M edges).
# Timings come from one run on whatever machine this is; CPU time is printed too because wall
# time suffers when other jobs share the cores.
set -u
B=${1:-build}
QUICK=${2:-}
GEN=$B/tools/gen-graph
MA=$B/bin/memanalyze
[ -x "$GEN" ] && [ -x "$MA" ] || { echo "analyze_bench: build first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "analyze_bench: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
if [ -n "$QUICK" ]; then LIST=1000000; TREE=10000; else LIST=10000000; TREE=100000; fi
DIR=$B/bench
mkdir -p "$DIR"
status=0
for order in sorted shuffled; do
    f=$DIR/analyze-$LIST-$order.dump
    extra=; [ $order = shuffled ] && extra=--shuffle
    [ -f "$f" ] || "$GEN" "$f" --list $LIST --tree $TREE --fanout 1000 --leaks 1000 $extra || exit 1
    /usr/bin/time -v "$MA" --json --stats --top 5 "$f" > "$DIR/analyze-$order.json" 2> "$DIR/analyze-$order.time"
    rc=$?
    if [ $rc != 0 ]; then echo "analyze_bench: memanalyze failed on $f (exit $rc)"; cat "$DIR/analyze-$order.time"; exit 1; fi
    /usr/bin/python3 - "$DIR/analyze-$order.json" "$DIR/analyze-$order.time" "$order" "$f" <<'PY' || status=1
import json, re, sys
d = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
def field(name):
    m = re.search(re.escape(name) + r"[^:]*: *([0-9.:]+)", t)
    return m.group(1) if m else "0"
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): *([0-9:.]+)", t)
wall = m.group(1) if m else "0"
parts = [float(x) for x in wall.split(":")]
wall_s = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu_s = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size")) * 1024
s, st = d["summary"], d["stats"]
nodes, edges = s["nodes"], s["edges"]
ok = wall_s < 15 and rss < 2 << 30
print("memanalyze %-8s %5.1f M nodes %5.1f M edges: %5.2f s wall, %5.2f s CPU (load %.2f s, analysis %.2f s), "
      "peak RSS %4.0f MiB, holds %d bytes/node + %d bytes/edge; target < 15 s and < 2 GiB: %s"
      % (sys.argv[3], nodes / 1e6, edges / 1e6, wall_s, cpu_s, st["load_ms"] / 1e3, st["analyze_ms"] / 1e3,
         rss / 2**20, st["held_bytes_per_node"], round(st["held_edge_bytes"] / max(edges, 1)),
         "met" if ok else "MISSED"))
print("    command: /usr/bin/time -v %s --json --stats %s" % ("memanalyze", sys.argv[4]))
sys.exit(0 if ok else 1)
PY
done
exit $status
