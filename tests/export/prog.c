/* prog.c — fixture of tests/e2e/export_*.sh: a program with known allocations, dumped with
 * `memdump run --native --at-exit`, so the exports can be checked against numbers that do not
 * come from memanalyze.
 *
 *   make_items  1000 blocks of 48 bytes in a list rooted in the global g_items, allocated through
 *               grab(), which is always inlined: the allocation site is an inlined frame (grab
 *               inlined into make_items), which pprof must show as two lines of one location
 *   churn       500 blocks of 64 bytes allocated and freed: per-site counters only (alloc_*)
 *   leak        10 blocks of 100 bytes nothing points to
 *   leak_ref    one leaked 16-byte block pointing at the list head: an edge from garbage to live
 *               memory, which keeps nothing alive (heapsnapshot "weak" edge)
 */
#include <stdlib.h>
#include <string.h>

struct item {
    struct item *next;
    char pad[40];
};
struct item *g_items;

static inline __attribute__((always_inline)) void *grab(size_t n)
{
    void *p = malloc(n); /* GRAB_LINE */
    memset(p, 1, n);
    return p;
}

__attribute__((noinline)) static void make_items(int n)
{
    for (int i = 0; i < n; i++) {
        struct item *p = grab(sizeof *p); /* ITEMS_LINE */
        p->next = g_items;
        g_items = p;
    }
}

__attribute__((noinline)) static void churn(int n)
{
    for (int i = 0; i < n; i++) {
        char *volatile p = malloc(64); /* CHURN_LINE */
        p[0] = 1;
        free(p);
    }
}

__attribute__((noinline)) static void leak(int n)
{
    for (int i = 0; i < n; i++) {
        char *volatile p = malloc(100); /* LEAK_LINE */
        memset(p, 2, 100);
        p = NULL;
    }
}

__attribute__((noinline)) static void leak_ref(void)
{
    void *volatile *volatile p = malloc(2 * sizeof(void *)); /* LEAK_REF_LINE */
    p[0] = g_items;             /* volatile stores: the compiler may not drop them */
    p[1] = NULL;
    p = NULL;
}

__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char junk[16384];
    memset((char *)junk, 0, sizeof junk);
}

int main(void)
{
    make_items(1000);
    churn(500);
    leak(10);
    leak_ref();
    scrub_stack();
    return 0;
}
