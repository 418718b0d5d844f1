#!/bin/bash
# The one test runner: C unit tests and end-to-end scripts alike.
#
# Every test program prints one line per check, "ok NAME" or "not ok NAME: why" (tests/unit/check.h
# and tests/e2e/lib.sh do this). The runner runs each program with a time limit, shows failures,
# counts checks, and ends with "N passed, N failed". A program that exits non-zero or times out
# without reporting a failure counts as one failed check, so a crash can never pass silently.
#
# usage: tests/run.sh BUILD_DIR [FILTER]      FILTER: substring of test names to run
set -u
B=${1:-build}
FILTER=${2:-${T:-}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$B" && pwd)
export MEMDUMP_BUILD=$B MEMDUMP_ROOT=$ROOT
LIMIT=${TEST_TIMEOUT:-300}
passed=0 failed=0
failures=()

run_one() {  # name, command...
    local name=$1; shift
    local out rc p f
    out=$(timeout -k 5 "$LIMIT" "$@" 2>&1); rc=$?
    p=$(grep -c '^ok ' <<<"$out")
    f=$(grep -c '^not ok ' <<<"$out")
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
        [ "$rc" = 124 ] && out="$out"$'\n'"not ok $name: timed out after ${LIMIT}s" \
                        || out="$out"$'\n'"not ok $name: exited with status $rc"
    fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" != 0 ]; then
        printf 'FAIL %-40s %d passed, %d failed\n' "$name" "$p" "$f"
        # show the failing checks and what the program said just before them
        grep -B3 '^not ok ' <<<"$out" | sed 's/^/    /' | tail -n 60
        failures+=("$name")
    else
        printf 'pass %-40s %d checks\n' "$name" "$p"
    fi
}

for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    n=unit/$(basename "$t")
    [ -n "$FILTER" ] && [[ $n != *$FILTER* ]] && continue
    run_one "$n" "$t"
done
for t in "$ROOT"/tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    [ "$(basename "$t")" = lib.sh ] && continue
    n=e2e/$(basename "$t" .sh)
    [ -n "$FILTER" ] && [[ $n != *$FILTER* ]] && continue
    run_one "$n" bash "$t"
done

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
