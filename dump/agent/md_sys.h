/* md_sys.h — thin system-call helpers for code that runs in a target process.
 *
 * Everything here is async-signal-safe and never allocates: it is used from signal handlers,
 * from inside the interposed malloc, and in the snapshot child where malloc and stdio are off
 * limits. Functions return -1 with errno set on failure unless stated otherwise.
 */
#ifndef MD_SYS_H
#define MD_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

pid_t md_gettid(void);
uint64_t md_now_ns(void);          /* CLOCK_MONOTONIC */
uint64_t md_wall_ns(void);         /* CLOCK_REALTIME, ns since the epoch */
void md_sleep_ns(uint64_t ns);

/* Futexes. shared=0 for process-private words, 1 for words in MAP_SHARED memory.
 * md_futex_wait returns when *addr != val, on a wake, on a signal or after timeout_ns
 * (negative = forever). */
void md_futex_wait(int *addr, int val, int64_t timeout_ns, int shared);
void md_futex_wake(int *addr, int n, int shared);

/* Reads a whole small file (e.g. /proc/self/status) into buf, NUL-terminated; returns the
 * length or -1. Truncates silently at cap-1 bytes. */
ssize_t md_read_file(const char *path, char *buf, size_t cap);
/* write(2) until done, retrying EINTR. Returns 0 or -1. */
int md_write_all(int fd, const void *buf, size_t len);

/* Anonymous private memory, NORESERVE, zero-filled. NULL on failure. */
void *md_map(size_t len);
void md_unmap(void *p, size_t len);
/* Shared anonymous memory (visible to a clone child and its parent). */
void *md_map_shared(size_t len);

/* Unsigned decimal / hex parsing of [s, s+n); stops at the first non-digit. */
uint64_t md_parse_u64(const char *s, const char **end);
uint64_t md_parse_hex(const char *s, const char **end);

/* Looks for "Key:<spaces>value" in a /proc status-style buffer; value in kB converted to bytes
 * when the line ends in " kB". Returns -1 when the key is absent. */
int64_t md_proc_field(const char *buf, const char *key);

size_t md_strlen(const char *s);
/* Copies at most cap-1 bytes and NUL-terminates; returns the length copied. */
size_t md_strlcpy(char *dst, const char *src, size_t cap);

#endif
