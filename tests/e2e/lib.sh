# lib.sh — sourced by end-to-end tests. Prints "ok NAME" / "not ok NAME: why" for tests/run.sh.
#
#   check NAME CMD...          passes if CMD exits 0
#   check_eq NAME GOT WANT     passes if the two strings are equal
#   check_match NAME TEXT RE   passes if TEXT matches the extended regex RE
#   tmpdir                     a per-test scratch directory, removed at exit ($T)
set -u
B=${MEMDUMP_BUILD:?run through tests/run.sh}
ROOT=${MEMDUMP_ROOT:?run through tests/run.sh}
BIN=$B/bin
T=$(mktemp -d "${TMPDIR:-/tmp}/memdump-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

check() {
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then echo "ok $name"
    else echo "not ok $name: '$*' failed: $(echo "$out" | tail -n 5 | tr '\n' ' ')"; fi
}
check_eq() {
    if [ "$2" = "$3" ]; then echo "ok $1"; else echo "not ok $1: got '$2', want '$3'"; fi
}
check_match() {
    if grep -Eq -- "$3" <<<"$2"; then echo "ok $1"
    else echo "not ok $1: /$3/ not found in: $(echo "$2" | head -c 600 | tr '\n' ' ')"; fi
}
check_nomatch() {
    if grep -Eq -- "$3" <<<"$2"; then echo "not ok $1: /$3/ unexpectedly found"
    else echo "ok $1"; fi
}
