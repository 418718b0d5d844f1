/* py_plugin.h — parent-side checks of py_plugin.c, shared with the test module
 * (tests/python/pywalk_module.c) that drives the walker without the agent. */
#ifndef PY_PLUGIN_H
#define PY_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

/* 0 when this interpreter's version and layout are those compiled in; else -1 and why. */
int py_layout_check(char *err, size_t errlen);
/* The address range of the interpreter's image (executable or libpython). 0 or -1. */
int py_core_range(uint64_t *lo, uint64_t *hi);

#endif
