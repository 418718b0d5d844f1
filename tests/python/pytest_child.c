/* pytest_child.c — a stand-in for the agent's md_child, for testing the Python walker alone.
 *
 * The real md_child (dump/agent/md_child.c) belongs to the agent. This one implements the same
 * interface (dump/agent/md_child.h) as simply as possible so the walker can be driven from a test
 * extension module (pywalk_module.c) inside an ordinary Python process: interning by linear
 * probing over content hashes, an mmap'd arena, /proc/self/maps through the walker's own table.
 * It is test code: it may use vsnprintf, and it is never loaded into a target.
 */
#include "md_child.h"
#include "py_maps.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

struct md_child {
    md_writer *w;
    char *arena;
    size_t used, cap;
    uint64_t deadline;
    uint32_t nstr, ntype, nframe, nstack;
    struct ent { uint64_t h; uint32_t id; } *tab;
    size_t tabcap;
};

static md_child C;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

md_child *pytest_child_init(md_writer *w, uint64_t timeout_ns)
{
    memset(&C, 0, sizeof C);
    C.w = w;
    C.cap = (size_t)1 << 30;
    C.arena = mmap(NULL, C.cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    C.tabcap = (size_t)1 << 22;
    C.tab = mmap(NULL, C.tabcap * sizeof *C.tab, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    C.deadline = now_ns() + timeout_ns;
    return &C;
}

md_writer *md_child_writer(md_child *c) { return c->w; }

void *md_child_alloc(md_child *c, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (c->cap - c->used < size)
        return NULL;
    void *p = c->arena + c->used;
    c->used += size;
    return p;
}

/* FNV-1a over (table kind, length, bytes): keys of different tables never share a hash by
 * construction of the input, only by a 64-bit accident. */
static uint64_t hbytes(uint64_t kind, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull;
    uint64_t pre[2] = {kind, n};
    for (size_t i = 0; i < sizeof pre; i++)
        h = (h ^ ((const unsigned char *)pre)[i]) * 0x100000001b3ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

/* Interning by a 64-bit hash of (table, content): collisions are not worth handling in a test. */
static uint32_t intern(md_child *c, uint64_t h, uint32_t *counter, int *is_new)
{
    size_t i = (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & (c->tabcap - 1);
    for (;; i = (i + 1) & (c->tabcap - 1)) {
        if (c->tab[i].h == h && c->tab[i].id) {
            *is_new = 0;
            return c->tab[i].id;
        }
        if (!c->tab[i].id) {
            c->tab[i].h = h;
            c->tab[i].id = ++*counter;
            *is_new = 1;
            return c->tab[i].id;
        }
    }
}

uint32_t md_child_string(md_child *c, const char *s, size_t len)
{
    int is_new;
    if (len > MD_STRING_MAX) len = MD_STRING_MAX;
    uint32_t id = intern(c, hbytes(1, s, len), &c->nstr, &is_new);
    if (is_new) {
        md_string r = {id, {s, (uint32_t)len}};
        md_w_string(c->w, &r);
    }
    return id;
}

uint32_t md_child_type(md_child *c, const char *name, size_t len, uint32_t kind, uint64_t type_addr)
{
    int is_new;
    uint64_t h = type_addr ? hbytes(2, &type_addr, 8) : hbytes(3, name, len);
    uint32_t id = intern(c, h, &c->ntype, &is_new);
    if (is_new) {
        md_type r = {id, md_child_string(c, name, len), kind, type_addr};
        md_w_type(c->w, &r);
    }
    return id;
}

uint32_t md_child_frame_native(md_child *c, uint64_t pc)
{
    int is_new;
    uint32_t id = intern(c, hbytes(4, &pc, 8), &c->nframe, &is_new);
    if (is_new) {
        md_frame r = {id, pc, 0, 0, 0, 0};
        md_w_frame(c->w, &r);
    }
    return id;
}

uint32_t md_child_frame_py(md_child *c, uint32_t function_str, uint32_t file_str, uint32_t line)
{
    int is_new;
    uint32_t k[3] = {function_str, file_str, line};
    uint32_t id = intern(c, hbytes(5, k, sizeof k), &c->nframe, &is_new);
    if (is_new) {
        md_frame r = {id, 0, 0, function_str, file_str, line};
        md_w_frame(c->w, &r);
    }
    return id;
}

uint32_t md_child_stack(md_child *c, const uint32_t *frames, uint32_t depth)
{
    int is_new;
    uint32_t id = intern(c, hbytes(6, frames, depth * sizeof *frames), &c->nstack, &is_new);
    if (is_new) {
        md_stack r = {id, frames, depth};
        md_w_stack(c->w, &r);
    }
    return id;
}

int md_child_readable(md_child *c, uint64_t addr, size_t len)
{
    (void)c;
    return pymaps_readable(addr, len);
}

void md_child_warn(md_child *c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    md_w_warning(c->w, buf);
}

int64_t md_child_time_left_ns(md_child *c)
{
    return (int64_t)(c->deadline - now_ns());
}
