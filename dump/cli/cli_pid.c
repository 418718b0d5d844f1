/* cli_pid.c — `memdump --pid PID [-o FILE] [--timeout S] [--safe-point-timeout S]`:
 *
 * Safety first: a real-time signal kills a process that does not handle it, so nothing is sent
 * unless (1) /proc/PID/maps shows libmemdump.so, (2) one of PID's threads is the agent's control
 * thread, named "memdump:<signal>", and (3) /proc/PID/status says that signal is caught.
 *
 * Then (protocol in dump/agent/md_proto.h): listen on a fresh abstract unix socket, queue the
 * signal with a nonce to the control thread only (rt_tgsigqueueinfo), accept its connection
 * (checking that the peer is PID), send the request, and wait for the reply, watching that PID
 * still exists.
 */
#include "cli.h"
#include "../agent/md_parse.h"
#include "../agent/md_proto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long pid;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int alive(void)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/stat", pid);
    int fd = open(p, O_RDONLY);
    if (fd < 0) return 0;
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');
    return !(rp && (rp[2] == 'Z' || rp[2] == 'X'));     /* zombie or dead */
}

/* 1 if the agent is mapped, 0 if not; -errno when maps cannot be read. */
static int agent_mapped(void)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/maps", pid);
    FILE *f = fopen(p, "r");
    if (!f) return -errno;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "/libmemdump.so")) { found = 1; break; }
    int e = ferror(f) ? errno : 0;
    fclose(f);
    if (!found && e) return -e;
    return found;
}

static int control_thread(int *sig, long *tid)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/task", pid);
    DIR *d = opendir(p);
    if (!d) return -1;
    struct dirent *de;
    int found = -1;
    while ((de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
        char cp[320], comm[64];
        snprintf(cp, sizeof cp, "/proc/%ld/task/%s/comm", pid, de->d_name);
        FILE *f = fopen(cp, "r");
        if (!f) continue;
        if (fgets(comm, sizeof comm, f) && strncmp(comm, MD_CONTROL_COMM, strlen(MD_CONTROL_COMM)) == 0) {
            *sig = atoi(comm + strlen(MD_CONTROL_COMM));
            *tid = atol(de->d_name);
            found = *sig > 0 ? 0 : -1;
        }
        fclose(f);
        if (found == 0) break;
    }
    closedir(d);
    return found;
}

static int sig_caught(int sig)
{
    char p[64];
    snprintf(p, sizeof p, "/proc/%ld/status", pid);
    FILE *f = fopen(p, "r");
    if (!f) return 0;
    char line[256];
    int caught = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "SigCgt:", 7) == 0) {
            unsigned long long mask = strtoull(line + 7, NULL, 16);
            caught = (mask >> (sig - 1)) & 1;
        }
    }
    fclose(f);
    return caught;
}

static const char *field(const char *msg, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = msg; *p;) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t n = 0;
            while (v[n] && v[n] != '\n' && n + 1 < cap) { out[n] = v[n]; n++; }
            out[n] = 0;
            return out;
        }
        while (*p && *p != '\n') p++;
        if (*p) p++;
    }
    return NULL;
}

static uint64_t num(const char *msg, const char *key)
{
    char v[32];
    return field(msg, key, v, sizeof v) ? strtoull(v, NULL, 10) : 0;
}

static int gone(void)
{
    fprintf(stderr, "memdump: process %ld exited before the snapshot was done\n", pid);
    return EXIT_GONE;
}

int cli_pid(int argc, char **argv)
{
    static const struct option opts[] = {
        { "pid", required_argument, 0, 'p' },
        { "output", required_argument, 0, 'o' },
        { "timeout", required_argument, 0, 't' },
        { "safe-point-timeout", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *out = NULL;
    uint64_t timeout_ns = 60000000000ull, safe_ns = 0;
    const char *pid_s = NULL;
    int o;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "p:o:t:h", opts, NULL)) != -1) {
        switch (o) {
        case 'p': pid_s = optarg; break;
        case 'o': out = optarg; break;
        case 't':
            if (md_parse_duration(optarg, &timeout_ns) < 0 || timeout_ns == 0) {
                fprintf(stderr, "memdump: --timeout=%s: expected seconds\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'S':
            if (md_parse_duration(optarg, &safe_ns) < 0 || safe_ns < 1000000) {
                fprintf(stderr, "memdump: --safe-point-timeout=%s: expected seconds\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': cli_usage(0); return EXIT_OK;
        default:
            fprintf(stderr, "memdump: unknown or incomplete option '%s' (try memdump --help)\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "memdump: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    char *end;
    if (!pid_s || (pid = strtol(pid_s, &end, 10), *end) || pid <= 0) {
        fprintf(stderr, "memdump: --pid needs a process id\n");
        return EXIT_USAGE;
    }
    char path[PATH_MAX] = "";
    if (out) {
        if (out[0] == '/') snprintf(path, sizeof path, "%s", out);
        else {
            char cwd[PATH_MAX];
            if (!getcwd(cwd, sizeof cwd)) { perror("memdump: getcwd"); return EXIT_USAGE; }
            if ((size_t)snprintf(path, sizeof path, "%s/%s", cwd, out) >= sizeof path) {
                fprintf(stderr, "memdump: output path too long\n");
                return EXIT_USAGE;
            }
        }
    }

    char procdir[64];
    snprintf(procdir, sizeof procdir, "/proc/%ld", pid);
    struct stat st;
    if (stat(procdir, &st) < 0 || !alive()) {
        fprintf(stderr, "memdump: no such process: %ld\n", pid);
        return EXIT_GONE;
    }
    int m = agent_mapped();
    if (m < 0) {
        if (-m == ENOENT || -m == ESRCH) { fprintf(stderr, "memdump: no such process: %ld\n", pid); return EXIT_GONE; }
        fprintf(stderr, "memdump: cannot read /proc/%ld/maps: %s (run as the process's user or "
                "root)\n", pid, strerror(-m));
        return -m == EACCES || -m == EPERM ? EXIT_PERM : EXIT_FAILED;
    }
    if (m == 0) {
        fprintf(stderr, "memdump: process %ld does not run the memdump agent (libmemdump.so is "
                "not loaded; start it with 'memdump run'); no signal was sent\n", pid);
        return EXIT_USAGE;
    }
    int sig;
    long tid;
    if (control_thread(&sig, &tid) < 0) {
        fprintf(stderr, "memdump: process %ld has libmemdump.so loaded but no memdump control "
                "thread (disabled, or not started); no signal was sent\n", pid);
        return EXIT_USAGE;
    }
    if (!sig_caught(sig)) {
        fprintf(stderr, "memdump: process %ld does not catch signal %d; no signal was sent\n",
                pid, sig);
        return EXIT_USAGE;
    }

    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0) { perror("memdump: socket"); return EXIT_FAILED; }
    struct sockaddr_un sa;
    size_t alen = 0;
    unsigned nonce = 0;
    for (int tries = 0; tries < 16; tries++) {
        if (getrandom(&nonce, sizeof nonce, 0) != sizeof nonce) nonce = (unsigned)now_ms() ^ (unsigned)getpid();
        nonce &= 0x7fffffff;
        if (!nonce) nonce = 1;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        alen = md_proto_sockname(sa.sun_path, sizeof sa.sun_path, (int)getpid(), nonce);
        if (bind(ls, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + alen)) == 0) break;
        alen = 0;
    }
    if (!alen || listen(ls, 4) < 0) { perror("memdump: bind"); return EXIT_FAILED; }

    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = (int)nonce;
    if (syscall(SYS_rt_tgsigqueueinfo, (pid_t)pid, (pid_t)tid, sig, &si) < 0) {
        int e = errno;
        if (e == ESRCH) return gone();
        fprintf(stderr, "memdump: cannot signal process %ld: %s\n", pid, strerror(e));
        return e == EPERM ? EXIT_PERM : EXIT_FAILED;
    }

    uint64_t t_ms = timeout_ns / 1000000;
    uint64_t deadline = now_ms() + t_ms + 3000;    /* the agent reports its own deadline first */
    int fd = -1;
    while (fd < 0) {
        uint64_t n = now_ms();
        if (n >= deadline) {
            fprintf(stderr, "memdump: timed out after %.1f s: the agent in %ld did not answer "
                    "(busy, or its control thread is stuck)\n", (double)t_ms / 1000, pid);
            return EXIT_TIMEOUT;
        }
        struct pollfd p = { ls, POLLIN, 0 };
        int r = poll(&p, 1, 100);
        if (r > 0) {
            fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                struct ucred cr;
                socklen_t crl = sizeof cr;
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0 || cr.pid != pid) {
                    close(fd);
                    fd = -1;
                }
            }
        } else if (!alive()) {
            return gone();
        }
    }
    close(ls);
    char req[PATH_MAX + 160], spt[48] = "";
    if (safe_ns) snprintf(spt, sizeof spt, "safe_point_ms=%llu\n", (unsigned long long)(safe_ns / 1000000));
    int rl = snprintf(req, sizeof req, "memdump-request 1\npath=%s\ntimeout_ms=%llu\n%s\n", path,
                      (unsigned long long)t_ms, spt);
    if (write(fd, req, (size_t)rl) != rl) { perror("memdump: write"); return EXIT_FAILED; }

    static char reply[MD_PROTO_MAX * 2];
    size_t n = 0;
    for (;;) {
        if (strstr(reply, "\n\n") && strstr(reply, "status=")) break;
        uint64_t t = now_ms();
        if (t >= deadline) {
            fprintf(stderr, "memdump: timed out after %.1f s waiting for the snapshot of %ld\n",
                    (double)t_ms / 1000, pid);
            return EXIT_TIMEOUT;
        }
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, 200);
        if (r == 0) {
            if (!alive()) return gone();
            continue;
        }
        ssize_t k = read(fd, reply + n, sizeof reply - 1 - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (!alive()) return gone();
            fprintf(stderr, "memdump: the agent in %ld closed the connection without a result\n", pid);
            return EXIT_FAILED;
        }
        n += (size_t)k;
        reply[n] = 0;
        if (n + 1 >= sizeof reply) break;
    }
    close(fd);
    for (const char *p = reply; (p = strstr(p, "warning=")); p += 8) {
        const char *e = strchr(p, '\n');
        fprintf(stderr, "memdump: warning: %.*s\n", (int)(e ? e - p - 8 : (long)strlen(p + 8)), p + 8);
    }
    char status[16], msg[1024], dpath[PATH_MAX];
    if (!field(reply, "status", status, sizeof status) || strcmp(status, "ok") != 0) {
        fprintf(stderr, "memdump: snapshot of process %ld failed: %s\n", pid,
                field(reply, "message", msg, sizeof msg) ? msg : "no reason given");
        return EXIT_FAILED;
    }
    field(reply, "path", dpath, sizeof dpath);
    uint64_t pause = num(reply, "pause_ns"), child = num(reply, "child_ns");
    printf("%s\n", dpath);
    printf("%llu blocks, %llu bytes, target paused %.3f ms, snapshot took %.1f ms, file %llu bytes\n",
           (unsigned long long)num(reply, "blocks"), (unsigned long long)num(reply, "bytes"),
           (double)pause / 1e6, (double)child / 1e6, (unsigned long long)num(reply, "file_bytes"));
    return EXIT_OK;
}
