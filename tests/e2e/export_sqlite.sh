#!/bin/bash
# export_sqlite.sh — memanalyze --export sqlite, read with the sqlite3 command-line shell and
# Python's sqlite3 module.
#
# For each sample dump the tables, and aggregates computed from their raw rows, must equal
# memanalyze --json: summary, types, sites with their stacks, top-level dominators. The example
# queries of README's export section run here as written (top types, who retains X, growth
# between two dumps through ATTACH, importing several dumps into one database), with results
# known from gen-graph's construction. Bad input and unwritable destinations fail clearly.
source "$(dirname "$0")/lib.sh"
source "$ROOT/tests/export/common.sh"

if ! command -v sqlite3 > /dev/null; then
    echo "not ok sqlite: the sqlite3 shell is not installed (tests/setup/deps.sh installs it)"
    exit 0
fi
sql() { sqlite3 -batch -bail "$@" 2>&1; }

make_samples
for s in "${SAMPLES[@]}"; do
    $MA -q "$T/$s.dump" --export sqlite "$T/$s.db" > /dev/null 2> "$T/$s.err"
    check_eq "$s: --export sqlite exit 0" "$?" 0
    check_eq "$s: integrity_check" "$(sql "$T/$s.db" 'PRAGMA integrity_check')" ok
    $COMPARE sqlite "$s" "$T/$s.json" "$T/$s.db"
done

# README's example queries, on two synthetic dumps whose difference is known: the list grows
# from 400 to 900 nodes of 32 bytes.
"$B/tools/gen-graph" "$T/before.dump" --list 400 --tree 300 --leaks 8 --python 10 > /dev/null
"$B/tools/gen-graph" "$T/after.dump" --list 900 --tree 300 --leaks 8 --python 10 > /dev/null
$MA -q "$T/before.dump" --export sqlite "$T/before.db" && $MA -q "$T/after.dump" --export sqlite "$T/after.db"
check_eq "two dumps exported" "$?" 0

out=$(sql "$T/after.db" "SELECT name, count, bytes, retained FROM types ORDER BY bytes DESC LIMIT 3")
check_eq "README: top types" "$out" $'ListNode|900|28800|28800\napp::TreeNode|300|19200|19200\ndict|13|2884|3020'

out=$(sql "$T/after.db" "SELECT function, file, line, count, bytes FROM sites ORDER BY bytes DESC LIMIT 2")
check_eq "README: top allocation sites" "$out" $'make_list|gen.c|20|900|28800\nmake_tree|gen.c|30|300|19200'

out=$(sql "$T/after.db" "SELECT printf('0x%x', n.addr), t.name, n.size, d.retained
  FROM dominators d JOIN nodes n ON n.id = d.node JOIN types t ON t.id = n.type
  WHERE d.idom IS NULL AND n.reachable ORDER BY d.retained DESC LIMIT 2")
check_eq "README: largest top-level objects" "$out" $'0x100000000|ListNode|32|28800\n0x40000000000|app::TreeNode|64|19200'

# who retains the 101st list node (0x100000000 + 32 * 100): its dominator chain to the top
out=$(sql "$T/after.db" "WITH RECURSIVE up(node, depth) AS (
    SELECT id, 0 FROM nodes WHERE addr = 0x100000c80
    UNION ALL SELECT d.idom, up.depth + 1 FROM up JOIN dominators d ON d.node = up.node WHERE d.idom IS NOT NULL)
  SELECT up.depth, printf('0x%x', n.addr), t.name, d.retained
  FROM up JOIN nodes n ON n.id = up.node JOIN types t ON t.id = n.type JOIN dominators d ON d.node = n.id
  ORDER BY up.depth")
check_eq "README: who retains X: 101 links up to the list head" "$(wc -l <<<"$out")" 101
check_eq "README: who retains X: the chain starts at X" "$(head -n 1 <<<"$out")" '0|0x100000c80|ListNode|25600'
check_eq "README: who retains X: and ends at the list's head" "$(tail -n 1 <<<"$out")" '100|0x100000000|ListNode|28800'

out=$(sql "$T/after.db" "SELECT printf('0x%x', n.addr), e.label FROM edge_labels e JOIN nodes n ON n.id = e.src
  WHERE e.dst = (SELECT id FROM nodes WHERE addr = 0x100000c80) ORDER BY n.addr")
check_eq "README: who points at X" "$out" $'0x100000c60|\n0x100000ca0|'

out=$(sql "$T/after.db" "WITH RECURSIVE up(node, depth) AS (
    SELECT id, 0 FROM nodes WHERE addr = 0x100000c80
    UNION ALL SELECT d.path_parent, up.depth + 1 FROM up JOIN dominators d ON d.node = up.node
    WHERE d.path_parent IS NOT NULL)
  SELECT r.kind, r.name FROM up JOIN roots r ON r.node = up.node ORDER BY up.depth DESC LIMIT 1")
check_eq "README: the root that keeps X alive" "$out" 'global|g_list'

out=$(sql "$T/before.db" "ATTACH '$T/after.db' AS b;
  SELECT name, ifnull(new.count, 0) - ifnull(old.count, 0) AS more_objects,
         ifnull(new.bytes, 0) - ifnull(old.bytes, 0) AS more_bytes
  FROM main.types AS old FULL JOIN b.types AS new USING (name)
  WHERE more_objects != 0 OR more_bytes != 0 ORDER BY more_bytes DESC")
check_eq "README: growth by type between two dumps (ATTACH)" "$out" 'ListNode|500|16000'

out=$(sql "$T/before.db" "ATTACH '$T/after.db' AS b;
  SELECT function, file, line, sum(new_bytes) - sum(old_bytes) AS growth FROM (
    SELECT function, file, line, bytes AS old_bytes, 0 AS new_bytes FROM main.sites
    UNION ALL SELECT function, file, line, 0, bytes FROM b.sites)
  GROUP BY function, file, line HAVING growth != 0 ORDER BY growth DESC")
check_eq "README: growth by allocation site (ATTACH)" "$out" 'make_list|gen.c|20|16000'

rm -f "$T/fleet.db"
out=$(sql "$T/fleet.db" "ATTACH '$T/before.db' AS d1; ATTACH '$T/after.db' AS d2;
  CREATE TABLE dumps AS SELECT 1 AS dump, * FROM d1.dump;
  INSERT INTO dumps SELECT 2, * FROM d2.dump;
  CREATE TABLE all_types AS SELECT 1 AS dump, * FROM d1.types;
  INSERT INTO all_types SELECT 2, * FROM d2.types;
  SELECT t.dump, d.objects, t.count FROM all_types t JOIN dumps d USING (dump)
  WHERE t.name = 'ListNode' ORDER BY t.dump")
check_eq "README: several dumps imported into one database" "$out" $'1|724|400\n2|1224|900'

# errors
printf 'MDMP\r\n\032\n\002\000\000\000\020\000\000\000' > "$T/v2.dump"
msg=$($MA "$T/v2.dump" --export sqlite "$T/x.db" 2>&1); rc=$?
check_eq "unsupported version: exit 1" "$rc" 1
check_match "unsupported version: says why" "$msg" 'v2\.dump.*version'
check "unsupported version: no database left" test ! -e "$T/x.db"
check_eq "unsupported version: no temporary file left" "$(ls -A "$T" | grep -c '^\.x\.db\.')" 0
truncated_dump
$MA -q "$T/trunc.dump" --export sqlite "$T/trunc.db" > /dev/null 2>&1; rc=$?
check_eq "truncated dump: exit 3 (what was read is exported)" "$rc" 3
check_eq "truncated dump: the dump row says incomplete" "$(sql "$T/trunc.db" 'SELECT complete FROM dump')" 0
msg=$($MA "$T/before.dump" --export sqlite "$T/before.dump/x.db" 2>&1); rc=$?
check_eq "unwritable output: exit 1" "$rc" 1
check_match "unwritable output: clear message" "$msg" 'cannot write .*before\.dump/x\.db: Not a directory'
ln -s "$T/elsewhere.db" "$T/link.db"
$MA -q "$T/before.dump" --export sqlite "$T/link.db"
check "output through a symlink: the link is replaced, its target never written" test ! -e "$T/elsewhere.db"
check "output through a symlink: the database is in place" test -f "$T/link.db" -a ! -L "$T/link.db"

# interrupted: SIGTERM while exporting removes the temporary file and creates no database
"$B/tools/gen-graph" "$T/mid.dump" --tree 300000 --fanout 4 > /dev/null
$MA -q "$T/mid.dump" --export sqlite "$T/int.db" > /dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do ls -A "$T" | grep -q '^\.int\.db\.' && break; sleep 0.02; done
kill -TERM $pid 2> /dev/null
wait $pid; rc=$?
check_eq "interrupted export: killed by SIGTERM" "$rc" 143
check_eq "interrupted export: no file left" "$(ls -A "$T" | grep -c 'int\.db')" 0
