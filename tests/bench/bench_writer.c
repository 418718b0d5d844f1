/* bench_writer.c — how fast the dump writer turns nodes into bytes, and how many bytes a node
 * costs. Run by tests/bench/run.sh (`make bench`), never by the test suite.
 *
 *   bench_writer [-n NODES] [-e EDGES] [-l LEVEL] [-v] OUT
 *
 * Writes NODES (default 10 million) NODE records shaped like a real heap: addresses 16-byte
 * aligned and sorted, each block following the previous one with glibc's chunk rounding and an
 * occasional gap; requested sizes 16–256; a handful of types and allocation stacks. With -e 1 or
 * -e 2, each node also gets one or two edges ("1 or 2" with -e 3) to nearby blocks. The clock
 * covers the writer only (records → compressed chunks → write(2) to OUT), not fsync; it reports
 * wall time and the process's CPU time (steadier when other jobs share the machine). -v reads the
 * file back afterwards (untimed) and checks the node count. Prints one line:
 *
 *   writer: nodes=10000000 edges=0 level=1 seconds=0.90 cpu_seconds=0.88 bytes=49789416 bytes_per_node=4.98
 */
#include "md_reader.h"
#include "md_writer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(const char *what, md_writer *w)
{
    fprintf(stderr, "bench_writer: %s: %s\n", what, md_writer_error(w));
    return 1;
}

int main(int argc, char **argv)
{
    uint64_t nodes = 10000000;
    int edges = 0, level = 1, verify = 0, opt;
    while ((opt = getopt(argc, argv, "n:e:l:v")) != -1) {
        switch (opt) {
        case 'n': nodes = strtoull(optarg, NULL, 0); break;
        case 'e': edges = atoi(optarg); break;
        case 'l': level = atoi(optarg); break;
        case 'v': verify = 1; break;
        default: fprintf(stderr, "usage: bench_writer [-n NODES] [-e 0|1|2|3] [-l LEVEL] [-v] OUT\n"); return 2;
        }
    }
    if (optind != argc - 1) { fprintf(stderr, "bench_writer: OUT missing\n"); return 2; }
    const char *out = argv[optind];
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) { perror(out); return 1; }
    void *mem = mmap(NULL, MD_WRITER_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) { perror("mmap"); return 1; }

    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    md_writer w;
    if (md_writer_init(&w, mem, MD_WRITER_MEM_SIZE, md_fd_sink, &fd, level)) return die("init", &w);
    static const char *names[] = { "list", "dict", "str", "Widget", "Buffer" };
    for (uint32_t i = 0; i < 5; i++) {
        md_string s = { i + 1, { names[i], (uint32_t)strlen(names[i]) } };
        md_type t = { i + 1, i + 1, MD_TYPE_NATIVE, 0 };
        if (md_w_string(&w, &s) || md_w_type(&w, &t)) return die("tables", &w);
    }
    for (uint32_t i = 1; i <= 8; i++) {
        md_frame f = { i, 0x401000 + 0x40 * i, 0, 0, 0, 0 };
        uint32_t fr[1] = { i };
        md_stack s = { i, fr, 1 };
        if (md_w_frame(&w, &f) || md_w_stack(&w, &s)) return die("stacks", &w);
    }
    uint64_t addr = 0x55d4a0000000ull;
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t r = next_rand();
        uint64_t size = 16 + (r & 0xff) % 241;                 /* 16 .. 256 */
        md_node n = { addr, size, 1 + (uint32_t)((r >> 8) % 5), 1 + (uint32_t)((r >> 12) & 7),
                      MD_NODE_NATIVE, 0, NULL, NULL, 0 };
        if (md_w_node(&w, &n)) return die("node", &w);
        int ne = edges == 3 ? 1 + (int)((r >> 16) & 1) : edges;
        for (int e = 0; e < ne; e++) {
            int64_t off = ((int64_t)((r >> (20 + 8 * e)) & 0xff) - 128) * 16;   /* ±2 KiB */
            if (md_w_edge(&w, addr + (uint64_t)off, 0)) return die("edge", &w);
        }
        addr += ((size + 8 + 15) & ~15ull) + (((r >> 40) & 15) == 0 ? 32 : 0);
    }
    if (md_writer_finish(&w)) return die("finish", &w);
    double secs = clock_s(CLOCK_MONOTONIC) - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    uint64_t bytes = md_writer_bytes(&w);
    close(fd);
    printf("writer: nodes=%llu edges=%s level=%d seconds=%.3f cpu_seconds=%.3f bytes=%llu bytes_per_node=%.2f\n",
           (unsigned long long)nodes, edges == 3 ? "1-2" : (edges ? (edges == 1 ? "1" : "2") : "0"),
           level, secs, cpu, (unsigned long long)bytes, nodes ? (double)bytes / (double)nodes : 0.0);

    if (verify) {
        char err[1024];
        md_reader *r = md_reader_open(out, err, sizeof err);
        if (!r) { fprintf(stderr, "bench_writer: %s\n", err); return 1; }
        md_record rec;
        int rc;
        while ((rc = md_reader_next(r, &rec)) == 1) {}
        uint64_t got = md_reader_counts(r)[MD_NODE];
        if (rc != 0 || got != nodes) {
            fprintf(stderr, "bench_writer: verify failed: %s (%llu nodes)\n",
                    rc ? md_reader_error(r) : "count mismatch", (unsigned long long)got);
            return 1;
        }
        md_reader_close(r);
        printf("verify: ok (%llu nodes read back)\n", (unsigned long long)got);
    }
    return 0;
}
