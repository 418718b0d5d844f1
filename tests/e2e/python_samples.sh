#!/bin/bash
# python_samples.sh — the Python samples (samples/python/) under memdump, checked exactly
# through `memanalyze --json` (tests/python/sample_checks.py): a, b, c of memory_allocation as
# three variables and three lines of sys.getsizeof() bytes each; create_and_sum's 80 MB array
# owned by its local `arr`; each asyncio task's memory and the line it waits at; and the
# short-lived 800 KB array of allocate_and_free caught by --at-peak.
. "$(dirname "$0")/lib.sh"
if ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    echo "not ok python_samples: /usr/bin/python3 has no numpy (tests/setup/deps.sh installs it)"
    exit 0
fi
PYTHONPATH=$ROOT/tests/python /usr/bin/python3 "$ROOT/tests/python/sample_checks.py" "$B" "$ROOT/samples/python"
