/* md_cursor.h — a bounds-checked, zero-copy msgpack cursor over one inflated chunk.
 *
 * The reader decodes records with this instead of msgpack-c's unpacker, which allocates per
 * object from sizes the input claims. Here every read checks the bytes that are left first, and
 * every length (array, map, str, bin) is checked against the bytes left before it is believed:
 * an array of n elements needs at least n more bytes, so a lying header is refused at once and
 * no caller ever sizes anything by an unchecked number. Strings and bins are returned as
 * pointers into the chunk. Nothing here allocates; nothing recurses (skipping a value walks an
 * explicit stack of at most MD_CUR_DEPTH_MAX levels).
 *
 * On failure a call returns -1 and leaves the cursor where the bad value starts, with err set;
 * md_cur_describe() turns that into words ("array claims 4294967295 elements, 12 bytes left").
 */
#ifndef MD_CURSOR_H
#define MD_CURSOR_H

#include <stddef.h>
#include <stdint.h>

/* Records are arrays whose fields may be arrays or maps of scalars: the format needs 3 levels,
 * FORMAT.md §5 allows 4. */
#define MD_CUR_DEPTH_MAX 4

typedef enum md_cur_err {
    MD_CUR_OK = 0,
    MD_CUR_TRUNCATED,   /* the value runs past the end of the chunk */
    MD_CUR_TYPE,        /* a value of another type was found (tag holds its first byte) */
    MD_CUR_RANGE,       /* an integer does not fit the field */
    MD_CUR_LENGTH,      /* a length claims more than the bytes left (claimed, left) */
    MD_CUR_DEPTH,       /* nesting deeper than MD_CUR_DEPTH_MAX */
    MD_CUR_RESERVED     /* the reserved tag 0xc1 */
} md_cur_err;

typedef struct md_cur {
    const uint8_t *p, *end, *base;  /* base: start of the chunk, for offsets in messages */
    md_cur_err err;
    uint8_t tag;                    /* first byte of the offending value */
    const char *want;               /* what the caller expected ("uint", "str", ...) */
    uint64_t claimed, left;         /* for MD_CUR_LENGTH / MD_CUR_TRUNCATED */
} md_cur;

void md_cur_init(md_cur *c, const void *data, size_t len);
static inline size_t md_cur_left(const md_cur *c) { return (size_t)(c->end - c->p); }
static inline size_t md_cur_pos(const md_cur *c) { return (size_t)(c->p - c->base); }

/* 1 and consumes it if the next value is nil, 0 otherwise (also at the end). */
int md_cur_nil(md_cur *c);
/* Non-negative integer of any width. */
int md_cur_uint(md_cur *c, uint64_t *v);
/* Signed integer: any int, or a uint up to INT64_MAX. */
int md_cur_int(md_cur *c, int64_t *v);
/* Any integer, as its two's-complement 64-bit pattern: for deltas added modulo 2^64. */
int md_cur_wrap(md_cur *c, uint64_t *v);
int md_cur_str(md_cur *c, const uint8_t **p, uint32_t *len);
int md_cur_bin(md_cur *c, const uint8_t **p, uint32_t *len);
/* Headers; n is checked against the bytes left (one byte per element, two per map entry). */
int md_cur_array(md_cur *c, uint32_t *n);
int md_cur_map(md_cur *c, uint32_t *n);
/* Skip one whole value; depth is the nesting level the value sits at (a record is level 1, its
 * fields level 2). Arrays and maps nested below level MD_CUR_DEPTH_MAX are an error. */
int md_cur_skip(md_cur *c, int depth);

/* Words for the failure: "expected uint, found str", ... Writes at most len bytes. */
void md_cur_describe(const md_cur *c, char *buf, size_t len);
/* The msgpack type name of a first byte: "nil", "array", "negative int", ... */
const char *md_cur_type_name(uint8_t tag);

#endif
