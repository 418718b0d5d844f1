/* spike.c — a transient spike: memory that is freed again long before anyone could look.
 *
 *   build/bin/memdump run --at-peak -- build/samples/spike
 *   build/bin/memanalyze spike.*.dump        the peak dump holds (within 10%) the 64 × 256 KiB of
 *                                            build_index
 *
 * A steady baseline of small blocks, then build_index() allocates 16 MiB in 64 blocks, uses them
 * for 50 milliseconds and frees them. --at-peak dumps at the allocation that crossed the
 * threshold; each higher peak replaces the previous peak dump, so what is left at the end is one
 * dump taken at the 10% step just below the top of the spike, with the stack that built it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *baseline[2000];      /* global and read at the end, so the compiler keeps it */

__attribute__((noinline)) static long build_index(void)
{
    void *parts[64];
    long sum = 0;
    for (int i = 0; i < 64; i++) {
        parts[i] = malloc(256 << 10);
        memset(parts[i], i, 256 << 10);
    }
    for (int i = 0; i < 64; i++) sum += ((char *)parts[i])[i];
    usleep(50000);                  /* the spike lasts 50 ms */
    for (int i = 0; i < 64; i++) free(parts[i]);
    return sum;
}

int main(void)
{
    for (int i = 0; i < 2000; i++) baseline[i] = malloc(1000);
    usleep(200000);
    long s = build_index();
    usleep(200000);
    long base = 0;
    for (int i = 0; i < 2000; i++) base += baseline[i] != NULL;
    printf("spike: done (%ld, %ld baseline blocks)\n", s, base);
    return 0;
}
