#!/bin/bash
# agent_bench.sh — performance figures of the agent (libmemdump.so) for README, in one run on
# one machine. Variants of one program are run interleaved (base, variant 1, variant 2, base, …)
# so that load from elsewhere on the machine hits them alike; each figure is the median of REPS
# runs and ratios are against the same program without memdump. CPU time (user+sys) is given
# besides wall time: it is the steadier of the two on a shared machine.
#
#   tests/bench/agent_bench.sh BUILD_DIR [QUICK]
#
#   churn    10 M malloc/free pairs (build/bench/agent_churn): default mode, --native, and
#            heaptrack on the same program when it is installed
#   gcc      compiling 8 C files with gcc -O2 -g: default mode and --native
#   python   a Python workload (tests/bench/agent_pywork.py): default mode (the agent as it is
#            for Python) and --native
#   pause    target pause and snapshot time for a 1 GiB heap of 1 M blocks (QUICK: 256 MiB),
#            per GiB resident; tracker memory per live block
set -u
B=$(cd "${1:-build}" && pwd)
QUICK=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
M=$B/bin/memdump
Q="/usr/bin/python3 $ROOT/tests/agent/dumpq.py"
REPS=5; [ -n "$QUICK" ] && REPS=3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/memdump-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export MEMDUMP_QUIET=1

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { echo "scale=2; $1 / $2" | bc; }

# bench GROUP BASE_CMD [LABEL CMD]...   (commands are strings, run with eval)
bench() {
    local group=$1; shift
    local -a labels=("without memdump") cmds=("$1")
    shift
    while [ $# -ge 2 ]; do labels+=("$1"); cmds+=("$2"); shift 2; done
    local n=${#cmds[@]} rep i
    for i in $(seq 0 $((n - 1))); do : > "$TMP/w$i"; : > "$TMP/c$i"; done
    for rep in $(seq 1 "$REPS"); do
        for i in $(seq 0 $((n - 1))); do
            if ! /usr/bin/time -f "%e %U %S" -o "$TMP/time" bash -c "${cmds[$i]}" > /dev/null 2> "$TMP/err"; then
                echo "agent bench: failed: ${cmds[$i]}" >&2
                tail -3 "$TMP/err" >&2
            fi
            read -r w u s < "$TMP/time"
            echo "$w" >> "$TMP/w$i"
            echo "$u + $s" | bc >> "$TMP/c$i"
        done
    done
    local bw bc w c
    bw=$(median < "$TMP/w0"); bc=$(median < "$TMP/c0")
    printf 'agent %-7s %-18s wall %7.3f s          cpu %7.3f s\n' "$group" "${labels[0]}" "$bw" "$bc"
    for i in $(seq 1 $((n - 1))); do
        w=$(median < "$TMP/w$i"); c=$(median < "$TMP/c$i")
        printf 'agent %-7s %-18s wall %7.3f s (%5sx) cpu %7.3f s (%5sx)\n' "$group" "${labels[$i]}" \
            "$w" "$(ratio "$w" "$bw")" "$c" "$(ratio "$c" "$bc")"
    done
}

cd "$TMP"

# ---- churn ----------------------------------------------------------------------------------
CH=$B/bench/agent_churn
ht=()
command -v heaptrack > /dev/null && ht=(heaptrack "heaptrack -o $TMP/ht $CH; rm -f $TMP/ht*")
bench churn "$CH" "default mode" "$M run --no-native -- $CH" "--native" "$M run --native -- $CH" "${ht[@]}"

# ---- gcc --------------------------------------------------------------------------------------
CC="for f in formats/md_writer.c formats/md_reader.c formats/md_records.c dump/agent/md_native.c \
dump/agent/md_child.c dump/agent/md_snapshot.c dump/agent/md_tracker.c dump/agent/md_unwind.c; do \
gcc -std=c11 -D_GNU_SOURCE -O2 -g -I$ROOT/formats -I$ROOT/dump/include -c $ROOT/\$f -o $TMP/o.o || exit 1; done"
bench gcc "$CC" "default mode" "$M run --no-native -- bash -c '$CC'" "--native" "$M run --native -- bash -c '$CC'"

# ---- python -----------------------------------------------------------------------------------
PY="/usr/bin/python3 $ROOT/tests/bench/agent_pywork.py"
bench python "$PY" "default mode" "$M run -- $PY" "--native" "$M run --native -- $PY"

# ---- pause, snapshot time, tracker memory ------------------------------------------------------
n=1000000; [ -n "$QUICK" ] && n=250000
"$M" run -q -- "$B/bench/agent_heap" "$n" 1024 > "$TMP/heap.out" &
runner=$!
for i in $(seq 1 600); do [ -s "$TMP/heap.out" ] && break; sleep 0.1; done
read -r pid rss_mb < "$TMP/heap.out"
: > "$TMP/p"; : > "$TMP/s"
for i in $(seq 1 "$REPS"); do
    "$M" --pid "$pid" -o "$TMP/h$i.dump" --timeout 120 > /dev/null || echo "agent bench: dump failed" >&2
    $Q "$TMP/h$i.dump" snapshot.pause_ns >> "$TMP/p"
    $Q "$TMP/h$i.dump" snapshot.child_ns >> "$TMP/s"
done
pause=$(median < "$TMP/p"); snap=$(median < "$TMP/s")
blocks=$($Q "$TMP/h1.dump" allocator.tracker.live_blocks)
over=$($Q "$TMP/h1.dump" allocator.tracker.overhead)
fsize=$(stat -c %s "$TMP/h1.dump")
kill -TERM "$pid"
wait "$runner"
gib=$(echo "scale=3; $rss_mb / 1024" | bc)
printf 'agent pause   %d blocks, RSS %.2f GiB: pause %.1f ms = %.1f ms/GiB; snapshot %.2f s = %.2f s/GiB; file %d MiB\n' \
    "$blocks" "$gib" "$(echo "$pause / 1000000" | bc -l)" "$(echo "$pause / 1000000 / $gib" | bc -l)" \
    "$(echo "$snap / 1000000000" | bc -l)" "$(echo "$snap / 1000000000 / $gib" | bc -l)" "$((fsize >> 20))"
printf 'agent tracker %d bytes for %d live blocks = %.1f bytes per block\n' "$over" "$blocks" \
    "$(echo "$over / $blocks" | bc -l)"
