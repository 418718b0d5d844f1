# tests/agent/lib.sh — helpers for the agent's end-to-end tests (tests/e2e/agent_*.sh), sourced
# after tests/e2e/lib.sh.
#
#   M, Q, A, S           memdump, the dump query helper, test helper dir, samples dir
#   q DUMP KEY...        dumpq.py (see tests/agent/dumpq.py)
#   start NAME CMD...    runs CMD in the background with stdout to $T/NAME.out, stderr to
#                        $T/NAME.err; sets PID_<NAME> to the pid printed on CMD's first line
#   alive PID            true if the process exists and is not a zombie
#   wait_file PATTERN    waits (up to 10 s) for a file matching the glob
# Processes started with start() are killed (by pid) when the test exits.
M=$BIN/memdump
A=$B/tests/agent
S=$B/samples
Q="/usr/bin/python3 $ROOT/tests/agent/dumpq.py"
STARTED=""

q() { $Q "$@"; }

start() {
    local name=$1; shift
    "$@" > "$T/$name.out" 2> "$T/$name.err" &
    STARTED="${STARTED:-} $!"
    local i
    for i in $(seq 1 200); do
        if [ -s "$T/$name.out" ] && head -1 "$T/$name.out" | grep -Eq '[0-9]'; then break; fi
        sleep 0.05
    done
    local p
    p=$(head -1 "$T/$name.out" | grep -Eo '[0-9]+' | head -1)
    eval "PID_$name=\${p:-0}"
    [ -n "$p" ] && STARTED="$STARTED $p"
}

alive() {
    [ -r "/proc/$1/stat" ] || return 1
    local st
    st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
    [ "$st" != Z ] && [ "$st" != X ]
}

wait_file() {
    local i
    for i in $(seq 1 100); do
        compgen -G "$1" > /dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Kill what start() started (by pid) and remove $T: use as the EXIT trap.
agent_cleanup() {
    local p
    for p in ${STARTED:-}; do kill -9 "$p" 2>/dev/null; done
    for m in $(awk -v t="$T" '$2 ~ "^"t {print $2}' /proc/mounts 2>/dev/null | sort -r); do
        umount "$m" 2>/dev/null
    done
    rm -rf "$T"
}
trap agent_cleanup EXIT
