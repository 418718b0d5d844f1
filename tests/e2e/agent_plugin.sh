# agent_plugin.sh — the walker plugin interface (with a test plugin), Python detection and the
# refusal when no plugin matches the interpreter, C++ class names from vtables.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/agent/lib.sh"
cd "$T"

start pl env MEMDUMP_PLUGIN="$A/plugin_test.so" $M run -- "$S/exact"
$M --pid "$PID_pl" -o "$T/p1.dump" >/dev/null 2>&1
$M --pid "$PID_pl" -o "$T/p2.dump" >/dev/null 2>&1
check_match "plugin: its node is in the dump" "$(q p1.dump site)" '"\?:4242": 1'
check_eq "plugin: its type" "$(q p1.dump types.test.Thing)" 1
check_eq "plugin: runtime version in PROCESS" "$(q p1.dump process.python_version)" "0.0-test"
check_match "plugin: prepare before, release after the clone" "$(q p2.dump warnings)" "test plugin walked \(prepare 2, release 1\)"
check_eq "plugin: native blocks still there" "$(q p1.dump native)" 128
check_match "plugin: init logged" "$(cat "$T/pl.err")" "test plugin ready"

# Python without a matching walker: a clear refusal on stderr and in the dump
mkdir -p lib
cp "$B/lib/libmemdump.so" lib/
out=$(LD_PRELOAD="$T/lib/libmemdump.so" MEMDUMP_DIR="$T" /usr/bin/python3 -c '
import ctypes, time
time.sleep(0.3)
print(ctypes.CDLL(None).memdump_snapshot(b"py.dump"))' 2>&1)
check_match "python: snapshot through ctypes" "$out" "^0$|
0$"
check_match "python: no walker is said on stderr" "$out" "no Python walker for Python 3\.11\.2"
check_match "python: and in the dump" "$(q py.dump warnings)" "no Python walker for Python 3\.11\.2"
mode=$(q py.dump snapshot.mode)
check_eq "python: native tracking off by default" "$((mode & 1))" 0

# C++ polymorphic objects are typed by their vtables
$M run -q --at-exit -- "$S/shapes" >/dev/null
f=$(ls shapes.*.dump | head -1)
check_eq "c++: circles" "$(q "$f" types.6Circle)" 30
check_eq "c++: squares" "$(q "$f" types.6Square)" 20
check_eq "c++: triangles" "$(q "$f" types.8Triangle)" 10
check_eq "c++: nothing else typed" "$(q "$f" types | grep -o ':' | wc -l)" 3
