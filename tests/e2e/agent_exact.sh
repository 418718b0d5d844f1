# agent_exact.sh — a dump holds exactly what the sample allocated: counts, sizes, functions,
# reachability (global, stack, block-only, unreferenced) and counters that reconcile.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

out=$($M run -- "$S/exact" "$T/a.dump" 2>&1)
check_match "memdump_snapshot() succeeds" "$out" "snapshot=0"
check "dump written" test -s a.dump
declare -A want=( [make_small:48]=100 [make_zeroed:200]=10 [make_grown:5000]=1
                  [make_aligned:700]=3 [make_global:1111]=1 [make_chain:222]=7
                  [make_stack:3333]=1 [make_orphans:4444]=5 )
site=$(q a.dump site)
for k in "${!want[@]}"; do
    got=$(/usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))" "$site" "$k")
    check_eq "site $k count" "$got" "${want[$k]}"
done
check_eq "no other live blocks" "$(q a.dump native)" 128
check_eq "total bytes" "$(q a.dump bytes)" $((100*48 + 10*200 + 5000 + 3*700 + 1111 + 7*222 + 3333 + 5*4444))
check_eq "global-only block reachable" "$(q a.dump reach.make_global:1111)" "[1, 0]"
check_eq "stack-only block reachable" "$(q a.dump reach.make_stack:3333)" "[1, 0]"
check_eq "block-only chain reachable" "$(q a.dump reach.make_chain:222)" "[7, 0]"
check_eq "unreferenced blocks unreachable" "$(q a.dump reach.make_orphans:4444)" "[0, 5]"
check_eq "array-held blocks reachable" "$(q a.dump reach.make_small:48)" "[100, 0]"
check_eq "freed blocks counted" "$(q a.dump site_counters.make_freed)" "[50, 50, 3200, 3200]"
check_eq "realloc counted as alloc+free" "$(q a.dump site_counters.make_grown)" "[2, 1, 5010, 10]"
check_eq "counters reconcile with live blocks" "$(q a.dump counters.live)" 128
check_eq "tracker live_blocks" "$(q a.dump allocator.tracker.live_blocks)" 128
check_eq "tracker counter_live" "$(q a.dump allocator.tracker.counter_live)" 128
check_eq "snapshot reason" "$(q a.dump snapshot.reason)" api
check_match "pause measured" "$(q a.dump snapshot.pause_ns)" "^[1-9][0-9]*$"
check_match "child time measured" "$(q a.dump snapshot.child_ns)" "^[1-9][0-9]*$"
alloc=$(q a.dump allocator)
for k in rss rss_peak rss_anon malloc.arena malloc.uordblks tracker.overhead tracker.live_bytes stacks; do
    check_match "allocator has $k" "$alloc" "\"$k\": [0-9]+"
done
per=$(/usr/bin/python3 -c "import json,sys; a=json.loads(sys.argv[1]); print(a['tracker.overhead'] > 0)" "$alloc")
check_eq "tracker overhead reported" "$per" True
mods=$(q a.dump modules)
check_match "module map has the executable" "$mods" "samples/exact\""
check_match "module map has libc" "$mods" "libc\.so\.6"
main=$(/usr/bin/python3 -c "import json,sys; t=[x for x in json.loads(sys.argv[1]) if x['flags'] & 1]; print(len(t), t[0]['name'], t[0]['stack_hi'] > t[0]['stack_lo'] > 0)" "$(q a.dump threads)")
check_eq "main thread listed with its stack" "$main" "1 exact True"
check_eq "no warnings" "$(q a.dump warnings)" "[]"

# the same sample dumped from outside with memdump --pid
start ex $M run -- "$S/exact"
out=$($M --pid "$PID_ex" -o "$T/b.dump"); rc=$?
check_eq "--pid exits 0" "$rc" 0
check_eq "--pid prints the path" "$(echo "$out" | head -1)" "$T/b.dump"
check_match "--pid prints a summary" "$(echo "$out" | sed -n 2p)" "^[0-9]+ blocks, [0-9]+ bytes, target paused [0-9.]+ ms, snapshot took [0-9.]+ ms"
check_eq "--pid dump: same blocks" "$(q b.dump native)" 128
check_eq "--pid dump: chain still block-only reachable" "$(q b.dump reach.make_chain:222)" "[7, 0]"
check_eq "--pid dump: reason" "$(q b.dump snapshot.reason)" signal
check_eq "--pid dump: pid" "$(q b.dump process.pid)" "$PID_ex"

# the same sample built with -O2 -fomit-frame-pointer: stacks come from the .eh_frame rules
$M run -- "$A/exact_nofp" "$T/c.dump" >/dev/null 2>&1
site=$(q c.dump site)
for k in make_small:48=100 make_zeroed:200=10 make_aligned:700=3 make_chain:222=7 make_orphans:4444=5; do
    got=$(/usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))" "$site" "${k%=*}")
    check_eq "no frame pointers: site ${k%=*}" "$got" "${k#*=}"
done
check_eq "no frame pointers: orphans unreachable" "$(q c.dump reach.make_orphans:4444)" "[0, 5]"
check_eq "no frame pointers: freed blocks counted" "$(q c.dump site_counters.make_freed)" "[50, 50, 3200, 3200]"
