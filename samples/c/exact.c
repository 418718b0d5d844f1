/* exact.c — known blocks from known functions, for memdump's tests.
 *
 *   build/bin/memdump run -- build/samples/exact OUT.dump    dumps itself via memdump_snapshot()
 *   build/bin/memdump run -- build/samples/exact              prints its pid, waits for signals
 *
 * What is live at the snapshot (sizes as requested):
 *   make_small   100 × 48 bytes   (malloc)        held by the global array `small`
 *   make_zeroed   10 × 200 bytes  (calloc)        held by the global array `zeroed`
 *   make_grown     1 × 5000 bytes (realloc 10→5000) held by the global `grown`
 *   make_aligned   3 × 700 bytes  (posix_memalign 64, aligned_alloc 256, memalign 4096)
 *   make_global    1 × 1111 bytes only referenced from the global `g_only`
 *   make_chain     7 × 222 bytes  a list: head from the global `g_chain`, the rest only from
 *                                 the previous element (block-only references)
 *   make_stack     1 × 3333 bytes only referenced from a local of main
 *   make_orphans   5 × 4444 bytes unreferenced (leaked)
 *   make_freed    50 × 64 bytes   allocated and freed again: not live, but counted
 * The stack below main is scrubbed before the snapshot so no stale copy of an orphan pointer
 * survives in a dead frame.
 */
#include <memdump.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>

void *small[100];
void *zeroed[10];
void *grown;
void *aligned3[3];
void *g_only;
void *g_chain;

__attribute__((noinline)) void make_small(void)
{
    for (int i = 0; i < 100; i++) small[i] = malloc(48);
}

__attribute__((noinline)) void make_zeroed(void)
{
    for (int i = 0; i < 10; i++) zeroed[i] = calloc(4, 50);
}

__attribute__((noinline)) void make_grown(void)
{
    grown = malloc(10);
    grown = realloc(grown, 5000);
}

__attribute__((noinline)) void make_aligned(void)
{
    if (posix_memalign(&aligned3[0], 64, 700)) exit(1);
    aligned3[1] = aligned_alloc(256, 700);
    aligned3[2] = memalign(4096, 700);
}

__attribute__((noinline)) void make_global(void)
{
    g_only = malloc(1111);
    memset(g_only, 0, 1111);
}

__attribute__((noinline)) void make_chain(void)
{
    void **prev = NULL;
    for (int i = 0; i < 7; i++) {
        void **b = malloc(222);
        memset(b, 0, 222);
        if (prev) *prev = b;
        else g_chain = b;
        prev = b;
    }
}

__attribute__((noinline)) void *make_stack(void)
{
    void *p = malloc(3333);
    memset(p, 0, 3333);
    return p;
}

__attribute__((noinline)) int make_orphans(void)
{
    int sum = 0;
    for (int i = 0; i < 5; i++) {
        char *p = malloc(4444);
        memset(p, i, 4444);
        sum += p[17];
    }
    return sum;
}

__attribute__((noinline)) void make_freed(void)
{
    void *tmp[50];
    for (int i = 0; i < 50; i++) tmp[i] = malloc(64);
    for (int i = 0; i < 50; i++) free(tmp[i]);
}

__attribute__((noinline)) void scrub(void)
{
    volatile char buf[65536];
    memset((char *)buf, 0, sizeof buf);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);       /* no stdio buffer in the counts */
    make_small();
    make_zeroed();
    make_grown();
    make_aligned();
    make_global();
    make_chain();
    void *volatile on_stack = make_stack();
    int s = make_orphans();
    make_freed();
    scrub();
    if (argc > 1) {
        if (!memdump_snapshot) { fprintf(stderr, "exact: not running under memdump\n"); return 2; }
        int rc = memdump_snapshot(argv[1]);
        printf("snapshot=%d\n", rc);
    } else {
        printf("%d\n", (int)getpid());
        for (int i = 0; i < 600; i++) sleep(1);
    }
    return on_stack != NULL && s >= 0 ? 0 : 1;
}
