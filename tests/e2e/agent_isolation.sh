# agent_isolation.sh — the snapshot child is invisible to the application: its SIGCHLD handler
# and waitpid(-1) never see it; fork() children get an agent of their own; malloc from the
# application's own signal handlers neither deadlocks nor corrupts whenever the agent is in the
# allocation path (--native, --at-peak). In default mode it is not: the program calls glibc
# directly, and a handler that interrupts glibc's malloc fares exactly as without memdump.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

out=$($M run -- "$A/sigchld" 10 2>&1)
check_eq "SIGCHLD and waitpid(-1) see only the app's own child" "$out" "sigchld=1 reaped=1 snapshots=10"
check_eq "ten dumps written" "$(ls sigchld.*.dump | wc -l)" 10

start fk $M run -- "$A/forker"
child=$(sed -n 's/^child //p' "$T/fk.out")
for i in $(seq 1 50); do [ -n "$child" ] && break; sleep 0.1; child=$(sed -n 's/^child //p' "$T/fk.out"); done
STARTED="$STARTED $child"
check_match "fork: 20 children ran cleanly while threads allocated" "$(cat "$T/fk.out")" "parent [0-9]+ failed=0"
check_match "fork: the child has its own control thread" "$(cat /proc/"$child"/task/*/comm 2>&1)" "memdump:41"
out=$($M --pid "$child" 2>&1); rc=$?
check_eq "fork: child dumped with --pid" "$rc" 0
f=$(echo "$out" | head -1)
check_match "fork: named with the child's pid" "$f" "forker\.$child\.1\.dump$"
check_eq "fork: the child's own blocks" "$(q "$f" site.child_blocks:777)" 10
kill -TERM "$child"

out=$(timeout 60 $M run -- "$A/sigmalloc" 1500 2>&1); rc=$?
check_eq "malloc in signal handlers: no deadlock" "$rc" 0
check_match "malloc in signal handlers: handlers ran, snapshots taken" "$out" "handler=[0-9]{4,} snapshots=(1[0-9]|[5-9])$"
bad=0
for f in sigmalloc.*.dump; do
    [ "$(q "$f" counters.live)" = "$(q "$f" native)" ] || bad=$((bad + 1))
done
check_eq "malloc in signal handlers: every dump reconciles" "$bad" 0
out=$(timeout 60 $M run --no-native --at-peak -- "$A/sigmalloc" 500 2>&1); rc=$?
check_eq "malloc in signal handlers, accounting only (--at-peak): no deadlock" "$rc" 0
