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
 */
#ifndef MD_PLUGIN_H
#define MD_PLUGIN_H

#include "md_child.h"
#include <stddef.h>
#include <stdint.h>

#define MD_PLUGIN_ABI 1

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
} md_plugin;

/* Every plugin exports this (default visibility). */
typedef const md_plugin *(*md_plugin_entry_fn)(void);
#define MD_PLUGIN_ENTRY "memdump_plugin"

#endif
