/* bench_symbolize.c — how fast the offline symbolizer turns PCs into frames (make bench).
 *
 *   bench_symbolize FILE [N [SEED]]
 *
 * Picks N (default 10000) distinct addresses inside FILE's functions (nm -S: defined text symbols
 * with a size, addresses drawn uniformly over their bytes), then symbolizes them all through a
 * fresh symbolizer as memanalyze would, twice: the first pass pays for opening the file and
 * indexing every compilation unit it touches; the second is the per-lookup cost once warm.
 * Prints one "symbolize: key=value ..." line per pass (tests/bench/run.sh format): how long, how
 * many lookups named a function, how many had a line, and the average inline depth.
 */
#include "symbolize/symbolize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint64_t lo, size; } fn;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_symbolize FILE [N [SEED]]\n");
        return 2;
    }
    size_t want = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 42;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "nm -S --defined-only '%s' 2>/dev/null", argv[1]);
    FILE *p = popen(cmd, "r");
    if (!p) return 1;
    fn *fns = NULL;
    size_t nfns = 0, cap = 0;
    uint64_t total = 0;
    char line[4096];
    while (fgets(line, sizeof line, p)) {
        unsigned long long a, sz;
        char t;
        if (sscanf(line, "%llx %llx %c", &a, &sz, &t) != 3 || (t != 't' && t != 'T') || !sz) continue;
        if (nfns == cap) {
            cap = cap ? cap * 2 : 1024;
            fns = realloc(fns, cap * sizeof *fns);
            if (!fns) return 1;
        }
        fns[nfns++] = (fn){ a, sz };
        total += sz;
    }
    pclose(p);
    if (!nfns) { fprintf(stderr, "bench_symbolize: no sized functions in %s\n", argv[1]); return 1; }
    uint64_t *addrs = malloc(want * sizeof *addrs);
    if (!addrs) return 1;
    size_t n = 0;
    for (size_t tries = 0; n < want && tries < want * 4; tries++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = (seed >> 11) % total;
        for (size_t i = 0; i < nfns; i++) {
            if (r < fns[i].size) { addrs[n++] = fns[i].lo + r; break; }
            r -= fns[i].size;
        }
    }
    qsort(addrs, n, sizeof *addrs, cmp_u64);        /* make them distinct */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) if (!k || addrs[k - 1] != addrs[i]) addrs[k++] = addrs[i];
    n = k;
    for (size_t i = n; i > 1; i--) {                 /* and in random order, like real stacks */
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t j = (seed >> 11) % i;
        uint64_t t = addrs[i - 1]; addrs[i - 1] = addrs[j]; addrs[j] = t;
    }

    md_symbolizer *s = md_sym_open(NULL, 0);
    md_sym_module *m = md_sym_module_get(s, argv[1], NULL, 0);
    for (int pass = 1; pass <= 2; pass++) {
        size_t named = 0, lined = 0, frames = 0;
        double t0 = now();
        for (size_t i = 0; i < n; i++) {
            md_sym_frame f[MD_SYM_MAX_FRAMES];
            size_t nf = md_sym_code(s, m, addrs[i], 0, f, MD_SYM_MAX_FRAMES, NULL);
            frames += nf;
            if (nf) named++;
            if (nf && f[0].line) lined++;
        }
        double dt = now() - t0;
        printf("symbolize: pass=%s pcs=%zu seconds=%.3f us_per_pc=%.2f named=%zu with_line=%zu "
               "frames_per_pc=%.2f file=%s\n", pass == 1 ? "cold" : "warm", n, dt,
               dt * 1e6 / (double)n, named, lined, (double)frames / (double)n, argv[1]);
    }
    md_sym_close(s);
    free(addrs);
    free(fns);
    return 0;
}
