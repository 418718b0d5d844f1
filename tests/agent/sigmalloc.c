/* sigmalloc.c — a program that calls malloc/free from its own signal handler (a 20 kHz
 * interval timer) while its main loop allocates too: the agent must neither deadlock nor
 * corrupt anything. Runs for the given number of milliseconds, taking a snapshot through the API
 * every 100 ms, then prints "handler=N snapshots=S". */
#include <memdump.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void *keep[64];

static void on_alarm(int s)
{
    (void)s;
    void *p = malloc(32 + handled % 200);    /* not async-signal-safe by POSIX; glibc copes */
    int i = handled % 64;
    void *old = keep[i];
    keep[i] = p;
    free(old);
    handled++;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int ms = argc > 1 ? atoi(argv[1]) : 1000;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 50 }, { 0, 50 } };
    setitimer(ITIMER_REAL, &it, NULL);
    double end = now() + ms / 1000.0, next = now() + 0.1;
    int snaps = 0;
    void *win[256] = { 0 };
    unsigned k = 0;
    while (now() < end) {
        k = k * 1103515245u + 12345u;
        unsigned i = k % 256;
        free(win[i]);
        win[i] = malloc(16 + k % 1000);
        if (now() >= next) {
            if (memdump_snapshot && memdump_snapshot(NULL) == 0) snaps++;
            next = now() + 0.1;
        }
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("handler=%d snapshots=%d\n", (int)handled, snaps);
    return 0;
}
