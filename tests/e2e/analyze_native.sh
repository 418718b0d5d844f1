#!/bin/bash
# analyze_native.sh — memanalyze on a real dump of a C program taken by the agent.
#
# A small program (compiled here with -g) builds a linked list of 1000 48-byte nodes rooted in
# a global, and leaks 10 blocks of 100 bytes that nothing points to; `memdump run --at-exit`
# dumps it. memanalyze must find the list's allocation site by function, file and line, the
# global that keeps the list alive, and the leak with every block unreferenced.
#
# This is the hook for the agent's dumps: until build/bin/memdump and build/lib/libmemdump.so
# exist it checks nothing.
source "$(dirname "$0")/lib.sh"
MA=$BIN/memanalyze
PY=/usr/bin/python3
[ -x "$BIN/memdump" ] && [ -f "$B/lib/libmemdump.so" ] || exit 0

cat > "$T/prog.c" <<'C'
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char pad[40]; };
struct node *g_list;
__attribute__((noinline)) static void make_list(int n)
{
    for (int i = 0; i < n; i++) {
        struct node *p = malloc(sizeof *p); /* LIST_SITE */
        memset(p->pad, 1, sizeof p->pad);
        p->next = g_list;
        g_list = p;
    }
}
__attribute__((noinline)) static void leak_one(void)
{
    char *volatile p = malloc(100); /* LEAK_SITE */
    memset(p, 2, 100);
    p = NULL;
}
__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char junk[16384];
    memset((char *)junk, 0, sizeof junk);
}
int main(void)
{
    make_list(1000);
    for (int i = 0; i < 10; i++) leak_one();
    scrub_stack();
    return 0;
}
C
gcc -std=c11 -O0 -g -fno-omit-frame-pointer -o "$T/prog" "$T/prog.c" || { echo "not ok native: cannot compile the sample"; exit 0; }
list_line=$(grep -n LIST_SITE "$T/prog.c" | cut -d: -f1)
leak_line=$(grep -n LEAK_SITE "$T/prog.c" | cut -d: -f1)

mkdir -p "$T/out"
"$BIN/memdump" run --native --at-exit --dir "$T/out" -- "$T/prog" > "$T/run.out" 2>&1
dump=$(ls "$T"/out/*.dump 2>/dev/null | head -n 1)
check "native: memdump run --at-exit wrote a dump" test -n "$dump"
[ -n "$dump" ] || exit 0

$MA --json --top 0 "$dump" > "$T/a.json" 2> "$T/a.err"
check_eq "native: memanalyze exit 0" "$?" 0
q() { $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$T/a.json"; }
check_eq "native: the list's site, exact count and bytes" \
    "$(q '[(s["function"], s["file"].split("/")[-1], s["line"], s["count"], s["bytes"]) for s in d["sites"] if s["function"] == "make_list"]')" \
    "[('make_list', 'prog.c', $list_line, 1000, 48000)]"
check_eq "native: the global that keeps the list alive" \
    "$(q '[x["path"][0] for x in d["dominators"] if x["retained"] >= 48000][:1]')" "['global g_list (prog)']"
check_eq "native: the leak, every block unreferenced" \
    "$(q '[(x["function"], x["line"], x["count"], x["bytes"], x["unreferenced"]) for x in d["leaks"] if x["function"] == "leak_one"]')" \
    "[('leak_one', $leak_line, 10, 1000, 10)]"

# A global array of chain heads (samples/c/cache.c): every chain is its own top-level dominator
# and none retains 10%, so the suspects group them by root and name the array.
mkdir -p "$T/cache"
"$BIN/memdump" run --at-exit --dir "$T/cache" -- "$B/samples/cache" 1 > "$T/cache.out" 2>&1
cdump=$(ls "$T"/cache/*.dump 2>/dev/null | head -n 1)
check "native: the cache sample dumped at exit" test -n "$cdump"
if [ -n "$cdump" ]; then
    $MA --json --suspects "$cdump" > "$T/c.json"
    check_eq "native: the cache's bucket array is a root suspect, with all its chains" \
        "$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["suspect_roots"]; print([(x["root"], x["objects"], x["retained"] * 10 >= d["summary"]["bytes"] * 9, x["types"][0]["type"]) for x in r])' "$T/c.json")" \
        "[('global cache (cache)', 1024, True, '(block from cache_put)')]"
    check_match "native: the text report names the array" "$($MA --suspects "$cdump")" \
        "1\. global cache \(cache\): 1,024 top-level objects retain .* together"
fi
