/* md_child.c — services of the snapshot child (interface in md_child.h, inside in md_child_int.h).
 *
 * Memory: one mmap'd arena with a fixed budget, bump-allocated, never freed (the child _exits).
 * Interning: each table (strings, types, frames, stacks) is an open-addressed array of ids keyed
 * by a 64-bit hash, with the entry data kept in a by-id vector; equality is checked on the real
 * key, so hash collisions cost a comparison, never a wrong id. The defining record is written the
 * first time a key is seen, which satisfies the format's rule that ids are defined before use and
 * in order 1, 2, 3 …
 *
 * Warnings are formatted by md_fmt (no stdio), written as WARNING records, and appended to the
 * shared page so the requester can print them. After 100, one final warning says how many more
 * were suppressed (at the end of the dump).
 */
#include "md_child_int.h"
#include "md_fmt.h"
#include "md_modules.h"
#include "md_shared.h"
#include "md_sys.h"

#include <string.h>

#define WARN_MAX 100
#define MD_EXPORT __attribute__((visibility("default")))  /* used by walker plugins */

uint64_t md_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ull;
    h ^= h >> 32;
    h *= 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* ---- arena ------------------------------------------------------------------------------- */

MD_EXPORT void *md_child_alloc(md_child *c, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > c->cap - c->used) {
        if (!c->exhausted) {
            c->exhausted = 1;
            md_child_warn(c, "snapshot arena exhausted (%zu bytes): results are incomplete",
                          c->cap);
        }
        return NULL;
    }
    void *p = c->arena + c->used;
    c->used += size;
    return p;   /* fresh mmap'd pages are zero */
}

void *md_child_alloc_cb(void *ctx, size_t size) { return md_child_alloc(ctx, size); }

int md_child_init(md_child *c, size_t arena_cap, uint64_t deadline_ns, struct md_shared *sh)
{
    memset(c, 0, sizeof *c);
    c->arena = md_map(arena_cap);
    if (!c->arena) return -1;
    c->cap = arena_cap;
    c->deadline_ns = deadline_ns;
    c->sh = sh;
    c->maps_ok = md_maps_read(&c->maps, md_child_alloc_cb, c) == 0;
    return 0;
}

void md_child_set_writer(md_child *c, md_writer *w) { c->w = w; }
MD_EXPORT md_writer *md_child_writer(md_child *c) { return c->w; }

MD_EXPORT int64_t md_child_time_left_ns(md_child *c)
{
    return (int64_t)c->deadline_ns - (int64_t)md_now_ns();
}

MD_EXPORT int md_child_readable(md_child *c, uint64_t addr, size_t len)
{
    return c->maps_ok && md_maps_readable(&c->maps, addr, len);
}

/* ---- interning tables -------------------------------------------------------------------- */

typedef int (*eq_fn)(const md_centry *e, const md_centry *key);

static int itab_grow(md_child *c, md_itab *t)
{
    uint32_t ncap = t->cap ? t->cap * 2 : 1024;
    uint32_t *ns = md_child_alloc(c, (size_t)ncap * sizeof *ns);
    if (!ns) return -1;
    for (uint32_t i = 0; i < t->cap; i++) {
        uint32_t id = t->slots[i];
        if (!id) continue;
        uint32_t j = (uint32_t)t->ent[id].h & (ncap - 1);
        while (ns[j]) j = (j + 1) & (ncap - 1);
        ns[j] = id;
    }
    t->slots = ns;
    t->cap = ncap;
    return 0;
}

static md_centry *ent_new(md_child *c, md_itab *t, uint32_t *id)
{
    if (t->count + 1 >= t->ent_cap) {
        uint32_t ncap = t->ent_cap ? t->ent_cap * 2 : 1024;
        md_centry *ne = md_child_alloc(c, (size_t)ncap * sizeof *ne);
        if (!ne) return NULL;
        if (t->ent) memcpy(ne, t->ent, (size_t)(t->count + 1) * sizeof *ne);
        t->ent = ne;
        t->ent_cap = ncap;
    }
    *id = t->count + 1;
    return &t->ent[*id];
}

/* Finds key; when absent and insert is set, adds it (copying nothing: the caller makes key's
 * pointers durable first via the returned flag). Returns the id, 0 on failure; *is_new tells. */
static uint32_t itab_get(md_child *c, md_itab *t, const md_centry *key, eq_fn eq, int *is_new)
{
    *is_new = 0;
    if ((t->count + 1) * 10 >= t->cap * 7 && itab_grow(c, t) < 0) return 0;
    uint32_t j = (uint32_t)key->h & (t->cap - 1);
    while (t->slots[j]) {
        uint32_t id = t->slots[j];
        if (t->ent[id].h == key->h && eq(&t->ent[id], key)) return id;
        j = (j + 1) & (t->cap - 1);
    }
    uint32_t id;
    md_centry *e = ent_new(c, t, &id);
    if (!e) return 0;
    *e = *key;
    t->slots[j] = id;
    t->count++;
    *is_new = 1;
    return id;
}

static void unget(md_itab *t, uint32_t id)
{
    /* Undo the last insert (its record could not be written): clear its slot. Linear probing
     * stays valid because it was the most recent insert on its probe chain. */
    for (uint32_t j = (uint32_t)t->ent[id].h & (t->cap - 1); t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (t->slots[j] == id) { t->slots[j] = 0; break; }
    t->count--;
}

static int eq_str(const md_centry *e, const md_centry *k)
{
    return e->len == k->len && memcmp(e->p, k->p, k->len) == 0;
}

MD_EXPORT uint32_t md_child_string(md_child *c, const char *s, size_t len)
{
    if (len > MD_STRING_MAX) len = MD_STRING_MAX;
    md_centry key = { md_hash_bytes(s, len, 1), s, 0, 0, (uint32_t)len, 0 };
    int is_new;
    uint32_t id = itab_get(c, &c->strings, &key, eq_str, &is_new);
    if (!id || !is_new) return id;
    char *copy = md_child_alloc(c, len + 1);
    if (!copy) { unget(&c->strings, id); return 0; }
    memcpy(copy, s, len);
    c->strings.ent[id].p = copy;
    if (md_w_string(c->w, &(md_string){ id, { copy, (uint32_t)len } }) < 0) {
        unget(&c->strings, id);
        return 0;
    }
    return id;
}

static int eq_type(const md_centry *e, const md_centry *k)
{
    if (k->a) return e->a == k->a;
    return e->a == 0 && e->kind == k->kind && e->b == k->b;
}

MD_EXPORT uint32_t md_child_type(md_child *c, const char *name, size_t len, uint32_t kind, uint64_t type_addr)
{
    uint32_t sid = 0;
    md_centry key;
    memset(&key, 0, sizeof key);
    if (type_addr) {
        key.h = mix64(type_addr ^ 0x7479706500000000ull);
        key.a = type_addr;
    } else {
        sid = md_child_string(c, name, len);
        if (!sid) return 0;
        key.h = mix64(((uint64_t)sid << 8) ^ kind ^ 0x5459504500000000ull);
        key.b = sid;
        key.kind = kind;
    }
    /* Look up first: interning the name is only needed for a new type. */
    int is_new;
    uint32_t id = itab_get(c, &c->types, &key, eq_type, &is_new);
    if (!id || !is_new) return id;
    if (!sid) sid = md_child_string(c, name, len);
    c->types.ent[id].b = sid;
    c->types.ent[id].kind = kind;
    if (!sid || md_w_type(c->w, &(md_type){ id, sid, kind, type_addr }) < 0) {
        unget(&c->types, id);
        return 0;
    }
    return id;
}

static int eq_frame(const md_centry *e, const md_centry *k)
{
    return e->kind == k->kind && e->a == k->a && e->b == k->b;
}

MD_EXPORT uint32_t md_child_frame_native(md_child *c, uint64_t pc)
{
    md_centry key = { mix64(pc ^ 0x6e6174ull), NULL, pc, 0, 0, 1 };
    int is_new;
    uint32_t id = itab_get(c, &c->frames, &key, eq_frame, &is_new);
    if (!id || !is_new) return id;
    uint32_t mod = c->mods ? md_modules_find(c->mods, pc) : 0;
    if (md_w_frame(c->w, &(md_frame){ id, pc, mod, 0, 0, 0 }) < 0) {
        unget(&c->frames, id);
        return 0;
    }
    return id;
}

MD_EXPORT uint32_t md_child_frame_py(md_child *c, uint32_t function_str, uint32_t file_str, uint32_t line)
{
    uint64_t a = ((uint64_t)function_str << 32) | file_str;
    md_centry key = { mix64(a ^ ((uint64_t)line << 17) ^ 0x7079ull), NULL, a, line, 0, 2 };
    int is_new;
    uint32_t id = itab_get(c, &c->frames, &key, eq_frame, &is_new);
    if (!id || !is_new) return id;
    if (md_w_frame(c->w, &(md_frame){ id, 0, 0, function_str, file_str, line }) < 0) {
        unget(&c->frames, id);
        return 0;
    }
    return id;
}

static int eq_stack(const md_centry *e, const md_centry *k)
{
    return e->len == k->len && memcmp(e->p, k->p, (size_t)k->len * sizeof(uint32_t)) == 0;
}

MD_EXPORT uint32_t md_child_stack(md_child *c, const uint32_t *frames, uint32_t depth)
{
    md_centry key = { md_hash_bytes(frames, (size_t)depth * 4, 2), frames, 0, 0, depth, 0 };
    int is_new;
    uint32_t id = itab_get(c, &c->stacks, &key, eq_stack, &is_new);
    if (!id || !is_new) return id;
    uint32_t *copy = depth ? md_child_alloc(c, (size_t)depth * 4) : NULL;
    if (depth && !copy) { unget(&c->stacks, id); return 0; }
    if (depth) memcpy(copy, frames, (size_t)depth * 4);
    c->stacks.ent[id].p = copy;
    if (md_w_stack(c->w, &(md_stack){ id, copy, depth }) < 0) {
        unget(&c->stacks, id);
        return 0;
    }
    return id;
}

/* ---- warnings ---------------------------------------------------------------------------- */

MD_EXPORT void md_child_warn(md_child *c, const char *fmt, ...)
{
    c->nwarn++;
    if (c->nwarn > WARN_MAX) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    size_t n = md_vfmt(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (c->w) md_w_warning(c->w, buf);
    if (c->sh) md_shared_add_warning(c->sh, buf, n);
}

/* Called once at the end of the dump: the count of warnings that were not written. */
void md_child_warn_flush(md_child *c)
{
    if (c->nwarn > WARN_MAX) {
        uint32_t more = c->nwarn - WARN_MAX;
        c->nwarn = 0;   /* let this one through */
        md_child_warn(c, "%u more warnings were suppressed", more);
    }
}
