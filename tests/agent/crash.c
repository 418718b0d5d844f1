/* crash.c — dies of a chosen fatal signal after allocating known blocks.
 *
 *   crash segv|abort|bus|fpe|ill
 * Allocates 25 blocks of 999 bytes from make_victims() (kept in a global), then crashes.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void *victims[25];
volatile int zero;

__attribute__((noinline)) void make_victims(void)
{
    for (int i = 0; i < 25; i++) victims[i] = malloc(999);
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "segv";
    make_victims();
    if (strcmp(how, "segv") == 0) {
        char *reg = victims[3];                 /* in a register at the fault */
        __asm__ volatile("" : "+r"(reg));
        *(volatile int *)(uintptr_t)16 = 1;
        __asm__ volatile("" :: "r"(reg));
    } else if (strcmp(how, "abort") == 0) {
        abort();
    } else if (strcmp(how, "bus") == 0) {
        char path[] = "/tmp/crash-bus-XXXXXX";
        int fd = mkstemp(path);
        unlink(path);
        volatile char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        m[0] = 1;               /* the file is empty: SIGBUS */
    } else if (strcmp(how, "fpe") == 0) {
        volatile int n = 100;
        printf("%d\n", n / zero);
    } else if (strcmp(how, "ill") == 0) {
        __builtin_trap();
    }
    return 0;
}
