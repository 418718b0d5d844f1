#!/bin/bash
# analyze_views.sh — memanalyze's text views: report sections, --by, --stacks, --collapsed,
# --leaks, --suspects, --paths TYPE, --top, and the flame-graph line format.
source "$(dirname "$0")/lib.sh"
GEN=$B/tools/gen-graph
MA=$BIN/memanalyze
$GEN "$T/n.dump" --list 1000 --tree 111 --fanout 10 --leaks 12 --chain 4 --python 5

out=$($MA "$T/n.dump"); rc=$?
check_eq "report: exit 0" "$rc" 0
for s in "Memory" "Top dominators" "Suspects" "Top types" "Top allocation sites" "Leaks" \
         "Unreachable Python objects"; do
    check_match "report: section $s" "$out" "^$s"
done
check_match "report: header names the command" "$out" "command +.*gen-graph"
check_match "report: totals line for live objects" "$out" "live objects +1,120 +40.6 KiB"
check_match "report: unexplained RSS shown" "$out" "unexplained +1003 KiB"
check_match "report: human units and aligned columns" "$out" "  31.2 KiB +[0-9.]+% +32 B +ListNode +g_list"
check_match "report: leak row with unreferenced count" "$out" "12 +576 B +3 +576 B +leak_it \(gen.c:40\) ← main"

check_eq "--collapsed: flamegraph lines, outermost first" "$($MA --collapsed "$T/n.dump")" \
"main (gen.c:10);make_list (gen.c:20) 32000
main (gen.c:10);make_tree (gen.c:30) 7104
(no stack recorded) 1732
work (app.py:12);fill (app.py:5) 1160
main (gen.c:10);leak_it (gen.c:40) 576"
# every line parses as "stack count" the way flamegraph.pl splits it
bad=$($MA --collapsed "$T/n.dump" | grep -Evc '^[^;]+(;[^;]+)* [0-9]+$')
check_eq "--collapsed: every line is 'frames count'" "$bad" 0

out=$($MA --stacks "$T/n.dump")
check_match "--stacks: callee indented under caller" "$out" "31.2 KiB +[0-9.]+% +make_list \(gen.c:20\)"
check_match "--stacks: root line" "$out" "all \(1,134 objects\)"
check_match "--stacks: small branches folded" "$($MA --stacks --min-percent 10 "$T/n.dump")" "… 2 smaller"

for k in type site function file line module root; do
    out=$($MA --by $k "$T/n.dump"); rc=$?
    check_eq "--by $k: exit 0" "$rc" 0
    check_match "--by $k: table" "$out" "Memory by $k"
done
check_match "--by line: file:line keys" "$($MA --by line "$T/n.dump")" "32,?000? .*gen.c:20|1,000 +31.2 KiB .*gen.c:20"
check_match "--by module: Python frames by file" "$($MA --by module "$T/n.dump")" "app.py"

out=$($MA --leaks "$T/n.dump")
check_match "--leaks: totals" "$out" "12 unreachable native blocks, 576 B; 3 unreferenced"
out=$($MA --suspects "$T/n.dump")
check_match "--suspects: the list head" "$out" "ListNode at 0x100000000 retains 31.2 KiB"
out=$($MA --paths app::TreeNode --top 2 "$T/n.dump")
check_match "--paths TYPE: largest first" "$out" "app::TreeNode at 0x40000000000: self 64 B, retained 6.94 KiB"
check_match "--paths TYPE: second one is a child of the root" "$out" "thread 1 stack → app::TreeNode"
check_eq "--paths TYPE: --top 2 shows two" "$(grep -c 'retained by' <<<"$out")" 2
out=$($MA --paths 0x7 "$T/n.dump")
check_match "--paths: unknown address said plainly" "$out" "no node at or around address 0x7"
out=$($MA --stats "$T/n.dump")
check_match "--stats: bytes per node reported" "$out" "bytes/node"
out=$($MA --json --stats --leaks "$T/n.dump")
check_match "--json with views: the stats view" "$out" '"held_bytes": [0-9]+'
check_match "--json with views: the leaks view" "$out" '"leaks": \['
check_match "--json with views: warnings" "$out" '"warnings": \['
check_nomatch "--json with views: no unrequested views" "$out" '"types":'
