/* fuzz_reader.c — libFuzzer target for the dump reader (`make fuzz`, tests/fuzz/run.sh).
 *
 * Two ways in, chosen by the input's first byte:
 *  - 'M' (the first byte of the magic): the input is a whole file, read with md_reader_open_mem.
 *    This exercises the header and the chunk framing; but mutations rarely survive the CRC and
 *    zlib, so on its own it would hardly reach the record decoder. Hence:
 *  - anything else: the rest of the input is the inflated content of one chunk. The harness
 *    wraps it in a valid header, frame, zlib stream and CRC (and a trailer), so every mutation
 *    reaches the msgpack cursor and the record checks.
 * Every delivered record is walked (strings, edges, frames, stats) so that a pointer or length
 * the reader got wrong shows up under AddressSanitizer.
 */
#include "md_reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static volatile uint64_t sink;

static void touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++) s += b[i];
    sink += s;
}

static void walk(const md_record *r)
{
    switch (r->kind) {
    case MD_PROCESS:
        touch(r->u.process.exe.ptr, r->u.process.exe.len);
        for (uint32_t i = 0; i < r->u.process.argc; i++) touch(r->u.process.argv[i].ptr, r->u.process.argv[i].len);
        touch(r->u.process.hostname.ptr, r->u.process.hostname.len);
        touch(r->u.process.python_version.ptr, r->u.process.python_version.len);
        break;
    case MD_SNAPSHOT: touch(r->u.snapshot.reason.ptr, r->u.snapshot.reason.len); break;
    case MD_STRING: touch(r->u.string.text.ptr, r->u.string.text.len); break;
    case MD_MODULE: touch(r->u.module.build_id, r->u.module.build_id_len); break;
    case MD_STACK: touch(r->u.stack.frames, r->u.stack.depth * sizeof(uint32_t)); break;
    case MD_NODE:
        touch(r->u.node.edges, r->u.node.nedges * sizeof(uint64_t));
        if (r->u.node.labels) touch(r->u.node.labels, r->u.node.nedges * sizeof(int64_t));
        break;
    case MD_EDGES:
        touch(r->u.edges.edges, r->u.edges.nedges * sizeof(uint64_t));
        if (r->u.edges.labels) touch(r->u.edges.labels, r->u.edges.nedges * sizeof(int64_t));
        break;
    case MD_ALLOCATOR:
        for (uint32_t i = 0; i < r->u.allocator.nstats; i++)
            touch(r->u.allocator.stats[i].key.ptr, r->u.allocator.stats[i].key.len);
        break;
    case MD_WARNING: touch(r->u.warning.message.ptr, r->u.warning.message.len); break;
    default: break;
    }
}

static void read_all(const uint8_t *data, size_t size)
{
    char err[1024];
    md_reader *r = md_reader_open_mem(data, size, "fuzz", err, sizeof err);
    if (!r) { touch(err, strlen(err)); return; }
    md_record rec;
    int rc;
    while ((rc = md_reader_next(r, &rec)) == 1) walk(&rec);
    if (rc < 0) touch(md_reader_error(r), strlen(md_reader_error(r)));
    md_reader_close(r);
}

static size_t frame(uint8_t *out, const char *tag, const uint8_t *raw, size_t n)
{
    uLongf clen = compressBound(n);
    compress2(out + 16, &clen, raw, n, 1);
    uint32_t v[3] = { (uint32_t)clen, (uint32_t)n, (uint32_t)crc32(0, out + 16, clen) };
    memcpy(out, tag, 4);
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 4; k++) out[4 + 4 * i + k] = (uint8_t)(v[i] >> (8 * k));
    return 16 + clen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    if (data[0] == 'M' || size - 1 > MD_CHUNK_RAW_MAX || size == 1) {
        read_all(data, size);
        return 0;
    }
    /* records mode: header + CHNK(data[1..]) + TRLR(empty counts) */
    static const uint8_t trailer[] = { 0x95, 0, 0, 0, 0, 0x90 };
    size_t n = size - 1;
    uint8_t *buf = malloc(16 + 16 + compressBound(n) + 16 + compressBound(sizeof trailer));
    memcpy(buf, "MDMP\r\n\x1a\n\x01\x00\x00\x00\x10\x00\x00\x00", 16);
    size_t len = 16;
    len += frame(buf + len, "CHNK", data + 1, n);
    len += frame(buf + len, "TRLR", trailer, sizeof trailer);
    read_all(buf, len);
    free(buf);
    return 0;
}
