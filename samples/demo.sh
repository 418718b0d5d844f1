#!/bin/bash
# make demo: the main job on samples — start a program under memdump, snapshot it on demand
# twice while it runs, then ask what is alive, who keeps it alive, where it was allocated, and
# what grew. Then the same for a Python program, if a walker was built for this Python.
set -eu
B=${1:-build}
BIN=$B/bin
D=$(mktemp -d "${TMPDIR:-/tmp}/memdump-demo.XXXXXX")
trap 'kill $pid 2>/dev/null || true; rm -rf "$D"' EXIT
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "memdump run --dir $D -- $B/samples/cache 20 &      # a C program whose cache only grows"
"$BIN/memdump" run --dir "$D" -- "$B/samples/cache" 20 > "$D/pid" &
for _ in $(seq 50); do [ -s "$D/pid" ] && break; sleep 0.1; done
pid=$(cat "$D/pid")
sleep 1
say "memdump --pid $pid"
"$BIN/memdump" --pid "$pid" -o "$D/first.dump"
sleep 2
say "memdump --pid $pid"
"$BIN/memdump" --pid "$pid" -o "$D/second.dump"
say "memanalyze --top 5 second.dump"
"$BIN/memanalyze" --top 5 "$D/second.dump"
say "memdiff --top 5 first.dump second.dump"
"$BIN/memdiff" --top 5 "$D/first.dump" "$D/second.dump"
kill "$pid" 2>/dev/null || true

PY=/usr/bin/python3
ver=$($PY -c 'import platform; print(platform.python_version())')
if [ -e "$B/lib/memdump-py/python-$ver.so" ]; then
    s=samples/python/memory_allocation/memory_allocation.py
    say "DUMP=py.dump memdump run -- $PY $s     # the seed's Example 3: which variable holds what"
    DUMP="$D/py.dump" "$BIN/memdump" run --dir "$D" -- "$PY" "$s"
    say "memanalyze --variables py.dump"
    "$BIN/memanalyze" --variables --top 6 "$D/py.dump"
else
    echo "(no CPython walker was built for $PY $ver: skipping the Python part)"
fi
