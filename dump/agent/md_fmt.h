/* md_fmt.h — a tiny printf for places where stdio is forbidden (signal handlers, the snapshot
 * child, inside malloc). No allocation, no locale, no floating point.
 *
 * Conversions: %s %c %d %i %u %x %p %% with length modifiers l, ll, z (e.g. %ld %llu %zu %lx),
 * and a zero-padded or space-padded width for numbers (%03lu, %5d).
 * Always NUL-terminates; output is truncated at cap-1 bytes. Returns the length written.
 */
#ifndef MD_FMT_H
#define MD_FMT_H

#include <stdarg.h>
#include <stddef.h>

size_t md_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);
size_t md_fmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "memdump[PID]: " + message + "\n" to stderr with one write(2). Silent when MEMDUMP_QUIET. */
void md_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int md_log_quiet;

#endif
