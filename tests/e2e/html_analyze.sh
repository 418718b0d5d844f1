#!/bin/bash
# html_analyze.sh — memanalyze --html: the report file itself (one self-contained file, written
# through a temporary name, sensible errors) and the report in headless Chromium
# (tests/html/check_analyze.js): no console errors, no request other than file:, headline numbers
# and tables equal memanalyze --json's, drill-down, keyboard, search totals, a screenshot (kept in
# build/html-shots), and the overview without JavaScript.
#
# Samples: a synthetic dump (gen-graph: native list/tree/leaks and a Python-shaped graph), a real
# native dump (tests/export/prog.c under memdump run --native --at-exit) and, when the Python
# walker is built, a real Python dump (tests/export/prog.py).
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/export/common.sh"
source "$ROOT/tests/html/common.sh"

make_samples        # $T/NAME.dump for synth, native, python (tests/export/common.sh)
for s in "${SAMPLES[@]}"; do
    $MA -q --json --top 0 "$T/$s.dump" > "$T/$s.full.json"
    $MA -q "$T/$s.dump" --html "$T/$s.html" > "$T/$s.out" 2> "$T/$s.err"
    check_eq "$s: --html exit 0" "$?" 0
    check_eq "$s: --html alone prints no report" "$(wc -c < "$T/$s.out")" 0
    want=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["reachable_bytes"])' "$T/$s.full.json")
    static_checks "$s" "$T/$s.html" "$want"
done
check_eq "no temporary file left behind" "$(ls -A "$T" | grep -c '^\..*\.html\.')" 0

# the summary line, and --html beside a view
msg=$($MA "$T/synth.dump" --html "$T/x.html" 2>&1 >/dev/null)
check_match "summary line names the file" "$msg" "wrote .*x\.html \(html: [0-9]+ boxes, [0-9]+ frames\)"
out=$($MA -q "$T/synth.dump" --summary --html "$T/y.html")
check_match "--html with a view still prints the view" "$out" 'live objects'
check "... and writes the report" test -s "$T/y.html"

# errors: a directory, an unwritable place, a dump that cannot be read
mkdir "$T/dir.html"
msg=$($MA "$T/synth.dump" --html "$T/dir.html" 2>&1); rc=$?
check_eq "output is a directory: exit 1" "$rc" 1
check_match "output is a directory: clear message" "$msg" 'cannot write .*dir\.html: it is a directory'
msg=$($MA "$T/synth.dump" --html "$T/synth.dump/r.html" 2>&1); rc=$?
check_match "unwritable output: clear message" "$msg" 'cannot write .*synth\.dump/r\.html: Not a directory'
check_eq "unwritable output: exit 1" "$rc" 1
printf 'MDMP\r\n\032\n\001\000' > "$T/short.dump"
msg=$($MA "$T/short.dump" --html "$T/short.html" 2>&1); rc=$?
check_eq "malformed dump: exit 1" "$rc" 1
check "malformed dump: no report" test ! -e "$T/short.html"
check_eq "malformed dump: no temporary file left" "$(ls -A "$T" | grep -c '^\.short\.html\.')" 0
msg=$($MA "$T/synth.dump" --html 2>&1); rc=$?
check_eq "--html without a file: usage error" "$rc" 2

# interrupted: SIGTERM while the report (and an export) is being made leaves no temporary file
"$B/tools/gen-graph" "$T/big.dump" --tree 400000 --fanout 4 > /dev/null
mkdir "$T/sig"
$MA -q "$T/big.dump" --export pprof "$T/sig/p.pb.gz" --html "$T/sig/r.html" > /dev/null 2>&1 &
pid=$!
sleep 0.3
kill -TERM $pid 2> /dev/null
wait $pid 2> /dev/null
check_eq "SIGTERM: no temporary file left (report and export)" "$(ls -A "$T/sig" | grep -c '^\.')" 0

# names from the target that look like markup ("<module>", "</script>") stay text: the data
# element holds no raw '<' (a Python dump has plenty of names with one)
for s in "${SAMPLES[@]}"; do
    n=$($PY -c 'import re,sys; s=open(sys.argv[1],encoding="utf-8").read(); print(re.search(r"<script type=\"application/json\" id=\"md-data\">(.*?)</script>", s, re.S).group(1).count("<"))' "$T/$s.html")
    check_eq "$s: no raw '<' inside the data element" "$n" 0
done

html_node_deps || exit 0
for s in "${SAMPLES[@]}"; do
    node "$HTML/check_analyze.js" "$T/$s.html" "$T/$s.full.json" "$T" "$SHOTS/analyze-$s.png" "$s" 2>&1 | tail -n 200
done
