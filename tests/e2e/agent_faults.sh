# agent_faults.sh — failures are reported clearly and the target keeps running: an unwritable
# output directory, a full disk, a snapshot child past its deadline, a plugin that cannot reach
# a safe point. No temporary file is left behind.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"
mkdir -p ro full ok

start ex $M run -- "$S/exact"

# unwritable directory: a read-only tmpfs (root ignores permission bits)
if mount -t tmpfs -o ro,size=64k tmpfs ro 2>/dev/null; then
    want="Read-only file system"
else
    chmod 555 ro; want="Permission denied"
fi
out=$($M --pid "$PID_ex" -o "$T/ro/x.dump" 2>&1); rc=$?
check_eq "unwritable dir: exit 1" "$rc" 1
check_match "unwritable dir: says why" "$out" "cannot create $T/ro/x.dump.tmp.*: $want"
check "unwritable dir: target alive" alive "$PID_ex"

# full disk: a tiny tmpfs filled up
if mount -t tmpfs -o size=16k tmpfs full 2>/dev/null; then
    dd if=/dev/zero of=full/fill bs=4096 count=100 2>/dev/null
    out=$($M --pid "$PID_ex" -o "$T/full/x.dump" 2>&1); rc=$?
    check_eq "full disk: exit 1" "$rc" 1
    check_match "full disk: says why" "$out" "no space left on device"
    check_eq "full disk: no temporary file left" "$(ls full | grep -c tmp)" 0
    check "full disk: target alive" alive "$PID_ex"
else
    check_eq "full disk: tmpfs mount (needs root)" "mount failed" "mounted"
fi
out=$($M --pid "$PID_ex" -o "$T/ok/x.dump" 2>&1); rc=$?
check_eq "after the failures a snapshot works" "$rc" 0
check_eq "after the failures: blocks" "$(q ok/x.dump native)" 128

# a snapshot child past its deadline is killed and reported; the target lives on
start slow env MEMDUMP_PLUGIN="$A/plugin_test.so" MDTEST_PLUGIN_SLEEP_MS=2500 $M run -- "$S/exact"
out=$($M --pid "$PID_slow" --timeout 0.5 -o "$T/ok/slow.dump" 2>&1); rc=$?
check_eq "deadline: exit 1" "$rc" 1
check_match "deadline: says the child was killed" "$out" "exceeded its deadline of 500 ms and was killed"
check_eq "deadline: no file" "$(ls ok | grep -c slow)" 0
check "deadline: target alive" alive "$PID_slow"
out=$($M --pid "$PID_slow" --timeout 10 -o "$T/ok/slow2.dump" 2>&1); rc=$?
check_eq "deadline: a slow snapshot within its deadline works" "$rc" 0
check_match "deadline: plugin walked" "$(q ok/slow2.dump warnings)" "test plugin walked"

# a plugin that cannot reach a safe point
start refuse env MEMDUMP_PLUGIN="$A/plugin_test.so" MDTEST_PLUGIN_FAIL=1 $M run -- "$S/exact"
out=$($M --pid "$PID_refuse" 2>&1); rc=$?
check_eq "no safe point: exit 1" "$rc" 1
check_match "no safe point: says why" "$out" "could not reach a safe point: the test plugin refuses"
check "no safe point: target alive" alive "$PID_refuse"

# the API reports failures through errno
out=$($M run -- "$S/exact" "$T/ro/api.dump" 2>&1)
check_match "API failure returns -1" "$out" "snapshot=-1"
check_match "API failure is explained on stderr" "$out" "memdump_snapshot: cannot create"
