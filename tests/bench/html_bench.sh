#!/bin/bash
# html_bench.sh — memanalyze --html and memdiff --html at scale: generation time, file size and
# the time a browser takes to open the report.
#
# usage: tests/bench/html_bench.sh BUILD_DIR [QUICK]     QUICK (non-empty): 1 M-node dumps
#
# Dumps (gen-graph, written once into BUILD/bench and reused):
#   list     a 10 M-long doubly linked list plus a 100 000-node tree and 1 000 leaks (the
#            analyze_bench.sh dump): few, huge structures
#   mix      a 2 M-item Python-shaped cache, a 5 M-node ternary tree, a 2 M-long list and 100 000
#            leaks, shuffled (9.1 M nodes): wide and deep at once, so the icicle fills its budget
#   diff     memdiff of the list dump against one 100 000 nodes longer
# For each: wall time and peak RSS of the analysis alone (--summary) and with --html, the size of
# the report, and Chromium's open time (navigation to scripts done, median of three) and the time
# to draw the dominator tree / flame graph views, against the targets: under 10 MB, opens in
# under 2 s. Timings come from one run on whatever machine this is; CPU time is printed beside
# wall time because wall time suffers when other jobs share the cores.
set -u
B=${1:-build}
QUICK=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN=$B/tools/gen-graph
MA=$B/bin/memanalyze
MD=$B/bin/memdiff
[ -x "$GEN" ] && [ -x "$MA" ] || { echo "html_bench: build first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "html_bench: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
if [ -n "$QUICK" ]; then L=1000000; S=100; else L=10000000; S=1; fi
DIR=$B/bench
mkdir -p "$DIR"
B=$(cd "$B" && pwd)
BIN=$B/bin
source "$ROOT/tests/html/common.sh"
status=0

gen() {  # OUT ARGS...
    local out=$1; shift
    [ -f "$out" ] || "$GEN" "$out" "$@" > /dev/null || exit 1
}
gen "$DIR/analyze-$L-sorted.dump" --list $L --tree 100000 --fanout 1000 --leaks 1000
gen "$DIR/html-mix-$S.dump" --list $((2000000 / S)) --tree $((5000000 / S)) --fanout 3 --leaks $((100000 / S)) \
    --python $((2000000 / S)) --shuffle
gen "$DIR/html-list-b-$L.dump" --list $((L + 100000)) --tree 100000 --fanout 1000 --leaks 1000

timed() {  # OUTFILE CMD... → "wall_s=… cpu_s=… max_rss_mb=…" (CPU time too: other jobs share the cores)
    local t=$1; shift
    /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" > /dev/null 2>&1 || { echo "html_bench: '$*' failed" >&2; return 1; }
    awk '{ printf "wall_s=%.2f cpu_s=%.2f max_rss_mb=%d", $1, $2 + $3, $4 / 1024 }' "$t"
}

have_browser=1
html_node_deps > "$DIR/html-node.log" 2>&1 || { have_browser=0; echo "html_bench: no browser (see $DIR/html-node.log): sizes and times only"; }

report() {  # NAME HTML VIEWS...
    local name=$1 html=$2; shift 2
    local size=$(($(stat -c %s "$html")))
    local line="html_$name: size_mb=$(awk -v s=$size 'BEGIN { printf "%.2f", s / 1048576 }')"
    if [ $have_browser = 1 ]; then
        local t
        t=$(node "$ROOT/tests/html/open_time.js" "$html" "$@" 2>&1) || { echo "html_bench: open_time failed: $t"; status=1; }
        line="$line $t"
    fi
    echo "$line"
    local open
    open=$(sed -n 's/.*open_ms=\([0-9]*\).*/\1/p' <<<"$line")
    if [ -z "$QUICK" ]; then
        if [ "$size" -lt 10485760 ] && { [ -z "$open" ] || [ "$open" -lt 2000 ]; }; then echo "target: html_$name: < 10 MB, opens in < 2 s: met"
        else echo "target: html_$name: < 10 MB, opens in < 2 s: MISSED"; fi
    fi
}

for d in list mix; do
    if [ $d = list ]; then f=$DIR/analyze-$L-sorted.dump; else f=$DIR/html-mix-$S.dump; fi
    base=$(timed "$DIR/html-time" "$MA" -q --summary "$f") || { status=1; continue; }
    with=$(timed "$DIR/html-time" "$MA" -q "$f" --html "$DIR/html-$d.html") || { status=1; continue; }
    nodes=$("$MA" -q --json --summary "$f" | sed -n 's/.*"nodes": \([0-9]*\).*/\1/p' | head -n 1)
    echo "memanalyze_$d: nodes=$nodes summary: $base; with --html: $with"
    report "$d" "$DIR/html-$d.html" dominators flame
done

base=$(timed "$DIR/html-time" "$MD" -q "$DIR/analyze-$L-sorted.dump" "$DIR/html-list-b-$L.dump") || status=1
with=$(timed "$DIR/html-time" "$MD" -q "$DIR/analyze-$L-sorted.dump" "$DIR/html-list-b-$L.dump" --html "$DIR/html-diff.html") || status=1
echo "memdiff_list: text: $base; with --html: $with"
report diff "$DIR/html-diff.html" flame types
exit $status
