/* md_fatal.c — last-gasp snapshots on SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL.
 *
 * Installed at start-up only for signals still at their default disposition (MEMDUMP_FATAL=0
 * turns this off); a handler the program installs later replaces ours, and the program's wins.
 * The handler runs on the crashing thread and uses only async-signal-safe operations: the
 * snapshot is md_snapshot_fatal (clone, waitpid with a deadline, write). Then the original
 * disposition is restored and the signal raised again: a fault re-executes the faulting
 * instruction on return, a sent signal (kill, abort) is re-sent to this thread, and either way
 * the process dies of the same signal, with a core dump where it would have had one.
 *
 * No snapshot is attempted when the crash is inside the agent itself (md_t.guard set: its state
 * cannot be trusted) or while another thread is already taking a last-gasp dump.
 */
#include "md_agent.h"
#include "md_fmt.h"
#include "md_snapshot.h"
#include "md_tls.h"
#include "md_trigger.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
static struct sigaction orig[NSIG];
static int installed[NSIG];
static int busy;

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
    if (md_t.guard == 0 && !__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
        md_t.guard++;
        md_snapshot_fatal(sig, uc);
        md_t.guard--;
    }
    md_real_sigaction(sig, &orig[sig], NULL);
    if (si->si_code <= 0 || sig == SIGABRT)
        syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
}

void md_fatal_install(void)
{
    if (!md_g.cfg.fatal) return;
    for (unsigned i = 0; i < sizeof fatal_sigs / sizeof fatal_sigs[0]; i++) {
        int s = fatal_sigs[i];
        struct sigaction old;
        if (md_real_sigaction(s, NULL, &old) < 0) continue;
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) continue;
        orig[s] = old;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fatal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        if (md_real_sigaction(s, &sa, NULL) == 0) installed[s] = 1;
    }
}
