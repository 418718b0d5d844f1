#!/bin/bash
# python_counters.sh — the --python-sites per-site counters (COUNTER records written by the
# CPython walker from its allocator hooks), end to end.
#
# tests/python/counters_app.py runs two identical steps under `memdump run --python-sites` and
# snapshots after each (memdump.snapshot); between the two it allocates, at known lines, exactly
# 2000 blocks that it frees again (a float and a 2-tuple, 1000 times: 80 000 bytes), 300 floats
# and 300 object()s that it keeps, one 128 MiB bytes object that it drops, and a bytearray grown
# by reallocs. Checked:
#   - both dumps are valid (memanalyze --check) and reconcile: counters vs nodes, per site and
#     in total (tests/python/counters_checks.py);
#   - memdiff --json and its text show that churn at the Python file:line with those exact counts,
#     and a dump against itself shows none;
#   - memanalyze --export pprof has alloc_objects/alloc_space samples for those lines, read back
#     by `go tool pprof` (when Go is installed; tests/setup/deps.sh installs it).
# Runs for /usr/bin/python3 when a walker plugin was built for its version.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/export/common.sh"
PY=/usr/bin/python3
APP=$ROOT/tests/python/counters_app.py
ver=$($PY -c 'import platform; print(platform.python_version())')
if [ ! -x "$BIN/memdump" ] || [ ! -f "$B/lib/memdump-py/python-$ver.so" ]; then
    echo "not ok python_counters: no agent or no walker plugin for $PY ($ver)"
    exit 0
fi
line() { grep -n "# $1\$" "$APP" | cut -d: -f1; }
CHURN=$(line CHURN_LINE) FLOAT=$(line FLOAT_LINE) OBJ=$(line OBJ_LINE) BIG=$(line BIG_LINE)

mkdir -p "$T/d"
PYTHONPATH=$B/lib/memdump-py timeout 120 "$BIN/memdump" run -q --python-sites -- $PY "$APP" "$T/d" 2 \
    > "$T/run.out" 2>&1
check_eq "run: exit 0" "$?" 0
check "run: two dumps" test -f "$T/d/c0.dump" -a -f "$T/d/c1.dump"
[ -f "$T/d/c1.dump" ] || { cat "$T/run.out" | tail -n 5 | sed 's/^/# /'; exit 0; }

# ---- validity and reconciliation --------------------------------------------------------------
for k in 0 1; do
    out=$("$BIN/memanalyze" --check "$T/d/c$k.dump" 2>&1)
    check_eq "c$k: memanalyze --check exit 0" "$?" 0
    check_match "c$k: valid" "$out" '^valid$'
    check_match "c$k: has COUNTER records" "$out" '^ +COUNTER +[1-9][0-9]*$'
    check_nomatch "c$k: no warning" "$out" '^warning:'
done
PYTHONPATH=$ROOT/tests/python $PY "$ROOT/tests/python/counters_checks.py" "$T/d/c0.dump" "$APP" 1
PYTHONPATH=$ROOT/tests/python $PY "$ROOT/tests/python/counters_checks.py" "$T/d/c1.dump" "$APP" 2

# ---- memdiff ----------------------------------------------------------------------------------
"$BIN/memdiff" --json --no-system-debug "$T/d/c0.dump" "$T/d/c1.dump" > "$T/diff.json" 2> "$T/diff.err"
check_eq "memdiff --json: exit 0" "$?" 0
row() {  # the churn row at the app's line $1: allocs frees bytes bytes_freed
    $PY -c 'import json,sys
d = json.load(open(sys.argv[1]))
r = [(x["allocs"], x["frees"], x["bytes"], x["bytes_freed"]) for x in d["churn"]
     if x["file"] == sys.argv[2] and x["line"] == int(sys.argv[3])]
print(*(r[0] if len(r) == 1 else ["rows:", len(r)]))' "$T/diff.json" "$APP" "$1"
}
check_eq "memdiff --json: churn at CHURN_LINE: 2000 allocs, 2000 frees, 80000 bytes both ways" \
    "$(row "$CHURN")" "2000 2000 80000 80000"
check_eq "memdiff --json: 300 floats kept at FLOAT_LINE" "$(row "$FLOAT")" "300 0 7200 0"
check_eq "memdiff --json: 300 object()s kept at OBJ_LINE" "$(row "$OBJ")" "300 0 4800 0"
big=$(row "$BIG")
check "memdiff --json: the 128 MiB bytes object at BIG_LINE, freed to the byte" \
    $PY -c 'import sys; a, f, b, bf = map(int, sys.argv[1:5]); big = 134217733 + 33
sys.exit(not (a == f >= 1 and b == bf and big <= b < big + 1024))' $big
check_eq "memdiff --json: the churn row names the function" \
    "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print([x["function"] for x in d["churn"] if x["line"] == int(sys.argv[2]) and x["file"] == sys.argv[3]])' "$T/diff.json" "$CHURN" "$APP")" \
    "['churn']"
out=$("$BIN/memdiff" --no-system-debug "$T/d/c0.dump" "$T/d/c1.dump" 2>&1)
check_match "memdiff: the churn table shows the Python line" "$out" \
    "^ +2,000 +2,000 +78\.1 KiB +78\.1 KiB +0 +churn \([^)]*counters_app\.py:$CHURN\) ← step ← main"
check_match "memdiff: kept floats are +300 live" "$out" \
    "^ +300 +0 +7\.03 KiB +0 B +\+300 +keep \([^)]*counters_app\.py:$FLOAT\)"
"$BIN/memdiff" --json --no-system-debug "$T/d/c1.dump" "$T/d/c1.dump" > "$T/self.json" 2>&1
check_eq "memdiff: a dump against itself has no churn" \
    "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["churn"])' "$T/self.json")" "[]"

# ---- pprof ------------------------------------------------------------------------------------
"$BIN/memanalyze" -q "$T/d/c1.dump" --export pprof "$T/c1.pb.gz" > /dev/null 2> "$T/pprof.err"
check_eq "pprof: --export exit 0" "$?" 0
go_offline || exit 0
pprof2() { pprof "$@" 2>&1; }
raw=$(pprof2 -raw "$T/c1.pb.gz")
check_match "pprof: sample types include the per-site counters" "$raw" \
    'inuse_objects/count inuse_space/bytes\[dflt\] alloc_objects/count alloc_space/bytes'
top=$(pprof2 -top -lines -nodefraction=0 -sample_index=alloc_objects "$T/c1.pb.gz")
check_match "pprof: alloc_objects: 4000 at CHURN_LINE (two steps)" "$top" \
    "^ +4000 .* churn [^ ]*counters_app\.py:$CHURN\$"
top=$(pprof2 -top -lines -nodefraction=0 -sample_index=alloc_space -unit=B "$T/c1.pb.gz")
check_match "pprof: alloc_space: 160000 B at CHURN_LINE" "$top" \
    "^ +160000B .* churn [^ ]*counters_app\.py:$CHURN\$"
top=$(pprof2 -top -lines -nodefraction=0 -sample_index=inuse_objects "$T/c1.pb.gz")
check_nomatch "pprof: nothing in use at CHURN_LINE" "$top" "counters_app\.py:$CHURN\$"
check_match "pprof: inuse_objects: the 600 kept floats at FLOAT_LINE" "$top" \
    "^ +600 .* keep [^ ]*counters_app\.py:$FLOAT\$"
