/* agent_heap.c — a big heap to measure snapshots with: N blocks of SIZE bytes (default 1 M of
 * 1 KiB), each holding a few pointers to other blocks (so the scan finds edges), the table of
 * them in a global. Prints its pid and RSS in MiB, then waits for SIGTERM.
 *
 *   agent_heap [N [SIZE]] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void **blocks;

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long size = argc > 2 ? atol(argv[2]) : 1024;
    if (size < 32) size = 32;
    blocks = malloc(n * sizeof *blocks);
    unsigned x = 1;
    for (long i = 0; i < n; i++) {
        blocks[i] = malloc(size);
        memset(blocks[i], 0x5a, size);
    }
    for (long i = 0; i < n; i++) {
        void **b = blocks[i];
        for (int k = 0; k < 4; k++) {
            x = x * 1103515245u + 12345u;
            b[k] = blocks[x % n];
        }
    }
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    long rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) { long v; if (fscanf(f, "%ld %ld", &v, &rss) != 2) rss = 0; fclose(f); }
    printf("%d %ld\n", (int)getpid(), rss * 4096 / (1 << 20));
    fflush(stdout);
    int sig;
    sigwait(&s, &sig);
    return 0;
}
