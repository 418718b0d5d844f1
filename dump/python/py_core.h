/* py_core.h — the one place the CPython walker includes the interpreter's headers.
 *
 * Every file of the walker is compiled once per CPython installation found at build time,
 * against that installation's own headers (dump/python/build.mk passes -isystem INCLUDE_DIR and
 * -DMD_PY_VERSION="3.11.2"). The internal headers (Py_BUILD_CORE, internal/pycore_*.h) give the
 * exact layouts of frames, dict keys, the GC lists and the interpreter state, so the walker reads
 * them as the interpreter itself does, without ever calling into it from the snapshot child.
 *
 * Only the 3.11 layout is implemented; any other version fails to compile here, and the build
 * only selects 3.11.x interpreters, so a plugin can never be built for a layout it does not know.
 */
#ifndef PY_CORE_H
#define PY_CORE_H

#define Py_BUILD_CORE 1
#include <Python.h>
#include <frameobject.h>
#include <opcode.h>
#include <structmember.h>
#include <internal/pycore_code.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_gc.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_moduleobject.h>
#include <internal/pycore_object.h>
#include <internal/pycore_pystate.h>
#include <internal/pycore_runtime.h>

#include <stddef.h>
#include <stdint.h>

#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030C0000
#error "memdump's CPython walker implements the 3.11 object layout only"
#endif

#ifndef MD_PY_VERSION
#error "MD_PY_VERSION must name the exact interpreter version (set by dump/python/build.mk)"
#endif

/* Addresses in the target as integers: the child reads the frozen heap through plain pointers,
 * but everything it writes to the dump is an address. */
#define PA(p) ((uint64_t)(uintptr_t)(p))
#define PP(a) ((PyObject *)(uintptr_t)(a))

#endif
