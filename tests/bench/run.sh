#!/bin/bash
# run.sh — `make bench`: every performance figure quoted in README.md, measured on this machine in
# one run, against the tools people use today on the same work.
#
#   tests/bench/run.sh BUILD [QUICK [SECTION,...]]
#       QUICK non-empty: smaller inputs and fewer rounds (under 2 minutes; no 4 GB / 10 M sizes)
#       SECTION,...    : run only these (default all; also $BENCH_ONLY), e.g. overhead,snapshot
#
# Sections, in order (each is a function bench_NAME below):
#   overhead   run time of each workload without a profiler, under memdump's modes, heaptrack,
#              tracemalloc (1 and 25 frames), memory_profiler, valgrind massif (overhead.py)
#   snapshot   target pause, snapshot-child time, bytes per object (snapshot.py)
#   analyze    memanalyze on 1 M- and 10 M-node dumps (analyze_bench.sh)
#   diff       memdiff on 1 M- and 10 M-node dumps (diff_bench.sh)
#   writer     the dump writer alone, 10 M nodes (bench_writer)
#   symbolize  offline symbolization, cold and warm (bench_symbolize)
#   export     memanalyze --export pprof/heapsnapshot/sqlite on 1 M nodes (tests/export/bench.sh)
#   *_bench, python_*   every other tests/bench/*_bench.sh and python_*.sh (html_bench.sh, ...):
#              not in a QUICK run unless named, they take minutes; agent_bench.sh only when
#              named (it repeats overhead and snapshot at the cost of five minutes)
# Structured sections write build/bench/results/NAME.json; the others' output lines go to
# results/NAME.txt, where "target: WHAT: met|MISSED" lines are verdicts. report.py gathers them
# into the final report: printed, and written to build/bench/results.md (for README) and
# build/bench/results.json — or, when only some sections ran, to build/bench/results-only.*,
# so that a partial run never replaces the figures of the last complete one.
#
# A missed target never fails the command (timings depend on the machine); run.sh exits
# non-zero only when a benchmark itself broke (a configuration that could not run, a wrong
# result, a crash). Workload descriptions: tests/bench/README.md.
set -u
B=$(cd "${1:?usage: tests/bench/run.sh BUILD [QUICK [SECTIONS]]}" && pwd)
QUICK=${2:-}
ONLY=${3:-${BENCH_ONLY:-}}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
# a run of only some sections reports beside, never over, the last complete run's results
OUT=$B/bench/results
[ -n "$ONLY" ] && OUT=$B/bench/results-only
RES=$OUT
WORK=$(mktemp -d "${TMPDIR:-/tmp}/memdump-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RES"
rm -f "$RES"/*.json "$RES"/*.txt "$RES"/*.log
export MEMDUMP_QUIET=1
broken=()

# ---- workloads ------------------------------------------------------------------------------
build_workloads() {
    local src=$HERE/wl_native.c out=$B/bench/wl_native
    if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
        gcc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -o "$out" "$src" || return 1
    fi
    for f in "$B/bench/agent_churn" "$B/bench/agent_heap" "$B/bin/memdump" "$B/lib/libmemdump.so"; do
        [ -x "$f" ] || [ -f "$f" ] || { echo "bench: $f is missing (run make first)" >&2; return 1; }
    done
}

# ---- sections -------------------------------------------------------------------------------
bench_overhead() { "$PY" "$HERE/overhead.py" "$B" "$RES/overhead.json" ${QUICK:+--quick}; }
bench_snapshot() { "$PY" "$HERE/snapshot.py" "$B" "$RES/snapshot.json" ${QUICK:+--quick}; }

# analyze_bench.sh / diff_bench.sh exit 1 on a missed target as well as on a failure: broken
# only when no verdict line came out.
bench_analyze() {
    { "$HERE/analyze_bench.sh" "$B" 1; [ -n "$QUICK" ] || "$HERE/analyze_bench.sh" "$B"; } | tee "$WORK/out"
    grep -Eq '(met|MISSED)$' "$WORK/out"
}
bench_diff() {
    { "$HERE/diff_bench.sh" "$B" 1; [ -n "$QUICK" ] || "$HERE/diff_bench.sh" "$B"; } | tee "$WORK/out"
    grep -Eq '(met|MISSED)$' "$WORK/out" && ! grep -q 'result WRONG' "$WORK/out"
}

# "target: WHAT met|MISSED" — $1 description, $2 an awk condition over the line's key=values
target() {
    local what=$1 cond=$2 line=$3
    if awk -v l="$line" "BEGIN { n = split(l, f, \" \"); for (i = 1; i <= n; i++) { split(f[i], kv, \"=\"); v[kv[1]] = kv[2] }
                         exit !($cond) }"; then echo "target: $what: met"; else echo "target: $what: MISSED"; fi
}

# Dump writer: 10M NODE records (1M with QUICK), 16-byte aligned sorted addresses, sizes 16-256;
# without edges, then with one or two nearby edges each. Target: < 2 s and <= 12 bytes per node
# (judged on wall time; cpu_seconds tells whether other jobs on the machine got in the way).
bench_writer() {
    local n=10000000
    [ -n "$QUICK" ] && n=1000000
    local out
    out=$("$B/bench/bench_writer" -n $n -e 0 -v "$WORK/writer.dump") || return 1; echo "$out"
    [ -z "$QUICK" ] && target "writer, 10M nodes without edges, < 2 s and <= 12 B/node" \
        'v["seconds"] < 2 && v["bytes_per_node"] <= 12' "$(head -1 <<<"$out")"
    out=$("$B/bench/bench_writer" -n $n -e 3 -v "$WORK/writer.dump") || return 1; echo "$out"
    [ -z "$QUICK" ] && target "writer, 10M nodes with 1-2 edges, < 2 s and <= 12 B/node" \
        'v["seconds"] < 2 && v["bytes_per_node"] <= 12' "$(head -1 <<<"$out")"
    rm -f "$WORK/writer.dump"
}

bench_symbolize() { "$B/bench/bench_symbolize" "$B/bin/memanalyze" 10000; }

bench_export() {
    local k=1000
    [ -n "$QUICK" ] && k=200
    "$ROOT/tests/export/bench.sh" "$B" $k
}

SECTIONS=(overhead snapshot analyze diff writer symbolize export)
# scripts other parts of the project leave: tests/bench/*_bench.sh (besides the two wrapped
# above) and python_*.sh, each run as SCRIPT BUILD [QUICK]
for s in "$HERE"/*_bench.sh "$HERE"/python_*.sh; do
    [ -x "$s" ] || continue
    n=$(basename "$s" .sh)
    case $n in analyze_bench|diff_bench) continue ;; esac
    # like analyze_bench.sh, a script may exit 1 for a missed target: broken only without one
    eval "bench_$n() { \"$s\" \"\$B\" \"\$QUICK\" | tee \"\$WORK/out\"; [ \${PIPESTATUS[0]} = 0 ] || grep -q MISSED \"\$WORK/out\"; }"
    SECTIONS+=("$n")
done

# ---- main -----------------------------------------------------------------------------------
T0=$(date +%s)
echo "memdump benchmarks: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)${QUICK:+, QUICK}"
build_workloads || { echo "bench: cannot build the workloads" >&2; exit 1; }
"$PY" "$HERE/report.py" machine "$RES/machine.json"
for s in "${SECTIONS[@]}"; do
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$s,"* ]]; then continue; fi
    # other helpers' scripts take minutes even when told QUICK: a full run, or name them.
    # agent_bench.sh measures what overhead and snapshot measure (churn, gcc, a Python script,
    # pause) in five more minutes, which would take `make bench` past ten: only when named.
    if [ -z "$ONLY" ] && { [ "$s" = agent_bench ] ||
                           { [ -n "$QUICK" ] && [[ $s == *_bench || $s == python_* ]]; }; }; then
        echo "== $s (skipped: it runs when named, e.g. tests/bench/run.sh $B \"$QUICK\" $s)"
        continue
    fi
    t=$(date +%s)
    echo "== $s"
    case $s in
        overhead|snapshot) log=$RES/$s.log ;;
        *) log=$RES/$s.txt ;;
    esac
    # pipefail: the section's own status, not tee's
    if ! (set -o pipefail; "bench_$s" 2>&1 | tee "$log"); then
        broken+=("$s")
        echo "bench: section $s broke (see above)"
    fi
    echo "   ($s: $(( $(date +%s) - t )) s)"
done
export BENCH_SECONDS=$(( $(date +%s) - T0 ))
echo "== report"
"$PY" "$HERE/report.py" final "$RES" "$OUT.md" "$OUT.json" "$QUICK"
if [ ${#broken[@]} -gt 0 ]; then
    echo "bench: broken sections: ${broken[*]}" >&2
    exit 1
fi
