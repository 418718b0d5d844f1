/* agent_churn.c — the allocation-churn microbenchmark: N malloc/free pairs (default 10 million)
 * over a window of 1024 live blocks of 16–271 bytes, single-threaded. Prints the seconds taken.
 * Built with plain -O2 (no frame pointers), like most programs. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    void *win[1024] = { 0 };
    unsigned x = 12345;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        unsigned k = (x >> 8) & 1023;
        free(win[k]);
        win[k] = malloc(16 + (x >> 20) % 256);
        if (!win[k]) return 1;
        *(char *)win[k] = (char)i;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    for (int k = 0; k < 1024; k++) free(win[k]);
    printf("%.3f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
