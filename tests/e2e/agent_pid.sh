# agent_pid.sh — `memdump --pid`: refusing processes without the agent (and never signalling
# them), bad arguments, missing processes, permission denied, a stopped target (timeout), and a
# target that exits while its snapshot is being taken.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

# a process without the agent: refused, not signalled, still alive
sleep 30 &
plain=$!
STARTED="$STARTED $plain"
out=$($M --pid $plain 2>&1); rc=$?
check_eq "no agent: exit 2" "$rc" 2
check_match "no agent: clear message" "$out" "does not run the memdump agent.*no signal was sent"
sleep 0.2
check "no agent: process survives" alive $plain
check_eq "no agent: nothing pending" "$(grep -E '^(SigPnd|ShdPnd)' /proc/$plain/status | awk '{print $2}' | sort -u)" "0000000000000000"
kill $plain

# agent loaded but disabled: no control thread, refused
start dis env MEMDUMP_DISABLE=1 $M run -- "$S/exact"
out=$($M --pid "$PID_dis" 2>&1); rc=$?
check_eq "disabled agent: exit 2" "$rc" 2
check_match "disabled agent: clear message" "$out" "no memdump control thread"
check "disabled agent: process survives" alive "$PID_dis"

out=$($M --pid abc 2>&1); check_eq "bad pid: exit 2" "$?" 2
out=$($M --pid 1 --timeout=soon 2>&1); check_eq "bad timeout: exit 2" "$?" 2
out=$($M --pid 1 extra 2>&1); check_eq "stray argument: exit 2" "$?" 2
out=$($M --pid 999999999 2>&1); rc=$?
check_eq "no such process: exit 5" "$rc" 5
check_match "no such process: message" "$out" "no such process"

start ex $M run -- "$S/exact"
# permission denied for another user
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups $M --pid "$PID_ex" 2>&1); rc=$?
    check_eq "other user: exit 4" "$rc" 4
    check_match "other user: message" "$out" "ermission denied"
else
    out=$($M --pid 1 2>&1); rc=$?
    check_match "other user (pid 1): refused" "$rc" "^[245]$"
fi
check "still alive after refused requests" alive "$PID_ex"

# a stopped target cannot answer: timeout, then it works again once continued
kill -STOP "$PID_ex"
out=$($M --pid "$PID_ex" --timeout 0.5 2>&1); rc=$?
check_eq "stopped target: exit 3" "$rc" 3
check_match "stopped target: says it timed out" "$out" "timed out"
kill -CONT "$PID_ex"
out=$($M --pid "$PID_ex" -o "$T/after.dump" 2>&1); rc=$?
check_eq "after continuing: works" "$rc" 0
check_eq "after continuing: blocks" "$(q after.dump native)" 128
out=$($M --pid "$PID_ex" -o "$T/after.dump" 2>&1); rc=$?
check_eq "existing output file: exit 1" "$rc" 1
check_match "existing output file: not overwritten" "$out" "already exists; not overwriting"
out=$($M --pid "$PID_ex" -o rel.dump 2>&1); rc=$?
check_eq "relative -o is relative to memdump's directory" "$(echo "$out" | head -1)" "$T/rel.dump"
out=$($M --pid "$PID_ex" 2>&1); rc=$?
check_match "default name in the agent's directory" "$(echo "$out" | head -1)" "^$T/exact\.$PID_ex\.[0-9]+\.dump$"

# the target exits while the snapshot is being written
start slow env MEMDUMP_PLUGIN="$A/plugin_test.so" MDTEST_PLUGIN_SLEEP_MS=3000 $M run -- "$S/exact"
( sleep 0.5; kill -9 "$PID_slow" ) &
out=$($M --pid "$PID_slow" --timeout 10 2>&1); rc=$?
check_eq "target killed mid-snapshot: exit 5" "$rc" 5
check_match "target killed mid-snapshot: message" "$out" "exited before the snapshot was done"
