/* md_child_main.c — the snapshot child: from the clone to _exit.
 *
 * Runs in a copy-on-write copy of the target with a single thread, on the agent's own stack.
 * Rules: no malloc, no stdio, no locks, no app code. Memory comes from the md_child arena, the
 * file is written by the no-malloc writer to "<final>.tmp.<pid>.<seq>" (O_CREAT|O_EXCL|
 * O_NOFOLLOW, mode 0600), fsync'd, and renamed to the final name without replacing an existing
 * file (renameat2 RENAME_NOREPLACE), then the directory is fsync'd. The outcome goes to the shared
 * page for the parent.
 *
 * A SIGSEGV/SIGBUS (or SIGILL/SIGFPE) in the child — a walker read memory that was not what it
 * looked like — jumps back here: the temporary file is removed and the failure is reported with
 * the faulting address and what the child was doing, instead of a silent death.
 *
 * Record order: PROCESS, MODULE*, THREAD*, then the graph (STRING/TYPE/FRAME/STACK records appear
 * as they are first referenced), ALLOCATOR, WARNINGs as they happen, and SNAPSHOT last: it
 * carries the pause, which the parent publishes just after the clone.
 */
#include "md_allocstats.h"
#include "md_child_int.h"
#include "md_fmt.h"
#include "md_modules.h"
#include "md_native.h"
#include "md_shared.h"
#include "md_snapctx.h"
#include "md_stacktab.h"
#include "md_sys.h"
#include "md_tracker.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#define ARENA_BASE (128ull << 20)

const char *volatile md_child_phase = "starting";

static sigjmp_buf fault_jb;
static volatile uint64_t fault_addr;
static volatile int fault_sig;
static md_child child;
static md_writer writer;
static int out_fd = -1;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    fault_sig = sig;
    fault_addr = (uint64_t)(uintptr_t)si->si_addr;
    siglongjmp(fault_jb, 1);
}

static void guard_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
    sigset_t mask;
    sigfillset(&mask);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigdelset(&mask, sigs[i]);
    }
    sigprocmask(SIG_SETMASK, &mask, NULL);
}

__attribute__((noreturn)) static void fail(md_snap_ctx *ctx, int err, const char *msg)
{
    md_shared *sh = ctx->sh;
    if (out_fd >= 0) close(out_fd);
    unlink(ctx->tmp_path);
    sh->status = 1;
    sh->err = err ? err : EIO;
    md_strlcpy(sh->msg, msg, sizeof sh->msg);
    __atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
    _exit(1);
}

static void writer_check(md_snap_ctx *ctx)
{
    if (writer.err) fail(ctx, writer.err, md_writer_error(&writer));
}

/* ---- PROCESS and THREAD records ------------------------------------------------------------- */

static void write_process(md_child *c, md_snap_ctx *ctx)
{
    char exe[PATH_MAX];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[el > 0 ? el : 0] = 0;
    size_t cap = 256 << 10;
    char *cmd = md_child_alloc(c, cap + 1);
    ssize_t cl = cmd ? md_read_file("/proc/self/cmdline", cmd, cap + 1) : -1;
    uint32_t argc = 0;
    md_str *argv = NULL;
    if (cl > 0) {
        for (ssize_t i = 0; i < cl; i++) if (!cmd[i]) argc++;
        if (cmd[cl - 1]) argc++;
        argv = md_child_alloc(c, (argc + 1) * sizeof *argv);
        if (!argv) argc = 0;
        uint32_t k = 0;
        for (ssize_t i = 0, start = 0; i <= cl && k < argc; i++) {
            if (i == cl || !cmd[i]) {
                argv[k].ptr = cmd + start;
                argv[k].len = (uint32_t)(i - start);
                k++;
                start = i + 1;
            }
        }
    }
    struct utsname u;
    int have_host = uname(&u) == 0;
    const char *pyv = ctx->plugin && ctx->plugin->runtime_version ? ctx->plugin->runtime_version : "";
    md_process p = {
        (uint64_t)ctx->pid, (uint64_t)ctx->ppid, { exe, (uint32_t)strlen(exe) }, argv, argc,
        ctx->wall_ns, { pyv, (uint32_t)strlen(pyv) },
        { have_host ? u.nodename : "", have_host ? (uint32_t)strlen(u.nodename) : 0 },
        (uint64_t)getpagesize(),
    };
    md_w_process(c->w, &p);
}

static void write_threads(md_child *c, md_snap_ctx *ctx)
{
    for (uint32_t i = 0; i < ctx->nthreads; i++) {
        const md_pre_thread *t = &ctx->threads[i];
        uint64_t lo = t->stack_lo, hi = t->stack_hi;
        if (t->flags & MD_THREAD_MAIN) {
            for (size_t k = 0; k < c->maps.n; k++)
                if (c->maps.e[k].flags & MD_MAP_STACK) { lo = c->maps.e[k].lo; hi = c->maps.e[k].hi; }
        }
        uint32_t name = t->name[0] ? md_child_string(c, t->name, strlen(t->name)) : 0;
        md_thread r = { (uint64_t)t->tid, name, lo, hi, t->flags };
        md_w_thread(c->w, &r);
    }
    if (ctx->threads_truncated)
        md_child_warn(c, "more than %d threads: the rest are not listed", MD_PRE_THREADS);
}

/* ---- finishing ------------------------------------------------------------------------------ */

static uint64_t wait_pause(md_snap_ctx *ctx)
{
    md_shared *sh = ctx->sh;
    while (!__atomic_load_n(&sh->pause_ready, __ATOMIC_ACQUIRE)) {
        int64_t left = (int64_t)ctx->deadline_ns - (int64_t)md_now_ns();
        if (left <= 0) return 0;
        md_futex_wait(&sh->pause_ready, 0, left > 100000000 ? 100000000 : left, 1);
    }
    return sh->pause_ns;
}

static void sync_dir(const char *path)
{
    char dir[PATH_MAX];
    md_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (!slash) { dir[0] = '.'; dir[1] = 0; }
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) { fsync(fd); close(fd); }
}

static int publish(md_snap_ctx *ctx)
{
    if (renameat2(AT_FDCWD, ctx->tmp_path, AT_FDCWD, ctx->final_path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    /* filesystem without RENAME_NOREPLACE: link() refuses to replace too */
    if (link(ctx->tmp_path, ctx->final_path) == 0) { unlink(ctx->tmp_path); return 0; }
    return -1;
}

static void absolute(char *out, size_t cap, const char *path)
{
    if (path[0] == '/') { md_strlcpy(out, path, cap); return; }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) { md_strlcpy(out, path, cap); return; }
    md_fmt(out, cap, "%s/%s", cwd, path);
}

static size_t arena_size(void)
{
    return (size_t)(ARENA_BASE + md_tracker_count_entries() * 64 +
                    (uint64_t)md_stacktab_count() * 96);
}

int md_child_main(void *arg)
{
    md_snap_ctx *ctx = arg;
    uint64_t t0 = md_now_ns();
    md_shared *sh = ctx->sh;
    guard_signals();
    prctl(PR_SET_NAME, "memdump-snap", 0, 0, 0);
    char msg[512];
    if (sigsetjmp(fault_jb, 1)) {
        md_fmt(msg, sizeof msg, "the snapshot child got signal %d reading %p while %s",
               fault_sig, (void *)(uintptr_t)fault_addr, md_child_phase);
        fail(ctx, EFAULT, msg);
    }
    md_child *c = &child;
    if (md_child_init(c, arena_size(), ctx->deadline_ns, sh) < 0)
        fail(ctx, ENOMEM, "cannot map the snapshot arena");
    md_child_phase = "opening the output file";
    void *wmem = md_child_alloc(c, MD_WRITER_MEM_SIZE);
    if (!wmem) fail(ctx, ENOMEM, "cannot allocate the writer's memory");
    out_fd = open(ctx->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out_fd < 0) {
        int e = errno;
        md_fmt(msg, sizeof msg, "cannot create %s: %s", ctx->tmp_path, strerrordesc_np(e));
        fail(ctx, e, msg);
    }
    if (md_writer_init(&writer, wmem, MD_WRITER_MEM_SIZE, md_fd_sink, &out_fd, 1) < 0)
        writer_check(ctx);
    md_child_set_writer(c, &writer);

    char rollup[4096];
    int64_t rss_anon = -1, rss_file = -1;
    if (md_read_file("/proc/self/smaps_rollup", rollup, sizeof rollup) > 0) {
        int64_t rss = md_proc_field(rollup, "Rss");
        rss_anon = md_proc_field(rollup, "Anonymous");
        if (rss >= 0 && rss_anon >= 0) rss_file = rss - rss_anon;
    }

    md_child_phase = "writing process information";
    write_process(c, ctx);
    writer_check(ctx);
    if (!c->maps_ok) md_child_warn(c, "/proc/self/maps unreadable: memory checks will fail");
    md_child_phase = "reading the module list";
    md_modtab mods;
    md_modules_collect(c, &mods, ctx->r_debug, ctx->self_addr);
    writer_check(ctx);
    md_child_phase = "listing threads";
    write_threads(c, ctx);
    if (ctx->plugin_warning[0]) md_child_warn(c, "%s", ctx->plugin_warning);
    writer_check(ctx);

    md_native_out nat;
    memset(&nat, 0, sizeof nat);
    if (ctx->native) {
        if (md_native_emit(c, ctx, &mods, &nat) < 0) writer_check(ctx);
        writer_check(ctx);
    } else {
        md_native_stack_bytes(c, ctx, &nat);
    }
    uint64_t walker_nodes = md_writer_count(&writer, MD_NODE);
    uint64_t walker_bytes = md_writer_node_bytes(&writer);
    if (ctx->plugin && ctx->plugin->walk) {
        md_child_phase = "walking the runtime's objects (plugin)";
        if (ctx->plugin->walk(c) != 0)
            md_child_warn(c, "the %s walker reported a failure", ctx->plugin->name);
        writer_check(ctx);
    }
    walker_nodes = md_writer_count(&writer, MD_NODE) - walker_nodes;
    walker_bytes = md_writer_node_bytes(&writer) - walker_bytes;

    md_child_phase = "writing allocator statistics";
    md_allocstats_emit(c, ctx, &nat, rss_anon, rss_file);
    md_child_warn_flush(c);
    writer_check(ctx);

    md_child_phase = "waiting for the pause figure";
    uint64_t pause = wait_pause(ctx);
    uint64_t child_ns = md_now_ns() - t0;
    md_snapshot snap = {
        { ctx->reason, (uint32_t)strlen(ctx->reason) }, ctx->mode, ctx->seq, pause, child_ns,
        ctx->opts.trigger_bytes, nat.trigger_stack, ctx->heap_hwm,
    };
    md_w_snapshot(&writer, &snap);
    md_writer_finish(&writer);
    writer_check(ctx);
    md_child_phase = "syncing the file";
    if (fsync(out_fd) < 0 && errno != EINVAL) {
        int e = errno;
        md_fmt(msg, sizeof msg, "fsync of %s failed: %s", ctx->tmp_path, strerrordesc_np(e));
        fail(ctx, e, msg);
    }
    close(out_fd);
    out_fd = -1;
    if (publish(ctx) < 0) {
        int e = errno;
        if (e == EEXIST) md_fmt(msg, sizeof msg, "%s already exists; not overwriting it", ctx->final_path);
        else md_fmt(msg, sizeof msg, "cannot rename %s to %s: %s", ctx->tmp_path, ctx->final_path, strerrordesc_np(e));
        fail(ctx, e, msg);
    }
    sync_dir(ctx->final_path);
    absolute(sh->path, sizeof sh->path, ctx->final_path);
    sh->blocks = nat.blocks + walker_nodes;   /* nodes of any kind */
    sh->bytes = nat.bytes + walker_bytes;
    sh->file_bytes = md_writer_bytes(&writer);
    sh->child_ns = child_ns;
    sh->status = 0;
    __atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
    _exit(0);
}
