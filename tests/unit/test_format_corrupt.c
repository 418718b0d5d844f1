/* test_format_corrupt.c — the reader against damaged and hostile input.
 *
 *  - every prefix of a small many-chunk sample: a clean "incomplete file" error that says where
 *    the file stops, after exactly the records of the complete chunks before the cut;
 *  - thousands of random byte flips in the sample, and random garbage (raw, behind a valid
 *    header, and as valid zlib streams with valid CRCs so the record decoder sees it): always an
 *    error naming the file and an offset, never a crash (run under `make asan` too);
 *  - hand-made records with hostile lengths (2^32-element arrays, 4 GB strings, 4 GB raw_len),
 *    deep nesting, ids out of sequence, references to undefined ids, wrong types: each a clear
 *    error with the chunk's offset and the record's index;
 *  - the evolution rules: unknown kinds skipped, extra fields ignored, nil optionals accepted,
 *    a newer major version refused naming both versions.
 * Hand-made records are packed with libmsgpackc and wrapped in frames built here from FORMAT.md.
 */
#include "../fuzz/sample_dump.h"
#include "check.h"
#include "md_reader.h"

#include <msgpack.h>
#include <stdlib.h>
#include <zlib.h>

static unsigned char wmem[MD_WRITER_MEM_SIZE];
static char err[1024];

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

typedef struct result {
    int rc;                 /* last md_reader_next result, or -2 when open failed */
    uint64_t delivered;     /* records delivered (trailer excluded) */
    int incomplete;
    char msg[1024];
} result;

static result read_all(const void *data, size_t len, const char *name)
{
    result res = { 0, 0, 0, "" };
    md_reader *r = md_reader_open_mem(data, len, name, err, sizeof err);
    if (!r) { res.rc = -2; snprintf(res.msg, sizeof res.msg, "%s", err); return res; }
    md_record rec;
    while ((res.rc = md_reader_next(r, &rec)) == 1)
        if (rec.kind != MD_TRAILER) res.delivered++;
    if (res.rc < 0) snprintf(res.msg, sizeof res.msg, "%s", md_reader_error(r));
    res.incomplete = md_reader_incomplete(r);
    md_reader_close(r);
    return res;
}

static int has(const char *s, const char *sub) { return strstr(s, sub) != NULL; }

/* ---- truncation ------------------------------------------------------------------------- */

static void test_truncation(const unsigned char *d, size_t len)
{
    /* chunk ends and the records each chunk holds, from a clean read */
    enum { MAXCH = 4096 };
    static uint64_t ends[MAXCH], recs_before[MAXCH];
    size_t nch = 0;
    md_reader *r = md_reader_open_mem(d, len, "sample", err, sizeof err);
    md_record rec;
    uint64_t count = 0, cur_off = 0;
    while (md_reader_next(r, &rec) == 1) {
        if (rec.offset != cur_off) {
            if (cur_off) { ends[nch] = rec.offset; recs_before[nch] = count; nch++; }
            cur_off = rec.offset;
        }
        if (rec.kind != MD_TRAILER) count++;
    }
    md_reader_close(r);
    printf("# truncation: %zu bytes, %zu chunks before the trailer\n", len, nch);
    CHECK(nch >= 8, "trunc.sample_has_many_chunks");

    uint64_t bad_open = 0, bad_rc = 0, bad_count = 0, bad_msg = 0, bad_boundary = 0, boundaries = 0;
    for (size_t cut = 0; cut < len; cut++) {
        result res = read_all(d, cut, "cut.dump");
        if (cut < MD_HEADER_SIZE) {
            if (res.rc != -2 || !has(res.msg, "cut.dump: offset 0:")) bad_open++;
            continue;
        }
        uint64_t want = 0;
        int at_boundary = cut == MD_HEADER_SIZE;
        for (size_t i = 0; i < nch && ends[i] <= cut; i++) {
            want = recs_before[i];
            if (ends[i] == cut) at_boundary = 1;
        }
        if (res.rc != -1 || !res.incomplete) bad_rc++;
        if (res.delivered != want) bad_count++;
        if (!has(res.msg, "cut.dump: offset ") || !has(res.msg, "incomplete file")) bad_msg++;
        if (at_boundary) {
            boundaries++;
            if (!has(res.msg, "without a trailer")) bad_boundary++;
        }
        if ((bad_rc || bad_count || bad_msg) && bad_rc + bad_count + bad_msg < 3)
            printf("# cut %zu: rc %d delivered %llu want %llu: %s\n", cut, res.rc,
                   (unsigned long long)res.delivered, (unsigned long long)want, res.msg);
    }
    CHECK_EQ_U(bad_open, 0, "trunc.short_header_refused");
    CHECK_EQ_U(bad_rc, 0, "trunc.every_cut_is_incomplete_error");
    CHECK_EQ_U(bad_count, 0, "trunc.exactly_the_complete_chunks_delivered");
    CHECK_EQ_U(bad_msg, 0, "trunc.message_names_file_and_offset");
    CHECK(boundaries >= nch, "trunc.boundaries_tested");
    CHECK_EQ_U(bad_boundary, 0, "trunc.boundary_says_no_trailer");
    result one = read_all(d, ends[2], "cut.dump");
    char want[128];
    snprintf(want, sizeof want, "cut.dump: offset %llu: incomplete file: it ends after 3 complete chunks",
             (unsigned long long)ends[2]);
    CHECK(has(one.msg, want), "trunc.boundary_message_exact");
}

/* ---- random damage ---------------------------------------------------------------------- */

static void test_flips(const unsigned char *d, size_t len, int rounds)
{
    unsigned char *m = malloc(len);
    uint64_t undetected = 0, bad_msg = 0, minor_only = 0;
    for (int i = 0; i < rounds; i++) {
        memcpy(m, d, len);
        int n = 1 + (int)(rnd() % 4), touched_other = 0;
        for (int k = 0; k < n; k++) {
            size_t pos = rnd() % len;
            m[pos] ^= (unsigned char)(1 + rnd() % 255);
            if (pos != 10 && pos != 11) touched_other = 1;   /* the minor version may change */
        }
        if (!touched_other) { minor_only++; continue; }
        result res = read_all(m, len, "flip.dump");
        if (res.rc >= 0) undetected++;
        else if (!has(res.msg, "flip.dump: ") || !has(res.msg, "offset ")) {
            bad_msg++;
            if (bad_msg < 3) printf("# flip message: %s\n", res.msg);
        }
    }
    CHECK_EQ_U(undetected, 0, "flips.all_detected");
    CHECK_EQ_U(bad_msg, 0, "flips.messages_name_file_and_offset");
    free(m);
}

static void put32(unsigned char *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

/* Appends one framed chunk holding raw[0..n) to out; returns the new length. */
static size_t add_chunk(unsigned char *out, size_t len, const char *tag, const void *raw, size_t n)
{
    uLongf clen = compressBound(n);
    unsigned char *f = out + len;
    compress2(f + 16, &clen, raw, n, 1);
    memcpy(f, tag, 4);
    put32(f + 4, (uint32_t)clen);
    put32(f + 8, (uint32_t)n);
    put32(f + 12, (uint32_t)crc32(0, f + 16, clen));
    return len + 16 + clen;
}

static size_t add_header(unsigned char *out, unsigned major)
{
    memcpy(out, MD_MAGIC, 8);
    out[8] = (unsigned char)major; out[9] = 0; out[10] = 0; out[11] = 0;
    put32(out + 12, 16);
    return 16;
}

static void test_garbage(int rounds)
{
    size_t cap = 1 << 16;
    unsigned char *m = malloc(cap), *raw = malloc(8192);
    uint64_t accepted = 0, bad_msg = 0;
    for (int i = 0; i < rounds; i++) {
        size_t len;
        int mode = i % 3;
        if (mode == 0) {                       /* pure noise */
            len = rnd() % 4096;
            for (size_t k = 0; k < len; k++) m[k] = (unsigned char)rnd();
        } else if (mode == 1) {                /* a header, then noise */
            len = add_header(m, 1) + rnd() % 4096;
            for (size_t k = 16; k < len; k++) m[k] = (unsigned char)rnd();
        } else {                               /* valid frames around random "records" */
            size_t n = 1 + rnd() % 4096;
            for (size_t k = 0; k < n; k++) {
                /* bias towards msgpack array/int tags so decoding gets deep */
                uint64_t x = rnd();
                raw[k] = (x & 3) == 0 ? (unsigned char)(0x90 | (x >> 8 & 15)) : (unsigned char)(x >> 16);
            }
            len = add_chunk(m, add_header(m, 1), (i & 4) ? "TRLR" : "CHNK", raw, n);
        }
        result res = read_all(m, len, "noise.dump");
        if (res.rc >= 0) accepted++;
        else if (!has(res.msg, "noise.dump: ")) bad_msg++;
    }
    CHECK_EQ_U(accepted, 0, "garbage.rejected");
    CHECK_EQ_U(bad_msg, 0, "garbage.messages_name_file");
    free(m);
    free(raw);
}

/* ---- hand-made records ------------------------------------------------------------------- */

static msgpack_sbuffer sb;
static msgpack_packer pk;
static void begin(void) { msgpack_sbuffer_clear(&sb); }
#define ARR(n) msgpack_pack_array(&pk, n)
#define U(v) msgpack_pack_uint64(&pk, v)
#define I(v) msgpack_pack_int64(&pk, v)
#define NIL() msgpack_pack_nil(&pk)
#define STR(s) msgpack_pack_str_with_body(&pk, s, strlen(s))
#define RAW(...) do { static const unsigned char b_[] = { __VA_ARGS__ }; msgpack_sbuffer_write(&sb, (const char *)b_, sizeof b_); } while (0)

/* Wraps the records packed so far in a header, one CHNK chunk and a trailer. For records meant
 * to be valid (count=1) the trailer's counts are computed with msgpack-c from the same bytes, so
 * only the records themselves are under test; hostile records get an empty trailer (the reader
 * must fail before it, and msgpack-c's unpacker would try to allocate what they claim). */
static size_t build_(unsigned char *out, unsigned major, int count)
{
    size_t len = add_header(out, major);
    len = add_chunk(out, len, "CHNK", sb.data, sb.size);
    uint64_t counts[256] = { 0 }, records = 0;
    size_t off = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    while (count && off < sb.size && msgpack_unpack_next(&up, sb.data, sb.size, &off) == MSGPACK_UNPACK_SUCCESS) {
        if (up.data.type == MSGPACK_OBJECT_ARRAY && up.data.via.array.size
            && up.data.via.array.ptr[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER
            && up.data.via.array.ptr[0].via.u64 < 256)
            counts[up.data.via.array.ptr[0].via.u64]++;
        records++;
    }
    msgpack_unpacked_destroy(&up);
    unsigned nk = MD_KIND_COUNT;
    for (unsigned k = 0; k < 256; k++) if (counts[k]) nk = k + 1 > nk ? k + 1 : nk;
    msgpack_sbuffer t;
    msgpack_sbuffer_init(&t);
    msgpack_packer tp;
    msgpack_packer_init(&tp, &t, msgpack_sbuffer_write);
    msgpack_pack_array(&tp, 5);
    msgpack_pack_uint64(&tp, 0);
    msgpack_pack_uint64(&tp, records);
    msgpack_pack_uint64(&tp, 1);
    msgpack_pack_uint64(&tp, sb.size);
    msgpack_pack_array(&tp, nk);
    for (unsigned k = 0; k < nk; k++) msgpack_pack_uint64(&tp, counts[k]);
    len = add_chunk(out, len, "TRLR", t.data, t.size);
    msgpack_sbuffer_destroy(&t);
    return len;
}

static size_t build(unsigned char *out, unsigned major) { return build_(out, major, 1); }

static unsigned char dump[1 << 20];

/* The packed records must be rejected with a message holding `want`, at chunk offset 16. */
static void bad(const char *name, const char *want)
{
    size_t len = build_(dump, 1, 0);
    result res = read_all(dump, len, "crafted.dump");
    int ok = res.rc == -1 && !res.incomplete && has(res.msg, "crafted.dump: offset 16: chunk 1: ")
             && has(res.msg, want);
    if (!ok) printf("# %s: rc %d: %s\n", name, res.rc, res.msg);
    CHECK(ok, name);
}

/* The packed records must be accepted, delivering `records` records. */
static void good(const char *name, uint64_t records)
{
    size_t len = build(dump, 1);
    result res = read_all(dump, len, "crafted.dump");
    if (res.rc != 0) printf("# %s: %s\n", name, res.msg);
    CHECK(res.rc == 0 && res.delivered == records, name);
}

static void test_hostile(void)
{
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

    begin(); RAW(0xdd, 0xff, 0xff, 0xff, 0xff, 0x03);
    bad("hostile.array_2^32", "array claims 4294967295 elements but only 1 bytes are left");
    begin(); ARR(3); U(MD_STRING); U(1); RAW(0xdb, 0xff, 0xff, 0xff, 0xff, 'x');
    bad("hostile.str_4GB", "field 'text': str claims 4294967295 bytes but only 1 bytes are left");
    begin(); ARR(3); U(MD_STACK); U(1); RAW(0xdd, 0xff, 0xff, 0xff, 0xf0);
    bad("hostile.frames_array_huge", "field 'frames': array claims 4294967280 elements");
    begin(); ARR(2); U(MD_ALLOCATOR); RAW(0xdf, 0x80, 0, 0, 0, 1, 2);
    bad("hostile.map_huge", "field 'stats': map claims 2147483648 elements");
    begin(); ARR(2); U(100); RAW(0x91, 0x91, 0x91, 0x91, 0x91, 0x01);
    bad("hostile.deep_nesting", "nested deeper than 4 levels");
    begin(); ARR(2); U(100); RAW(0x91, 0x91, 0x91, 0x01);   /* 4 levels of arrays: allowed */
    good("hostile.nesting_4_ok", 0);
    begin(); ARR(2); U(MD_STRING); U(1);
    bad("hostile.record_cut_short", "required field 'text' is missing");
    begin(); ARR(3); U(MD_STRING); U(1); RAW(0xd9);
    bad("hostile.str_header_cut", "str truncated");
    begin(); RAW(0xc1);
    bad("hostile.reserved_byte", "reserved msgpack byte 0xc1");
    begin(); ARR(0);
    bad("hostile.empty_record", "empty record");
    begin(); STR("hello");
    bad("hostile.record_not_array", "field 'record': expected array, found str");

    /* ids */
    begin(); ARR(3); U(MD_STRING); U(2); STR("b");
    bad("ids.out_of_sequence", "record 1 (STRING) at byte 0: field 'id': STRING id 2 out of sequence (expected 1)");
    begin(); ARR(3); U(MD_STRING); U(1); STR("a"); ARR(3); U(MD_STRING); U(1); STR("a");
    bad("ids.repeated", "record 2 (STRING) at byte 5: field 'id': STRING id 1 out of sequence (expected 2)");
    begin(); ARR(3); U(MD_STRING); U(0); STR("a");
    bad("ids.zero_defined", "STRING id 0 out of sequence");
    begin(); ARR(6); U(MD_NODE); U(0x1000); U(8); U(5); U(0); U(0);
    bad("ids.node_type_undefined", "field 'type': TYPE id 5 is not defined (last defined 0)");
    begin(); ARR(6); U(MD_NODE); U(0x1000); U(8); U(0); U(1); U(0);
    bad("ids.node_stack_undefined", "field 'stack': STACK id 1 is not defined");
    begin(); ARR(3); U(MD_STACK); U(1); ARR(1); U(3);
    bad("ids.stack_frame_undefined", "field 'frames': FRAME id 3 is not defined");
    begin(); ARR(7); U(MD_FRAME); U(1); U(0x400); U(2); U(0); U(0); U(0);
    bad("ids.frame_module_undefined", "field 'module': MODULE id 2 is not defined");
    begin(); ARR(7); U(MD_FRAME); U(1); U(0x400); U(0); U(1); U(0); U(0);
    bad("ids.frame_function_undefined", "field 'function': STRING id 1 is not defined");
    begin(); ARR(4); U(MD_ROOT); U(1); U(0x10); U(4);
    bad("ids.root_label_undefined", "field 'label': STRING id 4 is not defined");
    begin(); ARR(5); U(MD_TYPE); U(1); U(9); U(1); NIL();
    bad("ids.type_name_undefined", "field 'name': STRING id 9 is not defined");
    begin(); ARR(8); U(MD_NODE); U(0x1000); U(8); U(0); U(0); U(0); ARR(1); I(16); ARR(1); I(3);
    bad("ids.edge_label_undefined", "field 'labels': STRING id 3 is not defined");
    begin(); ARR(6); U(MD_COUNTER); U(2); U(1); U(1); U(1); U(1);
    bad("ids.counter_stack_undefined", "STACK id 2 is not defined");
    begin(); ARR(5); U(MD_TASK); U(1); U(1); U(2); U(0);
    bad("ids.task_name_undefined", "field 'name': STRING id 1 is not defined");

    /* types and shapes */
    begin(); ARR(6); U(MD_NODE); U(0x1000); STR("big"); U(0); U(0); U(0);
    bad("types.size_is_str", "field 'size': expected uint, found str");
    begin(); ARR(6); U(MD_NODE); U(0x1000); NIL(); U(0); U(0); U(0);
    bad("types.required_nil", "required field 'size' is nil");
    begin(); ARR(6); U(MD_NODE); U(0x1000); I(-8); U(0); U(0); U(0);
    bad("types.negative_size", "expected uint, found negative int");
    begin(); ARR(6); U(MD_NODE); U(0x1000); msgpack_pack_double(&pk, 1.5); U(0); U(0); U(0);
    bad("types.float_size", "expected uint, found float");
    begin(); ARR(8); U(MD_NODE); U(0x1000); U(8); U(0); U(0); U(0); ARR(2); I(1); I(2); ARR(1); I(0);
    bad("types.labels_length", "1 labels for 2 edges");
    begin(); ARR(6); U(MD_NODE); U(0x1000); U(8); U(0); U(0); U(1ull << 40);
    bad("types.flags_too_wide", "does not fit in 32 bits");
    begin(); ARR(8); U(MD_NODE); U(0x1000); U(8); U(0); U(0); U(0); ARR(1); I(1); ARR(1); U(UINT64_MAX);
    bad("types.label_out_of_range", "integer out of range for int");
    begin(); ARR(5); U(MD_TRAILER); U(0); U(0); U(0); ARR(0);
    bad("types.trailer_in_chunk", "a TRAILER record outside the trailer chunk");
    begin(); ARR(2); U(MD_ALLOCATOR); msgpack_pack_map(&pk, 1); U(1); U(2);
    bad("types.stat_key_not_str", "field 'stats key': expected str, found uint");
    begin(); ARR(7); U(MD_MODULE); U(1); U(0); STR("not bin"); U(0); U(0); U(0);
    bad("types.build_id_not_bin", "field 'build_id': expected bin, found str");

    /* evolution rules */
    begin(); ARR(3); U(MD_STRING); U(1); STR("a"); ARR(4); U(16); STR("future"); ARR(2); U(1); U(2); U(3);
    ARR(2); U(200); msgpack_pack_map(&pk, 1); STR("k"); ARR(0);
    ARR(3); U(MD_STRING); U(2); STR("b");
    good("evolve.unknown_kinds_skipped", 2);
    begin(); ARR(6); U(MD_STRING); U(1); STR("a"); U(42); ARR(2); U(1); STR("x"); msgpack_pack_true(&pk);
    good("evolve.extra_fields_ignored", 1);
    begin(); ARR(9); U(MD_PROCESS); U(1); U(0); STR("exe"); ARR(0); U(5); NIL(); NIL(); NIL();
    ARR(5); U(MD_TYPE); U(1); U(0); U(0); NIL();
    ARR(9); U(MD_NODE); U(0x10); U(8); U(0); U(0); U(0); NIL(); NIL(); NIL();
    ARR(9); U(MD_SNAPSHOT); STR("api"); U(0); U(1); NIL(); NIL(); NIL(); NIL(); NIL();
    ARR(7); U(MD_MODULE); U(1); U(0); NIL(); U(0); U(0); U(0);
    good("evolve.nil_optionals", 5);
    begin(); ARR(7); U(MD_NODE); I(-16); U(8); U(0); U(0); U(0); ARR(0);
    ARR(3); U(MD_EDGES); U(0x10); ARR(1); I(-0x10);
    good("evolve.empty_edges_and_negative_delta", 2);

    /* version and framing */
    begin(); ARR(3); U(MD_STRING); U(1); STR("a");
    size_t len = build(dump, 2);
    result res = read_all(dump, len, "v2.dump");
    CHECK(res.rc == -2 && has(res.msg, "v2.dump: offset 8: format version 2.0 is not supported")
          && has(res.msg, "reads version 1.x"), "version.newer_major_refused");
    if (res.rc != -2) printf("# %s\n", res.msg);
    len = build(dump, 1);
    dump[0] = 'X';
    res = read_all(dump, len, "magic.dump");
    CHECK(res.rc == -2 && has(res.msg, "magic.dump: offset 0: not a memdump file"), "framing.bad_magic");
    len = build(dump, 1);
    put32(dump + 16 + 8, 0xffffffffu);
    res = read_all(dump, len, "raw4g.dump");
    CHECK(res.rc == -1 && has(res.msg, "raw4g.dump: offset 16: chunk 1: raw_len 4294967295 is outside"),
          "framing.raw_len_4GB");
    len = build(dump, 1);
    put32(dump + 16 + 4, 0xffffffffu);
    res = read_all(dump, len, "stored4g.dump");
    CHECK(res.rc == -1 && has(res.msg, "offset 16: chunk 1: stored_len 4294967295 exceeds"),
          "framing.stored_len_4GB");
    len = build(dump, 1);
    put32(dump + 16 + 8, (uint32_t)sb.size + 1);
    res = read_all(dump, len, "rawlen.dump");
    CHECK(res.rc == -1 && has(res.msg, "inflates to"), "framing.raw_len_mismatch");
    len = build(dump, 1);
    dump[len++] = 0;
    res = read_all(dump, len, "tail.dump");
    CHECK(res.rc == -1 && has(res.msg, "1 bytes follow the trailer chunk"), "framing.bytes_after_trailer");
    len = build(dump, 1);
    memcpy(dump + 16, "CHNX", 4);
    res = read_all(dump, len, "tag.dump");
    CHECK(res.rc == -1 && has(res.msg, "offset 16: chunk 1: unknown chunk tag"), "framing.unknown_tag");
    len = build(dump, 1);
    put32(dump + 12, 15);
    res = read_all(dump, len, "hsize.dump");
    CHECK(res.rc == -2 && has(res.msg, "header size 15 is invalid"), "framing.header_size");

    /* trailer counts that disagree */
    begin(); ARR(3); U(MD_STRING); U(1); STR("a");
    len = add_header(dump, 1);
    len = add_chunk(dump, len, "CHNK", sb.data, sb.size);
    begin(); ARR(5); U(0); U(1); U(1); U(sb.size); ARR(4); U(0); U(0); U(0); U(0);
    static const unsigned char first[] = { 0x93, 0x03, 0x01, 0xa1, 'a' };
    len = add_header(dump, 1);
    len = add_chunk(dump, len, "CHNK", first, sizeof first);
    begin(); ARR(5); U(0); U(1); U(1); U(sizeof first); ARR(4); U(0); U(0); U(0); U(0);
    len = add_chunk(dump, len, "TRLR", sb.data, sb.size);
    res = read_all(dump, len, "counts.dump");
    CHECK(res.rc == -1 && has(res.msg, "trailer says 0 records of kind 3 (STRING), the file has 1"),
          "trailer.kind_count_mismatch");
    begin(); ARR(5); U(0); U(2); U(1); U(sizeof first); ARR(0);
    len = add_chunk(dump, add_chunk(dump, add_header(dump, 1), "CHNK", first, sizeof first), "TRLR", sb.data, sb.size);
    res = read_all(dump, len, "counts.dump");
    CHECK(res.rc == -1 && has(res.msg, "trailer says 2 records, the file has 1"), "trailer.record_count_mismatch");
    begin(); ARR(5); U(0); U(1); U(1); U(sizeof first); ARR(4); U(0); U(0); U(0); U(1); ARR(1); U(0);
    len = add_chunk(dump, add_chunk(dump, add_header(dump, 1), "CHNK", first, sizeof first), "TRLR", sb.data, sb.size);
    res = read_all(dump, len, "counts.dump");
    CHECK(res.rc == -1 && has(res.msg, "bytes follow the TRAILER record"), "trailer.extra_record");
    msgpack_sbuffer_destroy(&sb);
}

int main(void)
{
    md_membuf b = { malloc(1u << 20), 0, 1u << 20 };
    md_writer w;
    md_writer_init(&w, wmem, sizeof wmem, md_mem_sink, &b, 1);
    md_writer_set_chunk_target(&w, 120);
    CHECK(md_sample_write(&w, 80, 150) == 0 && md_writer_finish(&w) == 0, "sample.small_written");
    CHECK(read_all(b.data, b.len, "sample").rc == 0, "sample.small_valid");
    test_truncation(b.data, b.len);
    test_flips(b.data, b.len, 4000);

    md_membuf big = { malloc(1u << 20), 0, 1u << 20 };
    md_writer_init(&w, wmem, sizeof wmem, md_mem_sink, &big, 1);
    md_writer_set_chunk_target(&w, 4000);
    md_sample_write(&w, MD_SAMPLE_NODES, MD_SAMPLE_BIG_EDGES);
    md_writer_finish(&w);
    test_flips(big.data, big.len, 1000);
    test_garbage(3000);
    test_hostile();
    free(b.data);
    free(big.data);
    return check_done();
}
