# agent_fatal.sh — last-gasp dumps on fatal signals; the process still dies of the same signal.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

for s in segv:11:SIGSEGV abort:6:SIGABRT bus:7:SIGBUS fpe:8:SIGFPE ill:4:SIGILL; do
    how=${s%%:*}; rest=${s#*:}; num=${rest%%:*}; name=${rest#*:}
    mkdir -p "$how"
    $M run -q --dir "$how" -- "$A/crash" "$how" >/dev/null 2>&1; rc=$?
    check_eq "$name: dies of the signal" "$rc" $((128 + num))
    f=$(ls "$how"/*.dump 2>/dev/null | head -1)
    check "$name: dump written" test -s "$f"
    check_eq "$name: reason" "$(q "$f" snapshot.reason)" "fatal:$name"
    check_eq "$name: blocks" "$(q "$f" site.make_victims:999)" 25
done
check_match "registers are roots of a fatal dump" "$(q segv/*.dump roots)" '"3": [1-9]'

mkdir -p off
$M run -q --no-fatal --dir off -- "$A/crash" segv >/dev/null 2>&1; rc=$?
check_eq "--no-fatal: still dies of SIGSEGV" "$rc" 139
check_eq "--no-fatal: no dump" "$(ls off | wc -l)" 0
