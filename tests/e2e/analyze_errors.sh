#!/bin/bash
# analyze_errors.sh — memanalyze on bad input and bad usage: clear messages naming the file (and
# the offset for damage), the documented exit codes (1 cannot analyze, 2 usage, 3 incomplete),
# and a report of what could be read from a truncated or damaged dump.
source "$(dirname "$0")/lib.sh"
GEN=$B/tools/gen-graph
MA=$BIN/memanalyze
PY=/usr/bin/python3

run() { out=$("$@" 2>"$T/err"); rc=$?; err=$(cat "$T/err"); }

run $MA "$T/missing.dump"
check_eq "missing file: exit 1" "$rc" 1
check_match "missing file: names it" "$err" "missing.dump"

run $MA "$T"
check_eq "directory: exit 1" "$rc" 1

echo "this is not a dump, just some text that is long enough" > "$T/text.dump"
run $MA "$T/text.dump"
check_eq "not a dump: exit 1" "$rc" 1
check_match "not a dump: names file and offset" "$err" "text.dump: offset 0"

: > "$T/empty.dump"
run $MA "$T/empty.dump"
check_eq "empty file: exit 1" "$rc" 1

$GEN "$T/g.dump" --list 20000 --leaks 8 --chunk 8192
size=$(stat -c %s "$T/g.dump")
head -c $((size / 2)) "$T/g.dump" > "$T/cut.dump"
run $MA "$T/cut.dump"
check_eq "truncated: exit 3" "$rc" 3
check_match "truncated: warning says what was analyzed" "$err" "incomplete dump: analyzed [0-9]+ chunks, the first [0-9]+ of [0-9]+ bytes"
check_match "truncated: warning names file and offset" "$err" "cut.dump: offset [0-9]+"
check_match "truncated: report still printed" "$out" "INCOMPLETE"
check_match "truncated: memory of what was read" "$out" "unreachable +[0-9,]+ "
run $MA --json "$T/cut.dump"
check_eq "truncated --json: exit 3" "$rc" 3
check_eq "truncated --json: complete is false" \
    "$(echo "$out" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["complete"], d["incomplete"] is not None, len(d["warnings"]) > 0)')" \
    "False True True"

cp "$T/g.dump" "$T/bad.dump"
$PY - "$T/bad.dump" <<'PYEOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[len(b) // 2] ^= 0x5a
open(p, 'wb').write(bytes(b))
PYEOF
run $MA "$T/bad.dump"
check_eq "corrupt middle chunk: exit 3" "$rc" 3
check_match "corrupt middle chunk: names file and offset" "$err" "bad.dump: offset [0-9]+: chunk [0-9]+"
check_match "corrupt middle chunk: report of what preceded it" "$out" "^Memory"

run $MA
check_eq "no file: exit 2" "$rc" 2
run $MA --bogus "$T/g.dump"
check_eq "unknown option: exit 2" "$rc" 2
check_match "unknown option: named" "$err" "unknown option '--bogus'"
run $MA --by color "$T/g.dump"
check_eq "bad --by: exit 2" "$rc" 2
run $MA --top many "$T/g.dump"
check_eq "bad --top: exit 2" "$rc" 2
run $MA --collapsed --json "$T/g.dump"
check_eq "--collapsed with --json: exit 2" "$rc" 2
run $MA a.dump b.dump
check_eq "two files: exit 2" "$rc" 2
run $MA --help
check_eq "--help: exit 0" "$rc" 0
check_match "--help: lists the views" "$out" "--by KEY .*type\|site\|function\|file\|line\|module\|root"
run $MA --check "$T/g.dump"
check_eq "--check still works: exit 0" "$rc" 0
run $MA --check "$T/cut.dump"
check_eq "--check on a truncated dump: non-zero" "$([ $rc -ne 0 ] && echo yes)" yes
