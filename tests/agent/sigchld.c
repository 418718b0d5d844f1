/* sigchld.c — does the application ever notice memdump's snapshot children?
 *
 *   sigchld N     forks one child of its own (to prove its SIGCHLD handler and waitpid(-1)
 *                 work), then takes N snapshots through memdump_snapshot() while a thread keeps
 *                 calling waitpid(-1, WNOHANG); prints "sigchld=K reaped=R snapshots=S"
 * Expected under memdump: sigchld=1 reaped=1 snapshots=N (only its own child was ever seen).
 */
#include <memdump.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigchld;
static volatile int reaped, stop;

static void on_chld(int s) { (void)s; sigchld++; }

static void *reaper(void *a)
{
    (void)a;
    while (!stop) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p > 0) __atomic_add_fetch(&reaped, 1, __ATOMIC_RELAXED);
        usleep(200);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, reaper, NULL);
    pid_t own = fork();
    if (own == 0) _exit(0);
    while (__atomic_load_n(&reaped, __ATOMIC_RELAXED) < 1) usleep(1000);
    int ok = 0;
    char path[64];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "sigchld.%d.%d.dump", (int)getpid(), i);
        if (memdump_snapshot && memdump_snapshot(path) == 0) ok++;
        usleep(5000);
    }
    usleep(50000);
    stop = 1;
    pthread_join(t, NULL);
    printf("sigchld=%d reaped=%d snapshots=%d\n", (int)sigchld, reaped, ok);
    return 0;
}
