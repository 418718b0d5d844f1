#!/bin/bash
# screenshots.sh — the README's pictures of the HTML reports: samples/html-analyze.png and
# samples/html-diff.png, taken in headless Chromium from a real run of samples/python/growth.py.
#
# usage: tests/html/screenshots.sh [BUILD_DIR]        (after make; needs the Python walker)
#
#   memdump run --python-sites -- /usr/bin/python3 samples/python/growth.py DIR 4
#   memanalyze DIR/growth-py.4.dump --html analyze.html      dominator tree, module:__main__'s
#                                                            dict opened, registry["users"] selected
#   memdiff DIR/growth-py.*.dump --html diff.html            growth sources, the first selected
#
# The reports themselves stay in BUILD/html-shots/readme for a look in a browser.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$ROOT/build}" && pwd)
BIN=$B/bin
source "$ROOT/tests/html/common.sh"
html_node_deps > /dev/null || { echo "screenshots: cannot install playwright-core (see $B/html-node/install.log)" >&2; exit 1; }
W=$SHOTS/readme
rm -rf "$W"
mkdir -p "$W/dumps"
"$BIN/memdump" run --python-sites -q -- /usr/bin/python3 "$ROOT/samples/python/growth.py" "$W/dumps" 4
"$MA" -q "$W/dumps/growth-py.4.dump" --html "$W/analyze.html"
"$MD" -q "$W"/dumps/growth-py.{1,2,3,4}.dump --html "$W/diff.html"
node "$HTML/shoot.js" "$W/analyze.html" "$ROOT/samples/html-analyze.png" --view dominators \
    --zoom "dict · module:__main__" --select "dict · users"
node "$HTML/shoot.js" "$W/diff.html" "$ROOT/samples/html-diff.png" --source 0
for f in "$ROOT/samples/html-analyze.png" "$ROOT/samples/html-diff.png"; do
    size=$(stat -c %s "$f")
    echo "screenshots: $f ($((size / 1024)) KiB)"
    [ "$size" -lt 204800 ] || { echo "screenshots: $f is over 200 KiB" >&2; exit 1; }
done
