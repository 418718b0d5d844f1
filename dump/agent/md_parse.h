/* md_parse.h — parsing of option values shared by the agent (environment) and the memdump
 * command line: sizes ("512M", "2G", "4096"), durations ("30", "2.5", "500ms") and signals
 * ("RTMIN+4", "SIGUSR2", "38"). No allocation; safe in the constructor of a preloaded library.
 */
#ifndef MD_PARSE_H
#define MD_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 and sets *out, or -1 for malformed input. Suffixes k, M, G, T (powers of 1024),
 * optionally followed by "B" or "iB". */
int md_parse_size(const char *s, uint64_t *out);
/* Seconds with an optional fraction, or a number followed by "ms", "s" or "m"; into ns. */
int md_parse_duration(const char *s, uint64_t *ns);
/* A signal number or name (with or without "SIG"; RTMIN+n, RTMAX-n). */
int md_parse_signal(const char *s, int *sig);
/* "SIGUSR2", "SIGRTMIN+4"; into buf. */
const char *md_signal_name(int sig, char *buf, size_t cap);
/* Non-negative decimal integer; -1 if malformed. */
int md_parse_uint(const char *s, uint64_t *out);

#endif
