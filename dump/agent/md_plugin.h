/* md_plugin.h — the interface between the agent and a language walker plugin.
 *
 * A plugin is a shared object built per language runtime version (dump/python/ builds one per
 * CPython found at build time: build/lib/memdump-py/python-3.11.2.so …). The agent dlopen()s the
 * one matching the running interpreter from its control thread, never from a signal handler, and
 * refuses (with a WARNING and a message on stderr) when none matches: walking a heap with the
 * wrong struct layout would produce nonsense.
 *
 * Threads and processes each function runs in:
 *   init     parent, control thread, once, after the runtime is initialized
 *   prepare  parent, control thread, before the fork: bring the runtime to a safe point (Python:
 *            take the GIL) within timeout_ns, or fail with a message ("could not reach a safe
 *            point: the GIL was not released within 5 s")
 *   release  parent, control thread, right after the clone: give the safe point back (the time
 *            from prepare's return to release is the target's pause: keep both ends tiny)
 *   walk     the snapshot child: emit nodes, edges, roots, types, tasks through md_child
 *   preinit  (optional) the agent's constructor, before main(), single-threaded, the runtime not
 *            yet initialized: hooks that must see the first allocation (--python-sites). Only
 *            called when the plugin is loaded that early (with --python-sites); init follows.
 *   defer    (optional) any thread, inside an allocation, no lock of the agent held: run
 *            fn(arg) at the runtime's next safe point of the program's own thread (Python: a
 *            pending call, GIL held, between two bytecodes). Must not allocate. The --at-peak
 *            trigger uses it to snapshot a short-lived peak while it is still alive. Returns 0
 *            when scheduled, -1 when it cannot (the agent then falls back to the control thread).
 *
 * ABI 2 added preinit and defer; a plugin of another ABI is refused (plugins are built with the
 * agent, so a mismatch means a stale build directory).
 */
#ifndef MD_PLUGIN_H
#define MD_PLUGIN_H

#include "md_child.h"
#include <stddef.h>
#include <stdint.h>

#define MD_PLUGIN_ABI 2

typedef struct md_plugin_env {
    int python_sites;          /* --python-sites: record a traceback per allocation */
    const char *lib_dir;       /* directory holding libmemdump.so */
    void (*log)(const char *msg);  /* agent's stderr logger (parent side only) */
} md_plugin_env;

typedef struct md_plugin {
    uint32_t abi;              /* MD_PLUGIN_ABI */
    const char *name;          /* "python 3.11.2" */
    uint32_t mode;             /* MD_MODE_* bits this plugin contributes */
    const char *runtime_version; /* written to PROCESS.python_version */
    int  (*init)(const md_plugin_env *env, char *err, size_t errlen);
    int  (*prepare)(uint64_t timeout_ns, char *err, size_t errlen);
    void (*release)(void);
    int  (*walk)(md_child *c);
    int  (*preinit)(const md_plugin_env *env);
    int  (*defer)(void (*fn)(void *arg), void *arg);
} md_plugin;

/* Every plugin exports this (default visibility). */
typedef const md_plugin *(*md_plugin_entry_fn)(void);
#define MD_PLUGIN_ENTRY "memdump_plugin"

#endif
