#!/bin/bash
# python_walker.sh — the CPython walker's own checks (tests/python/test_walker.py), once per
# CPython a plugin was built for: sizes against sys.getsizeof, the line-table decoder against
# co_lines(), labeled locals/attributes/globals, cyclic garbage, C-held objects, generators,
# threads, asyncio tasks, numpy arrays and a million objects. The dumps are taken through the
# _mdpywalk test module (the walker without the agent), and read with formats/read_dump.py.
. "$(dirname "$0")/lib.sh"
list=$B/lib/memdump-py/pythons.txt
if [ ! -s "$list" ]; then
    echo "not ok python_walker: no CPython 3.11 found at build time ($list is empty)"
    exit 0
fi
while read -r version inc libdir exe; do
    mod=$B/tests/python-$version
    if [ ! -f "$mod/_mdpywalk.so" ]; then
        echo "not ok python_walker_$version: $mod/_mdpywalk.so was not built"
        continue
    fi
    # numpy only exists for some interpreters; the test skips its numpy checks without it
    PYTHONPATH=$mod:$ROOT/tests/python "$exe" "$ROOT/tests/python/test_walker.py" 2>&1 |
        sed "s/^ok /ok py$version: /; s/^not ok /not ok py$version: /"
done < "$list"
