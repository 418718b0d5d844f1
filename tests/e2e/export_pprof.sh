#!/bin/bash
# export_pprof.sh — memanalyze --export pprof, read back by `go tool pprof` (Debian's golang-go).
#
# For each sample dump (tests/export/common.sh): -top by bytes and by objects and -traces -lines
# must give memanalyze's totals, its memory by function and its allocation sites with whole
# stacks, exactly. On the native sample, numbers that do not come from memanalyze: the inlined
# allocation site is one location with two lines, the per-site counters appear as alloc_objects
# (500 blocks allocated and freed in churn()), and the mapping carries the program's build-id.
# Go runs offline: HOME, GOCACHE and GOPATH under the build directory, no proxy, no symbolization.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/export/common.sh"

go_offline || exit 0

make_samples
for s in "${SAMPLES[@]}"; do
    out=$T/$s.pb.gz
    $MA -q "$T/$s.dump" --export pprof "$out" > "$T/$s.stdout" 2> "$T/$s.err"
    check_eq "$s: --export pprof exit 0" "$?" 0
    check_eq "$s: --export alone prints no report" "$(cat "$T/$s.stdout")" ""
    check "$s: output is gzip" $PY -c "import gzip,sys; gzip.open(sys.argv[1]).read()" "$out"
    opts=(-nodecount=1000000 -nodefraction=0 -edgefraction=0)
    pprof -top -unit=B "${opts[@]}" -sample_index=inuse_space "$out" > "$T/$s.top" 2> "$T/$s.top.err"
    check_eq "$s: go tool pprof -top reads it" "$?" 0
    pprof -top "${opts[@]}" -sample_index=inuse_objects "$out" > "$T/$s.otop" 2>> "$T/$s.top.err"
    pprof -traces -lines -unit=B -sample_index=inuse_space "$out" > "$T/$s.traces" 2>> "$T/$s.top.err"
    check_eq "$s: go tool pprof -traces reads it" "$?" 0
    $COMPARE pprof "$s" "$T/$s.json" "$T/$s.top" "$T/$s.otop" "$T/$s.traces"
done

if [[ " ${SAMPLES[*]} " == *" native "* ]]; then
    out=$T/native.pb.gz
    raw=$(pprof -raw "$out" 2>&1)
    check_match "native: sample types include the per-site counters" "$raw" \
        'inuse_objects/count inuse_space/bytes\[dflt\] alloc_objects/count alloc_space/bytes'
    grab=$(grep -n GRAB_LINE "$ROOT/tests/export/prog.c" | cut -d: -f1)
    items=$(grep -n ITEMS_LINE "$ROOT/tests/export/prog.c" | cut -d: -f1)
    check_match "native: the inlined allocation is one location with two lines" "$raw" \
        "grab [^ ]*prog\.c:$grab s=0"$'\n'" +make_items [^ ]*prog\.c:$items s=0"
    bid=$(readelf -n "$T/prog" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
    check_match "native: the program's mapping has its build-id" "$raw" "/prog $bid "
    atop=$(pprof -top -sample_index=alloc_objects -nodefraction=0 "$out" 2>&1)
    check_match "native: alloc_objects counts the 500 freed blocks of churn()" "$atop" '^ +500 .* churn$'
    check_match "native: alloc_objects counts make_items' 1000 blocks at the inlined site" "$atop" '^ +1000 .* grab( \(inline\))?$'
    itop=$(pprof -top -sample_index=inuse_objects -nodefraction=0 "$out" 2>&1)
    check_nomatch "native: churn() has nothing in use" "$itop" ' churn$'
fi

# errors: nothing is left behind
printf 'not a dump at all' > "$T/garbage.dump"
msg=$($MA "$T/garbage.dump" --export pprof "$T/g.pb.gz" 2>&1); rc=$?
check_eq "malformed dump: exit 1" "$rc" 1
check_match "malformed dump: says which file and why" "$msg" 'garbage\.dump'
check "malformed dump: no output file" test ! -e "$T/g.pb.gz"
check_eq "malformed dump: no temporary file left" "$(ls -A "$T" | grep -c '^\.g\.pb\.gz\.')" 0
truncated_dump
$MA -q "$T/trunc.dump" --export pprof "$T/trunc.pb.gz" > /dev/null 2>&1; rc=$?
check_eq "truncated dump: exit 3 (what was read is exported)" "$rc" 3
check "truncated dump: the partial profile is valid" go tool pprof -symbolize=none -top "$T/trunc.pb.gz"
msg=$($MA "$T/synth.dump" --export pprof "$T/no/such/dir/x.pb.gz" 2>&1); rc=$?
check_eq "unwritable output: exit 1" "$rc" 1
check_match "unwritable output: clear message" "$msg" 'cannot write .*no/such/dir/x\.pb\.gz: No such file or directory'
msg=$($MA "$T/synth.dump" --export pprof "$T" 2>&1); rc=$?
check_match "output is a directory: clear message" "$msg" 'cannot write .*: it is a directory'
msg=$($MA "$T/synth.dump" --export protobuf "$T/x" 2>&1); rc=$?
check_eq "unknown format: usage error" "$rc" 2
check_match "unknown format: names the formats" "$msg" 'pprof, heapsnapshot or sqlite'
msg=$($MA "$T/synth.dump" --export pprof 2>&1); rc=$?
check_eq "missing output path: usage error" "$rc" 2
echo old > "$T/keep.pb.gz"
$MA -q "$T/garbage.dump" --export pprof "$T/keep.pb.gz" > /dev/null 2>&1
check_eq "failed export leaves an existing file untouched" "$(cat "$T/keep.pb.gz")" old
