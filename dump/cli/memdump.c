/* memdump.c — the memdump command: entry point and help.
 *
 *   memdump run [options] -- CMD [ARGS...]    run CMD with the agent (cli_run.c)
 *   memdump --pid PID [-o FILE] [--timeout S] [--safe-point-timeout S]
 *                                             snapshot a running process (cli_pid.c)
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
"usage: memdump run [OPTIONS] [--] CMD [ARGS...]\n"
"       memdump --pid PID [-o FILE] [--timeout S] [--safe-point-timeout S]\n"
"       memdump --help\n"
"\n"
"memdump run starts CMD with the memdump agent (libmemdump.so) preloaded; child processes\n"
"inherit it and are dumped independently. Dumps are named PROG.PID.N.dump. Options:\n"
"  --dir DIR          where dumps go (default: $MEMDUMP_DIR, else the current directory)\n"
"  --native           track every malloc-family block with its allocation stack\n"
"                     (default for non-Python programs)\n"
"  --no-native        do not track native allocations (default for Python programs)\n"
"  --python-sites     record the Python traceback of every allocation (Python walker)\n"
"  --at-exit          dump when the program exits\n"
"  --at-peak[=PCT]    dump whenever the live heap exceeds the last dumped peak by PCT percent\n"
"                     (default 10; only the highest peak's dump is kept; Python: taken at\n"
"                     the interpreter's next safe point, so a short-lived object is in it)\n"
"  --at-rss=SIZE      dump when the resident set reaches SIZE (e.g. 512M, 2G), then at\n"
"                     every further 10%\n"
"  --signal=SIG       the signal that requests a dump (default SIGRTMIN+7; another free one\n"
"                     is chosen, with a message, if the program handles it)\n"
"  --timeout=S        deadline of a snapshot in seconds (default 60)\n"
"  --safe-point-timeout=S\n"
"                     how long a snapshot waits for the runtime's safe point (Python: the\n"
"                     GIL) before failing with \"could not reach a safe point\" (default 5)\n"
"  --no-fatal         no last-gasp dump on SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL\n"
"  --depth=N          native stack depth recorded (default 32, at most 128)\n"
"  -q, --quiet        the agent prints nothing on stderr\n"
"  -v, --verbose      print CMD's pid when it starts\n"
"memdump run exits with CMD's status, or 128+N if CMD was killed by signal N.\n"
"\n"
"memdump --pid PID asks the agent in process PID for a snapshot, waits for it, and prints\n"
"the dump's path and a summary (blocks, bytes, target pause, snapshot time). It refuses a\n"
"process that does not run the agent, without signalling it.\n"
"  -o, --output=FILE  write the dump to FILE (never overwritten; default: PROG.PID.N.dump in\n"
"                     the process's dump directory)\n"
"  --timeout=S        give up after S seconds (default 60); the agent's snapshot gets the\n"
"                     same deadline\n"
"  --safe-point-timeout=S  as for memdump run, for this snapshot only\n"
"Exit status: 0 done, 1 the snapshot failed, 2 usage error or no agent in PID, 3 timed out,\n"
"4 permission denied, 5 no such process (or it exited).\n"
"\n"
"The agent is configured through MEMDUMP_* environment variables (memdump run sets them):\n"
"MEMDUMP_DIR, MEMDUMP_NATIVE, MEMDUMP_PYTHON_SITES, MEMDUMP_AT_EXIT, MEMDUMP_AT_PEAK,\n"
"MEMDUMP_AT_RSS, MEMDUMP_SIGNAL, MEMDUMP_TIMEOUT, MEMDUMP_SAFE_POINT_TIMEOUT, MEMDUMP_FATAL, MEMDUMP_DEPTH, MEMDUMP_QUIET,\n"
"MEMDUMP_PEAK_INTERVAL, MEMDUMP_PEAK_MIN, MEMDUMP_RSS_INTERVAL, MEMDUMP_DISABLE.\n";

void cli_usage(int to_stderr)
{
    fputs(usage_text, to_stderr ? stderr : stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(1);
        return EXIT_USAGE;
    }
    const char *a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
        cli_usage(0);
        return EXIT_OK;
    }
    if (strcmp(a, "run") == 0) return cli_run(argc - 1, argv + 1);
    if (strcmp(a, "--pid") == 0 || strncmp(a, "--pid=", 6) == 0 || strcmp(a, "-p") == 0)
        return cli_pid(argc, argv);
    fprintf(stderr, "memdump: unknown command '%s' (try memdump --help)\n", a);
    return EXIT_USAGE;
}
