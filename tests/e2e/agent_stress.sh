# agent_stress.sh — 8 threads churning malloc/free, dumped 20 times in a row through
# memdump --pid: no crash, no deadlock, and every dump's totals reconcile with the counters.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

start ch $M run -- "$A/churn" 8
ok=0 rec=0 cnt=0
for i in $(seq 1 20); do
    if $M --pid "$PID_ch" -o "$T/s$i.dump" --timeout 30 >/dev/null 2>"$T/err$i"; then ok=$((ok + 1)); fi
    n=$(q "s$i.dump" native); live=$(q "s$i.dump" counters.live)
    tl=$(q "s$i.dump" allocator.tracker.live_blocks)
    [ -n "$n" ] && [ "$n" = "$live" ] && [ "$n" = "$tl" ] && rec=$((rec + 1))
    [ "$(q "s$i.dump" threads | grep -o '"tid"' | wc -l)" -ge 9 ] && cnt=$((cnt + 1))
done
check_eq "20 snapshots succeed" "$ok" 20
check_eq "20 dumps reconcile: nodes = allocs - frees = tracker live blocks" "$rec" 20
check_eq "all threads listed" "$cnt" 20
check "still running" alive "$PID_ch"
kill -TERM "$PID_ch"
for i in $(seq 1 50); do alive "$PID_ch" || break; sleep 0.1; done
check_match "exits cleanly after the dumps" "$(cat "$T/ch.out")" "churn: [0-9]+ operations"
