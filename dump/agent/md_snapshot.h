/* md_snapshot.h — taking a snapshot: the parent's side.
 *
 *   fork phase (md_snapshot_fork): pick the file name, collect what only the parent can see
 *     (thread ids and names, /proc/self/status, mallinfo2), bring the process to a consistent
 *     point (the plugin's prepare, e.g. the GIL; every tracker lock), clone a copy-on-write
 *     child with exit signal 0, release everything, and tell the child how long the pause was.
 *   wait phase (md_snapshot_wait): reap the child with __WCLONE, kill it at its deadline, and
 *     turn its report (shared page) into an md_snap_result.
 *
 * The two phases may run on different threads: a peak snapshot forks on the allocating thread
 * and is reaped by the control thread. Fork phases are serialized by md_g.snap_lock; children
 * may overlap. md_snapshot_fatal is the async-signal-safe variant used from fatal-signal
 * handlers: no plugin, locks only if they can be had at once, synchronous wait.
 */
#ifndef MD_SNAPSHOT_H
#define MD_SNAPSHOT_H

#include "md_shared.h"

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct md_snap_opts {
    const char *reason;         /* static string: "signal", "api", "exit", "peak", "rss", ... */
    const char *path;           /* NULL or "" = <dir>/<prog>.<pid>.<seq>.dump */
    uint64_t trigger_bytes;
    uint32_t trigger_stack;     /* tracker stack id of a peak's allocation */
    uint64_t timeout_ns;        /* 0 = the configured deadline */
    uint64_t safe_point_ns;     /* 0 = the configured wait for the runtime's safe point */
    int fatal_sig;              /* set by md_snapshot_fatal */
    const void *uctx;           /* ucontext_t of a fatal signal: register roots */
} md_snap_opts;

typedef struct md_snap_result {
    int ok;
    int err;                    /* errno-style cause when !ok */
    char msg[512];
    char path[PATH_MAX];
    uint64_t seq, blocks, bytes, file_bytes, pause_ns, child_ns;
    uint64_t trigger_bytes;     /* copied from the options */
    char warnings[MD_SHARED_WARN];
} md_snap_result;

typedef struct md_inflight {
    pid_t child;
    int pidfd;                  /* -1 if unavailable */
    md_shared *sh;
    uint64_t deadline_ns;
    uint64_t seq;
    uint64_t timeout_ns;
    uint64_t trigger_bytes;
    char tmp[PATH_MAX];
} md_inflight;

int md_snapshot_fork(const md_snap_opts *o, md_inflight *inf, md_snap_result *r);
int md_snapshot_wait(md_inflight *inf, md_snap_result *r);
/* Both phases on the calling thread. Returns 0 when the dump was written. */
int md_snapshot_take(const md_snap_opts *o, md_snap_result *r);
/* From a fatal-signal handler. */
void md_snapshot_fatal(int sig, const void *uctx);

/* One line "PATH: N blocks, B bytes, pause P ms, snapshot S ms" (or the failure). */
void md_snapshot_describe(const md_snap_result *r, char *buf, size_t cap);

#endif
