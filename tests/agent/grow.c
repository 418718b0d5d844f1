/* grow.c — grows its resident set by 1 MiB every 5 ms up to N MiB (touching every page), holds
 * it for HOLD ms, then exits. For the --at-rss test:   grow N HOLD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *chunks[4096];

__attribute__((noinline)) void *grow_one(void)
{
    void *p = malloc(1 << 20);
    memset(p, 1, 1 << 20);
    return p;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 64;
    int hold = argc > 2 ? atoi(argv[2]) : 500;
    if (n > 4096) n = 4096;
    for (int i = 0; i < n; i++) {
        chunks[i] = grow_one();
        usleep(5000);
    }
    usleep((useconds_t)hold * 1000);
    printf("grow: %d MiB\n", n);
    return 0;
}
