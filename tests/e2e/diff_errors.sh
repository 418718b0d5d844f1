#!/bin/bash
# diff_errors.sh — memdiff on bad input and bad usage, and on synthetic dumps (gen-graph) whose
# difference is known: clear messages naming the file (and the offset for damage), the documented
# exit codes (1 cannot compare, 2 usage, 3 incomplete), a diff of what could be read from a
# truncated or damaged dump, and the growth of a 20 000-long list found at its head.
source "$(dirname "$0")/lib.sh"
GEN=$B/tools/gen-graph
MD=$BIN/memdiff
PY=/usr/bin/python3

run() { out=$("$@" 2>"$T/err"); rc=$?; err=$(cat "$T/err"); }

$GEN "$T/a.dump" --list 10000 --leaks 8 --chunk 8192 > /dev/null
$GEN "$T/b.dump" --list 20000 --leaks 8 --chunk 8192 > /dev/null

# the list grows at its tail: the source is its head (the run of ListNodes), found by the global
run $MD --json "$T/a.dump" "$T/b.dump"
check_eq "gen-graph: exit 0" "$rc" 0
q() { echo "$out" | $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
check_eq "gen-graph: total change" "$(q '(d["summary"]["objects_delta"], d["summary"]["bytes_delta"], d["summary"]["rss_delta"])')" \
    "(10000, 320000, 320000)"
check_eq "gen-graph: the list's head is the source" \
    "$(q '[(s["type"], s["path"], s["retained_before"], s["retained_after"], s["growth"]) for s in d["sources"]]')" \
    "[('ListNode', ['g_list'], 320000, 640000, 320000)]"
check_eq "gen-graph: growth by type and site" \
    "$(q '[(g["kind"], g["key"].split(" ")[0], g["count_delta"], g["bytes_delta"]) for g in d["growth"]]')" \
    "[('type', 'ListNode', 10000, 320000), ('site', 'make_list', 10000, 320000)]"

run $MD "$T/missing.dump" "$T/b.dump"
check_eq "missing file: exit 1" "$rc" 1
check_match "missing file: names it" "$err" "missing.dump"

echo "this is not a dump, just some text that is long enough" > "$T/text.dump"
run $MD "$T/a.dump" "$T/text.dump"
check_eq "not a dump: exit 1" "$rc" 1
check_match "not a dump: names file and offset" "$err" "text.dump: offset 0"

size=$(stat -c %s "$T/b.dump")
head -c $((size / 2)) "$T/b.dump" > "$T/cut.dump"
run $MD "$T/a.dump" "$T/cut.dump"
check_eq "truncated: exit 3" "$rc" 3
check_match "truncated: warning names file and offset" "$err" "warning: .*cut.dump: offset [0-9]+"
check_match "truncated: the report is printed, marked incomplete" "$out" "INCOMPLETE"
run $MD --json "$T/a.dump" "$T/cut.dump"
check_eq "truncated --json: exit 3" "$rc" 3
check_eq "truncated --json: the file is marked incomplete, with a warning" \
    "$(q '(d["files"][1]["complete"], d["files"][1]["incomplete"] is not None, len(d["warnings"]) > 0)')" "(False, True, True)"

cp "$T/b.dump" "$T/bad.dump"
$PY - "$T/bad.dump" <<'PYEOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x5a
open(p, 'wb').write(bytes(b))
PYEOF
run $MD "$T/a.dump" "$T/bad.dump"
check_eq "corrupt middle chunk: exit 3" "$rc" 3
check_match "corrupt middle chunk: names file and offset" "$err" "bad.dump: offset [0-9]+: chunk [0-9]+"
check_match "corrupt middle chunk: diff of what preceded it" "$out" "^Total change"

run $MD "$T/a.dump"
check_eq "one file: exit 2" "$rc" 2
check_match "one file: says why" "$err" "at least two dumps"
run $MD
check_eq "no file: exit 2" "$rc" 2
run $MD --by size "$T/a.dump" "$T/b.dump"
check_eq "bad --by: exit 2" "$rc" 2
check_match "bad --by: lists the keys" "$err" "type, site or root"
run $MD --top x "$T/a.dump" "$T/b.dump"
check_eq "bad --top: exit 2" "$rc" 2
run $MD --bogus "$T/a.dump" "$T/b.dump"
check_eq "unknown option: exit 2" "$rc" 2
check_match "unknown option: named" "$err" "unknown option '--bogus'"
run $MD --help
check_eq "--help: exit 0" "$rc" 0
check_match "--help: documents --by, --top, --json, --force" "$out" "--by KEY.*"
check_match "--help: mentions the matching rule" "$out" "address, type and size"

run $MD --top 1 --by type,site,root "$T/a.dump" "$T/b.dump"
check_eq "--by list: exit 0" "$rc" 0
check_match "--by list: the root table is shown" "$out" "Growth by root"
