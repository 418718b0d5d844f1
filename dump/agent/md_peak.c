/* md_peak.c — the --at-peak trigger (see md_peak.h).
 *
 * State: the threshold (read by the tracker's hot path), the number of peak children in flight,
 * the best completed peak dump (figure and file), and a pending crossing for the control thread.
 * `busy` lets one thread at a time act on a crossing. The threshold always moves up by PCT from
 * the figure just acted on, so a burst of allocations costs one snapshot per step at most.
 *
 * With a walker plugin the allocating thread cannot snapshot (the object being built is half
 * made, the runtime not at a safe point), so the crossing goes to the plugin's defer: `safe_*`
 * hold the highest crossing waiting for that safe point, and at most one deferred call is
 * scheduled at a time. If the safe point does not come within SAFE_WAIT_NS (the thread is
 * blocked in C code), the control thread claims the crossing instead; whoever swaps safe_bytes
 * to 0 first owns it. At the safe point, when MAX_IN_FLIGHT children are still writing, the
 * program waits for one of them (the pause grows, but the peak is caught).
 */
#include "md_peak.h"
#include "md_agent.h"
#include "md_control.h"
#include "md_fmt.h"
#include "md_snapshot.h"
#include "md_sys.h"
#include "md_tracker.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_IN_FLIGHT 4
#define SAFE_WAIT_NS 100000000ull

uint64_t md_peak_threshold = UINT64_MAX;
static uint64_t last_dump_ns;
static uint64_t best_bytes;         /* trigger figure of the best completed peak dump */
static char best_path[PATH_MAX];
static uint64_t started_bytes;      /* highest figure a peak snapshot was started for */
static int busy, in_flight, pending;
static uint64_t pending_bytes;
static uint32_t pending_stack;
static int keep_all;
static uint64_t safe_bytes;         /* crossing waiting for the plugin's safe point, 0 = none */
static uint32_t safe_stack;
static int safe_scheduled;          /* a deferred call is queued in the runtime */
static uint64_t safe_since_ns;

static uint64_t above(uint64_t dumped)
{
    uint64_t t = dumped + dumped / 100 * md_g.cfg.at_peak_pct;
    return t > md_g.cfg.peak_min ? t : md_g.cfg.peak_min;
}

void md_peak_init(void)
{
    if (!md_g.cfg.at_peak_pct) return;
    const char *k = getenv("MEMDUMP_PEAK_KEEP");
    keep_all = k && *k && strcmp(k, "0") != 0;
    __atomic_store_n(&md_peak_threshold, md_g.cfg.peak_min ? md_g.cfg.peak_min : 1, __ATOMIC_RELAXED);
}

void md_peak_after_fork(void)
{
    busy = in_flight = pending = 0;
    safe_bytes = 0;
    safe_scheduled = 0;
    best_path[0] = 0;
}

/* Control thread (or the thread that waited itself), once a peak child is reaped. */
static void done(const md_snap_result *r)
{
    if (r->ok) {
        if (keep_all) {
        } else if (r->trigger_bytes >= best_bytes) {
            if (best_path[0] && strcmp(best_path, r->path) != 0) unlink(best_path);
            md_strlcpy(best_path, r->path, sizeof best_path);
            best_bytes = r->trigger_bytes;
        } else {
            unlink(r->path);        /* a higher peak finished first */
        }
    }
    __atomic_sub_fetch(&in_flight, 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(&pending, __ATOMIC_ACQUIRE)) md_control_wake();
}

static void take(uint64_t live, uint32_t stack, int here)
{
    md_snap_opts o;
    memset(&o, 0, sizeof o);
    o.reason = "peak";
    o.trigger_bytes = live;
    o.trigger_stack = stack;
    md_snap_result r;
    md_inflight inf;
    last_dump_ns = md_now_ns();
    if (live > started_bytes) started_bytes = live;
    __atomic_store_n(&md_peak_threshold, above(started_bytes), __ATOMIC_RELAXED);
    __atomic_add_fetch(&in_flight, 1, __ATOMIC_RELEASE);
    if (md_snapshot_fork(&o, &inf, &r) < 0) {
        char line[1024];
        md_snapshot_describe(&r, line, sizeof line);
        md_log("peak dump: %s", line);
        done(&r);
        return;
    }
    if (here && md_control_adopt(&inf, "peak", done) == 0) return;
    md_snapshot_wait(&inf, &r);
    char line[1024];
    md_snapshot_describe(&r, line, sizeof line);
    md_log("peak dump: %s", line);
    done(&r);
}

/* Remember a crossing for the control thread (any thread, lock-free). */
static void defer(uint64_t live, uint32_t stack)
{
    uint64_t cur = __atomic_load_n(&pending_bytes, __ATOMIC_RELAXED);
    while (live > cur && !__atomic_compare_exchange_n(&pending_bytes, &cur, live, 1,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    if (live >= cur) __atomic_store_n(&pending_stack, stack, __ATOMIC_RELAXED);
    __atomic_store_n(&pending, 1, __ATOMIC_RELEASE);
    md_control_wake();
}

/* At the runtime's safe point, on the program's thread (Python: a pending call, GIL held): the
 * peak is still alive here, so snapshot it now. If another thread is busy with a crossing, the
 * control thread gets it: waiting here would hold the GIL the other snapshot may need. */
static void at_safe_point(void *arg)
{
    (void)arg;
    __atomic_store_n(&safe_scheduled, 0, __ATOMIC_RELEASE);
    uint64_t live = __atomic_exchange_n(&safe_bytes, 0, __ATOMIC_ACQ_REL);
    uint32_t stack = __atomic_load_n(&safe_stack, __ATOMIC_RELAXED);
    if (!live) return;                          /* the control thread claimed it */
    if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
        defer(live, stack);
        return;
    }
    /* A storm of peaks (an import) can have MAX_IN_FLIGHT children still writing: wait for one
     * to finish (the control thread reaps them) rather than lose this moment; bounded by the
     * safe-point timeout, after which the control thread gets the crossing. */
    uint64_t t0 = md_now_ns();
    while (live > started_bytes && __atomic_load_n(&in_flight, __ATOMIC_ACQUIRE) >= MAX_IN_FLIGHT &&
           md_now_ns() - t0 < md_g.cfg.safe_point_ns)
        md_sleep_ns(200000);
    if (live > started_bytes && __atomic_load_n(&in_flight, __ATOMIC_ACQUIRE) < MAX_IN_FLIGHT)
        take(live, stack, 1);
    else if (live > started_bytes)
        defer(live, stack);
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

/* Hand a crossing to the plugin's safe point (or to the control thread if it cannot be queued). */
static void to_safe_point(const md_plugin *pl, uint64_t live, uint32_t stack)
{
    uint64_t cur = __atomic_load_n(&safe_bytes, __ATOMIC_RELAXED);
    while (live > cur && !__atomic_compare_exchange_n(&safe_bytes, &cur, live, 1,
                                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    if (live >= cur) __atomic_store_n(&safe_stack, stack, __ATOMIC_RELAXED);
    if (__atomic_exchange_n(&safe_scheduled, 1, __ATOMIC_ACQ_REL)) return;  /* the queued call takes it */
    __atomic_store_n(&safe_since_ns, md_now_ns(), __ATOMIC_RELAXED);
    if (pl->defer(at_safe_point, NULL) == 0) {
        md_control_wake();                      /* to claim it if the safe point is slow */
        return;
    }
    __atomic_store_n(&safe_scheduled, 0, __ATOMIC_RELEASE);
    uint64_t back = __atomic_exchange_n(&safe_bytes, 0, __ATOMIC_ACQ_REL);
    if (back) defer(back, stack);
}

void md_peak_crossed(uint64_t live, uint32_t stack)
{
    if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
        defer(live, stack);     /* another thread is taking one: do not lose this figure */
        return;
    }
    if (live <= __atomic_load_n(&md_peak_threshold, __ATOMIC_RELAXED)) goto out;
    uint64_t now = md_now_ns();
    int rate_limited = last_dump_ns && now - last_dump_ns < md_g.cfg.peak_interval_ns;
    const md_plugin *pl = __atomic_load_n(&md_g.plugin, __ATOMIC_ACQUIRE);
    if (pl && pl->defer && !rate_limited) {
        __atomic_store_n(&md_peak_threshold, above(live), __ATOMIC_RELAXED);
        to_safe_point(pl, live, stack);
        goto out;
    }
    if (pl || md_g.python || rate_limited || !md_g.control_running ||
        __atomic_load_n(&in_flight, __ATOMIC_ACQUIRE) >= MAX_IN_FLIGHT) {
        __atomic_store_n(&md_peak_threshold, above(live), __ATOMIC_RELAXED);
        defer(live, stack);
        goto out;
    }
    take(live, stack, 1);
out:
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

int64_t md_peak_poll(void)
{
    if (!md_g.cfg.at_peak_pct) return -1;
    if (__atomic_load_n(&safe_scheduled, __ATOMIC_ACQUIRE) && __atomic_load_n(&safe_bytes, __ATOMIC_RELAXED)) {
        uint64_t waited = md_now_ns() - __atomic_load_n(&safe_since_ns, __ATOMIC_RELAXED);
        if (waited < SAFE_WAIT_NS) return (int64_t)(SAFE_WAIT_NS - waited);
        uint64_t live = __atomic_exchange_n(&safe_bytes, 0, __ATOMIC_ACQ_REL);
        if (live) defer(live, __atomic_load_n(&safe_stack, __ATOMIC_RELAXED));
    }
    if (!__atomic_load_n(&pending, __ATOMIC_ACQUIRE)) return -1;
    if (__atomic_load_n(&in_flight, __ATOMIC_ACQUIRE) >= MAX_IN_FLIGHT) return -1;  /* reaping wakes us */
    uint64_t now = md_now_ns();
    if (last_dump_ns && now - last_dump_ns < md_g.cfg.peak_interval_ns)
        return (int64_t)(md_g.cfg.peak_interval_ns - (now - last_dump_ns));
    while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) md_sleep_ns(100000);
    __atomic_store_n(&pending, 0, __ATOMIC_RELAXED);
    uint64_t crossing = __atomic_exchange_n(&pending_bytes, 0, __ATOMIC_RELAXED);
    uint32_t stack = __atomic_load_n(&pending_stack, __ATOMIC_RELAXED);
    int64_t cur = md_tracker_live();
    /* Python: the crossing is the figure to beat (we never dump at the allocation); native: the
     * moment has passed, so dump only if the heap is still above what was started already */
    uint64_t live = md_g.plugin || md_g.python ? crossing : (cur > 0 ? (uint64_t)cur : 0);
    if (live > started_bytes) take(live, stack, 1);     /* reaped by this thread's loop */
    __atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
    return -1;
}

void md_peak_at_exit(void)
{
    if (!md_g.cfg.at_peak_pct || !md_g.control_running) return;
    uint64_t t0 = md_now_ns();
    while (__atomic_load_n(&in_flight, __ATOMIC_ACQUIRE) > 0 && md_now_ns() - t0 < md_g.cfg.timeout_ns)
        md_sleep_ns(1000000);
}
