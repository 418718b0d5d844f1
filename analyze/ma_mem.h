/* ma_mem.h — allocation for the analyzer: checked, and fatal on failure.
 *
 * memanalyze is a command-line tool working on one big in-memory graph; when an allocation
 * fails there is nothing sensible to continue with, so these helpers print what could not be
 * allocated (and how much) and exit with status 1, and callers never test for NULL. Sizes are
 * multiplied with overflow checks, so a lying count in a dump cannot wrap an allocation size.
 */
#ifndef MA_MEM_H
#define MA_MEM_H

#include <stddef.h>
#include <stdint.h>

void *ma_malloc(size_t n, size_t elem);            /* n * elem bytes, uninitialized */
void *ma_calloc(size_t n, size_t elem);            /* zeroed */
void *ma_realloc(void *p, size_t n, size_t elem);  /* resize to n * elem bytes */
char *ma_strndup(const char *s, size_t len);       /* NUL-terminated copy of len bytes */
char *ma_strdup(const char *s);
char *ma_sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *p (of *cap elements of elem bytes) so that it holds at least need elements; capacity
 * grows geometrically. Large arrays are mmap'd by glibc, so growth is an mremap, not a copy. */
void ma_grow(void **p, uint64_t *cap, uint64_t need, size_t elem);

/* The program name that prefixes the library's fatal and warning messages ("memanalyze" unless
 * the program sets it first thing in main, as memdiff does). */
extern const char *ma_progname;

/* Peak resident set size of this process so far, in bytes (getrusage). */
uint64_t ma_peak_rss(void);

#endif
