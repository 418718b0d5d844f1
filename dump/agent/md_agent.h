/* md_agent.h — the agent's configuration and process-wide state, shared by its parts.
 *
 * The agent (libmemdump.so) is loaded into every process started under `memdump run`. Its
 * constructor (md_agent.c) reads the configuration from MEMDUMP_* variables, decides the mode
 * (native tracking for non-Python programs unless told otherwise), installs the trigger signal
 * and the fatal-signal handlers, and starts the control thread. Everything else hangs off the
 * state declared here.
 */
#ifndef MD_AGENT_H
#define MD_AGENT_H

#include "md_lock.h"
#include "md_plugin.h"

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct md_config {
    char dir[PATH_MAX];         /* MEMDUMP_DIR, else the working directory at start-up */
    int native;                 /* MEMDUMP_NATIVE: 1 on, 0 off, -1 automatic */
    int at_exit;                /* MEMDUMP_AT_EXIT */
    unsigned at_peak_pct;       /* MEMDUMP_AT_PEAK: 0 off, else percent over the last peak */
    uint64_t at_rss;            /* MEMDUMP_AT_RSS: bytes, 0 off */
    int signo;                  /* MEMDUMP_SIGNAL: 0 = default real-time signal */
    int python_sites;           /* MEMDUMP_PYTHON_SITES */
    uint64_t timeout_ns;        /* MEMDUMP_TIMEOUT: the snapshot child's deadline */
    uint64_t safe_point_ns;     /* MEMDUMP_SAFE_POINT_TIMEOUT: how long to wait for the runtime's
                                   safe point (Python: the GIL) before giving up, default 5 s */
    int fatal;                  /* MEMDUMP_FATAL: last-gasp dumps on fatal signals (default 1) */
    int depth;                  /* MEMDUMP_DEPTH: native stack depth (default 32) */
    uint64_t peak_interval_ns;  /* MEMDUMP_PEAK_INTERVAL: minimum time between peak dumps */
    uint64_t peak_min;          /* MEMDUMP_PEAK_MIN: no peak dump below this live heap */
    uint64_t rss_interval_ns;   /* MEMDUMP_RSS_INTERVAL: statm polling period */
    char plugin[PATH_MAX];      /* MEMDUMP_PLUGIN: load this walker plugin (tests) */
    int disabled;               /* MEMDUMP_DISABLE: load but do nothing */
} md_config;

typedef struct md_agent {
    md_config cfg;
    int ready;                  /* constructor finished */
    pid_t pid, ppid;
    char lib_dir[PATH_MAX];     /* directory of libmemdump.so */
    char prog[256];             /* basename of the executable, for file names */
    uint64_t self_addr;         /* an address inside libmemdump.so */
    uint64_t r_debug;           /* &_r_debug, for module discovery in the child */
    uint64_t main_tp;           /* the main thread's thread pointer */
    uint64_t tls_static_size;   /* from _dl_get_tls_static_info, 0 = unknown */
    uint64_t cxx_ti_vtables[3]; /* for C++ type recovery, resolved lazily */
    int trigger_sig;            /* the signal that requests a snapshot, 0 = none */
    int python;                 /* the process embeds CPython */
    uint32_t mode;              /* MD_MODE_* in force */
    const md_plugin *plugin;    /* loaded walker, or NULL */
    char plugin_warning[512];   /* why no walker, written into every dump */
    uint64_t seq;               /* snapshots started (atomic) */
    int wake;                   /* futex word the control thread sleeps on */
    pid_t control_tid;
    int control_running;
    char *child_stack;          /* stack the snapshot child runs on */
    size_t child_stack_size;
    md_lock snap_lock;          /* serializes the fork phase of snapshots */
} md_agent;

extern md_agent md_g;

void md_config_load(md_config *cfg);

/* The control thread (md_control.c). */
int md_control_start(void);
void md_control_wake(void);     /* async-signal-safe */

/* The trigger signal (md_trigger.c): choose and install it. */
void md_trigger_install(void);
/* Fatal-signal last-gasp dumps (md_fatal.c). */
void md_fatal_install(void);

/* Walker plugins (md_plugin_host.c). */
/* Constructor: is this Python? With --python-sites, also loads the walker now and lets it hook
 * the allocator before the interpreter starts (md_plugin.preinit). */
void md_plugin_detect(void);
/* Any thread about to snapshot: if the runtime is up but the control thread has not loaded the
 * walker yet, load it now (or wait for the control thread that is loading it), so that an early
 * snapshot still has the runtime's objects. */
void md_plugin_ensure(void);
/* Control thread: load the plugin once the runtime is up. Returns the ns until it wants to be
 * called again, or -1 when done. */
int64_t md_plugin_poll(void);

/* At-exit dumps (md_agent.c). */
void md_agent_at_exit(void);

#endif
