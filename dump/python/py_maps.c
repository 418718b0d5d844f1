/* py_maps.c — parse /proc/self/maps without stdio or malloc (see py_maps.h). */
#include "py_maps.h"
#include "py_vec.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef struct mapping {
    uint64_t lo, hi;
    uint8_t readable;
} mapping;

static pyvec vmaps;
static mapping *maps;
static size_t nmaps;
static size_t last = (size_t)-1;
static uint64_t core_lo, core_hi;

static uint64_t hex(const char **pp, const char *end)
{
    uint64_t v = 0;
    const char *p = *pp;
    for (; p < end; p++) {
        char ch = *p;
        unsigned d;
        if (ch >= '0' && ch <= '9') d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') d = (unsigned)(ch - 'a' + 10);
        else break;
        v = v << 4 | d;
    }
    *pp = p;
    return v;
}

/* One line: "lo-hi perms offset dev inode   path". */
static void parse_line(const char *p, const char *end)
{
    mapping m = {0};
    m.lo = hex(&p, end);
    if (p >= end || *p != '-')
        return;
    p++;
    m.hi = hex(&p, end);
    if (p >= end || *p != ' ' || m.hi <= m.lo)
        return;
    p++;
    m.readable = p < end && *p == 'r';
    if (pyvec_reserve(&vmaps, (nmaps + 1) * sizeof(mapping)))
        return;
    maps = vmaps.p;
    maps[nmaps++] = m;
}

int pymaps_load(void)
{
    pymaps_free();
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[8192];
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r < 0)
            break;
        have += (size_t)r;
        size_t start = 0;
        for (size_t i = 0; i < have; i++) {
            if (buf[i] == '\n') {
                parse_line(buf + start, buf + i);
                start = i + 1;
            }
        }
        if (start == 0 && have == sizeof buf)
            start = have;           /* a line longer than the buffer: drop it */
        memmove(buf, buf + start, have - start);
        have -= start;
        if (r == 0)
            break;
    }
    if (have)
        parse_line(buf, buf + have);
    close(fd);
    return nmaps ? 0 : -1;
}

void pymaps_free(void)
{
    pyvec_free(&vmaps);
    maps = NULL;
    nmaps = 0;
    last = (size_t)-1;
}

static size_t find(uint64_t addr)
{
    if (last < nmaps && addr >= maps[last].lo && addr < maps[last].hi)
        return last;
    size_t lo = 0, hi = nmaps;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (addr < maps[mid].lo) hi = mid;
        else if (addr >= maps[mid].hi) lo = mid + 1;
        else return last = mid;
    }
    return (size_t)-1;
}

int pymaps_readable(uint64_t addr, size_t len)
{
    if (addr + len < addr)
        return 0;
    size_t i = find(addr);
    if (i == (size_t)-1 || !maps[i].readable)
        return 0;
    uint64_t end = addr + len;
    while (end > maps[i].hi) {       /* spans into the next mapping: it must be adjacent */
        if (i + 1 >= nmaps || maps[i + 1].lo != maps[i].hi || !maps[i + 1].readable)
            return 0;
        i++;
    }
    return 1;
}

void pymaps_set_core(uint64_t lo, uint64_t hi)
{
    core_lo = lo;
    core_hi = hi;
}

int pymaps_in_core(uint64_t addr)
{
    return addr >= core_lo && addr < core_hi;
}
