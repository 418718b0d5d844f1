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
if [ -e "$B/lib/memdump-py/python-$ver.so" ] && [ -e samples/python/memory_allocation.py ]; then
    say "memdump run --dir $D -- $PY samples/python/memory_allocation.py --dump $D/py.dump"
    "$BIN/memdump" run --dir "$D" -- "$PY" samples/python/memory_allocation.py --dump "$D/py.dump"
    say "memanalyze --top 5 py.dump"
    "$BIN/memanalyze" --top 5 "$D/py.dump"
fi
