/* md_snapctx.h — what the parent hands to the snapshot child (md_snapshot.c → md_child_main.c).
 *
 * It lives in memory the parent prepared before the clone; the child reads its own copy. Only
 * facts the child cannot find for itself are here: thread ids (the child has one thread), the
 * parent's own /proc figures and mallinfo2 (which takes malloc's locks), and the plan (paths,
 * deadline, reason).
 */
#ifndef MD_SNAPCTX_H
#define MD_SNAPCTX_H

#include "md_plugin.h"
#include "md_shared.h"
#include "md_snapshot.h"

#include <limits.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct md_pre_thread {
    pid_t tid;
    uint32_t flags;             /* MD_THREAD_MAIN, MD_THREAD_SNAPSHOT */
    uint64_t stack_lo, stack_hi;
    char name[16];
} md_pre_thread;

#define MD_PRE_THREADS 8192

typedef struct md_snap_ctx {
    md_snap_opts opts;
    char reason[64];
    uint64_t seq;
    char final_path[PATH_MAX];
    char tmp_path[PATH_MAX];
    uint64_t deadline_ns;
    uint64_t wall_ns;
    md_shared *sh;
    pid_t pid, ppid, snap_tid;
    uint32_t mode;
    int native;
    const md_plugin *plugin;
    char plugin_warning[512];
    uint64_t r_debug, self_addr;
    uint64_t cxx_ti_vtables[3]; /* vtables of __class_type_info, __si_…, __vmi_… (0 = unknown) */
    uint64_t main_tp;           /* the main thread's thread pointer (its static TLS ends there) */
    uint64_t tls_static_size;   /* glibc's static TLS size, 0 = unknown */
    uint64_t snap_sp;           /* stack pointer of the snapshotting thread at the clone */
    int64_t rss, rss_peak;      /* from the parent's /proc/self/status, -1 unknown */
    int have_mallinfo;
    struct mallinfo2 mi;
    uint64_t heap_hwm;
    uint32_t nthreads;
    int threads_truncated;
    md_pre_thread threads[MD_PRE_THREADS];
} md_snap_ctx;

/* The child's entry point (runs on md_g.child_stack, never returns). */
int md_child_main(void *arg);

#endif
