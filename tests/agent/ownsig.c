/* ownsig.c — a program that installs its own handler for SIGRTMIN+7 (memdump's default signal)
 * in main, prints its pid, and counts the signals it receives itself; SIGTERM makes it print
 * "own=N" and exit. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t own, stop;
static void on_own(int s) { (void)s; own++; }
static void on_term(int s) { (void)s; stop = 1; }

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_own;
    sigaction(SIGRTMIN + 7, &sa, NULL);
    signal(SIGTERM, on_term);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    printf("%d\n", (int)getpid());
    fflush(stdout);
    while (!stop) pause();
    printf("own=%d\n", (int)own);
    return 0;
}
