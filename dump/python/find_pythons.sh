#!/bin/sh
# find_pythons.sh — the CPython installations the walker plugin can be built for.
#
# Prints one line per distinct version: "VERSION INCLUDE_DIR LIB_DIR EXECUTABLE". A candidate
# qualifies when it is CPython 3.11 (the layout py_core.h implements) and its internal headers
# are installed. Candidates: the system's python3.X, pyenv's versions, and anything listed in
# $MEMDUMP_PYTHONS (space-separated executables). The first installation of a version wins.
seen=""
for exe in /usr/bin/python3.[0-9]* /usr/local/bin/python3.[0-9]* \
           "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/python3 ${MEMDUMP_PYTHONS:-}; do
    case "$exe" in *-config|*-dbg*|*[!0-9.]m) continue ;; esac
    [ -x "$exe" ] || continue
    line=$("$exe" - <<'PY' 2>/dev/null
import os, sys, sysconfig, platform
if platform.python_implementation() == "CPython" and sys.version_info[:2] == (3, 11):
    inc = sysconfig.get_paths()["include"]
    if os.path.exists(os.path.join(inc, "internal", "pycore_frame.h")):
        print(platform.python_version(), inc, sysconfig.get_config_var("LIBDIR") or "-", sys.executable)
PY
)
    [ -n "$line" ] || continue
    v=${line%% *}
    case " $seen " in *" $v "*) continue ;; esac
    seen="$seen $v"
    echo "$line"
done
