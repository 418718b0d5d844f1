/* growth.c — memory that creeps: one structure grows steadily, one churns, one stays flat.
 *
 *   build/bin/memdump run --native -- build/samples/growth DIR 3       three snapshots in DIR
 *   build/bin/memdiff DIR/growth.1.dump DIR/growth.2.dump              what grew, and where
 *   build/bin/memdiff DIR/growth.*.dump                                what grew every time
 *
 *   build/samples/growth DIR STEPS [SPIKE]
 *
 * At start-up it builds a flat configuration table (g_config: 32 entries, never touched again)
 * and an empty session table (g_sessions: a fixed array of 64 bucket heads). Then, STEPS times:
 * 500 new sessions (128 bytes each) are chained into the table and never removed — the steady
 * growth; 1000 scratch buffers of 4 KiB are allocated and freed through a ring of 8 slots
 * (g_scratch) — churn: a lot of allocation, but always 8 alive; then a snapshot
 * DIR/growth.N.dump is taken with the memdump API. With SPIKE = K, a 1 MiB blob (g_blob) is
 * loaded just before snapshot K and freed right after it: a one-off spike.
 *
 * With DIR "-" it takes no snapshots: it prints its pid, then does one step per second, so
 * snapshots can be requested with `memdump --pid`.
 *
 * Locals never hold heap pointers at a snapshot and the stack is scrubbed first, so the
 * conservative scan finds each structure only through its global.
 */
#include <memdump.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUCKETS 64

typedef struct session {
    struct session *next;
    unsigned id;
    char user[116];
} session;                              /* 128 bytes */

typedef struct config_entry {
    char key[32];
    char value[168];
} config_entry;                         /* 200 bytes */

session **g_sessions;                   /* grows: BUCKETS chains of sessions */
config_entry **g_config;                /* flat: allocated once */
char *g_scratch[8];                     /* churns: 8 buffers, replaced all the time */
char *g_blob;                           /* the spike */

__attribute__((noinline)) static session **table_new(void)
{
    return calloc(BUCKETS, sizeof(session *));              /* TABLE_SITE */
}

__attribute__((noinline)) static void session_add(unsigned id)
{
    session *s = malloc(sizeof *s);                          /* SESSION_SITE */
    s->id = id;
    snprintf(s->user, sizeof s->user, "user-%u", id);
    s->next = g_sessions[id % BUCKETS];
    g_sessions[id % BUCKETS] = s;
}

__attribute__((noinline)) static void config_load(void)
{
    g_config = malloc(32 * sizeof *g_config);                /* CONFIG_TABLE_SITE */
    for (int i = 0; i < 32; i++) {
        g_config[i] = malloc(sizeof **g_config);             /* CONFIG_ENTRY_SITE */
        snprintf(g_config[i]->key, sizeof g_config[i]->key, "option%d", i);
        snprintf(g_config[i]->value, sizeof g_config[i]->value, "value %d", i * 7);
    }
}

__attribute__((noinline)) static void scratch_fill(unsigned i)
{
    free(g_scratch[i % 8]);
    g_scratch[i % 8] = malloc(4096);                         /* SCRATCH_SITE */
    memset(g_scratch[i % 8], (int)(i & 0xff), 4096);
}

__attribute__((noinline)) static void blob_load(void)
{
    g_blob = malloc(1 << 20);                                /* BLOB_SITE */
    memset(g_blob, 7, 1 << 20);
}

/* Overwrite the dead part of the stack, where the calls above left pointers to fresh blocks. */
__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char junk[32768];
    memset((char *)junk, 0, sizeof junk);
}

__attribute__((noinline)) static void step(unsigned n)
{
    static unsigned next_id, next_scratch;
    for (int i = 0; i < 500; i++) session_add(next_id++);
    for (int i = 0; i < 1000; i++) scratch_fill(next_scratch++);
    (void)n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: growth DIR|- STEPS [SPIKE]\n");
        return 2;
    }
    const char *dir = argv[1];
    int steps = atoi(argv[2]), spike = argc > 3 ? atoi(argv[3]) : 0;
    int live = !strcmp(dir, "-");
    if (!live && !memdump_snapshot) {
        fprintf(stderr, "growth: run me under 'memdump run' (the memdump API is not loaded)\n");
        return 2;
    }
    config_load();
    g_sessions = table_new();
    if (live) {
        printf("%d\n", (int)getpid());
        fflush(stdout);
    }
    for (int n = 1; n <= steps; n++) {
        step((unsigned)n);
        if (n == spike) blob_load();
        if (live) {
            sleep(1);
        } else {
            char path[4096];
            snprintf(path, sizeof path, "%s/growth.%d.dump", dir, n);
            scrub_stack();
            if (memdump_snapshot(path) != 0) {
                fprintf(stderr, "growth: snapshot %s failed: %s\n", path, strerror(errno));
                return 1;
            }
        }
        if (n == spike) {
            free(g_blob);
            g_blob = NULL;
        }
    }
    return 0;
}
