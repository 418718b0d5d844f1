#!/bin/sh
# deps.sh — the Debian packages `make bench` compares memdump against, installed only for the
# benchmarks (so `make test` never pulls them in): heaptrack, memory_profiler (with psutil), GNU
# time (analyze_bench.sh and diff_bench.sh read its -v report), valgrind (massif, optional: the
# bench skips it when absent), bc (agent_bench.sh). tracemalloc is in Python's standard library.
# Idempotent and silent when everything is present; installing needs root.
set -e
PKGS="heaptrack python3-memory-profiler python3-psutil time valgrind bc"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "memdump bench: missing packages:$missing — run 'make bench' as root or install them;" \
         "the comparisons they provide are left out" >&2
    exit 0
fi
echo "memdump bench: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
