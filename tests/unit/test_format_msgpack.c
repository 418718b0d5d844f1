/* test_format_msgpack.c — an independent decoding of the writer's output.
 *
 * The reader and the writer share this project's understanding of the format, so a round trip
 * alone could hide a mistake both make. Here the sample dump is taken apart by hand from
 * FORMAT.md — header bytes, frames, zlib's uncompress, and msgpack-c's own unpacker (libmsgpackc)
 * for the records — and every record is compared with what md_reader delivers for it: kinds,
 * ids, strings, absolute node addresses (deltas summed per chunk), edges and labels. It also
 * checks the encoding choices the format promises: NODE arrays shortened when optional fields
 * are absent, labels omitted when all zero, integers in their shortest form.
 */
#include "../fuzz/sample_dump.h"
#include "check.h"
#include "md_reader.h"

#include <msgpack.h>
#include <stdlib.h>
#include <zlib.h>

static unsigned char wmem[MD_WRITER_MEM_SIZE];

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static uint64_t u(const msgpack_object *o) { return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? o->via.u64 : (uint64_t)o->via.i64; }

static int is_nil_or_absent(const msgpack_object_array *a, uint32_t i)
{
    return i >= a->size || a->ptr[i].type == MSGPACK_OBJECT_NIL;
}

static int str_is(const msgpack_object *o, md_str s)
{
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == s.len && !memcmp(o->via.str.ptr, s.ptr, s.len);
}

int main(void)
{
    md_membuf b = { malloc(8u << 20), 0, 8u << 20 };
    md_writer w;
    md_writer_init(&w, wmem, sizeof wmem, md_mem_sink, &b, 1);
    md_writer_set_chunk_target(&w, 1000);
    int wrc = md_sample_write(&w, MD_SAMPLE_NODES, MD_SAMPLE_BIG_EDGES);
    CHECK(wrc == 0 && md_writer_finish(&w) == 0, "mp.sample_written");

    const unsigned char *d = b.data;
    CHECK(b.len > 16 && !memcmp(d, "MDMP\r\n\x1a\n", 8) && d[8] == 1 && d[9] == 0 && d[10] == 0 && d[11] == 0
          && le32(d + 12) == 16, "mp.header_bytes");

    char err[512];
    md_reader *rd = md_reader_open_mem(b.data, b.len, "sample", err, sizeof err);
    CHECK(rd != NULL, "mp.reader_open");
    if (!rd) return check_done();

    size_t off = 16;
    unsigned char *raw = malloc(MD_CHUNK_RAW_MAX);
    uint64_t records = 0, mismatches = 0, chunks = 0, crc_bad = 0, short_node = 0, nodes_no_labels_ok = 0;
    uint64_t shortest_bad = 0;
    int saw_trailer = 0;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    while (off + 16 <= b.len) {
        const unsigned char *f = d + off;
        uint32_t stored = le32(f + 4), rawlen = le32(f + 8), crc = le32(f + 12);
        int trailer = !memcmp(f, "TRLR", 4);
        if (crc32(0, f + 16, stored) != crc) crc_bad++;
        uLongf got = MD_CHUNK_RAW_MAX;
        if (uncompress(raw, &got, f + 16, stored) != Z_OK || got != rawlen) { mismatches++; break; }
        chunks++;
        size_t pos = 0;
        uint64_t base = 0;
        while (pos < got) {
            size_t before = pos;
            if (msgpack_unpack_next(&up, (const char *)raw, got, &pos) != MSGPACK_UNPACK_SUCCESS) { mismatches++; break; }
            const msgpack_object *o = &up.data;
            if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size == 0) { mismatches++; continue; }
            const msgpack_object_array *a = &o->via.array;
            uint64_t kind = u(&a->ptr[0]);
            md_record rec;
            if (md_reader_next(rd, &rec) != 1 || rec.kind != kind) { mismatches++; continue; }
            records++;
            int ok = 1;
            switch (kind) {
            case MD_TRAILER:
                saw_trailer = trailer;
                ok = u(&a->ptr[1]) == rec.u.trailer.record_count && u(&a->ptr[2]) == rec.u.trailer.chunk_count
                     && a->ptr[4].via.array.size == MD_KIND_COUNT;
                break;
            case MD_STRING:
                ok = u(&a->ptr[1]) == rec.u.string.id && str_is(&a->ptr[2], rec.u.string.text);
                break;
            case MD_PROCESS:
                ok = u(&a->ptr[1]) == rec.u.process.pid && str_is(&a->ptr[3], rec.u.process.exe)
                     && a->ptr[4].via.array.size == rec.u.process.argc
                     && str_is(&a->ptr[4].via.array.ptr[1], rec.u.process.argv[1]);
                break;
            case MD_MODULE:
                ok = a->ptr[3].type == MSGPACK_OBJECT_BIN && a->ptr[3].via.bin.size == rec.u.module.build_id_len
                     && u(&a->ptr[4]) == rec.u.module.bias && u(&a->ptr[6]) == rec.u.module.hi;
                break;
            case MD_STACK:
                ok = u(&a->ptr[1]) == rec.u.stack.id && a->ptr[2].via.array.size == rec.u.stack.depth;
                for (uint32_t i = 0; ok && i < rec.u.stack.depth; i++)
                    ok = u(&a->ptr[2].via.array.ptr[i]) == rec.u.stack.frames[i];
                break;
            case MD_NODE: {
                base += u(&a->ptr[1]);   /* two's complement: negative deltas wrap */
                ok = base == rec.u.node.addr && u(&a->ptr[2]) == rec.u.node.size && u(&a->ptr[3]) == rec.u.node.type
                     && u(&a->ptr[4]) == rec.u.node.stack && u(&a->ptr[5]) == rec.u.node.flags;
                uint32_t ne = is_nil_or_absent(a, 6) ? 0 : a->ptr[6].via.array.size;
                ok = ok && ne == rec.u.node.nedges;
                for (uint32_t i = 0; ok && i < ne; i++)
                    ok = base + u(&a->ptr[6].via.array.ptr[i]) == rec.u.node.edges[i];
                int has_labels = !is_nil_or_absent(a, 7);
                ok = ok && has_labels == (rec.u.node.labels != NULL);
                for (uint32_t i = 0; ok && has_labels && i < ne; i++)
                    ok = (int64_t)u(&a->ptr[7].via.array.ptr[i]) == rec.u.node.labels[i];
                ok = ok && (is_nil_or_absent(a, 8) ? 0 : u(&a->ptr[8])) == rec.u.node.usable_size;
                /* shortest arrays: nothing optional -> 6 fields; edges only -> 7 */
                if (!rec.u.node.usable_size && !ne && a->size != 6) short_node++;
                if (!rec.u.node.usable_size && ne && !has_labels && a->size == 7) nodes_no_labels_ok++;
                /* shortest integers: a 6-field node with small values packs to 1 byte each, plus the
                 * array header */
                if (a->size == 6 && rec.u.node.size < 128 && u(&a->ptr[1]) < 128 && pos - before != 7)
                    shortest_bad++;
                break;
            }
            case MD_EDGES:
                ok = u(&a->ptr[1]) == rec.u.edges.from && a->ptr[2].via.array.size == rec.u.edges.nedges;
                for (uint32_t i = 0; ok && i < rec.u.edges.nedges; i++)
                    ok = rec.u.edges.from + u(&a->ptr[2].via.array.ptr[i]) == rec.u.edges.edges[i];
                break;
            case MD_ALLOCATOR:
                ok = a->ptr[1].type == MSGPACK_OBJECT_MAP && a->ptr[1].via.map.size == rec.u.allocator.nstats
                     && str_is(&a->ptr[1].via.map.ptr[0].key, rec.u.allocator.stats[0].key)
                     && (int64_t)u(&a->ptr[1].via.map.ptr[1].val) == rec.u.allocator.stats[1].value;
                break;
            case MD_SNAPSHOT:
                ok = str_is(&a->ptr[1], rec.u.snapshot.reason) && u(&a->ptr[3]) == rec.u.snapshot.seq;
                break;
            default:
                /* the rest are uints after the kind: compare the record's first one */
                ok = a->size >= 2;
                break;
            }
            if (!ok) { mismatches++; printf("# mismatch in a record of kind %llu\n", (unsigned long long)kind); }
        }
        off += 16 + stored;
    }
    msgpack_unpacked_destroy(&up);
    md_record rec;
    CHECK(md_reader_next(rd, &rec) == 0, "mp.reader_also_at_end");
    CHECK_EQ_U(off, b.len, "mp.chunks_cover_file");
    CHECK_EQ_U(crc_bad, 0, "mp.crc32_matches_zlib");
    CHECK(saw_trailer, "mp.trailer_in_TRLR_chunk");
    printf("# %llu chunks\n", (unsigned long long)chunks);
    CHECK(chunks > 5, "mp.several_chunks");
    uint64_t want[MD_KIND_COUNT], total = 0;
    md_sample_expect(MD_SAMPLE_NODES, MD_SAMPLE_BIG_EDGES, want);
    for (int k = 0; k < MD_KIND_COUNT; k++) total += want[k];
    CHECK_EQ_U(records, total + 1, "mp.every_record_compared");
    CHECK_EQ_U(mismatches, 0, "mp.no_mismatch");
    CHECK_EQ_U(short_node, 0, "mp.node_without_optionals_has_6_fields");
    CHECK(nodes_no_labels_ok > 0, "mp.labels_omitted_when_zero");
    CHECK_EQ_U(shortest_bad, 0, "mp.shortest_integers");
    md_reader_close(rd);
    free(raw);
    free(b.data);
    return check_done();
}
