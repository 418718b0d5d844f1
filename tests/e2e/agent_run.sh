# agent_run.sh — `memdump run`: options, exit statuses, LD_PRELOAD, dump naming, the installed
# layout, and that the agent is harmless in ordinary programs.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

out=$($M --help); rc=$?
check_eq "help exits 0" "$rc" 0
check_match "help documents run" "$out" "memdump run \[OPTIONS\] \[--\] CMD"
check_match "help documents --pid" "$out" "memdump --pid PID \[-o FILE\] \[--timeout S\]"
out=$($M run 2>&1); rc=$?
check_eq "run without a command exits 2" "$rc" 2
check_match "run without a command says so" "$out" "no command given"
out=$($M run --bogus -- true 2>&1); rc=$?
check_eq "unknown option exits 2" "$rc" 2
check_match "unknown option is named" "$out" "--bogus"
out=$($M run --at-rss=lots -- true 2>&1); rc=$?
check_eq "bad --at-rss exits 2" "$rc" 2
out=$($M run --at-peak=0 -- true 2>&1); rc=$?
check_eq "bad --at-peak exits 2" "$rc" 2
out=$($M run --signal=KILL -- true 2>&1); rc=$?
check_eq "--signal=KILL refused" "$rc" 2
out=$($M frobnicate 2>&1); rc=$?
check_eq "unknown command exits 2" "$rc" 2

$M run -- sh -c 'exit 7'; check_eq "exit status of CMD" "$?" 7
$M run -- sh -c 'kill -TERM $$'; check_eq "killed CMD gives 128+SIGTERM" "$?" 143
$M run -- /nonexistent/cmd 2>/dev/null; check_eq "missing CMD gives 127" "$?" 127

pre=$(ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=/lib/x86_64-linux-gnu/libz.so.1 $M run -- sh -c 'echo $LD_PRELOAD')
check_match "agent prepended to LD_PRELOAD by absolute path" "$pre" "^/.*/libmemdump\.so:/lib/x86_64-linux-gnu/libz\.so\.1$"
dir=$($M run -- sh -c 'echo $MEMDUMP_DIR')
check_eq "default dump dir is where memdump run started" "$dir" "$(pwd -P)"
mkdir -p d
dir=$($M run --dir d -- sh -c 'echo $MEMDUMP_DIR')
check_eq "--dir is made absolute" "$dir" "$(pwd -P)/d"

# harmless: same output with and without the agent, no stray files
want=$(sh -c 'ls /usr/bin | sort | head -20; echo abc | tr a-z A-Z; seq 1 1000 | sort -n | tail -1' 2>&1)
got=$($M run -- sh -c 'ls /usr/bin | sort | head -20; echo abc | tr a-z A-Z; seq 1 1000 | sort -n | tail -1' 2>&1)
check_eq "shell pipeline unchanged under the agent" "$got" "$want"
check_eq "no dump written by programs that never dump" "$(ls "$T"/*.dump 2>/dev/null | wc -l)" 0
got=$($M run -- /usr/bin/python3 -c 'print(sum(range(1000)))' 2>&1)
check_eq "python runs unchanged under the agent" "$got" "499500"

# children inherit the agent and are dumped independently, named PROG.PID.N.dump
$M run --dir d --at-exit -q -- bash -c "$S/leak 50 >/dev/null; $S/leak 20 >/dev/null; true"
n=$(ls d/leak.*.1.dump 2>/dev/null | wc -l)
check_eq "each child process writes its own dump" "$n" 2
check_eq "the shell wrote one too" "$(ls d/bash.*.1.dump 2>/dev/null | wc -l)" 1
f=$(ls d/leak.*.1.dump | head -1)
check_eq "dump file mode is 0600" "$(stat -c %a "$f")" 600
check_eq "no temporary files left" "$(ls d | grep -c tmp)" 0

# the installed layout: PREFIX/bin/memdump finds PREFIX/lib/memdump/libmemdump.so
mkdir -p inst/bin inst/lib/memdump
cp "$BIN/memdump" inst/bin/ && cp -R "$B/lib/." inst/lib/memdump/
pre=$(inst/bin/memdump run -- sh -c 'echo $LD_PRELOAD')
check_eq "installed memdump preloads the installed agent" "$pre" "$(pwd -P)/inst/lib/memdump/libmemdump.so"
inst/bin/memdump run -- "$S/exact" "$T/inst.dump" >/dev/null
check "installed agent takes snapshots" test -s "$T/inst.dump"
