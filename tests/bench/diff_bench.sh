#!/bin/bash
# diff_bench.sh — memdiff at scale: two dumps of about 10 million nodes (a 9.9 M / 10 M-long doubly
# linked list plus a 100 000-node tree; 20 M edges each), written by gen-graph in address order
# (as the native agent writes) and shuffled (as the Python walker writes), each pair compared
# under /usr/bin/time -v; then a series of three dumps (9.9 M → 10 M → 10.1 M).
#
# usage: tests/bench/diff_bench.sh BUILD_DIR [QUICK]     QUICK (non-empty): 1 M-node dumps
#
# Prints one line per run: wall and CPU time and peak RSS against the target (two 10 M-node dumps
# in under 30 s and 4 GiB), and checks that the comparison found what gen-graph put in: the list
# grew by exactly its new nodes, and its head is the one growth source. Timings come from one run
# on whatever machine this is; CPU time is printed too because wall time suffers when other jobs
# share the cores (memdiff loads the first two dumps on two threads).
set -u
B=${1:-build}
QUICK=${2:-}
GEN=$B/tools/gen-graph
MD=$B/bin/memdiff
[ -x "$GEN" ] && [ -x "$MD" ] || { echo "diff_bench: build first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "diff_bench: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
if [ -n "$QUICK" ]; then L0=990000; STEP=10000; TREE=10000; else L0=9900000; STEP=100000; TREE=100000; fi
DIR=$B/bench
mkdir -p "$DIR"
status=0

gen() {  # OUT LIST [--shuffle]
    [ -f "$1" ] || "$GEN" "$1" --list "$2" --tree $TREE --fanout 1000 --leaks 1000 ${3:-} > /dev/null || exit 1
}

measure() {  # NAME FILES...
    local name=$1; shift
    /usr/bin/time -v "$MD" --json --top 5 "$@" > "$DIR/diff-$name.json" 2> "$DIR/diff-$name.time"
    local rc=$?
    if [ $rc != 0 ]; then echo "diff_bench: memdiff failed on $name (exit $rc)"; cat "$DIR/diff-$name.time"; exit 1; fi
    /usr/bin/python3 - "$DIR/diff-$name.json" "$DIR/diff-$name.time" "$name" "$STEP" "$*" <<'PY' || status=1
import json, re, sys
d = json.load(open(sys.argv[1]))
t = open(sys.argv[2]).read()
name, step = sys.argv[3], int(sys.argv[4])
def field(label):
    m = re.search(re.escape(label) + r"[^:]*: *([0-9.:]+)", t)
    return m.group(1) if m else "0"
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): *([0-9:.]+)", t)
parts = [float(x) for x in (m.group(1) if m else "0").split(":")]
wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size")) * 1024
nodes = [f["objects"] for f in d["files"]]
intervals = len(nodes) - 1
s = d["summary"]
src = d["sources"]
right = (s["objects_delta"] == step * intervals and s["bytes_delta"] == 32 * step * intervals
         and len(src) == 1 and src[0]["type"] == "ListNode" and src[0]["growth"] == 32 * step)
ok = wall < 30 and rss < 4 << 30
print("memdiff %-9s %s M nodes: %5.2f s wall, %5.2f s CPU, peak RSS %5.0f MiB; result %s; "
      "target (two dumps) < 30 s and < 4 GiB: %s"
      % (name, " + ".join("%.2f" % (n / 1e6) for n in nodes), wall, cpu, rss / 2**20,
         "right" if right else "WRONG", "met" if ok else "MISSED"))
print("    command: /usr/bin/time -v memdiff --json %s" % sys.argv[5])
sys.exit(0 if ok and right else 1)
PY
}

# cached dumps are named by size: a QUICK run must not leave 1 M-node files for a full run
P=$DIR/diff-$L0
gen "$P-a.dump" $L0
gen "$P-b.dump" $((L0 + STEP))
gen "$P-c.dump" $((L0 + 2 * STEP))
gen "$P-a-shuffled.dump" $L0 --shuffle
gen "$P-b-shuffled.dump" $((L0 + STEP)) --shuffle
measure sorted "$P-a.dump" "$P-b.dump"
measure shuffled "$P-a-shuffled.dump" "$P-b-shuffled.dump"
measure series "$P-a.dump" "$P-b.dump" "$P-c.dump"
exit $status
