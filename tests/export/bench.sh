#!/bin/bash
# bench.sh — time and peak memory of each memanalyze export on a synthetic dump of about one
# million nodes (build/tools/gen-graph: a 200 000-node list and an 800 000-node tree), next to
# the same load and analysis printing only the summary. Not a test: figures depend on the
# machine. Meant to be called from `make bench` (tests/bench/run.sh).
#
#   tests/export/bench.sh BUILD [NODES_IN_THOUSANDS]
set -eu
B=${1:-build}
K=${2:-1000}
MA=$B/bin/memanalyze
W=$(mktemp -d "${TMPDIR:-/tmp}/memdump-export-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
"$B/tools/gen-graph" "$W/big.dump" --list $((K * 200)) --tree $((K * 800)) --fanout 8 --leaks $K > /dev/null
measure() {  # name, command...: wall seconds and peak RSS
    local name=$1; shift
    /usr/bin/python3 - "$name" "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print("export: %s seconds=%.2f peak_rss_mib=%d" % (sys.argv[1], dt, rss))
PY
}
echo "export: dump nodes=$("$MA" -q --json --summary "$W/big.dump" | sed -n 's/.*"nodes": \([0-9]*\).*/\1/p') edges=$("$MA" -q --json --summary "$W/big.dump" | sed -n 's/.*"edges": \([0-9]*\).*/\1/p')"
measure "summary (load + analysis only)" "$MA" -q "$W/big.dump" --summary
for f in pprof heapsnapshot sqlite; do
    measure "$f" "$MA" -q "$W/big.dump" --export $f "$W/out.$f"
    echo "export: $f bytes=$(stat -c %s "$W/out.$f")"
done
