/* gen_sample_dump.c — writes the sample dump of sample_dump.h to a file, for e2e tests and the
 * fuzzer's seed corpus (built as build/tests/gen-sample-dump by formats/build.mk).
 *
 *   gen-sample-dump OUT [CHUNK_BYTES [NODES [BIG_EDGES]]]
 *
 * CHUNK_BYTES sets the writer's chunk target (small values give many chunks); NODES the number
 * of small nodes, BIG_EDGES the edges of the one big node. The file is written like the agent writes dumps: a temporary name created with
 * O_EXCL|O_NOFOLLOW and mode 0600, renamed into place once complete.
 */
#include "sample_dump.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned char mem[MD_WRITER_MEM_SIZE];

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: gen-sample-dump OUT [CHUNK_BYTES [NODES [BIG_EDGES]]]\n");
        return 2;
    }
    size_t chunk = argc > 2 ? strtoul(argv[2], NULL, 0) : MD_CHUNK_TARGET;
    unsigned nodes = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : MD_SAMPLE_NODES;
    unsigned big = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 0) : MD_SAMPLE_BIG_EDGES;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", argv[1], (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) { perror(tmp); return 1; }
    md_writer w;
    int rc = md_writer_init(&w, mem, sizeof mem, md_fd_sink, &fd, 1);
    if (!rc) {
        md_writer_set_chunk_target(&w, chunk);
        rc = md_sample_write(&w, nodes, big);
    }
    if (!rc) rc = md_writer_finish(&w);
    if (rc) {
        fprintf(stderr, "gen-sample-dump: %s\n", md_writer_error(&w));
        unlink(tmp);
        return 1;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, argv[1]) < 0) {
        perror(argv[1]);
        unlink(tmp);
        return 1;
    }
    return 0;
}
