#!/bin/sh
# Installs the Debian packages memdump needs to build and test, if any are missing.
# Idempotent and silent when everything is present; needs root (CI and fresh machines run as root).
set -e
PKGS="gcc make libdwarf-dev libelf-dev libmsgpack-dev zlib1g-dev libunwind-dev python3 python3-dev
python3-numpy python3-msgpack clang libclang-rt-14-dev g++ binutils file llvm"
# memanalyze --export (libprotobuf-c, libsqlite3) and the consumers its tests check exports with:
# go tool pprof, the sqlite3 shell, Node.js for memlab/speedscope, Chromium for DevTools
PKGS="$PKGS libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev sqlite3 golang-go nodejs chromium"
# the Python samples' comparison runs (samples/python/*/with_memory_profiler.py)
PKGS="$PKGS python3-memory-profiler"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm: bundled with some nodejs builds, a package of its own in Debian's
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "memdump: missing packages:$missing — run 'make test' as root or install them" >&2
    exit 1
fi
echo "memdump: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
