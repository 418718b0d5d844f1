#!/bin/bash
# html_diff.sh — memdiff --html: the report file (self-contained, temporary name, errors) and the
# report in headless Chromium (tests/html/check_diff.js) against memdiff --json: headline changes,
# growth sources first with their sparklines (three dumps) or without (two), the growth flame
# graph (net change, drill-down, search totals), the tables, a screenshot (kept in
# build/html-shots), and the overview without JavaScript.
#
# Samples: build/samples/growth run under memdump (three snapshots: steady growth, churn), and two
# synthetic dumps of one "process" (gen-graph) where a list grew and leaks appeared.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/html/common.sh"

RUNS=()
if [ -x "$BIN/memdump" ] && [ -f "$B/lib/libmemdump.so" ] && [ -x "$B/samples/growth" ]; then
    mkdir -p "$T/g"
    "$BIN/memdump" run --native -q -- "$B/samples/growth" "$T/g" 3 > "$T/g.out" 2>&1
    check "growth: three snapshots taken" test -f "$T/g/growth.3.dump"
    [ -f "$T/g/growth.3.dump" ] && RUNS+=(growth)
fi
"$B/tools/gen-graph" "$T/a.dump" --list 400 --tree 2000 --fanout 9 --python 40 > /dev/null 2>&1 &&
"$B/tools/gen-graph" "$T/b.dump" --list 700 --tree 2000 --fanout 9 --python 90 --leaks 20 > /dev/null 2>&1 &&
    RUNS+=(synth)

files_of() {
    case $1 in
        growth) echo "$T/g/growth.1.dump $T/g/growth.2.dump $T/g/growth.3.dump" ;;
        synth) echo "$T/a.dump $T/b.dump" ;;
    esac
}

for s in "${RUNS[@]}"; do
    f=$(files_of "$s")
    $MD -q --json --top 0 --by type,site,root $f > "$T/$s.json"
    $MD -q $f --html "$T/$s.html" > "$T/$s.out" 2> "$T/$s.err"
    check_eq "$s: --html exit 0" "$?" 0
    check_eq "$s: --html alone prints no report" "$(wc -c < "$T/$s.out")" 0
    want=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["bytes_delta"])' "$T/$s.json")
    static_checks "$s" "$T/$s.html" "$want"
done
check_eq "no temporary file left behind" "$(ls -A "$T" | grep -c '^\..*\.html\.')" 0

if [[ " ${RUNS[*]} " == *" synth "* ]]; then
    out=$($MD -q "$T/a.dump" "$T/b.dump" --json --html "$T/both.html")
    check_match "--html with --json still prints the JSON" "$out" '"memdiff": 1'
    check "... and writes the report" test -s "$T/both.html"
    msg=$($MD "$T/a.dump" "$T/b.dump" --html "$T/x.html" 2>&1 > /dev/null)
    check_match "summary line names the file" "$msg" 'wrote .*x\.html \(html: [0-9]+ growth frames\)'
    mkdir "$T/dir.html"
    msg=$($MD "$T/a.dump" "$T/b.dump" --html "$T/dir.html" 2>&1); rc=$?
    check_eq "output is a directory: exit 1" "$rc" 1
    check_match "output is a directory: clear message" "$msg" 'cannot write .*dir\.html: it is a directory'
    printf 'MDMP\r\n\032\n\001\000' > "$T/short.dump"
    $MD "$T/a.dump" "$T/short.dump" --html "$T/short.html" > /dev/null 2>&1; rc=$?
    check_eq "unreadable dump: exit 1" "$rc" 1
    check "unreadable dump: no report" test ! -e "$T/short.html"
    check_eq "unreadable dump: no temporary file left" "$(ls -A "$T" | grep -c '^\.short\.html\.')" 0
fi

html_node_deps || exit 0
for s in "${RUNS[@]}"; do
    n=$(files_of "$s" | wc -w)
    node "$HTML/check_diff.js" "$T/$s.html" "$T/$s.json" "$T" "$SHOTS/diff-$s.png" "$s" "$n" 2>&1 | tail -n 200
done
