#!/bin/bash
# export_collapsed.sh — memanalyze --collapsed, the "folded stacks" text that flamegraph.pl,
# inferno and speedscope read: one line per allocation site, frames outermost first joined by
# ';', a space, the live bytes.
#
# Debian has no flamegraph.pl or inferno package, so the consumer here is speedscope (its npm
# package, in headless Chromium): it must detect the format by itself and import exactly our
# stacks and weights (checked through its own JSON export). The lines must also parse the way
# flamegraph.pl and inferno split them, and equal memanalyze's sites and total bytes.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/export/common.sh"

make_samples
node_deps || exit 0
for s in "${SAMPLES[@]}"; do
    $MA -q --collapsed "$T/$s.dump" > "$T/$s.collapsed" 2> "$T/$s.err"
    check_eq "$s: --collapsed exit 0" "$?" 0
    sp=""
    if have_chromium; then
        if node "$EXP/speedscope_check.js" "$T/$s.collapsed" "$T/$s.speedscope.json" 2> "$T/$s.sp.err"; then
            sp=$T/$s.speedscope.json
        else
            echo "not ok $s: speedscope cannot import it: $(tail -n 5 "$T/$s.sp.err" | tr '\n' ' ')"
        fi
    fi
    $COMPARE collapsed "$s" "$T/$s.json" "$T/$s.collapsed" $sp
done
msg=$($MA --collapsed --json "$T/synth.dump" 2>&1); rc=$?
check_eq "--collapsed with --json: usage error" "$rc" 2
