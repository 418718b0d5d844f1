/* churn.c — threads churning malloc/free until told to stop, for the stress test.
 *
 *   churn THREADS     prints its pid, then every thread loops: allocate a block of a random size
 *                     (16 B .. 4 KiB, sometimes 64 KiB+), keep it in a window of 512 slots
 *                     (freeing the block it replaces, sometimes via realloc/calloc/
 *                     posix_memalign), until SIGTERM; then it prints the total operations.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static uint64_t ops[64];

static void on_term(int s) { (void)s; stop = 1; }

static void *worker(void *arg)
{
    long id = (long)arg;
    uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1);
    void *win[512] = { 0 };
    uint64_t n = 0;
    while (!stop) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        unsigned slot = (unsigned)(x % 512);
        size_t size = 16 + (x >> 20) % 4080;
        if ((x >> 40) % 97 == 0) size = 65536 + (x >> 30) % 200000;
        switch ((x >> 50) % 8) {
        case 0:
            win[slot] = realloc(win[slot], size);
            break;
        case 1:
            free(win[slot]);
            win[slot] = calloc(1, size);
            break;
        case 2:
            free(win[slot]);
            if (posix_memalign(&win[slot], 64, size)) win[slot] = NULL;
            break;
        default:
            free(win[slot]);
            win[slot] = malloc(size);
            break;
        }
        if (win[slot]) memset(win[slot], (int)n, size < 64 ? size : 64);
        n++;
    }
    for (int i = 0; i < 512; i++) free(win[i]);
    ops[id] = n;
    return NULL;
}

int main(int argc, char **argv)
{
    int nt = argc > 1 ? atoi(argv[1]) : 8;
    if (nt < 1 || nt > 64) nt = 8;
    signal(SIGTERM, on_term);
    pthread_t t[64];
    for (long i = 0; i < nt; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    printf("%d\n", (int)getpid());
    fflush(stdout);
    while (!stop) pause();
    uint64_t total = 0;
    for (int i = 0; i < nt; i++) { pthread_join(t[i], NULL); total += ops[i]; }
    printf("churn: %llu operations\n", (unsigned long long)total);
    return 0;
}
