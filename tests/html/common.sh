# common.sh — shared by tests/e2e/html_*.sh (sourced after tests/e2e/lib.sh) and the screenshot
# and benchmark scripts.
#
# The reports are checked in Debian's Chromium (tests/setup/deps.sh installs it) driven by
# playwright-core, installed from npm once per version of tests/html/package-lock.json into
# $B/html-node, with npm's cache under $B and every browser download disabled. Screenshots of the
# checked reports are kept in $B/html-shots for people to look at.

HTML=$ROOT/tests/html
MA=$BIN/memanalyze
MD=$BIN/memdiff
PY=/usr/bin/python3
SHOTS=$B/html-shots

# html_node_deps: playwright-core into $B/html-node (once per lockfile); sets NODE_PATH.
html_node_deps() {
    local dir=$B/html-node stamp
    command -v node > /dev/null && command -v npm > /dev/null ||
        { echo "not ok browser: node/npm are not installed (tests/setup/deps.sh)"; return 1; }
    [ -x /usr/bin/chromium ] || { echo "not ok browser: /usr/bin/chromium is missing (tests/setup/deps.sh)"; return 1; }
    stamp=$(cat "$HTML/package.json" "$HTML/package-lock.json" | sha256sum | cut -c1-16)
    mkdir -p "$dir"
    (
        flock 9
        if [ "$(cat "$dir/.stamp" 2> /dev/null)" != "$stamp" ]; then
            rm -rf "$dir/node_modules" "$dir/.stamp"
            cp "$HTML/package.json" "$HTML/package-lock.json" "$HTML/.npmrc" "$dir/"
            cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_cache="$B/npm-cache" \
                npm ci --ignore-scripts --no-audit --no-fund > "$dir/install.log" 2>&1 && echo "$stamp" > "$dir/.stamp"
        fi
    ) 9> "$dir.lock"
    if [ "$(cat "$dir/.stamp" 2> /dev/null)" != "$stamp" ]; then
        echo "not ok browser: npm ci failed: $(tail -n 5 "$dir/install.log" | tr '\n' ' ')"
        return 1
    fi
    export NODE_PATH=$dir/node_modules
    mkdir -p "$SHOTS"
}

# static_checks NAME FILE: what can be read without a browser — one file, its data element is
# valid JSON, nothing is loaded from anywhere (no src/href attributes on loadable elements, a CSP
# that forbids fetching), and the overview carries the given byte count.
static_checks() {
    local name=$1 file=$2 want=$3
    local out
    out=$($PY - "$file" "$want" <<'PY'
import json, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="md-data">(.*?)</script>', s, re.S)
print("data=%s" % ("json" if m and json.loads(m.group(1)) is not None else "missing"))
print("loads=%d" % len(re.findall(r'<(?:script|img|link|iframe|audio|video|source|object|embed)\b[^>]*\s(?:src|href)\s*=', s, re.I)))
print("csp=%s" % ("yes" if "default-src 'none'" in s else "no"))
print("headline=%s" % ("yes" if re.search(r'data-bytes="%s"' % re.escape(sys.argv[2]), s) else "no"))
PY
)
    check_match "$name: data element is valid JSON" "$out" 'data=json'
    check_match "$name: nothing loaded from elsewhere" "$out" 'loads=0'
    check_match "$name: CSP forbids every fetch" "$out" 'csp=yes'
    check_match "$name: the headline number is in the HTML itself" "$out" 'headline=yes'
}
