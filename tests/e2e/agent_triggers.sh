# agent_triggers.sh — --at-exit, --at-peak (a transient spike), --at-rss, the trigger signal
# (plain kill, --signal, and a program that takes the default signal for itself).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

# --at-exit on the leak sample: 1000 requests, every 10th leaks a 4 KiB body
mkdir -p exit
$M run -q --at-exit --dir exit -- "$S/leak" 1000 >/dev/null
f=$(ls exit/*.dump | head -1)
check_eq "at-exit: reason" "$(q "$f" snapshot.reason)" exit
check_eq "at-exit: leaked bodies are all unreachable" "$(q "$f" reach.parse_request:4096)" "[0, 100]"
check_eq "at-exit: sessions are reachable" "$(q "$f" reach.main:60)" "[16, 0]"
check_eq "at-exit: churn counted" "$(q "$f" site_counters.parse_request)" "[1000, 900, 4096000, 3686400]"

# --at-peak on the spike sample: one dump is left, at the top of the 16 MiB spike
mkdir -p peak
$M run -q --at-peak --dir peak -- "$S/spike" >/dev/null
check_eq "at-peak: one dump kept" "$(ls peak | wc -l)" 1
f=$(ls peak/*.dump | head -1)
check_eq "at-peak: reason" "$(q "$f" snapshot.reason)" peak
n=$(q "$f" site.build_index:262144)
check_match "at-peak: the spike is in the dump (within 10% of its top)" "$n" "^(5[89]|6[0-4])$"
check_eq "at-peak: baseline too" "$(q "$f" site.main:1000)" 2000
check_eq "at-peak: the triggering allocation's site" "$(q "$f" trigger_site)" build_index
tb=$(q "$f" snapshot.trigger_bytes); hp=$(q "$f" snapshot.heap_peak)
check_match "at-peak: trigger bytes recorded" "$tb" "^[0-9]{8}$"
check "at-peak: heap_peak >= trigger bytes" test "$hp" -ge "$tb"

# --at-rss: grows by 1 MiB every 5 ms to 48 MiB
mkdir -p rss
$M run -q --at-rss=24M --dir rss -- "$A/grow" 48 300 >/dev/null
f=$(ls rss/*.dump 2>/dev/null | head -1)
check "at-rss: dump written" test -s "$f"
check_eq "at-rss: reason" "$(q "$f" snapshot.reason)" rss
tb=$(q "$f" snapshot.trigger_bytes)
check "at-rss: trigger bytes >= 24 MiB" test "${tb:-0}" -ge $((24 << 20))

# a plain kill with the trigger signal: a dump in --dir, and the program is not interrupted
mkdir -p sig
start ex $M run --dir sig -- "$S/exact"
sig=$(cat /proc/"$PID_ex"/task/*/comm | sed -n 's/^memdump://p')
check_eq "default trigger signal is SIGRTMIN+7" "$sig" 41
kill -41 "$PID_ex"
wait_file "sig/exact.$PID_ex.*.dump"
f=$(ls sig/*.dump | head -1)
check_eq "kill -SIG: reason" "$(q "$f" snapshot.reason)" signal
check_eq "kill -SIG: blocks" "$(q "$f" native)" 128
check "kill -SIG: program still running" alive "$PID_ex"

# --signal=USR2
start u2 $M run --signal=USR2 -- "$S/exact"
check_eq "--signal=USR2 in the control thread's name" "$(cat /proc/"$PID_u2"/task/*/comm | sed -n 's/^memdump://p')" 12
out=$($M --pid "$PID_u2" -o "$T/u2.dump" 2>&1); rc=$?
check_eq "--signal=USR2: --pid works" "$rc" 0

# a program installing its own handler for SIGRTMIN+7: memdump moves, the program keeps its signal
start own $M run -- "$A/ownsig"
sleep 0.2
check_match "own handler: memdump says it moved" "$(cat "$T/own.err")" "installs a handler for SIGRTMIN\+7; memdump now uses SIGRTMIN\+8"
check_eq "own handler: control thread renamed" "$(cat /proc/"$PID_own"/task/*/comm | sed -n 's/^memdump://p')" 42
out=$($M --pid "$PID_own" -o "$T/own.dump" 2>&1); rc=$?
check_eq "own handler: --pid still works" "$rc" 0
kill -41 "$PID_own"; sleep 0.2; kill -TERM "$PID_own"; sleep 0.3
check_match "own handler: the program got its own signal" "$(cat "$T/own.out")" "own=1"
