#!/bin/bash
# python_agent.sh — the CPython walker through the real agent (tests/python/agent_checks.py):
# memdump.snapshot() and `memdump --pid` on Python programs with exact per-variable sizes,
# --python-sites lines, the "could not reach a safe point" failure when a thread holds the GIL,
# snapshots while other threads keep running, and refusal of a mismatched interpreter version.
. "$(dirname "$0")/lib.sh"
if [ ! -f "$B/lib/memdump-py/python-$(/usr/bin/python3 -c 'import platform; print(platform.python_version())').so" ]; then
    echo "not ok python_agent: no walker plugin for /usr/bin/python3"
    exit 0
fi
PYTHONPATH=$ROOT/tests/python /usr/bin/python3 "$ROOT/tests/python/agent_checks.py" "$B"
