/* md_snapshot.c — the parent's side of a snapshot (see md_snapshot.h).
 *
 * The clone: glibc's clone(fn, stack, flags=0, arg) — no CLONE_VM, so the child gets a
 * copy-on-write copy of the address space like fork(), but no atfork handlers run (the app's and
 * glibc's malloc fork handlers would take locks), and flags' low byte, the exit signal, is 0: the
 * parent gets no SIGCHLD and only waitpid with __WCLONE (or __WALL) sees the child, so the app's
 * own child handling never does. The child runs on md_g.child_stack, a region the parent never
 * uses, starting in md_child_main.
 *
 * The pause is measured from the moment the consistent point is reached to the moment it is
 * released (tracker locks held, GIL held for Python), which is what the rest of the program
 * waits on; it is written to the shared page, and the child waits for it before writing its
 * SNAPSHOT record.
 */
#include "md_snapshot.h"
#include "md_agent.h"
#include "md_fmt.h"
#include "md_snapctx.h"
#include "md_sys.h"
#include "md_threads.h"
#include "md_tls.h"
#include "md_tracker.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define GRACE_NS 1000000000ull      /* the parent kills the child this long after its deadline */

static md_snap_ctx *ctx_mem;

static void set_err(md_snap_result *r, int err, const char *fmt, const char *a)
{
    r->ok = 0;
    r->err = err;
    md_fmt(r->msg, sizeof r->msg, fmt, a);
}

/* ---- what only the parent can collect --------------------------------------------------------- */

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void collect_threads(md_snap_ctx *c)
{
    c->nthreads = 0;
    c->threads_truncated = 0;
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n <= 0) break;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
            off += d->d_reclen;
            if (d->d_name[0] < '0' || d->d_name[0] > '9') continue;
            if (c->nthreads == MD_PRE_THREADS) { c->threads_truncated = 1; continue; }
            md_pre_thread *t = &c->threads[c->nthreads++];
            memset(t, 0, sizeof *t);
            t->tid = (pid_t)md_parse_u64(d->d_name, NULL);
            if (t->tid == c->pid) t->flags |= MD_THREAD_MAIN;
            if (t->tid == c->snap_tid) t->flags |= MD_THREAD_SNAPSHOT;
            md_threads_bounds(t->tid, &t->stack_lo, &t->stack_hi);
            char path[64], name[32];
            md_fmt(path, sizeof path, "/proc/self/task/%d/comm", (int)t->tid);
            ssize_t k = md_read_file(path, name, sizeof name);
            if (k > 0) {
                if (name[k - 1] == '\n') name[--k] = 0;
                md_strlcpy(t->name, name, sizeof t->name);
            }
        }
    }
    close(fd);
}

static void collect_proc(md_snap_ctx *c, int fatal)
{
    char buf[8192];
    c->rss = c->rss_peak = -1;
    if (md_read_file("/proc/self/status", buf, sizeof buf) > 0) {
        c->rss = md_proc_field(buf, "VmRSS");
        c->rss_peak = md_proc_field(buf, "VmHWM");
    }
    c->have_mallinfo = 0;
    if (!fatal) {
        md_t.in_real = 1;           /* takes glibc's arena locks: see md_real.h */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        c->mi = mallinfo2();
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        md_t.in_real = 0;
        c->have_mallinfo = 1;
    }
    c->heap_hwm = md_tracker_hwm();
}

static int exists(const char *path)
{
    struct stat st;
    return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void plan_paths(md_snap_ctx *c, const md_snap_opts *o)
{
    if (o->path && o->path[0]) {
        md_strlcpy(c->final_path, o->path, sizeof c->final_path);
    } else {
        uint64_t n = c->seq;
        for (int tries = 0; tries < 1000; tries++, n++) {
            md_fmt(c->final_path, sizeof c->final_path, "%s/%s.%d.%lu.dump", md_g.cfg.dir,
                   md_g.prog, (int)c->pid, (unsigned long)n);
            if (!exists(c->final_path)) break;
        }
    }
    md_fmt(c->tmp_path, sizeof c->tmp_path, "%s.tmp.%d.%lu", c->final_path, (int)c->pid,
           (unsigned long)c->seq);
}

static void resolve_cxx(void)
{
    static const char *ti[3] = { "_ZTVN10__cxxabiv117__class_type_infoE",
                                 "_ZTVN10__cxxabiv120__si_class_type_infoE",
                                 "_ZTVN10__cxxabiv121__vmi_class_type_infoE" };
    for (int i = 0; i < 3; i++)
        md_g.cxx_ti_vtables[i] = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, ti[i]);
}

/* ---- fork phase ------------------------------------------------------------------------------- */

static int lock_snap(int fatal)
{
    if (!fatal) {
        md_lock_acquire(&md_g.snap_lock);
        return 0;
    }
    for (int i = 0; i < 2000; i++) {            /* up to ~2 s, then give up */
        if (md_lock_try(&md_g.snap_lock)) return 0;
        md_sleep_ns(1000000);
    }
    return -1;
}

/* Fatal path: take each tracker lock if it frees up quickly; the child copes with a table caught
 * mid-update (every read is bounds-checked). Returns a bitmask of shards not locked. */
static uint64_t lock_tracker_try(void)
{
    uint64_t missing = 0;
    for (uint32_t i = 0; i < MD_SHARDS; i++) {
        int ok = 0;
        for (int k = 0; k < 200 && !(ok = md_spin_try(&md_shards[i].lock)); k++) md_sleep_ns(50000);
        if (!ok) missing |= 1ull << i;
    }
    return missing;
}

static void unlock_tracker_some(uint64_t missing)
{
    for (uint32_t i = 0; i < MD_SHARDS; i++)
        if (!(missing & (1ull << i))) md_spin_release(&md_shards[i].lock);
}

int md_snapshot_fork(const md_snap_opts *o, md_inflight *inf, md_snap_result *r)
{
    int fatal = o->fatal_sig != 0;
    memset(r, 0, sizeof *r);
    memset(inf, 0, sizeof *inf);
    inf->child = -1;
    inf->pidfd = -1;
    if (!md_g.child_stack) { set_err(r, ENOMEM, "%s", "no stack for the snapshot child"); return -1; }
    md_t.guard++;
    if (!fatal) md_plugin_ensure();
    if (lock_snap(fatal) < 0) {
        md_t.guard--;
        set_err(r, EBUSY, "%s", "another snapshot is in progress");
        return -1;
    }
    if (!ctx_mem) ctx_mem = md_map(sizeof *ctx_mem);
    md_snap_ctx *c = ctx_mem;
    md_shared *sh = c ? md_map_shared(sizeof *sh) : NULL;
    if (!sh) {
        md_lock_release(&md_g.snap_lock);
        md_t.guard--;
        set_err(r, ENOMEM, "%s", "cannot map memory for the snapshot");
        return -1;
    }
    memset(c, 0, offsetof(md_snap_ctx, threads));
    c->opts = *o;
    md_strlcpy(c->reason, o->reason ? o->reason : "api", sizeof c->reason);
    c->opts.reason = c->reason;
    c->opts.path = NULL;
    c->seq = __atomic_add_fetch(&md_g.seq, 1, __ATOMIC_RELAXED);
    c->pid = getpid();
    c->ppid = getppid();
    c->snap_tid = md_gettid();
    c->sh = sh;
    c->native = md_native;
    c->mode = md_g.mode;
    c->plugin = fatal ? NULL : md_g.plugin;
    md_strlcpy(c->plugin_warning, md_g.plugin_warning, sizeof c->plugin_warning);
    c->r_debug = md_g.r_debug;
    c->self_addr = md_g.self_addr;
    c->main_tp = md_g.main_tp;
    c->tls_static_size = md_g.tls_static_size;
    if (!fatal && !md_g.cxx_ti_vtables[0]) resolve_cxx();   /* libstdc++ may have come later */
    memcpy(c->cxx_ti_vtables, md_g.cxx_ti_vtables, sizeof c->cxx_ti_vtables);
    uint64_t timeout = o->timeout_ns ? o->timeout_ns : md_g.cfg.timeout_ns;
    c->deadline_ns = md_now_ns() + timeout;
    plan_paths(c, o);
    collect_threads(c);
    collect_proc(c, fatal);
    c->wall_ns = md_wall_ns();

    char perr[256] = "";
    const md_plugin *pl = c->plugin;
    uint64_t safe_ns = o->safe_point_ns ? o->safe_point_ns : md_g.cfg.safe_point_ns;
    if (pl && pl->prepare && pl->prepare(safe_ns, perr, sizeof perr) != 0) {
        if (strcmp(c->reason, "exit") == 0) {
            /* at exit the runtime may be finalized already: dump what the agent itself sees */
            md_fmt(c->plugin_warning, sizeof c->plugin_warning, "the %s walker did not run: %s",
                   pl->name ? pl->name : "plugin", perr[0] ? perr : "it refused");
            pl = c->plugin = NULL;
        } else {
            md_unmap(sh, sizeof *sh);
            md_lock_release(&md_g.snap_lock);
            md_t.guard--;
            set_err(r, EAGAIN, "could not reach a safe point: %s", perr[0] ? perr : "plugin refused");
            return -1;
        }
    }

    if (!pl && md_g.plugin) c->mode &= ~md_g.plugin->mode;   /* no walker in this dump */

    uint64_t t0 = md_now_ns();
    uint64_t missing = 0;
    if (fatal) missing = lock_tracker_try();
    else md_tracker_lock_all();
    volatile uint64_t sp_marker = 0;
    c->snap_sp = (uint64_t)(uintptr_t)&sp_marker;
    pid_t pid = clone(md_child_main, md_g.child_stack + md_g.child_stack_size, 0, c);
    int cerr = errno;
    if (fatal) unlock_tracker_some(missing);
    else md_tracker_unlock_all();
    if (pl && pl->release) pl->release();
    uint64_t pause = md_now_ns() - t0;
    (void)sp_marker;

    if (pid < 0) {
        md_unmap(sh, sizeof *sh);
        md_lock_release(&md_g.snap_lock);
        md_t.guard--;
        set_err(r, cerr, "clone failed: %s", cerr == ENOMEM ? "out of memory" :
                cerr == EAGAIN ? "process limit reached" : "system error");
        return -1;
    }
    sh->pause_ns = pause;
    __atomic_store_n(&sh->pause_ready, 1, __ATOMIC_RELEASE);
    md_futex_wake(&sh->pause_ready, 1, 1);

    inf->child = pid;
    inf->sh = sh;
    inf->seq = c->seq;
    inf->timeout_ns = timeout;
    inf->deadline_ns = c->deadline_ns + GRACE_NS;
    md_strlcpy(inf->tmp, c->tmp_path, sizeof inf->tmp);
    if (!fatal) inf->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    md_lock_release(&md_g.snap_lock);
    md_t.guard--;
    r->seq = c->seq;
    r->pause_ns = pause;
    r->trigger_bytes = o->trigger_bytes;
    inf->trigger_bytes = o->trigger_bytes;
    return 0;
}

/* ---- wait phase ------------------------------------------------------------------------------- */

static void fill_result(md_inflight *inf, int status, md_snap_result *r)
{
    md_shared *sh = inf->sh;
    r->seq = inf->seq;
    r->trigger_bytes = inf->trigger_bytes;
    r->pause_ns = sh->pause_ns;
    md_strlcpy(r->warnings, sh->warn, sizeof r->warnings);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && sh->done && sh->status == 0) {
        r->ok = 1;
        r->blocks = sh->blocks;
        r->bytes = sh->bytes;
        r->file_bytes = sh->file_bytes;
        r->child_ns = sh->child_ns;
        md_strlcpy(r->path, sh->path, sizeof r->path);
        return;
    }
    r->ok = 0;
    if (sh->done && sh->status != 0) {
        r->err = sh->err ? sh->err : EIO;
        md_strlcpy(r->msg, sh->msg, sizeof r->msg);
    } else if (WIFSIGNALED(status)) {
        char sig[32];
        r->err = EIO;
        md_fmt(r->msg, sizeof r->msg, "the snapshot child died of signal %d%s",
               WTERMSIG(status), WTERMSIG(status) == SIGKILL ? " (killed: out of memory?)" : "");
        (void)sig;
    } else {
        r->err = EIO;
        md_fmt(r->msg, sizeof r->msg, "the snapshot child exited with status %d",
               WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    unlink(inf->tmp);       /* the child could not clean up after itself */
}

int md_snapshot_wait(md_inflight *inf, md_snap_result *r)
{
    int status = 0, killed = 0;
    md_t.guard++;
    for (;;) {
        pid_t w = waitpid(inf->child, &status, __WCLONE | WNOHANG);
        if (w == inf->child) break;
        if (w < 0 && errno != EINTR) { status = 0; break; }
        uint64_t now = md_now_ns();
        if (now >= inf->deadline_ns && !killed) {
            kill(inf->child, SIGKILL);
            killed = 1;
            continue;
        }
        int64_t left = killed ? 10000000 : (int64_t)(inf->deadline_ns - now);
        if (inf->pidfd >= 0) {
            struct pollfd p = { inf->pidfd, POLLIN, 0 };
            int ms = (int)(left / 1000000) + 1;
            poll(&p, 1, ms > 1000 ? 1000 : ms);
        } else {
            md_sleep_ns(left > 2000000 ? 2000000 : (uint64_t)left);
        }
    }
    if (inf->pidfd >= 0) close(inf->pidfd);
    if (killed && !(inf->sh->done)) {
        r->ok = 0;
        r->err = ETIMEDOUT;
        r->seq = inf->seq;
        r->trigger_bytes = inf->trigger_bytes;
        r->pause_ns = inf->sh->pause_ns;
        md_fmt(r->msg, sizeof r->msg, "the snapshot child exceeded its deadline of %lu ms and was "
               "killed", (unsigned long)(inf->timeout_ns / 1000000));
        md_strlcpy(r->warnings, inf->sh->warn, sizeof r->warnings);
        unlink(inf->tmp);
    } else {
        fill_result(inf, status, r);
    }
    md_unmap(inf->sh, sizeof *inf->sh);
    inf->sh = NULL;
    md_t.guard--;
    return r->ok ? 0 : -1;
}

int md_snapshot_take(const md_snap_opts *o, md_snap_result *r)
{
    md_inflight inf;
    if (md_snapshot_fork(o, &inf, r) < 0) return -1;
    return md_snapshot_wait(&inf, r);
}

void md_snapshot_describe(const md_snap_result *r, char *buf, size_t cap)
{
    if (!r->ok) {
        md_fmt(buf, cap, "snapshot %lu failed: %s", (unsigned long)r->seq, r->msg);
        return;
    }
    md_fmt(buf, cap, "%s: %lu blocks, %lu bytes, pause %lu.%03lu ms, snapshot %lu.%03lu ms",
           r->path, (unsigned long)r->blocks, (unsigned long)r->bytes,
           (unsigned long)(r->pause_ns / 1000000), (unsigned long)(r->pause_ns / 1000 % 1000),
           (unsigned long)(r->child_ns / 1000000), (unsigned long)(r->child_ns / 1000 % 1000));
}

/* ---- fatal signals ---------------------------------------------------------------------------- */

void md_snapshot_fatal(int sig, const void *uctx)
{
    static const char *names[32] = { [SIGSEGV] = "fatal:SIGSEGV", [SIGBUS] = "fatal:SIGBUS",
                                     [SIGABRT] = "fatal:SIGABRT", [SIGFPE] = "fatal:SIGFPE",
                                     [SIGILL] = "fatal:SIGILL" };
    md_snap_opts o;
    memset(&o, 0, sizeof o);
    o.reason = sig > 0 && sig < 32 && names[sig] ? names[sig] : "fatal";
    o.fatal_sig = sig;
    o.uctx = uctx;
    md_snap_result r;
    md_inflight inf;
    if (md_snapshot_fork(&o, &inf, &r) == 0) md_snapshot_wait(&inf, &r);
    char line[1024];
    md_snapshot_describe(&r, line, sizeof line);
    md_log("%s dump: %s", o.reason, line);
}
