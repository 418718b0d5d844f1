/* cli_run.c — `memdump run [options] -- CMD [ARGS...]`.
 *
 * Options become MEMDUMP_* variables (the agent's only configuration channel, which child
 * processes inherit), libmemdump.so is prepended to LD_PRELOAD by absolute path, and CMD runs in
 * a child process. memdump waits for it and exits with its status (128+N when killed by signal
 * N). While waiting it ignores SIGINT and SIGQUIT — the terminal sends those to CMD as well — and
 * forwards SIGTERM and SIGHUP.
 *
 * The agent is looked for relative to the memdump binary: ../lib/libmemdump.so (the build tree,
 * build/bin → build/lib) or ../lib/memdump/libmemdump.so (after make install PREFIX=...).
 * MEMDUMP_LIB overrides both.
 */
#include "cli.h"
#include "../agent/md_parse.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

static int find_agent(char *out, size_t cap)
{
    const char *over = getenv("MEMDUMP_LIB");
    if (over && *over) {
        if (!realpath(over, out)) return -1;
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = 0;
    const char *rel[] = { "../lib/libmemdump.so", "../lib/memdump/libmemdump.so" };
    for (unsigned i = 0; i < 2; i++) {
        char cand[PATH_MAX + 64];
        snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]);
        if (access(cand, R_OK) == 0 && realpath(cand, out)) return 0;
    }
    (void)cap;
    return -1;
}

static void forward(int sig)
{
    if (child > 0) kill(child, sig);
}

static int set(const char *name, const char *value)
{
    if (setenv(name, value, 1) == 0) return 0;
    fprintf(stderr, "memdump: cannot set %s: %s\n", name, strerror(errno));
    return -1;
}

/* Put value first in the colon-separated list in environment variable name (once). */
static int prepend_path(const char *name, const char *value)
{
    const char *old = getenv(name);
    if (!old || !*old) return set(name, value);
    size_t vl = strlen(value);
    for (const char *p = old; p; p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL)
        if (!strncmp(p, value, vl) && (p[vl] == ':' || p[vl] == 0)) return 0;
    size_t n = vl + strlen(old) + 2;
    char *v = malloc(n);
    if (!v) return -1;
    snprintf(v, n, "%s:%s", value, old);
    int rc = set(name, v);
    free(v);
    return rc;
}

enum { O_DIR = 1000, O_NATIVE, O_NO_NATIVE, O_AT_EXIT, O_AT_PEAK, O_AT_RSS, O_SIGNAL,
       O_PYSITES, O_TIMEOUT, O_SAFE_POINT, O_NO_FATAL, O_DEPTH, O_HELP };

int cli_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "dir", required_argument, 0, O_DIR },
        { "native", no_argument, 0, O_NATIVE },
        { "no-native", no_argument, 0, O_NO_NATIVE },
        { "at-exit", no_argument, 0, O_AT_EXIT },
        { "at-peak", optional_argument, 0, O_AT_PEAK },
        { "at-rss", required_argument, 0, O_AT_RSS },
        { "signal", required_argument, 0, O_SIGNAL },
        { "python-sites", no_argument, 0, O_PYSITES },
        { "timeout", required_argument, 0, O_TIMEOUT },
        { "safe-point-timeout", required_argument, 0, O_SAFE_POINT },
        { "no-fatal", no_argument, 0, O_NO_FATAL },
        { "depth", required_argument, 0, O_DEPTH },
        { "quiet", no_argument, 0, 'q' },
        { "verbose", no_argument, 0, 'v' },
        { "help", no_argument, 0, O_HELP },
        { 0, 0, 0, 0 },
    };
    int verbose = 0, o;
    char dir[PATH_MAX] = "";
    char num[32];
    uint64_t u;
    optind = 1;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "+qv", opts, NULL)) != -1) {
        switch (o) {
        case O_DIR:
            if (!realpath(optarg, dir)) {
                fprintf(stderr, "memdump: --dir %s: %s\n", optarg, strerror(errno));
                return EXIT_USAGE;
            }
            break;
        case O_NATIVE: if (set("MEMDUMP_NATIVE", "1")) return EXIT_USAGE; break;
        case O_NO_NATIVE: if (set("MEMDUMP_NATIVE", "0")) return EXIT_USAGE; break;
        case O_AT_EXIT: if (set("MEMDUMP_AT_EXIT", "1")) return EXIT_USAGE; break;
        case O_AT_PEAK:
            if (optarg && (md_parse_uint(optarg, &u) < 0 || u == 0 || u > 100000)) {
                fprintf(stderr, "memdump: --at-peak=%s: expected a percentage (1-100000)\n", optarg);
                return EXIT_USAGE;
            }
            snprintf(num, sizeof num, "%llu", optarg ? (unsigned long long)u : 10ull);
            if (set("MEMDUMP_AT_PEAK", num)) return EXIT_USAGE;
            break;
        case O_AT_RSS:
            if (md_parse_size(optarg, &u) < 0 || u == 0) {
                fprintf(stderr, "memdump: --at-rss=%s: expected a size such as 512M or 2G\n", optarg);
                return EXIT_USAGE;
            }
            snprintf(num, sizeof num, "%llu", (unsigned long long)u);
            if (set("MEMDUMP_AT_RSS", num)) return EXIT_USAGE;
            break;
        case O_SIGNAL: {
            int s;
            if (md_parse_signal(optarg, &s) < 0 || s == SIGKILL || s == SIGSTOP) {
                fprintf(stderr, "memdump: --signal=%s: not a usable signal\n", optarg);
                return EXIT_USAGE;
            }
            snprintf(num, sizeof num, "%d", s);
            if (set("MEMDUMP_SIGNAL", num)) return EXIT_USAGE;
            break;
        }
        case O_PYSITES: if (set("MEMDUMP_PYTHON_SITES", "1")) return EXIT_USAGE; break;
        case O_TIMEOUT:
            if (md_parse_duration(optarg, &u) < 0 || u == 0) {
                fprintf(stderr, "memdump: --timeout=%s: expected seconds\n", optarg);
                return EXIT_USAGE;
            }
            if (set("MEMDUMP_TIMEOUT", optarg)) return EXIT_USAGE;
            break;
        case O_SAFE_POINT:
            if (md_parse_duration(optarg, &u) < 0 || u == 0) {
                fprintf(stderr, "memdump: --safe-point-timeout=%s: expected seconds\n", optarg);
                return EXIT_USAGE;
            }
            if (set("MEMDUMP_SAFE_POINT_TIMEOUT", optarg)) return EXIT_USAGE;
            break;
        case O_NO_FATAL: if (set("MEMDUMP_FATAL", "0")) return EXIT_USAGE; break;
        case O_DEPTH:
            if (md_parse_uint(optarg, &u) < 0 || u < 1 || u > 128) {
                fprintf(stderr, "memdump: --depth=%s: expected 1..128\n", optarg);
                return EXIT_USAGE;
            }
            if (set("MEMDUMP_DEPTH", optarg)) return EXIT_USAGE;
            break;
        case 'q': if (set("MEMDUMP_QUIET", "1")) return EXIT_USAGE; break;
        case 'v': verbose = 1; break;
        case O_HELP: cli_usage(0); return EXIT_OK;
        default:
            fprintf(stderr, "memdump run: unknown or incomplete option '%s' (try memdump --help)\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "memdump run: no command given (usage: memdump run [OPTIONS] -- CMD ...)\n");
        return EXIT_USAGE;
    }
    char **cmd = argv + optind;

    char lib[PATH_MAX];
    if (find_agent(lib, sizeof lib) < 0) {
        fprintf(stderr, "memdump: cannot find libmemdump.so next to this program "
                "(looked in ../lib and ../lib/memdump; set MEMDUMP_LIB)\n");
        return EXIT_USAGE;
    }
    if (!dir[0]) {
        const char *d = getenv("MEMDUMP_DIR");
        if (!d || !*d || !realpath(d, dir)) {
            if (!getcwd(dir, sizeof dir)) {
                fprintf(stderr, "memdump: cannot get the current directory: %s\n", strerror(errno));
                return EXIT_USAGE;
            }
        }
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "memdump: dump directory %s: not a directory\n", dir);
        return EXIT_USAGE;
    }
    if (access(dir, W_OK) < 0)
        fprintf(stderr, "memdump: warning: dump directory %s is not writable: dumps will fail\n", dir);
    if (set("MEMDUMP_DIR", dir)) return EXIT_USAGE;

    if (prepend_path("LD_PRELOAD", lib)) return EXIT_USAGE;
    /* The `memdump` Python module (memdump.snapshot(), a context manager, a decorator) ships
     * next to the walker plugins: make `import memdump` work in the program. */
    char pydir[PATH_MAX];
    const char *slash = strrchr(lib, '/');
    if (slash && snprintf(pydir, sizeof pydir, "%.*s/memdump-py", (int)(slash - lib), lib) < (int)sizeof pydir
        && access(pydir, R_OK) == 0 && prepend_path("PYTHONPATH", pydir))
        return EXIT_USAGE;

    child = fork();
    if (child < 0) {
        fprintf(stderr, "memdump: fork: %s\n", strerror(errno));
        return EXIT_FAILED;
    }
    if (child == 0) {
        execvp(cmd[0], cmd);
        fprintf(stderr, "memdump: cannot run %s: %s\n", cmd[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    if (verbose) fprintf(stderr, "memdump: started %s as pid %d\n", cmd[0], (int)child);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int status;
    for (;;) {
        pid_t w = waitpid(child, &status, 0);
        if (w == child) break;
        if (w < 0 && errno != EINTR) {
            fprintf(stderr, "memdump: waitpid: %s\n", strerror(errno));
            return EXIT_FAILED;
        }
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return EXIT_FAILED;
}
