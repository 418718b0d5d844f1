#!/bin/bash
# diff_native.sh — memdiff on real dumps of samples/c/growth.c taken by the agent.
#
# The sample grows one structure (500 sessions of 128 bytes per step, chained into the bucket
# array g_sessions), churns another (1000 scratch buffers of 4 KiB per step through the 8 slots of
# g_scratch), keeps a third flat (g_config) and snapshots itself through the API after each step.
# memdiff must name exactly the bucket array as the growth source (path, site), list the scratch
# buffers under churn but not under growth, never mention the flat table, report zero for a dump
# against itself, rank steady growth above a spike with three dumps, and refuse dumps of two
# different processes.
#
# Until build/bin/memdump and build/lib/libmemdump.so exist it checks nothing.
source "$(dirname "$0")/lib.sh"
MD=$BIN/memdiff
PY=/usr/bin/python3
G=$B/samples/growth
[ -x "$BIN/memdump" ] && [ -f "$B/lib/libmemdump.so" ] && [ -x "$G" ] || exit 0

src=$ROOT/samples/c/growth.c
line() { grep -n "$1" "$src" | head -n 1 | cut -d: -f1; }
table_line=$(line TABLE_SITE); session_line=$(line SESSION_SITE); scratch_line=$(line SCRATCH_SITE)
blob_line=$(line BLOB_SITE)

mkdir -p "$T/steady" "$T/spike"
"$BIN/memdump" run -q --native -- "$G" "$T/steady" 3 > "$T/steady.out" 2>&1
check "native: the sample took three snapshots" test -f "$T/steady/growth.3.dump"
"$BIN/memdump" run -q --native -- "$G" "$T/spike" 3 2 > "$T/spike.out" 2>&1
check "native: the spike run took three snapshots" test -f "$T/spike/growth.3.dump"
[ -f "$T/steady/growth.3.dump" ] && [ -f "$T/spike/growth.3.dump" ] || exit 0

A=$T/steady/growth.1.dump; Bd=$T/steady/growth.2.dump
$MD --json --no-system-debug "$A" "$Bd" > "$T/pair.json" 2> "$T/pair.err"
check_eq "pair: exit 0" "$?" 0
q() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/pair.json"; }

check_eq "pair: total change" "$(q '(d["summary"]["objects_delta"], d["summary"]["bytes_delta"], d["summary"]["rss_delta"] is not None)')" \
    "(500, 64000, True)"
check_eq "pair: exactly one growth source" "$(q 'len(d["sources"])')" 1
check_eq "pair: the source is the bucket array, by its global" \
    "$(q '[(s["path"], s["site"]["function"], s["site"]["file"].split("/")[-1], s["site"]["line"]) for s in d["sources"]]')" \
    "[(['global g_sessions (growth)'], 'table_new', 'growth.c', $table_line)]"
check_eq "pair: retained before/after differ by the 500 sessions" \
    "$(q '[(s["retained_after"] - s["retained_before"], s["growth"], s["new"]) for s in d["sources"]]')" "[(64000, 64000, False)]"
check_eq "pair: what was added under it, and where" \
    "$(q '[(x["key"].split(" ")[0], x["key"].split(":")[-1].split(")")[0], x["count"], x["bytes"]) for x in d["sources"][0]["added"]["sites"]]')" \
    "[('session_add', '$session_line', 500, 64000)]"
check_eq "pair: growth by site is the sessions only" \
    "$(q '[(g["key"].split(" ")[0], g["count_delta"], g["bytes_delta"], g["new_count"], g["freed_count"]) for g in d["growth"] if g["kind"] == "site"]')" \
    "[('session_add', 500, 64000, 500, 0)]"
check_eq "pair: churn has the scratch buffers: 1000 allocated and freed" \
    "$(q '[(c["line"], c["allocs"], c["frees"], c["bytes"]) for c in d["churn"] if c["function"] == "scratch_fill"]')" \
    "[($scratch_line, 1000, 1000, 4096000)]"
check_eq "pair: churn has the sessions: allocated, never freed" \
    "$(q '[(c["allocs"], c["frees"]) for c in d["churn"] if c["function"] == "session_add"]')" "[(500, 0)]"
check_eq "pair: the churning and the flat structures are no growth source" \
    "$(q '[s for s in d["sources"] if "g_scratch" in str(s) or "g_config" in str(s)]')" "[]"
check_eq "pair: the flat table appears nowhere" "$(grep -c 'config' "$T/pair.json")" 0
check_eq "pair: the scratch site is not in growth" \
    "$(q '[g for g in d["growth"] if "scratch_fill" in g["key"]]')" "[]"

$MD --no-system-debug "$A" "$Bd" > "$T/pair.txt" 2>&1
out=$(cat "$T/pair.txt")
check_match "text: growth source with path and site" "$out" "path +global g_sessions \(growth\)"
check_match "text: churn section lists scratch_fill" "$out" "1,000 +1,000 .*scratch_fill"

$MD --by root --json --no-system-debug "$A" "$Bd" > "$T/root.json"
check_eq "--by root: the sessions' global holds the growth" \
    "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print([(g["key"], g["bytes_delta"]) for g in d["growth"]])' "$T/root.json")" \
    "[('global g_sessions (growth)', 64000)]"

$MD --json --no-system-debug "$Bd" "$Bd" > "$T/self.json"
check_eq "self: zero everywhere" \
    "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["summary"]; print((s["objects_delta"], s["bytes_delta"], s["rss_delta"], s["new_objects"], s["freed_objects"], d["sources"], d["growth"], d["churn"]))' "$T/self.json")" \
    "(0, 0, 0, 0, 0, [], [], [])"

# three dumps: steady growth first, the 1 MiB spike (in dump 2 only) after it
$MD --json --no-system-debug "$T"/spike/growth.{1,2,3}.dump > "$T/series.json"
check_eq "series: exit 0" "$?" 0
s() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/series.json"; }
check_eq "series: steady growth ranks first, the spike second" \
    "$(s '[(x["path"][0], x["steady"]) for x in d["sources"]]')" \
    "[('global g_sessions (growth)', True), ('global g_blob (growth)', False)]"
check_eq "series: per-interval retained of the steady source" \
    "$(s '[b - a for a, b in zip(d["sources"][0]["retained"], d["sources"][0]["retained"][1:])]')" "[64000, 64000]"
check_eq "series: by site, steady first, spike after with its per-interval column" \
    "$(s '[(g["key"].split(" ")[0], g["steady"], [p["bytes_delta"] for p in g["per_interval"]]) for g in d["growth"] if g["kind"] == "site"]')" \
    "[('session_add', True, [64000, 64000]), ('blob_load', False, [1048576, -1048576])]"
check_eq "series: the spike's allocation and free show as churn" \
    "$(s '[(c["line"], c["allocs"], c["frees"]) for c in d["churn"] if c["function"] == "blob_load"]')" "[($blob_line, 1, 1)]"

# dumps given out of time order: a warning, and the report still comes
err=$($MD -q "$Bd" "$A" 2>&1 >/dev/null)
check_eq "order: -q silences warnings" "$err" ""
err=$($MD "$Bd" "$A" 2>&1 >/dev/null)
check_match "order: dumps out of time order are flagged" "$err" "growth.1.dump was taken before .*growth.2.dump"

# two processes are refused, unless --force
err=$($MD "$A" "$T/spike/growth.2.dump" 2>&1 >/dev/null); rc=$?; err=$(tr "\n" " " <<<"$err")
check_eq "process: dumps of two processes refused (exit 1)" "$rc" 1
check_match "process: the message says why" "$err" "not snapshots of one process.*--force"
$MD --force -q "$A" "$T/spike/growth.2.dump" > /dev/null 2>&1
check_eq "process: --force compares anyway" "$?" 0
