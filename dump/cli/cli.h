/* cli.h — the memdump command's parts: `memdump run` (cli_run.c) and `memdump --pid`
 * (cli_pid.c); main and the help text live in memdump.c. */
#ifndef CLI_H
#define CLI_H

/* Exit statuses of `memdump --pid` (documented in the help text). */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,        /* the snapshot failed (the reason is printed) */
    EXIT_USAGE = 2,         /* bad options, or the process does not run the agent */
    EXIT_TIMEOUT = 3,
    EXIT_PERM = 4,          /* permission denied */
    EXIT_GONE = 5,          /* no such process, or it exited while we waited */
};

int cli_run(int argc, char **argv);
int cli_pid(int argc, char **argv);
void cli_usage(int to_stderr);

#endif
