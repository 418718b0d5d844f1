#!/bin/bash
# analyze_report.sh — memanalyze's numbers are exact on synthetic dumps of known content.
#
# gen-graph (tests/bench/gen_graph.c) writes dumps whose every size, type, site and root is fixed,
# so each number below is computed by hand from its description, not taken from memanalyze.
source "$(dirname "$0")/lib.sh"
GEN=$B/tools/gen-graph
MA=$BIN/memanalyze
PY=/usr/bin/python3

# jq-like field access with Debian's python: j FILE EXPR  (EXPR in Python, d = the JSON object)
j() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- native: list 1000 × 32 B, tree 111 × 64 B (fanout 10), 12 leaked 48 B blocks in chains of 4
$GEN "$T/n.dump" --list 1000 --tree 111 --fanout 10 --leaks 12 --chain 4
$MA --json --top 0 "$T/n.dump" > "$T/n.json"; rc=$?
check_eq "native: exit 0" "$rc" 0
BYTES=$((1000 * 32 + 111 * 64 + 12 * 48))
check_eq "native: summary objects" "$(j "$T/n.json" 'd["summary"]["objects"]')" 1123
check_eq "native: summary bytes" "$(j "$T/n.json" 'd["summary"]["bytes"]')" $BYTES
check_eq "native: unreachable objects" "$(j "$T/n.json" 'd["summary"]["unreachable_objects"]')" 12
check_eq "native: unreachable bytes" "$(j "$T/n.json" 'd["summary"]["unreachable_bytes"]')" 576
check_eq "native: unreferenced (one per chain)" "$(j "$T/n.json" 'd["summary"]["unreferenced_objects"]')" 3
check_eq "native: rss" "$(j "$T/n.json" 'd["summary"]["rss"]')" $((BYTES + 1048576))
check_eq "native: heap peak" "$(j "$T/n.json" 'd["summary"]["heap_peak"]')" $((BYTES + 100))
check_eq "native: malloc slack (usable - requested)" "$(j "$T/n.json" 'd["summary"]["allocator_slack"]')" $((8 * 1123))
check_eq "native: unexplained" "$(j "$T/n.json" 'd["summary"]["unexplained"]')" $((1048576 - 4096 - 8 * 1123 - 8192))
check_eq "native: types, largest first, C++ names demangled" \
    "$(j "$T/n.json" '[(t["type"], t["count"], t["bytes"], t["retained"]) for t in d["types"]]')" \
    "[('ListNode', 1000, 32000, 32000), ('app::TreeNode', 111, 7104, 7104), ('(native block)', 12, 576, 576)]"
check_eq "native: sites with stacks" \
    "$(j "$T/n.json" '[(s["function"], s["file"], s["line"], s["count"], s["bytes"], [f["function"] for f in s["stack"]]) for s in d["sites"]]')" \
    "[('make_list', 'gen.c', 20, 1000, 32000, ['make_list', 'main']), ('make_tree', 'gen.c', 30, 111, 7104, ['make_tree', 'main']), ('leak_it', 'gen.c', 40, 12, 576, ['leak_it', 'main'])]"
check_eq "native: top-level dominators with paths" \
    "$(j "$T/n.json" '[(x["type"], x["bytes"], x["retained"], x["path"], x["addr"]) for x in d["dominators"]]')" \
    "[('ListNode', 32, 32000, ['g_list'], '0x100000000'), ('app::TreeNode', 64, 7104, ['thread 1 stack'], '0x40000000000')]"
check_eq "native: leaks by site, unreferenced origins counted" \
    "$(j "$T/n.json" '[(x["function"], x["file"], x["line"], x["count"], x["bytes"], x["unreferenced"]) for x in d["leaks"]]')" \
    "[('leak_it', 'gen.c', 40, 12, 576, 3)]"
check_eq "native: suspects (the list's head, not a link deep inside it; the tree's root)" \
    "$(j "$T/n.json" '[(x["addr"], x["retained"], x["children"]) for x in d["suspects"]]')" \
    "[('0x100000000', 32000, 1), ('0x40000000000', 7104, 10)]"
check_eq "native: lists are sorted largest first" \
    "$(j "$T/n.json" 'all(a["bytes"] >= b["bytes"] for k in ("types","sites","leaks") for a, b in zip(d[k], d[k][1:]))')" True

# the same dump written in shuffled order analyzes identically
$GEN "$T/ns.dump" --list 1000 --tree 111 --fanout 10 --leaks 12 --chain 4 --shuffle
$MA --json --top 0 "$T/ns.dump" > "$T/ns.json"
check_eq "native: node order in the file does not matter" \
    "$(j "$T/ns.json" '[d[k] for k in ("summary","types","sites","dominators","leaks","suspects")]')" \
    "$(j "$T/n.json" '[d[k] for k in ("summary","types","sites","dominators","leaks","suspects")]')"

# --top cuts lists
check_eq "native: --top 1" "$($MA --json --top 1 "$T/n.dump" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(len(d["types"]), len(d["sites"]))')" "1 1"

# ---- Python-shaped: module → __dict__ → cache (list of 5 dicts), thread → frame → locals:buf,
#      and a cycle of two dicts no root reaches
$GEN "$T/p.dump" --python 5 --buf 1000
$MA --json --top 0 "$T/p.dump" > "$T/p.json"
PYBYTES=$((72 + 100 + 56 + 8 * 5 + 232 * 5 + 1000 + 2 * 232))
check_eq "python: objects (synthetic thread and frame excluded)" "$(j "$T/p.json" 'd["summary"]["objects"]')" 11
check_eq "python: synthetic nodes counted apart" "$(j "$T/p.json" 'd["summary"]["synthetic_nodes"]')" 2
check_eq "python: bytes" "$(j "$T/p.json" 'd["summary"]["bytes"]')" $PYBYTES
check_eq "python: cyclic garbage is unreachable" "$(j "$T/p.json" 'd["summary"]["unreachable_bytes"]')" 464
check_eq "python: garbage by type" "$(j "$T/p.json" 'd["garbage"]')" "[{'type': 'dict', 'count': 2, 'bytes': 464}]"
check_eq "python: no native leaks" "$(j "$T/p.json" 'd["leaks"]')" "[]"
check_eq "python: dominators and their paths" \
    "$(j "$T/p.json" '[(x["type"], x["label"], x["retained"], x["path"]) for x in d["dominators"]]')" \
    "[('module', 'module:__main__', 1428, ['module:__main__']), ('bytes', 'locals:buf', 1000, ['thread 1 (main)', 'work (app.py:12)', 'locals:buf'])]"
check_eq "python: the suspect is the list, named by its path" \
    "$(j "$T/p.json" '[(x["type"], x["retained"], x["path"], x["children"], x["child_types"]) for x in d["suspects"]][0]')" \
    "('list', 1256, ['module:__main__', '__dict__', 'cache'], 5, [{'type': 'dict', 'count': 5, 'retained': 1160}])"
check_eq "python: type retained sizes do not double count" \
    "$(j "$T/p.json" '[(t["type"], t["count"], t["bytes"], t["retained"]) for t in d["types"]]')" \
    "[('dict', 8, 1724, 1820), ('bytes', 1, 1000, 1000), ('list', 1, 96, 1256), ('module', 1, 72, 1428)]"
check_eq "python: sites from Python frames" \
    "$(j "$T/p.json" '[(s["function"], s["file"], s["line"], s["count"], s["bytes"]) for s in d["sites"]]')" \
    "[(None, None, 0, 6, 1732), ('fill', 'app.py', 5, 5, 1160)]"
$MA --json --by root --top 0 "$T/p.dump" > "$T/proot.json"
check_eq "python: --by root partitions memory by module global, thread local, unreachable" \
    "$(j "$T/proot.json" '[(g["key"], g["count"], g["bytes"]) for g in d["by"]["groups"]]')" \
    "[('module:__main__', 8, 1428), ('thread 1 (main) → work (app.py:12) → locals:buf', 1, 1000), ('(unreachable)', 2, 464)]"
$MA --json --paths 0x60000000200 "$T/p.dump" > "$T/ppath.json"
check_eq "python: --paths ADDR gives labeled path and dominator" \
    "$(j "$T/ppath.json" '[(x["type"], x["bytes"], x["retained"], x["path"], x["idom"]) for x in d["paths"]]')" \
    "[('list', 96, 1256, ['module:__main__', '__dict__', 'cache'], 6597069766912)]"
$MA --json --paths 0x60000000a10 "$T/p.dump" > "$T/pin.json"
check_eq "python: --paths with an interior address finds the containing object" \
    "$(j "$T/pin.json" '[x["path"] for x in d["paths"]]')" "[['module:__main__', '__dict__', 'cache', '[2]']]"

# ---- a million-long list through the whole tool: no recursion anywhere
$GEN "$T/long.dump" --list 1000000
$MA --json --top 3 "$T/long.dump" > "$T/long.json"; rc=$?
check_eq "long list: exit 0" "$rc" 0
check_eq "long list: head retains the whole list" "$(j "$T/long.json" 'd["dominators"][0]["retained"]')" 32000000
out=$($MA --paths 0x101e847e0 "$T/long.dump")
check_match "long list: the tail's path is elided in the middle" "$out" "g_list → ListNode .* … 999987 more … .*ListNode$"
