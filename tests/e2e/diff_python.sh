#!/bin/bash
# diff_python.sh — memdiff on real dumps of samples/python/growth.py taken by the agent's CPython
# walker (snapshots through the memdump API, via ctypes).
#
# Every step adds 200 users to registry["users"] (reachable from the module global `registry`),
# refills the list `scratch` with 50 fresh bytearrays (churn) and leaves SETTINGS alone. memdiff
# must name the users dict by the global and the key path, with exactly the 200 dicts, 400 strs and
# 200 ints added under it; neither the churning list nor the flat dict may be a growth source; a
# dump against itself reports zero. With --asyncio the growing list is a local of the task
# "collector": the source must name that task.
#
# Runs for /usr/bin/python3 when a walker plugin was built for its version; checks nothing until
# the agent and the plugin exist.
source "$(dirname "$0")/lib.sh"
MD=$BIN/memdiff
PY=/usr/bin/python3
SAMPLE=$ROOT/samples/python/growth.py
[ -x "$BIN/memdump" ] && [ -f "$B/lib/libmemdump.so" ] || exit 0
ver=$($PY -c 'import platform; print(platform.python_version())')
ls "$B"/lib/memdump-py/python-"$ver".so > /dev/null 2>&1 || exit 0

mkdir -p "$T/plain" "$T/tasks"
timeout 120 "$BIN/memdump" run -q -- $PY "$SAMPLE" "$T/plain" 2 > "$T/plain.out" 2>&1
check "python: the sample took two snapshots" test -f "$T/plain/growth-py.2.dump"
if [ -f "$T/plain/growth-py.2.dump" ]; then
    $MD --json --no-system-debug "$T"/plain/growth-py.{1,2}.dump > "$T/plain.json" 2> "$T/plain.err"
    check_eq "python: exit 0" "$?" 0
    q() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/plain.json"; }
    check_eq "python: one growth source: the users dict, named by the global and the key path" \
        "$(q '[(s["type"], s["path"]) for s in d["sources"]]')" \
        "[('dict', ['module:__main__', '__dict__', 'registry', 'users'])]"
    check_eq "python: what was added under it" \
        "$(q 'sorted((t["key"], t["count"]) for t in d["sources"][0]["added"]["types"])')" \
        "[('dict', 200), ('int', 200), ('str', 400)]"
    check_eq "python: the source's retained size grew by its growth" \
        "$(q '[s["retained_after"] - s["retained_before"] == s["growth"] > 0 for s in d["sources"]]')" "[True]"
    check_eq "python: the churning list and the flat dict are no source" \
        "$(q '[s for s in d["sources"] if "scratch" in str(s["path"]) or "SETTINGS" in str(s["path"])]')" "[]"
    check_eq "python: bytearrays (the churn) do not grow" \
        "$(q '[g for g in d["growth"] if g["key"] == "bytearray"]')" "[]"
    check_eq "python: 200 more dicts by type" "$(q '[g["count_delta"] for g in d["growth"] if g["kind"] == "type" and g["key"] == "dict"]')" "[200]"
    $MD --json --no-system-debug "$T"/plain/growth-py.{2,2}.dump > "$T/self.json"
    check_eq "python: a dump against itself is zero everywhere" \
        "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["summary"]; print((s["objects_delta"], s["bytes_delta"], s["new_objects"], s["freed_objects"], d["sources"], d["growth"]))' "$T/self.json")" \
        "(0, 0, 0, 0, [], [])"
fi

timeout 120 "$BIN/memdump" run -q -- $PY "$SAMPLE" "$T/tasks" 2 --asyncio > "$T/tasks.out" 2>&1
check "asyncio: the sample took two snapshots" test -f "$T/tasks/growth-py.2.dump"
if [ -f "$T/tasks/growth-py.2.dump" ]; then
    $MD --json --no-system-debug "$T"/tasks/growth-py.{1,2}.dump > "$T/tasks.json"
    t() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/tasks.json"; }
    check_eq "asyncio: the source is the list local to the task 'collector'" \
        "$(t '[(s["type"], s["task"], s["path"][-1], any("task '"'"'collector'"'"'" in p for p in s["path"])) for s in d["sources"]]')" \
        "[('list', 'collector', 'locals:items', True)]"
    check_eq "asyncio: 200 dicts and 200 strs added under it" \
        "$(t 'sorted((x["key"], x["count"]) for x in d["sources"][0]["added"]["types"])')" "[('dict', 200), ('str', 200)]"
    out=$($MD --no-system-debug "$T"/tasks/growth-py.{1,2}.dump 2>&1)
    check_match "asyncio: the text names the task" "$out" "task +'collector'"
fi
