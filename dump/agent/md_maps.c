/* md_maps.c — /proc/self/maps into a sorted table, without malloc (see md_maps.h).
 *
 * The file is read in 64 KiB pieces and parsed line by line; a line split across two reads is
 * carried over. Entries go to a vector that doubles in caller-provided memory (the old copy is
 * abandoned: the arena is never freed anyway).
 */
#include "md_maps.h"
#include "md_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef struct parser {
    md_maps *m;
    size_t cap, pcap;
    md_alloc_fn alloc;
    void *ctx;
} parser;

static int add_path(parser *p, const char *s, size_t len, uint32_t *off)
{
    md_maps *m = p->m;
    if (m->paths_len + len + 1 > p->pcap) {
        size_t ncap = p->pcap ? p->pcap * 2 : 16384;
        while (ncap < m->paths_len + len + 1) ncap *= 2;
        char *np = p->alloc(p->ctx, ncap);
        if (!np) return -1;
        if (m->paths_len) memcpy(np, m->paths, m->paths_len);
        m->paths = np;
        p->pcap = ncap;
    }
    memcpy(m->paths + m->paths_len, s, len);
    m->paths[m->paths_len + len] = 0;
    *off = (uint32_t)m->paths_len;
    m->paths_len += len + 1;
    return 0;
}

static int parse_line(parser *p, const char *s, const char *end)
{
    md_maps *m = p->m;
    md_map_ent e = { 0, 0, 0, 0, 0, UINT32_MAX };
    const char *q;
    e.lo = md_parse_hex(s, &q);
    if (q >= end || *q != '-') return 0;
    e.hi = md_parse_hex(q + 1, &q);
    if (q + 5 >= end) return 0;
    q++;
    if (q[0] == 'r') e.flags |= MD_MAP_R;
    if (q[1] == 'w') e.flags |= MD_MAP_W;
    if (q[2] == 'x') e.flags |= MD_MAP_X;
    q += 4;
    while (q < end && *q == ' ') q++;
    e.offset = md_parse_hex(q, &q);
    while (q < end && *q == ' ') q++;
    while (q < end && *q != ' ') q++;          /* dev */
    while (q < end && *q == ' ') q++;
    e.inode = md_parse_u64(q, &q);
    while (q < end && *q == ' ') q++;
    if (q < end) {
        size_t len = (size_t)(end - q);
        if (*q == '[') {
            if (len == 7 && memcmp(q, "[stack]", 7) == 0) e.flags |= MD_MAP_STACK;
            else if ((len == 6 && memcmp(q, "[vvar]", 6) == 0) ||
                     (len == 10 && memcmp(q, "[vsyscall]", 10) == 0))
                e.flags |= MD_MAP_SPECIAL;      /* reading some of these pages faults */
        }
        if (add_path(p, q, len, &e.path_off) < 0) return -1;
    }
    if (m->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 256;
        md_map_ent *ne = p->alloc(p->ctx, ncap * sizeof *ne);
        if (!ne) return -1;
        if (m->n) memcpy(ne, m->e, m->n * sizeof *ne);
        m->e = ne;
        p->cap = ncap;
    }
    m->e[m->n++] = e;
    return 0;
}

int md_maps_read(md_maps *m, md_alloc_fn alloc, void *ctx)
{
    memset(m, 0, sizeof *m);
    parser p = { m, 0, 0, alloc, ctx };
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char *buf = alloc(ctx, 65536 + 1);
    if (!buf) { close(fd); return -1; }
    size_t have = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, 65536 - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            rc = -1;
            break;
        }
        size_t len = have + (size_t)n;
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
            if (buf[i] != '\n') continue;
            if (parse_line(&p, buf + start, buf + i) < 0) { rc = -1; break; }
            start = i + 1;
        }
        if (rc) break;
        if (n == 0) {
            if (start < len && parse_line(&p, buf + start, buf + len) < 0) rc = -1;
            break;
        }
        memmove(buf, buf + start, len - start);
        have = len - start;
        if (have == 65536) have = 0;            /* absurd line: drop it */
    }
    close(fd);
    return rc;
}

long md_maps_find(const md_maps *m, uint64_t addr)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->e[mid].hi <= addr) lo = mid + 1;
        else hi = mid;
    }
    if (lo < m->n && m->e[lo].lo <= addr && addr < m->e[lo].hi) return (long)lo;
    return -1;
}

int md_maps_readable(const md_maps *m, uint64_t addr, uint64_t len)
{
    if (len == 0) return 1;
    uint64_t end = addr + len;
    if (end < addr) return 0;
    long i = md_maps_find(m, addr);
    if (i < 0) return 0;
    for (size_t k = (size_t)i; k < m->n; k++) {
        const md_map_ent *e = &m->e[k];
        if (!(e->flags & MD_MAP_R) || (e->flags & MD_MAP_SPECIAL)) return 0;
        if (k > (size_t)i && e->lo != m->e[k - 1].hi) return 0;
        if (end <= e->hi) return 1;
    }
    return 0;
}

const char *md_maps_path(const md_maps *m, const md_map_ent *e)
{
    return e->path_off == UINT32_MAX ? "" : m->paths + e->path_off;
}

int md_maps_main_stack(uint64_t *lo, uint64_t *hi)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[8192];
    size_t have = 0;
    int found = -1;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t len = have + (size_t)n, start = 0;
        buf[len] = 0;
        for (size_t i = 0; i < len; i++) {
            if (buf[i] != '\n') continue;
            buf[i] = 0;
            const char *line = buf + start;
            size_t ll = i - start;
            if (ll > 7 && memcmp(line + ll - 7, "[stack]", 7) == 0) {
                const char *q;
                *lo = md_parse_hex(line, &q);
                *hi = md_parse_hex(q + 1, &q);
                found = 0;
            }
            start = i + 1;
        }
        memmove(buf, buf + start, len - start);
        have = len - start;
        if (have >= sizeof buf - 1) have = 0;
        if (found == 0) break;
    }
    close(fd);
    return found;
}
