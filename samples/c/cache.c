/* cache.c — a lookup cache that only ever grows (the slow leak nobody calls a leak).
 *
 *   build/bin/memdump run -- build/samples/cache &     prints its pid, runs for 60 s
 *   build/bin/memdump --pid PID; sleep 2; build/bin/memdump --pid PID
 *   build/bin/memdiff first.dump second.dump           the cache entries grow, retained by `cache`
 *
 * Entries are added to a chained hash table for every new key and never evicted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct entry { struct entry *next; unsigned key; char value[100]; } entry;

#define BUCKETS 1024
static entry *cache[BUCKETS];

__attribute__((noinline)) static entry *cache_put(unsigned key)
{
    entry *e = malloc(sizeof *e);
    e->key = key;
    snprintf(e->value, sizeof e->value, "value of %u", key);
    e->next = cache[key % BUCKETS];
    cache[key % BUCKETS] = e;
    return e;
}

__attribute__((noinline)) static entry *cache_get(unsigned key)
{
    for (entry *e = cache[key % BUCKETS]; e; e = e->next)
        if (e->key == key) return e;
    return cache_put(key);
}

int main(int argc, char **argv)
{
    int seconds = argc > 1 ? atoi(argv[1]) : 60;
    printf("%d\n", (int)getpid());
    fflush(stdout);
    unsigned key = 0;
    for (int t = 0; t < seconds * 10; t++) {
        for (int i = 0; i < 200; i++) cache_get(key++);     /* always new keys */
        usleep(100000);
    }
    return 0;
}
