/* test_format_sink.c — md_fd_sink delivers every byte through EINTR and short writes, and
 * reports write errors as errno values the writer turns into messages.
 *
 * A child process drains a pipe slowly while a 1 ms interval timer (handler installed without
 * SA_RESTART) keeps interrupting the parent's blocking write(2): the kernel then returns short
 * counts or EINTR, and the sink must carry on. The child checks it received every byte in order.
 * Then: /dev/full gives ENOSPC, a pipe without reader gives EPIPE, and a whole dump written to a
 * file through the sink reads back complete.
 */
#include "../fuzz/sample_dump.h"
#include "check.h"
#include "md_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static unsigned char wmem[MD_WRITER_MEM_SIZE];

static void test_interrupted_pipe(void)
{
    const size_t len = 8u << 20;
    unsigned char *data = malloc(len);
    for (size_t i = 0; i < len; i++) data[i] = (unsigned char)(i * 7 + (i >> 13));
    int p[2];
    if (pipe(p) < 0) { CHECK(0, "sink.pipe"); return; }
    pid_t child = fork();
    if (child == 0) {
        close(p[1]);
        unsigned char buf[3000];
        size_t got = 0;
        int same = 1;
        ssize_t n;
        while ((n = read(p[0], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; i++, got++)
                if (buf[i] != (unsigned char)(got * 7 + (got >> 13))) same = 0;
            if ((got / sizeof buf) % 64 == 0) usleep(200);
        }
        _exit(same && got == len ? 0 : 1);
    }
    close(p[0]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;          /* no SA_RESTART: write(2) sees EINTR / returns short */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    int fd = p[1];
    int rc = md_fd_sink(&fd, data, len);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    close(p[1]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK_EQ_U(rc, 0, "sink.interrupted_write_succeeds");
    CHECK(alarms > 0, "sink.was_interrupted");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sink.every_byte_in_order");
    printf("# %d interruptions\n", (int)alarms);
    free(data);
}

static void test_errors(void)
{
    int fd = open("/dev/full", O_WRONLY);
    char b[4096] = { 0 };
    CHECK(fd >= 0 && md_fd_sink(&fd, b, sizeof b) == ENOSPC, "sink.enospc");
    if (fd >= 0) close(fd);

    signal(SIGPIPE, SIG_IGN);
    int p[2];
    if (pipe(p) == 0) {
        close(p[0]);
        CHECK(md_fd_sink(&p[1], b, sizeof b) == EPIPE, "sink.epipe");
        close(p[1]);
    }
    int bad = -1;
    CHECK(md_fd_sink(&bad, b, 1) == EBADF, "sink.ebadf");

    fd = open("/dev/full", O_WRONLY);
    md_writer w;
    md_writer_init(&w, wmem, sizeof wmem, md_fd_sink, &fd, 1);
    CHECK(md_writer_error(&w) && strstr(md_writer_error(&w), "no space left on device"),
          "sink.writer_reports_enospc");
    close(fd);
}

static void test_file(void)
{
    char path[] = "/tmp/md-sink-XXXXXX";
    int fd = mkstemp(path);
    md_writer w;
    md_writer_init(&w, wmem, sizeof wmem, md_fd_sink, &fd, 1);
    md_writer_set_chunk_target(&w, 1000);
    int rc = md_sample_write(&w, 500, 5000) | md_writer_finish(&w);
    close(fd);
    CHECK(rc == 0, "file.written");
    char err[512];
    md_reader *r = md_reader_open(path, err, sizeof err);
    md_record rec;
    uint64_t n = 0;
    int rrc = -1;
    if (r) { while ((rrc = md_reader_next(r, &rec)) == 1) n++; }
    uint64_t want[MD_KIND_COUNT], total = 1;   /* + the trailer */
    md_sample_expect(500, 5000, want);
    for (int k = 0; k < MD_KIND_COUNT; k++) total += want[k];
    CHECK(r && rrc == 0, "file.reads_back_valid");
    CHECK_EQ_U(n, total, "file.all_records");
    CHECK_EQ_U(r ? md_reader_file_size(r) : 0, md_writer_bytes(&w), "file.size_matches_writer_bytes");
    md_reader_close(r);
    unlink(path);
}

int main(void)
{
    test_interrupted_pipe();
    test_errors();
    test_file();
    return check_done();
}
