/* md_modules.c — module discovery in the snapshot child (see md_modules.h).
 *
 * For each link_map entry: l_addr is the load bias, l_ld the dynamic section; the ELF header is
 * at the start of the mapping with file offset 0 of the same file (found by walking back from the
 * mapping that holds l_ld). Program headers give the extent, the writable segments and the
 * PT_NOTE segments that hold the GNU build-id. Every read is checked with md_child_readable, so a
 * list caught mid-update by the fork yields a warning, not a crash.
 */
#include "md_modules.h"
#include "md_child_int.h"

#include <elf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#define MAX_MODULES 8192

static int rd(md_child *c, uint64_t addr, void *dst, size_t len)
{
    if (!md_child_readable(c, addr, len)) return -1;
    memcpy(dst, (const void *)(uintptr_t)addr, len);
    return 0;
}

/* Copies a NUL-terminated string from the target into the arena (bounded). */
static const char *rd_str(md_child *c, uint64_t addr, size_t max)
{
    size_t n = 0;
    while (n < max && md_child_readable(c, addr + n, 1) && ((const char *)(uintptr_t)addr)[n]) n++;
    char *s = md_child_alloc(c, n + 1);
    if (!s) return NULL;
    memcpy(s, (const void *)(uintptr_t)addr, n);
    s[n] = 0;
    return s;
}

/* The ELF header of the file mapped at the mapping holding addr. */
static uint64_t find_ehdr(md_child *c, uint64_t addr)
{
    long i = md_maps_find(&c->maps, addr);
    if (i < 0) return 0;
    uint64_t inode = c->maps.e[i].inode;
    const char *path = md_maps_path(&c->maps, &c->maps.e[i]);
    for (long k = i; k >= 0 && i - k < 64; k--) {
        const md_map_ent *e = &c->maps.e[k];
        if (e->inode != inode || strcmp(md_maps_path(&c->maps, e), path) != 0) continue;
        if (e->offset == 0) return e->lo;
    }
    return 0;
}

static void build_id(md_child *c, uint64_t note, uint64_t size, const uint8_t **id, uint32_t *len)
{
    uint64_t p = note, end = note + size;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
        ElfW(Nhdr) nh;
        if (rd(c, p, &nh, sizeof nh) < 0) return;
        uint64_t name = p + sizeof nh;
        uint64_t desc = name + ((nh.n_namesz + 3) & ~3u);
        uint64_t next = desc + ((nh.n_descsz + 3) & ~3u);
        if (next > end || next <= p) return;
        char nm[4];
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && rd(c, name, nm, 4) == 0 &&
            memcmp(nm, "GNU", 4) == 0 && nh.n_descsz <= 64 &&
            md_child_readable(c, desc, nh.n_descsz)) {
            *id = (const uint8_t *)(uintptr_t)desc;
            *len = nh.n_descsz;
            return;
        }
        p = next;
    }
}

/* Fills m from the program headers at ehdr with load bias `bias`. */
static int describe(md_child *c, md_mod *m, uint64_t ehdr, uint64_t bias,
                    const uint8_t **bid, uint32_t *bid_len)
{
    ElfW(Ehdr) eh;
    if (rd(c, ehdr, &eh, sizeof eh) < 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phnum > 256)
        return -1;
    uint64_t ph = ehdr + eh.e_phoff;
    uint64_t lo = UINT64_MAX, hi = 0;
    long pg = getpagesize();
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        ElfW(Phdr) p;
        if (rd(c, ph + i * sizeof p, &p, sizeof p) < 0) return -1;
        if (p.p_type == PT_LOAD) {
            uint64_t s = (bias + p.p_vaddr) & ~(uint64_t)(pg - 1);
            uint64_t e = (bias + p.p_vaddr + p.p_memsz + (uint64_t)pg - 1) & ~(uint64_t)(pg - 1);
            if (s < lo) lo = s;
            if (e > hi) hi = e;
            if ((p.p_flags & PF_W) && m->nwseg < MD_MOD_MAX_WSEG && p.p_memsz) {
                m->wseg_lo[m->nwseg] = bias + p.p_vaddr;
                m->wseg_hi[m->nwseg] = bias + p.p_vaddr + p.p_memsz;
                m->nwseg++;
            }
        } else if (p.p_type == PT_NOTE && !*bid_len) {
            build_id(c, bias + p.p_vaddr, p.p_memsz, bid, bid_len);
        }
    }
    if (lo >= hi) return -1;
    m->lo = lo;
    m->hi = hi;
    m->bias = bias;
    return 0;
}

static int emit(md_child *c, md_modtab *t, md_mod *m, const uint8_t *bid, uint32_t bid_len,
                uint64_t self_addr)
{
    m->path_str = md_child_string(c, m->path, strlen(m->path));
    m->id = t->n + 1;
    m->is_self = self_addr >= m->lo && self_addr < m->hi;
    const char *base = strrchr(m->path, '/');
    base = base ? base + 1 : m->path;
    m->is_libc = strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-", 5) == 0;
    md_module rec = { m->id, m->path_str, bid, bid_len, m->bias, m->lo, m->hi };
    if (md_w_module(c->w, &rec) < 0) return -1;
    t->m[t->n++] = *m;
    return 0;
}

static void sort_by_lo(md_modtab *t)
{
    for (uint32_t i = 1; i < t->n; i++) {       /* insertion sort: lists are nearly sorted */
        md_mod x = t->m[i];
        uint32_t j = i;
        while (j > 0 && t->m[j - 1].lo > x.lo) { t->m[j] = t->m[j - 1]; j--; }
        t->m[j] = x;
    }
}

static int from_link_map(md_child *c, md_modtab *t, uint64_t r_debug, uint64_t self_addr)
{
    struct r_debug rdbg;
    if (rd(c, r_debug, &rdbg, sizeof rdbg) < 0) return -1;
    uint64_t lm = (uint64_t)(uintptr_t)rdbg.r_map;
    char exe[4096];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[el > 0 ? el : 0] = 0;
    unsigned guard = 0;
    while (lm && guard++ < MAX_MODULES && t->n < MAX_MODULES) {
        struct link_map l;
        if (rd(c, lm, &l, sizeof l) < 0) {
            md_child_warn(c, "module list unreadable at %p; later modules are missing",
                          (void *)(uintptr_t)lm);
            break;
        }
        const char *name = l.l_name ? rd_str(c, (uint64_t)(uintptr_t)l.l_name, 4096) : "";
        if (!name) return -1;
        md_mod m;
        memset(&m, 0, sizeof m);
        m.path = name[0] ? name : exe;
        uint64_t ehdr = l.l_ld ? find_ehdr(c, (uint64_t)(uintptr_t)l.l_ld) : 0;
        long mi = l.l_ld ? md_maps_find(&c->maps, (uint64_t)(uintptr_t)l.l_ld) : -1;
        if (mi >= 0 && strcmp(md_maps_path(&c->maps, &c->maps.e[mi]), "[vdso]") == 0)
            m.path = "[vdso]";
        const uint8_t *bid = NULL;
        uint32_t bid_len = 0;
        if (ehdr && describe(c, &m, ehdr, l.l_addr, &bid, &bid_len) == 0) {
            if (emit(c, t, &m, bid, bid_len, self_addr) < 0) return -1;
        } else if (name[0] || l.l_ld) {
            md_child_warn(c, "could not read the program headers of %s", m.path);
        }
        lm = (uint64_t)(uintptr_t)l.l_next;
    }
    return 0;
}

/* Fallback: every file mapping at offset 0 that starts with an ELF header. */
static int from_maps(md_child *c, md_modtab *t, uint64_t self_addr)
{
    for (size_t i = 0; i < c->maps.n && t->n < MAX_MODULES; i++) {
        const md_map_ent *e = &c->maps.e[i];
        if (e->offset != 0 || !(e->flags & MD_MAP_R) || e->path_off == UINT32_MAX) continue;
        char mag[4];
        if (rd(c, e->lo, mag, 4) < 0 || memcmp(mag, ELFMAG, 4) != 0) continue;
        ElfW(Ehdr) eh;
        if (rd(c, e->lo, &eh, sizeof eh) < 0) continue;
        uint64_t first = 0;
        for (unsigned k = 0; k < eh.e_phnum && k < 256; k++) {
            ElfW(Phdr) p;
            if (rd(c, e->lo + eh.e_phoff + k * sizeof p, &p, sizeof p) < 0) break;
            if (p.p_type == PT_LOAD) { first = p.p_vaddr - p.p_offset; break; }
        }
        md_mod m;
        memset(&m, 0, sizeof m);
        m.path = md_maps_path(&c->maps, e);
        const uint8_t *bid = NULL;
        uint32_t bid_len = 0;
        if (describe(c, &m, e->lo, e->lo - first, &bid, &bid_len) == 0 &&
            emit(c, t, &m, bid, bid_len, self_addr) < 0)
            return -1;
    }
    return 0;
}

int md_modules_collect(md_child *c, md_modtab *t, uint64_t r_debug, uint64_t self_addr)
{
    t->n = 0;
    t->m = md_child_alloc(c, MAX_MODULES * sizeof *t->m);
    if (!t->m) return -1;
    int rc = r_debug ? from_link_map(c, t, r_debug, self_addr) : -1;
    if (rc < 0 && t->n == 0) {
        if (r_debug) md_child_warn(c, "_r_debug unreadable; modules found from /proc/self/maps");
        rc = from_maps(c, t, self_addr);
    }
    sort_by_lo(t);
    c->mods = t;
    return rc;
}

const md_mod *md_modules_lookup(const md_modtab *t, uint64_t addr)
{
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (t->m[mid].hi <= addr) lo = mid + 1;
        else hi = mid;
    }
    if (lo < t->n && t->m[lo].lo <= addr && addr < t->m[lo].hi) return &t->m[lo];
    return NULL;
}

uint32_t md_modules_find(const md_modtab *t, uint64_t pc)
{
    const md_mod *m = md_modules_lookup(t, pc);
    return m ? m->id : 0;
}
