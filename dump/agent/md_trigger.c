/* md_trigger.c — the trigger signal (see md_trigger.h) and the sigaction/signal interposers.
 *
 * Choice: MEMDUMP_SIGNAL, else SIGRTMIN+7. A real-time signal's default action kills, which is
 * why `memdump --pid` refuses processes without the agent. If the signal already has a handler
 * (or is ignored) when the agent starts, or the program later installs its own handler for it,
 * the agent moves to the next free real-time signal, says so on stderr, and renames its control
 * thread ("memdump:<sig>") so requesters find the new number. The program always wins.
 *
 * The signal is blocked in the application's threads (see block_here) and unblocked only in the
 * control thread, so even a plain `kill -SIG PID` never interrupts the program.
 *
 * Queue: 16 slots claimed with compare-and-swap (free → writing → full), so concurrent handlers
 * on several threads never block each other; a full queue drops the event (the requester times
 * out and says the agent was busy).
 */
#include "md_trigger.h"
#include "md_agent.h"
#include "md_control.h"
#include "md_fmt.h"
#include "md_parse.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#define QLEN 16

static struct { int state; pid_t pid; uint32_t nonce; } q[QLEN];
static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static int moving;          /* md_trigger_move in progress (our own sigaction calls) */

int md_real_sigaction(int sig, const void *act, void *old)
{
    if (!real_sigaction)
        real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))
            dlsym(RTLD_NEXT, "sigaction");
    if (!real_sigaction) { errno = ENOSYS; return -1; }
    return real_sigaction(sig, act, old);
}

static void on_trigger(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    int saved = errno;
    for (int i = 0; i < QLEN; i++) {
        int z = 0;
        if (!__atomic_compare_exchange_n(&q[i].state, &z, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            continue;
        q[i].pid = si->si_pid;
        q[i].nonce = si->si_code == SI_QUEUE ? (uint32_t)si->si_value.sival_int : 0;
        __atomic_store_n(&q[i].state, 2, __ATOMIC_RELEASE);
        break;
    }
    md_control_wake();
    errno = saved;
}

int md_trigger_next(md_trigger_ev *ev)
{
    for (int i = 0; i < QLEN; i++) {
        if (__atomic_load_n(&q[i].state, __ATOMIC_ACQUIRE) != 2) continue;
        ev->pid = q[i].pid;
        ev->nonce = q[i].nonce;
        __atomic_store_n(&q[i].state, 0, __ATOMIC_RELEASE);
        return 1;
    }
    return 0;
}

void md_trigger_reset(void) { memset(q, 0, sizeof q); }

static int in_use(int sig)
{
    struct sigaction old;
    if (md_real_sigaction(sig, NULL, &old) < 0) return 1;
    if (old.sa_flags & SA_SIGINFO) return old.sa_sigaction != on_trigger;
    return old.sa_handler != SIG_DFL;
}

static int install(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trigger;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    return md_real_sigaction(sig, &sa, NULL);
}

/* Threads inherit their creator's mask, so blocking the signal in the thread running the
 * constructor (the main thread) keeps a plain `kill -SIG` away from every application thread
 * created later: only the control thread leaves it unblocked, so it takes the signal and no
 * system call of the program is interrupted. */
static void block_here(int sig, int block)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

/* The next real-time signal after `from` that nobody handles. */
static int pick_free(int from, int avoid)
{
    int span = SIGRTMAX - SIGRTMIN + 1;
    for (int k = 1; k <= span; k++) {
        int s = SIGRTMIN + ((from - SIGRTMIN + k) % span + span) % span;
        if (s != avoid && !in_use(s)) return s;
    }
    return 0;
}

void md_trigger_install(void)
{
    int want = md_g.cfg.signo ? md_g.cfg.signo : SIGRTMIN + 7;
    int sig = want;
    if (in_use(want)) {
        sig = pick_free(want >= SIGRTMIN ? want : SIGRTMIN + 6, want);
        char a[32], b[32];
        if (sig) md_log("signal %s already has a handler in this program; memdump uses %s instead",
                        md_signal_name(want, a, sizeof a), md_signal_name(sig, b, sizeof b));
        else md_log("no free real-time signal: snapshots can only be requested by the API");
    }
    if (sig && install(sig) == 0) {
        md_g.trigger_sig = sig;
        block_here(sig, 1);
    }
}

/* The program is taking our signal: move to another one first. */
static void move_trigger(void)
{
    int old = md_g.trigger_sig;
    moving = 1;
    int sig = pick_free(old, old);
    char a[32], b[32];
    block_here(old, 0);          /* the program wants it delivered to its own threads */
    if (sig && install(sig) == 0) {
        md_g.trigger_sig = sig;
        block_here(sig, 1);
        md_log("the program installs a handler for %s; memdump now uses %s",
               md_signal_name(old, a, sizeof a), md_signal_name(sig, b, sizeof b));
    } else {
        md_g.trigger_sig = 0;
        md_log("the program installs a handler for %s; no free signal left for memdump",
               md_signal_name(old, a, sizeof a));
    }
    moving = 0;
    md_control_rename();
    md_control_wake();          /* the control thread unblocks the new signal */
}

__attribute__((visibility("default")))
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (act && !moving && md_g.ready && sig == md_g.trigger_sig && sig != 0) {
        int ours = (act->sa_flags & SA_SIGINFO) && act->sa_sigaction == on_trigger;
        if (!ours) move_trigger();
    }
    return md_real_sigaction(sig, act, old);
}

__attribute__((visibility("default")))
sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;      /* BSD semantics, as glibc's signal() */
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, sig);
    if (sigaction(sig, &sa, &old) < 0) return SIG_ERR;
    return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)(void (*)(void))old.sa_sigaction
                                       : old.sa_handler;
}
