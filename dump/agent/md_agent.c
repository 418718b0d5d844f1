/* md_agent.c — the agent's constructor, fork handling and at-exit snapshot.
 *
 * Start-up order matters: the real allocator is resolved first (everything else may allocate),
 * then the configuration, Python detection (which decides the default mode), the thread registry,
 * libunwind (native mode only), the tracker, the signals, and last the control thread. With
 * MEMDUMP_DISABLE the library only forwards the malloc family.
 *
 * fork(): the prepare handler takes the thread registry's and every tracker lock, so the child
 * inherits consistent tables; in the child, the vanished threads' counter deltas are folded in,
 * every agent lock is reset, and a new control thread starts: the child is a process of its own,
 * with its own dumps (named with its own pid). The handlers are registered in the constructor,
 * before the program's, so ours run last in prepare and first in the child.
 */
#include "md_agent.h"
#include "md_control.h"
#include "md_fmt.h"
#include "md_peak.h"
#include "md_real.h"
#include "md_snapshot.h"
#include "md_sys.h"
#include "md_threads.h"
#include "md_tls.h"
#include "md_tracker.h"
#include "md_unwind.h"
#include "md_stacktab.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHILD_STACK (1u << 20)

md_agent md_g;

static void at_fork_prepare(void)
{
    md_t.guard++;
    md_threads_lock();
    if (md_native) md_tracker_lock_all();
}

static void at_fork_parent(void)
{
    if (md_native) md_tracker_unlock_all();
    md_threads_unlock();
    md_t.guard--;
}

static void at_fork_child(void)
{
    md_g.pid = getpid();
    md_g.ppid = getppid();
    md_g.seq = 0;
    md_lock_reset(&md_g.snap_lock);
    if (md_native) md_tracker_fork_child();
    else md_threads_after_fork_child();
    md_threads_unlock();
    md_peak_after_fork();
    md_control_after_fork();
    md_t.guard--;
}

void md_agent_at_exit(void)
{
    md_snap_opts o;
    memset(&o, 0, sizeof o);
    o.reason = "exit";
    md_snap_result r;
    md_snapshot_take(&o, &r);
    char line[1024];
    md_snapshot_describe(&r, line, sizeof line);
    md_log("exit dump: %s", line);
}

static void find_self(void)
{
    Dl_info info;
    md_g.self_addr = (uint64_t)(uintptr_t)&find_self;
    if (dladdr((void *)&find_self, &info) && info.dli_fname) {
        md_strlcpy(md_g.lib_dir, info.dli_fname, sizeof md_g.lib_dir);
        char *slash = strrchr(md_g.lib_dir, '/');
        if (slash) *slash = 0;
        else md_strlcpy(md_g.lib_dir, ".", sizeof md_g.lib_dir);
    }
    md_g.r_debug = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "_r_debug");
    uint64_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    md_g.main_tp = tp;
    void (*tls_info)(size_t *, size_t *) =
        (void (*)(size_t *, size_t *))dlsym(RTLD_DEFAULT, "_dl_get_tls_static_info");
    if (tls_info) {
        size_t size = 0, align = 0;
        tls_info(&size, &align);
        md_g.tls_static_size = size;
    }
    static const char *ti[3] = { "_ZTVN10__cxxabiv117__class_type_infoE",
                                 "_ZTVN10__cxxabiv120__si_class_type_infoE",
                                 "_ZTVN10__cxxabiv121__vmi_class_type_infoE" };
    for (int i = 0; i < 3; i++) md_g.cxx_ti_vtables[i] = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, ti[i]);
}

__attribute__((constructor)) static void md_agent_init(void)
{
    md_t.guard++;
    md_real_resolve();
    md_config_load(&md_g.cfg);
    if (md_g.cfg.disabled) {
        md_tracker_init(0, 0, 0);
        md_t.guard--;
        return;
    }
    md_g.pid = getpid();
    md_g.ppid = getppid();
    md_strlcpy(md_g.prog, program_invocation_short_name ? program_invocation_short_name : "prog",
               sizeof md_g.prog);
    for (char *p = md_g.prog; *p; p++) if (*p == '/' || *p == ' ') *p = '_';
    find_self();
    md_plugin_detect();
    int native = md_g.cfg.native >= 0 ? md_g.cfg.native : !md_g.python;
    md_threads_init();
    if (native && md_unwind_init() < 0)
        md_log("libunwind.so.8 not found: allocation stacks use frame pointers only");
    md_tracker_init(native, md_g.cfg.at_peak_pct != 0, md_g.cfg.depth);
    md_g.mode = (native ? MD_MODE_NATIVE : 0) | (md_g.cfg.at_peak_pct ? MD_MODE_PEAK : 0) |
                (md_g.cfg.python_sites ? MD_MODE_PYTHON_SITES : 0);
    md_peak_init();
    md_g.child_stack_size = CHILD_STACK;
    md_g.child_stack = md_map(CHILD_STACK);
    pthread_atfork(at_fork_prepare, at_fork_parent, at_fork_child);
    md_trigger_install();
    md_fatal_install();
    if (md_g.cfg.at_exit) atexit(md_agent_at_exit);
    md_g.ready = 1;
    md_control_start();
    md_t.guard--;
}
/* At exit: let the peak children finish (a lower peak's file would be left behind otherwise);
 * MEMDUMP_STATS=1: one line of tracker statistics (for benchmarks and tuning). */
__attribute__((destructor)) static void md_agent_fini(void)
{
    if (!md_g.ready) return;
    if (md_g.pid == getpid()) md_peak_at_exit();
    if (!getenv("MEMDUMP_STATS")) return;
    md_log("stats: rules from .eh_frame %lu, from libunwind %lu, stacks %u, live %ld bytes, "
           "tracker memory %lu bytes", (unsigned long)md_unwind_cfi_learned(),
           (unsigned long)md_unwind_learned(), md_stacktab_count(), (long)md_tracker_live(),
           (unsigned long)md_tracker_overhead());
}
