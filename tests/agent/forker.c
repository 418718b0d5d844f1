/* forker.c — fork() while other threads allocate: the child must not inherit a held lock, and
 * it must get an agent of its own.
 *
 *   forker    starts 4 churning threads, forks 20 short-lived children that each allocate and
 *             exit, then one long-lived child that prints its pid ("child PID") and allocates
 *             child_blocks() (10 × 777 bytes) and waits for SIGTERM. The parent prints
 *             "parent PID", waits for its children and exits.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int stop;
void *child_keep[10];

static void *churn(void *a)
{
    (void)a;
    void *w[64] = { 0 };
    unsigned k = 1;
    while (!stop) {
        k = k * 1103515245u + 12345u;
        free(w[k % 64]);
        w[k % 64] = malloc(16 + k % 3000);
    }
    for (int i = 0; i < 64; i++) free(w[i]);
    return NULL;
}

__attribute__((noinline)) void child_blocks(void)
{
    for (int i = 0; i < 10; i++) child_keep[i] = malloc(777);
}

static volatile sig_atomic_t term;
static void on_term(int s) { (void)s; term = 1; }

int main(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, churn, NULL);
    int failed = 0;
    for (int i = 0; i < 20; i++) {
        pid_t p = fork();
        if (p == 0) {
            void *x = malloc(100);
            free(x);
            _exit(0);
        }
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) failed++;
    }
    signal(SIGTERM, on_term);
    pid_t p = fork();
    if (p == 0) {
        child_blocks();
        printf("child %d\n", (int)getpid());
        fflush(stdout);
        while (!term) pause();
        _exit(0);
    }
    printf("parent %d failed=%d\n", (int)getpid(), failed);
    fflush(stdout);
    stop = 1;
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    int st;
    waitpid(p, &st, 0);
    return failed;
}
