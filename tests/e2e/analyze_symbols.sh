#!/bin/bash
# analyze_symbols.sh — memanalyze names native frames and globals through the symbolizer.
#
# gen-graph records a real ELF file (itself, built with -g) as a loaded module and an
# unsymbolized native frame inside it; memanalyze must name the function, file and line exactly
# as binutils' addr2line does, name the global that roots the list (nm's symbol), and with a
# wrong build-id or a missing file fall back to "module+0xOFFSET" with exactly one warning.
source "$(dirname "$0")/lib.sh"
GEN=$B/tools/gen-graph
MA=$BIN/memanalyze
PY=/usr/bin/python3
command -v addr2line >/dev/null && command -v nm >/dev/null && command -v readelf >/dev/null || exit 0

main=$(nm "$GEN" | awk '$3 == "main" {print $1}')
mem=$(nm "$GEN" | awk '$3 == "mem" {print $1}')
bid=$(readelf -n "$GEN" | awk '/Build ID/ {print $3}')
code=$(printf '%x' $((0x$main + 0x20)))
want=$(addr2line -f -i -e "$GEN" "0x$code" | head -n 2 | tr '\n' ' ')

$GEN "$T/s.dump" --list 10 --module "$GEN" --code-vaddr "$code" --data-vaddr "$mem" --build-id "$bid"
$MA --json --no-system-debug "$T/s.dump" > "$T/s.json" 2> "$T/s.err"
got=$($PY -c 'import json,sys; s=json.load(open(sys.argv[1]))["sites"][0]; print("%s %s:%d " % (s["function"], s["file"], s["line"]))' "$T/s.json")
check_eq "symbols: site function and line match addr2line" "$got" "$want"
check_eq "symbols: global root named by its symbol" \
    "$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["dominators"][0]["path"])' "$T/s.json")" \
    "['global mem (gen-graph)']"
check_eq "symbols: no warning when the build-id matches" "$(cat "$T/s.err")" ""

$GEN "$T/m.dump" --list 10 --module "$GEN" --code-vaddr "$code" --build-id 00112233
out=$($MA --sites --no-system-debug "$T/m.dump" 2> "$T/m.err")
check_match "mismatched build-id: module+offset, never a wrong name" "$out" "gen-graph\+0x[0-9a-f]+ ← main"
check_eq "mismatched build-id: one warning" "$(grep -c 'build-id' "$T/m.err")" 1
check_eq "mismatched build-id: the warning is in the JSON too" \
    "$($MA --json --no-system-debug -q "$T/m.dump" | $PY -c 'import json,sys; w=json.load(sys.stdin)["warnings"]; print(len(w), "00112233" in w[0])')" "1 True"

$GEN "$T/x.dump" --list 10 --module /nonexistent/libgone.so --code-vaddr 1234
out=$($MA --sites --no-system-debug "$T/x.dump" 2> "$T/x.err")
check_match "missing module file: module+offset" "$out" "libgone.so\+0x1235"
check_eq "missing module file: one warning" "$(grep -c 'libgone.so' "$T/x.err")" 1
check_eq "--quiet: no warnings on stderr" "$($MA --sites -q --no-system-debug "$T/x.dump" 2>&1 >/dev/null)" ""
