/* leak.c — a server loop that leaks one buffer per request (the deliberate leak).
 *
 *   build/bin/memdump run --at-exit -- build/samples/leak [REQUESTS]
 *   build/bin/memanalyze leak.*.dump          the 4 KiB buffers from parse_request are leaks
 *
 * Each request allocates a request struct and a body buffer; the struct is freed, but on the
 * "error" path (every 10th request) the body is forgotten. A small session table stays live
 * and reachable, as the contrast.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct request { int id; char *body; } request;
typedef struct session { int id; char name[56]; } session;

session *sessions[16];      /* global: the roots of the live sessions */

__attribute__((noinline)) static char *parse_request(int id)
{
    char *body = malloc(4096);
    snprintf(body, 4096, "request %d", id);
    return body;
}

__attribute__((noinline)) static int handle(int id)
{
    request *r = malloc(sizeof *r);
    r->id = id;
    r->body = parse_request(id);
    int failed = id % 10 == 0;
    if (!failed) free(r->body);      /* the error path forgets the body: the leak */
    free(r);
    return failed;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    for (int i = 0; i < 16; i++) {
        sessions[i] = calloc(1, sizeof(session));
        sessions[i]->id = i;
    }
    int errors = 0;
    for (int i = 1; i <= n; i++) errors += handle(i);
    printf("leak: %d requests, %d errors (each leaked 4096 bytes)\n", n, errors);
    return 0;
}
