/* md_sys.c — system-call helpers for code running inside a target process (see md_sys.h).
 *
 * Direct syscalls where glibc's wrapper might take a lock or cache state that is stale in a clone
 * child (gettid, futex); plain libc wrappers where they are just syscalls (open, read, mmap).
 */
#include "md_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

pid_t md_gettid(void) { return (pid_t)syscall(SYS_gettid); }

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t md_now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
uint64_t md_wall_ns(void) { return clock_ns(CLOCK_REALTIME); }

void md_sleep_ns(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

void md_futex_wait(int *addr, int val, int64_t timeout_ns, int shared)
{
    struct timespec ts, *tp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000ll);
        ts.tv_nsec = (long)(timeout_ns % 1000000000ll);
        tp = &ts;
    }
    int saved = errno;
    syscall(SYS_futex, addr, shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, val, tp, NULL, 0);
    errno = saved;
}

void md_futex_wake(int *addr, int n, int shared)
{
    int saved = errno;
    syscall(SYS_futex, addr, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
    errno = saved;
}

ssize_t md_read_file(const char *path, char *buf, size_t cap)
{
    if (cap == 0) return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t len = 0;
    while (len + 1 < cap) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    buf[len] = 0;
    close(fd);
    return (ssize_t)len;
}

int md_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) { errno = EIO; return -1; }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void *md_map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void md_unmap(void *p, size_t len) { if (p) munmap(p, len); }

void *md_map_shared(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

uint64_t md_parse_u64(const char *s, const char **end)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (uint64_t)(*s++ - '0');
    if (end) *end = s;
    return v;
}

uint64_t md_parse_hex(const char *s, const char **end)
{
    uint64_t v = 0;
    for (;; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else break;
        v = (v << 4) | (uint64_t)d;
    }
    if (end) *end = s;
    return v;
}

int64_t md_proc_field(const char *buf, const char *key)
{
    size_t kl = md_strlen(key);
    const char *p = buf;
    while (*p) {
        size_t i = 0;
        while (i < kl && p[i] == key[i]) i++;
        if (i == kl && p[kl] == ':') {
            const char *q = p + kl + 1;
            while (*q == ' ' || *q == '\t') q++;
            const char *e;
            uint64_t v = md_parse_u64(q, &e);
            if (e[0] == ' ' && e[1] == 'k' && e[2] == 'B') v *= 1024;
            return (int64_t)v;
        }
        while (*p && *p != '\n') p++;
        if (*p) p++;
    }
    return -1;
}

size_t md_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

size_t md_strlcpy(char *dst, const char *src, size_t cap)
{
    size_t n = 0;
    if (cap == 0) return 0;
    while (src[n] && n + 1 < cap) { dst[n] = src[n]; n++; }
    dst[n] = 0;
    return n;
}
