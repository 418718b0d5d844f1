# common.sh — shared by tests/e2e/export_*.sh (sourced after tests/e2e/lib.sh).
#
# Each export test runs a consumer we did not write on the exports of sample dumps and compares
# its numbers exactly with memanalyze --json (tests/export/compare.py does the comparing):
#
#   synth    build/tools/gen-graph: native list/tree/leaks plus a Python-shaped graph (labels,
#            synthetic thread and frame nodes, a garbage cycle), shuffled like the Python walker
#   native   tests/export/prog.c run under `memdump run --native --at-exit` (when the agent is
#            built): real symbolized stacks with an inlined allocation site, per-site counters,
#            leaks and an edge from garbage to live memory
#   python   tests/export/prog.py dumped with `memdump --pid` (when the Python walker is built)
#
# Consumers that come from npm (memlab, playwright-core, speedscope) are installed once per
# version of tests/export/package-lock.json into $B/export-node, with npm's cache under $B too
# and every browser download disabled; Chromium is Debian's (tests/setup/deps.sh).

MA=$BIN/memanalyze
PY=/usr/bin/python3
EXP=$ROOT/tests/export
COMPARE="$PY $EXP/compare.py"

# go_offline: Go runs offline (HOME, GOCACHE and GOPATH under the build directory, no proxy, no
# symbolization) and pprof() is `go tool pprof`; returns 1, saying why, when go is missing.
go_offline() {
    if ! command -v go > /dev/null; then
        echo "not ok pprof: go is not installed (tests/setup/deps.sh installs golang-go)"
        return 1
    fi
    export HOME=$B/export-go GOCACHE=$B/export-go/cache GOPATH=$B/export-go/path GOPROXY=off \
           GOFLAGS=-mod=mod GOTOOLCHAIN=local GOTELEMETRY=off
    mkdir -p "$HOME"
    pprof() { go tool pprof -symbolize=none "$@"; }
}

# make_samples: writes $T/NAME.dump and $T/NAME.json for each sample that can be made here and
# lists the names in SAMPLES. Taking the real dumps is itself checked.
make_samples() {
    SAMPLES=()
    if "$B/tools/gen-graph" "$T/synth.dump" --list 400 --tree 3000 --fanout 9 --leaks 30 --chain 3 \
        --python 60 --shuffle > /dev/null 2>&1; then
        SAMPLES+=(synth)
    else
        echo "not ok samples: gen-graph failed"
    fi
    if [ -x "$BIN/memdump" ] && [ -f "$B/lib/libmemdump.so" ]; then
        mkdir -p "$T/native"
        if gcc -std=c11 -O2 -g -fno-omit-frame-pointer -o "$T/prog" "$EXP/prog.c"; then
            "$BIN/memdump" run --native --at-exit --dir "$T/native" -- "$T/prog" > "$T/native.out" 2>&1
            local d
            d=$(ls "$T"/native/*.dump 2>/dev/null | head -n 1)
            check "samples: native dump written" test -n "$d"
            [ -n "$d" ] && mv "$d" "$T/native.dump" && SAMPLES+=(native)
        else
            echo "not ok samples: cannot compile tests/export/prog.c"
        fi
    fi
    if [ -x "$BIN/memdump" ] && ls "$B"/lib/memdump-py/*.so > /dev/null 2>&1 && [ -x "$PY" ]; then
        take_python_dump && SAMPLES+=(python)
    fi
    local s
    for s in "${SAMPLES[@]}"; do
        $MA -q --json --top 0 --types --sites --dominators --by function "$T/$s.dump" > "$T/$s.json"
        local rc=$?
        [ $rc = 0 ] || echo "not ok samples: memanalyze --json $s exited $rc"
    done
}

# truncated_dump: $T/trunc.dump, a dump cut in the middle (loads with a warning, exit status 3).
truncated_dump() {
    "$B/tools/gen-graph" "$T/whole.dump" --list 3000 --chunk 4096 > /dev/null 2>&1
    head -c $(($(stat -c %s "$T/whole.dump") / 2)) "$T/whole.dump" > "$T/trunc.dump"
}

take_python_dump() {
    mkdir -p "$T/py"
    "$BIN/memdump" run -v --dir "$T/py" -- "$PY" "$EXP/prog.py" 60 > "$T/py.out" 2>&1 &
    local runner=$! pid="" i
    for i in $(seq 1 200); do
        grep -q '^ready' "$T/py.out" 2>/dev/null && break
        sleep 0.1
    done
    pid=$(sed -n 's/.* as pid \([0-9][0-9]*\).*/\1/p' "$T/py.out" | head -n 1)
    local ok=1
    if [ -z "$pid" ] || ! grep -q '^ready' "$T/py.out"; then
        echo "not ok samples: the Python program did not start under memdump run: $(head -c 300 "$T/py.out")"
        ok=0
    elif ! timeout 60 "$BIN/memdump" --pid "$pid" -o "$T/python.dump" > "$T/py.dump.out" 2>&1; then
        echo "not ok samples: memdump --pid on Python failed: $(head -c 300 "$T/py.dump.out")"
        ok=0
    else
        echo "ok samples: python dump written"
    fi
    [ -n "$pid" ] && kill "$pid" 2> /dev/null
    kill "$runner" 2> /dev/null
    wait "$runner" 2> /dev/null
    [ $ok = 1 ]
}

# node_deps: installs the npm consumers into $B/export-node (once per lockfile) and sets NODE_PATH.
node_deps() {
    local dir=$B/export-node stamp
    command -v npm > /dev/null || { echo "not ok consumers: npm is not installed (tests/setup/deps.sh)"; return 1; }
    stamp=$(cat "$EXP/package.json" "$EXP/package-lock.json" | sha256sum | cut -c1-16)
    mkdir -p "$dir"
    (
        flock 9
        if [ "$(cat "$dir/.stamp" 2> /dev/null)" != "$stamp" ]; then
            rm -rf "$dir/node_modules" "$dir/.stamp"
            cp "$EXP/package.json" "$EXP/package-lock.json" "$EXP/.npmrc" "$dir/"
            cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
                npm_config_cache="$B/npm-cache" npm ci --ignore-scripts --no-audit --no-fund \
                > "$dir/install.log" 2>&1 && echo "$stamp" > "$dir/.stamp"
        fi
    ) 9> "$dir.lock"
    if [ "$(cat "$dir/.stamp" 2> /dev/null)" != "$stamp" ]; then
        echo "not ok consumers: npm ci failed: $(tail -n 5 "$dir/install.log" | tr '\n' ' ')"
        return 1
    fi
    export NODE_PATH=$dir/node_modules
}

# have_chromium: Debian's Chromium is installed (tests/setup/deps.sh puts it there).
have_chromium() {
    if [ -x /usr/bin/chromium ]; then return 0; fi
    echo "not ok consumers: /usr/bin/chromium is missing (tests/setup/deps.sh installs it)"
    return 1
}
