/* md_control.c — the control thread (see md_control.h).
 *
 * Loop: note the wake counter; serve queued trigger events (a request from memdump --pid, or a
 * plain signal); let the peak trigger, the RSS poller and the plugin loader do what is due; reap
 * adopted children; then sleep on the futex until woken or until the earliest of their
 * deadlines. Each sub-system reports how long it can wait (-1 = idle), so an idle agent sleeps
 * indefinitely and costs nothing.
 */
#include "md_control.h"
#include "md_agent.h"
#include "md_fmt.h"
#include "md_peak.h"
#include "md_proto.h"
#include "md_request.h"
#include "md_rss.h"
#include "md_sys.h"
#include "md_tls.h"
#include "md_trigger.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define ADOPT_MAX 8
#define CONTROL_STACK (256u << 10)

static struct { int used; md_inflight inf; const char *what; md_done_fn done; } adopted[ADOPT_MAX];
static md_lock adopt_lock = MD_LOCK_INIT;
static pthread_t control;

void md_control_wake(void)
{
    __atomic_add_fetch(&md_g.wake, 1, __ATOMIC_RELEASE);
    md_futex_wake(&md_g.wake, 1, 0);
}

int md_control_adopt(const md_inflight *inf, const char *what, md_done_fn done)
{
    if (!md_g.control_running) return -1;
    int rc = -1;
    md_lock_acquire(&adopt_lock);
    for (int i = 0; i < ADOPT_MAX; i++) {
        if (adopted[i].used) continue;
        adopted[i].inf = *inf;
        adopted[i].what = what;
        adopted[i].done = done;
        adopted[i].used = 1;
        rc = 0;
        break;
    }
    md_lock_release(&adopt_lock);
    if (rc == 0) md_control_wake();
    return rc;
}

static void reap_adopted(void)
{
    for (int i = 0; i < ADOPT_MAX; i++) {
        md_lock_acquire(&adopt_lock);
        int used = adopted[i].used;
        md_inflight inf = adopted[i].inf;
        const char *what = adopted[i].what;
        md_done_fn done = adopted[i].done;
        md_lock_release(&adopt_lock);
        if (!used) continue;
        md_snap_result r;
        md_snapshot_wait(&inf, &r);
        md_lock_acquire(&adopt_lock);
        adopted[i].used = 0;
        md_lock_release(&adopt_lock);
        char line[1024];
        md_snapshot_describe(&r, line, sizeof line);
        md_log("%s dump: %s", what, line);
        if (done) done(&r);
    }
}

static void plain_dump(const char *reason)
{
    md_snap_opts o;
    memset(&o, 0, sizeof o);
    o.reason = reason;
    md_snap_result r;
    md_snapshot_take(&o, &r);
    char line[1024];
    md_snapshot_describe(&r, line, sizeof line);
    md_log("%s dump: %s", reason, line);
}

void md_control_rename(void)
{
    if (!md_g.control_tid) return;
    char name[16];
    md_fmt(name, sizeof name, "%s%d", MD_CONTROL_COMM, md_g.trigger_sig);
    if (md_gettid() == md_g.control_tid) prctl(PR_SET_NAME, name, 0, 0, 0);
    else pthread_setname_np(control, name);
}

static int64_t min_wait(int64_t a, int64_t b)
{
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

static void *control_main(void *arg)
{
    (void)arg;
    md_t.agent = 1;     /* nothing this thread allocates is the program's */
    md_g.control_tid = md_gettid();
    control = pthread_self();
    sigset_t set;
    sigfillset(&set);
    if (md_g.trigger_sig) sigdelset(&set, md_g.trigger_sig);
    pthread_sigmask(SIG_SETMASK, &set, NULL);
    md_control_rename();
    for (;;) {
        int seen = __atomic_load_n(&md_g.wake, __ATOMIC_ACQUIRE);
        md_trigger_ev ev;
        while (md_trigger_next(&ev)) {
            if (ev.nonce) md_request_serve(ev.pid, ev.nonce);
            else plain_dump("signal");
        }
        int64_t wait = -1;
        reap_adopted();
        wait = min_wait(wait, md_peak_poll());
        wait = min_wait(wait, md_rss_poll());
        wait = min_wait(wait, md_plugin_poll());
        /* the trigger signal may have moved: keep our mask in step */
        sigfillset(&set);
        if (md_g.trigger_sig) sigdelset(&set, md_g.trigger_sig);
        pthread_sigmask(SIG_SETMASK, &set, NULL);
        md_futex_wait(&md_g.wake, seen, wait, 0);
    }
    return NULL;
}

int md_control_start(void)
{
    typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    static create_fn real_create;
    if (!real_create) real_create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
    if (!real_create) return -1;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, CONTROL_STACK);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the thread starts with everything blocked */
    int rc = real_create(&control, &a, control_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&a);
    if (rc != 0) {
        md_log("cannot start the control thread; only the API and fatal signals can take "
               "snapshots");
        return -1;
    }
    md_g.control_running = 1;
    return 0;
}

void md_control_after_fork(void)
{
    md_g.control_running = 0;
    md_g.control_tid = 0;
    md_g.wake = 0;
    memset(adopted, 0, sizeof adopted);     /* the parent's children are not ours */
    md_lock_reset(&adopt_lock);
    md_trigger_reset();
    md_control_start();
}
