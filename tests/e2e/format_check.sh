# format_check.sh — `memanalyze --check` and formats/read_dump.py on a valid, a truncated and a
# corrupted dump (the sample dump from build/tests/gen-sample-dump, in small chunks so that it
# spans many). Both readers must agree on the counts and both must reject the damaged files
# with a message naming the file and the offset.
. "$MEMDUMP_ROOT/tests/e2e/lib.sh"
PY=/usr/bin/python3
RD="$ROOT/formats/read_dump.py"
GEN=$B/tests/gen-sample-dump

D=$T/sample.dump
check gen.sample "$GEN" "$D" 2000
check_eq gen.mode_0600 "$(stat -c %a "$D")" 600

out=$("$BIN/memanalyze" --check "$D" 2>&1); rc=$?
check_eq check.valid_exit "$rc" 0
check_match check.valid_says_valid "$out" '^valid$'
check_match check.version "$out" '^format: 1\.0$'
check_match check.node_count "$out" '^  NODE +301$'
check_match check.edges_count "$out" '^  EDGES +2$'
check_match check.records "$out" '^records: 331$'
check_match check.chunks "$out" '^chunks: [0-9]+ \([0-9]+ raw bytes\)$'
check_match check.warning_shown "$out" '^warning: sample warning: nothing is wrong$'

# read_dump.py: same counts, same kind lines
py=$($PY "$RD" --summary "$D" 2>&1); prc=$?
check_eq py.valid_exit "$prc" 0
check_eq py.same_counts "$(grep -E '^(records:|  )' <<<"$py")" "$(grep -E '^(records:|  )' <<<"$out")"
check_eq py.same_chunks "$(grep -o '^chunks: [0-9]*' <<<"$py")" "$(grep -o '^chunks: [0-9]*' <<<"$out")"
json=$($PY "$RD" --json "$D")
check_eq py.json_nodes "$(grep -c '"record": "NODE"' <<<"$json")" 301
# the first sample node sits at 0x7f1200000000 = 139715286138880 and has no edges
check_match py.json_absolute_addr "$json" '"record": "NODE", "addr": 139715286138880, "size": 16,'
check_match py.json_absolute_edges "$json" '"addr": 139715286138912, .*"edges": \[139715286138944\]'
check_eq py.json_all_parse "$($PY -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)))' <<<"$json")" \
    "$(wc -l <<<"$json" | tr -d ' ')"

# truncated in the middle of a chunk
size=$(stat -c %s "$D")
head -c $((size / 2)) "$D" > "$T/trunc.dump"
out=$("$BIN/memanalyze" --check "$T/trunc.dump" 2>"$T/err"); rc=$?; err=$(cat "$T/err")
check_eq trunc.exit_nonzero "$([ "$rc" != 0 ] && echo yes)" yes
check_match trunc.says_incomplete "$out" '^incomplete$'
check_match trunc.message "$err" "trunc\.dump: offset [0-9]+: chunk [0-9]+: incomplete file: .*ends .* at offset $((size / 2))"
check_match trunc.partial_counts "$out" '^  STRING +10$'
check_nomatch trunc.not_valid "$out" '^valid$'
$PY "$RD" --summary "$T/trunc.dump" >/dev/null 2>"$T/perr"; prc=$?
check_eq py.trunc_exit 1 "$prc"
check_match py.trunc_message "$(cat "$T/perr")" 'trunc\.dump: offset [0-9]+: incomplete file'

# one corrupted byte inside the third chunk's stored bytes
chunk3=$(grep -o '^{"chunk": [0-9]*' <<<"$json" | uniq | sed -n 3p | grep -o '[0-9]*$')
off=$((chunk3 + 20))
cp "$D" "$T/bad.dump"
printf '\x55' | dd of="$T/bad.dump" bs=1 seek=$off conv=notrunc status=none
out=$("$BIN/memanalyze" --check "$T/bad.dump" 2>"$T/err"); rc=$?; err=$(cat "$T/err")
check_eq corrupt.exit_nonzero "$([ "$rc" != 0 ] && echo yes)" yes
check_match corrupt.says_invalid "$out" '^invalid$'
check_match corrupt.message "$err" "bad\.dump: offset $((off - 20)): chunk 3: CRC mismatch"
$PY "$RD" "$T/bad.dump" >/dev/null 2>"$T/perr"; prc=$?
check_eq py.corrupt_exit 1 "$prc"
check_match py.corrupt_message "$(cat "$T/perr")" "bad\.dump: offset $((off - 20)): CRC mismatch"

# not a dump at all, and a missing file
echo "hello" > "$T/text.dump"
"$BIN/memanalyze" --check "$T/text.dump" >/dev/null 2>"$T/err"; rc=$?
check_match notdump.message "$(cat "$T/err")" 'text\.dump: offset 0: not a dump'
check_eq notdump.exit 1 "$rc"
"$BIN/memanalyze" --check "$T/missing.dump" >/dev/null 2>"$T/err"; rc=$?
check_match missing.message "$(cat "$T/err")" 'missing\.dump: cannot open'
check_eq missing.exit 1 "$rc"
