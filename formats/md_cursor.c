/* md_cursor.c — bounds-checked msgpack decoding (see md_cursor.h).
 *
 * Each reader first looks at the tag byte, works out how many bytes the header needs, checks
 * they are there, then checks the body length the header claims against what is left. Failures
 * record the tag and the numbers involved so the caller can say exactly what was wrong. Nothing
 * advances the cursor on failure.
 */
#include "md_cursor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void md_cur_init(md_cur *c, const void *data, size_t len)
{
    c->base = c->p = data;
    c->end = c->p + len;
    c->err = MD_CUR_OK;
    c->tag = 0;
    c->want = "";
    c->claimed = c->left = 0;
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

static int fail(md_cur *c, md_cur_err e, const char *want, uint64_t claimed, uint64_t left)
{
    c->err = e;
    c->tag = c->p < c->end ? c->p[0] : 0;
    c->want = want;
    c->claimed = claimed;
    c->left = left;
    return -1;
}

/* Size of the header (tag + length/value bytes) for a tag, or 0 for the reserved tag. */
static int head_size(uint8_t t)
{
    if (t <= 0xbf || t >= 0xe0) return 1;          /* fixint, fixmap, fixarray, fixstr, neg */
    switch (t) {
    case 0xc0: case 0xc2: case 0xc3: return 1;
    case 0xc4: case 0xd9: case 0xcc: case 0xd0: return 2;
    case 0xc5: case 0xda: case 0xcd: case 0xd1: case 0xdc: case 0xde: return 3;
    case 0xc6: case 0xdb: case 0xce: case 0xd2: case 0xdd: case 0xdf: return 5;
    case 0xcf: case 0xd3: return 9;
    case 0xca: return 5;
    case 0xcb: return 9;
    case 0xc7: return 3;                            /* ext8: len, type */
    case 0xc8: return 4;
    case 0xc9: return 6;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return 2; /* fixext: type */
    default: return 0;                              /* 0xc1 */
    }
}

/* Checks the tag is there and its header is complete; returns the tag or -1. */
static int head(md_cur *c, const char *want)
{
    if (c->p >= c->end) return fail(c, MD_CUR_TRUNCATED, want, 1, 0);
    uint8_t t = c->p[0];
    int hs = head_size(t);
    if (hs == 0) return fail(c, MD_CUR_RESERVED, want, 0, 0);
    if ((size_t)hs > md_cur_left(c)) return fail(c, MD_CUR_TRUNCATED, want, (uint64_t)hs, md_cur_left(c));
    return t;
}

int md_cur_nil(md_cur *c)
{
    if (c->p < c->end && c->p[0] == 0xc0) { c->p++; return 1; }
    return 0;
}

/* Any integer: *u gets its 64-bit pattern, *neg whether it is negative. */
static int integer(md_cur *c, const char *want, uint64_t *u, int *neg)
{
    int t = head(c, want);
    if (t < 0) return -1;
    const uint8_t *p = c->p;
    *neg = 0;
    if (t <= 0x7f) { *u = (uint64_t)t; c->p += 1; return 0; }
    if (t >= 0xe0) { *u = (uint64_t)(int64_t)(int8_t)t; *neg = 1; c->p += 1; return 0; }
    switch (t) {
    case 0xcc: *u = p[1]; break;
    case 0xcd: *u = be(p + 1, 2); break;
    case 0xce: *u = be(p + 1, 4); break;
    case 0xcf: *u = be(p + 1, 8); break;
    case 0xd0: *u = (uint64_t)(int64_t)(int8_t)p[1]; break;
    case 0xd1: *u = (uint64_t)(int64_t)(int16_t)be(p + 1, 2); break;
    case 0xd2: *u = (uint64_t)(int64_t)(int32_t)be(p + 1, 4); break;
    case 0xd3: *u = be(p + 1, 8); break;
    default: return fail(c, MD_CUR_TYPE, want, 0, 0);
    }
    if (t >= 0xd0) *neg = (int64_t)*u < 0;
    c->p += head_size((uint8_t)t);
    return 0;
}

int md_cur_uint(md_cur *c, uint64_t *v)
{
    const uint8_t *save = c->p;
    int neg;
    if (integer(c, "uint", v, &neg) < 0) return -1;
    if (neg) { c->p = save; return fail(c, MD_CUR_TYPE, "uint", 0, 0); }
    return 0;
}

int md_cur_int(md_cur *c, int64_t *v)
{
    const uint8_t *save = c->p;
    uint64_t u;
    int neg;
    if (integer(c, "int", &u, &neg) < 0) return -1;
    if (!neg && u > (uint64_t)INT64_MAX) { c->p = save; return fail(c, MD_CUR_RANGE, "int", 0, 0); }
    *v = (int64_t)u;
    return 0;
}

int md_cur_wrap(md_cur *c, uint64_t *v)
{
    int neg;
    return integer(c, "int", v, &neg);
}

/* Length of a str/bin/array/map header, already known complete. */
static uint64_t length_of(const uint8_t *p, uint8_t t)
{
    if ((t & 0xe0) == 0xa0) return t & 0x1f;                  /* fixstr */
    if ((t & 0xf0) == 0x90 || (t & 0xf0) == 0x80) return t & 0x0f;
    switch (t) {
    case 0xc4: case 0xd9: return p[1];
    case 0xc5: case 0xda: case 0xdc: case 0xde: return be(p + 1, 2);
    default: return be(p + 1, 4);                              /* the 32-bit forms */
    }
}

static int body(md_cur *c, int t, const char *want, const uint8_t **ptr, uint32_t *len)
{
    uint64_t n = length_of(c->p, (uint8_t)t);
    size_t hs = (size_t)head_size((uint8_t)t);
    size_t left = md_cur_left(c) - hs;
    if (n > left) return fail(c, MD_CUR_LENGTH, want, n, left);
    *ptr = c->p + hs;
    *len = (uint32_t)n;
    c->p += hs + n;
    return 0;
}

int md_cur_str(md_cur *c, const uint8_t **ptr, uint32_t *len)
{
    int t = head(c, "str");
    if (t < 0) return -1;
    if (!((t & 0xe0) == 0xa0 || t == 0xd9 || t == 0xda || t == 0xdb))
        return fail(c, MD_CUR_TYPE, "str", 0, 0);
    return body(c, t, "str", ptr, len);
}

int md_cur_bin(md_cur *c, const uint8_t **ptr, uint32_t *len)
{
    int t = head(c, "bin");
    if (t < 0) return -1;
    if (!(t == 0xc4 || t == 0xc5 || t == 0xc6)) return fail(c, MD_CUR_TYPE, "bin", 0, 0);
    return body(c, t, "bin", ptr, len);
}

static int container(md_cur *c, int is_map, uint32_t *n)
{
    const char *want = is_map ? "map" : "array";
    int t = head(c, want);
    if (t < 0) return -1;
    int ok = is_map ? ((t & 0xf0) == 0x80 || t == 0xde || t == 0xdf)
                    : ((t & 0xf0) == 0x90 || t == 0xdc || t == 0xdd);
    if (!ok) return fail(c, MD_CUR_TYPE, want, 0, 0);
    uint64_t count = length_of(c->p, (uint8_t)t);
    size_t hs = (size_t)head_size((uint8_t)t);
    size_t left = md_cur_left(c) - hs;
    if (count * (is_map ? 2u : 1u) > left) return fail(c, MD_CUR_LENGTH, want, count, left);
    *n = (uint32_t)count;
    c->p += hs;
    return 0;
}

int md_cur_array(md_cur *c, uint32_t *n) { return container(c, 0, n); }
int md_cur_map(md_cur *c, uint32_t *n) { return container(c, 1, n); }

int md_cur_skip(md_cur *c, int depth)
{
    /* rem[i]: values still to skip at level depth + i. A container may sit at level
     * MD_CUR_DEPTH_MAX at most, so its elements need one slot more. */
    uint64_t rem[MD_CUR_DEPTH_MAX + 2];
    int top = 0;
    rem[0] = 1;
    while (top >= 0) {
        if (rem[top] == 0) { top--; continue; }
        rem[top]--;
        int t = head(c, "value");
        if (t < 0) return -1;
        uint8_t u = (uint8_t)t;
        size_t hs = (size_t)head_size(u);
        int is_arr = (u & 0xf0) == 0x90 || u == 0xdc || u == 0xdd;
        int is_map = (u & 0xf0) == 0x80 || u == 0xde || u == 0xdf;
        if (is_arr || is_map) {
            if (depth + top > MD_CUR_DEPTH_MAX) return fail(c, MD_CUR_DEPTH, "value", 0, 0);
            uint32_t n;
            if (container(c, is_map, &n) < 0) return -1;
            if (n) rem[++top] = is_map ? 2ull * n : n;
            continue;
        }
        uint64_t n = 0;
        if ((u & 0xe0) == 0xa0 || u == 0xd9 || u == 0xda || u == 0xdb || u == 0xc4 || u == 0xc5
            || u == 0xc6)
            n = length_of(c->p, u);
        else if (u == 0xc7) n = c->p[1];
        else if (u == 0xc8) n = be(c->p + 1, 2);
        else if (u == 0xc9) n = be(c->p + 1, 4);
        else if (u >= 0xd4 && u <= 0xd8) n = 1u << (u - 0xd4);
        size_t left = md_cur_left(c) - hs;
        if (n > left) return fail(c, MD_CUR_LENGTH, md_cur_type_name(u), n, left);
        c->p += hs + n;
    }
    return 0;
}

const char *md_cur_type_name(uint8_t t)
{
    if (t <= 0x7f) return "uint";
    if (t <= 0x8f) return "map";
    if (t <= 0x9f) return "array";
    if (t <= 0xbf) return "str";
    if (t >= 0xe0) return "negative int";
    switch (t) {
    case 0xc0: return "nil";
    case 0xc1: return "reserved byte";
    case 0xc2: case 0xc3: return "bool";
    case 0xc4: case 0xc5: case 0xc6: return "bin";
    case 0xca: case 0xcb: return "float";
    case 0xcc: case 0xcd: case 0xce: case 0xcf: return "uint";
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: return "int";
    case 0xd9: case 0xda: case 0xdb: return "str";
    case 0xdc: case 0xdd: return "array";
    case 0xde: case 0xdf: return "map";
    default: return "ext";
    }
}

void md_cur_describe(const md_cur *c, char *buf, size_t len)
{
    switch (c->err) {
    case MD_CUR_OK: snprintf(buf, len, "no error"); break;
    case MD_CUR_TRUNCATED:
        snprintf(buf, len, "%s truncated: needs %" PRIu64 " bytes, %" PRIu64 " left", c->want,
                 c->claimed, c->left);
        break;
    case MD_CUR_TYPE:
        snprintf(buf, len, "expected %s, found %s (0x%02x)", c->want, md_cur_type_name(c->tag), c->tag);
        break;
    case MD_CUR_RANGE: snprintf(buf, len, "integer out of range for %s", c->want); break;
    case MD_CUR_LENGTH:
        snprintf(buf, len, "%s claims %" PRIu64 " %s but only %" PRIu64 " bytes are left", c->want,
                 c->claimed,
                 (!strcmp(c->want, "array") || !strcmp(c->want, "map"))
                     ? "elements" : "bytes",
                 c->left);
        break;
    case MD_CUR_DEPTH:
        snprintf(buf, len, "values nested deeper than %d levels", MD_CUR_DEPTH_MAX);
        break;
    case MD_CUR_RESERVED: snprintf(buf, len, "reserved msgpack byte 0xc1"); break;
    }
}
