#!/bin/bash
# run.sh — `make fuzz`: libFuzzer on the dump reader for a bounded time; fails on any finding.
#
#   tests/fuzz/run.sh FUZZ_DIR GEN_SAMPLE_DUMP SECONDS
#
# Seeds are regenerated every run from the sample dump (tests/fuzz/sample_dump.h): whole files in
# several chunk sizes, a truncated one, and the inflated content of each chunk prefixed with 'R'
# (fuzz_reader.c then wraps mutations in valid frames, so they reach the record decoder). The
# working corpus persists in tests/fuzz/corpus-run/ (git-ignored) so longer runs build on shorter
# ones. Findings go to FUZZ_DIR/artifacts/ and make the script exit 1.
set -eu
FUZZ_DIR=$1 GEN=$2 SECONDS_=${3:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SEEDS=$FUZZ_DIR/seeds CORPUS=$ROOT/tests/fuzz/corpus-run ART=$FUZZ_DIR/artifacts
rm -rf "$SEEDS" "$ART"
mkdir -p "$SEEDS" "$CORPUS" "$ART"

"$GEN" "$SEEDS/sample-512.dump" 512 60 300
"$GEN" "$SEEDS/sample-4k.dump" 4096 200 5000
"$GEN" "$SEEDS/sample-big-chunks.dump"
"$GEN" "$SEEDS/tiny.dump" 64 3 2
head -c 1000 "$SEEDS/sample-512.dump" > "$SEEDS/truncated.dump"
/usr/bin/python3 - "$SEEDS" <<'PY'
import os, struct, sys, zlib
seeds = sys.argv[1]
for name in ("sample-512.dump", "tiny.dump"):
    data = open(os.path.join(seeds, name), "rb").read()
    off, n = 16, 0
    while off < len(data):
        _, stored, _, _ = struct.unpack_from("<4sIII", data, off)
        raw = zlib.decompress(data[off + 16:off + 16 + stored])
        open(os.path.join(seeds, f"records-{name}-{n}"), "wb").write(b"R" + raw)
        off, n = off + 16 + stored, n + 1
PY

echo "fuzz: $(ls "$SEEDS" | wc -l) seeds, corpus $(ls "$CORPUS" | wc -l) inputs, ${SECONDS_}s"
rc=0
"$FUZZ_DIR/fuzz_reader" -max_total_time="$SECONDS_" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -dict="$ROOT/tests/fuzz/reader.dict" -artifact_prefix="$ART/" -print_final_stats=1 \
    "$CORPUS" "$SEEDS" 2>"$FUZZ_DIR/fuzz.log" || rc=$?
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added)|ERROR|SUMMARY' "$FUZZ_DIR/fuzz.log" || true
if [ "$rc" != 0 ] || [ -n "$(ls -A "$ART")" ]; then
    echo "fuzz: FINDINGS (exit $rc) — see $FUZZ_DIR/fuzz.log and $ART/" >&2
    tail -n 40 "$FUZZ_DIR/fuzz.log" >&2
    exit 1
fi
echo "fuzz: nothing found in ${SECONDS_}s"
