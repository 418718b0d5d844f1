#!/bin/bash
# export_heapsnapshot.sh — memanalyze --export heapsnapshot, read back by two V8 heap snapshot
# implementations we did not write: memlab's heap-analysis packages (parser, dominators, retained
# sizes) and Chromium's own DevTools heap snapshot loader in headless Chromium. Both must report
# memanalyze's node count, total bytes, reachable bytes and top dominators exactly.
#
# Also: the edge kinds (property, element, internal, and weak from garbage into live memory on
# the native sample), memory stays flat while streaming a large graph (the JSON is never built
# in memory), and bad input or an unwritable destination fail clearly without leaving files.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/export/common.sh"

make_samples
node_deps || exit 0
for s in "${SAMPLES[@]}"; do
    out=$T/$s.heapsnapshot
    $MA -q "$T/$s.dump" --export heapsnapshot "$out" > /dev/null 2> "$T/$s.err"
    check_eq "$s: --export heapsnapshot exit 0" "$?" 0
    node "$EXP/memlab_check.js" "$out" 15 > "$T/$s.memlab" 2> "$T/$s.memlab.err"
    if [ $? = 0 ]; then
        $COMPARE heapsnapshot "$s: memlab" "$T/$s.json" "$T/$s.memlab"
    else
        echo "not ok $s: memlab cannot read it: $(tail -n 5 "$T/$s.memlab.err" | tr '\n' ' ')"
    fi
    if have_chromium; then
        node "$EXP/devtools_check.js" "$out" 15 > "$T/$s.devtools" 2> "$T/$s.devtools.err"
        if [ $? = 0 ]; then
            $COMPARE heapsnapshot "$s: Chromium DevTools" "$T/$s.json" "$T/$s.devtools"
        else
            echo "not ok $s: Chromium's DevTools loader cannot read it: $(tail -n 5 "$T/$s.devtools.err" | tr '\n' ' ')"
        fi
    fi
done

# edge kinds, read with Python's json module
edge_kinds() {
    $PY - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
types = d["snapshot"]["meta"]["edge_types"][0]
e = d["edges"]
names = {}
for i in range(0, len(e), 3):
    t = types[e[i]]
    names.setdefault(t, set())
    if t != "element":
        names[t].add(d["strings"][e[i + 1]])
print(" ".join("%s=%s" % (t, ",".join(sorted(n)[:8])) for t, n in sorted(names.items())))
PY
}
if [[ " ${SAMPLES[*]} " == *" synth "* ]]; then
    k=$(edge_kinds "$T/synth.heapsnapshot")
    check_match "synth: named references are property edges" "$k" 'property=.*cache'
    check_match "synth: list slots are element edges" "$k" 'element='
    check_match "synth: unlabeled pointers are internal edges" "$k" 'internal=.*ptr'
fi
if [[ " ${SAMPLES[*]} " == *" native "* ]]; then
    k=$(edge_kinds "$T/native.heapsnapshot")
    check_match "native: the leaked block's pointer into the live list is a weak edge" "$k" 'weak=ptr'
fi
if [[ " ${SAMPLES[*]} " == *" python "* ]]; then
    k=$(edge_kinds "$T/python.heapsnapshot")
    check_match "python: attribute and key names are property edges" "$k" 'property=.*'
    check_match "python: the cache dict's keys appear as edge names" "$(grep -o '"k299"' "$T/python.heapsnapshot" | head -n 1)" k299
fi

# streaming: exporting a 400 000-node graph costs no more memory than printing its summary
"$B/tools/gen-graph" "$T/big.dump" --tree 400000 --fanout 4 > /dev/null
maxrss() {  # peak RSS in KiB of a command
    $PY -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
base=$(maxrss $MA -q "$T/big.dump" --summary)
exp=$(maxrss $MA -q "$T/big.dump" --export heapsnapshot "$T/big.heapsnapshot")
size=$(($(stat -c %s "$T/big.heapsnapshot") / 1024))
check "streamed: export peak RSS ${exp} KiB vs ${base} KiB for --summary, file ${size} KiB" \
    test $((exp - base)) -lt $((size / 4))

# errors
printf 'MDMP\r\n\032\n\001\000' > "$T/short.dump"
msg=$($MA "$T/short.dump" --export heapsnapshot "$T/x.heapsnapshot" 2>&1); rc=$?
check_eq "malformed dump: exit 1" "$rc" 1
check_match "malformed dump: says which file" "$msg" 'short\.dump'
check "malformed dump: no output file" test ! -e "$T/x.heapsnapshot"
check_eq "malformed dump: no temporary file left" "$(ls -A "$T" | grep -c '^\.x\.heapsnapshot\.')" 0
truncated_dump
$MA -q "$T/trunc.dump" --export heapsnapshot "$T/trunc.heapsnapshot" > /dev/null 2>&1; rc=$?
check_eq "truncated dump: exit 3 (what was read is exported)" "$rc" 3
check "truncated dump: the partial snapshot is valid JSON" $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/trunc.heapsnapshot"
mkdir "$T/ro" && chmod 555 "$T/ro"
msg=$($MA "$T/synth.dump" --export heapsnapshot "$T/ro/x.heapsnapshot" 2>&1); rc=$?
if [ "$(id -u)" = 0 ]; then
    # root may write anywhere: use a path under a regular file instead
    msg=$($MA "$T/synth.dump" --export heapsnapshot "$T/synth.dump/x.heapsnapshot" 2>&1); rc=$?
    check_match "unwritable output: clear message" "$msg" 'cannot write .*synth\.dump/x\.heapsnapshot: Not a directory'
else
    check_match "unwritable output: clear message" "$msg" 'cannot write .*ro/x\.heapsnapshot: Permission denied'
fi
check_eq "unwritable output: exit 1" "$rc" 1
