/* md_writer.h — streaming .dump writer that never allocates.
 *
 * It runs inside the snapshot child of someone else's process, where malloc may be locked by a
 * thread that no longer exists. So: the caller hands in one block of memory (mmap it), the writer
 * carves its chunk buffers and zlib's state out of it (zlib gets a bump allocator as zalloc), packs
 * records with msgpack-c's header-only packer straight into the raw chunk buffer, and pushes each
 * finished chunk to a caller-supplied sink. No malloc, no stdio, no locks.
 *
 * Errors are sticky: after the first failure every call returns -1 and md_writer_error() says why.
 *
 * Usage:
 *   static char mem[MD_WRITER_MEM_SIZE];            (or mmap)
 *   md_writer w; md_writer_init(&w, mem, sizeof mem, md_fd_sink, &fd, 1);
 *   md_w_string(&w, &(md_string){1, {"list", 4}});
 *   md_w_node(&w, &node); md_w_edge(&w, target, MD_LABEL_INDEX(0)); ...
 *   md_writer_finish(&w);                           writes the trailer
 */
#ifndef MD_WRITER_H
#define MD_WRITER_H

#include "md_format.h"
#include <msgpack/pack.h>
#include <zlib.h>

/* Memory md_writer_init needs: raw chunk (target + headroom for the largest record), the
 * compressed chunk, pending edges, and zlib's deflate state. */
#define MD_WRITER_RAW_CAP   (MD_CHUNK_TARGET + (1u << 20))
#define MD_WRITER_MEM_SIZE  (MD_WRITER_RAW_CAP + MD_WRITER_RAW_CAP + (MD_WRITER_RAW_CAP >> 8) + 4096 \
                             + MD_EDGES_PER_RECORD * 16 + (512u << 10))

/* Where finished bytes go. Returns 0, or a positive errno value on failure. */
typedef int (*md_sink)(void *ctx, const void *buf, size_t len);

/* A sink for a file descriptor: ctx points to an int fd. Retries EINTR and short writes. */
int md_fd_sink(void *ctx, const void *buf, size_t len);

/* Fields are private to md_writer.c; the struct is public only so callers can place it
 * without allocating. */
typedef struct md_writer {
    md_sink sink;
    void *sink_ctx;
    z_stream z;
    uint8_t *raw;           /* raw chunk being filled */
    size_t raw_len, raw_cap;
    size_t chunk_target;    /* flush once raw_len reaches this (MD_CHUNK_TARGET) */
    uint8_t *out;           /* compressed chunk */
    size_t out_cap;
    uint8_t *zmem;          /* bump arena for zlib */
    size_t zmem_used, zmem_cap;
    uint64_t *pend_to;      /* pending edges of the open node */
    int64_t *pend_label;
    uint32_t pend_n;
    int pend_has_labels;
    int node_open;          /* a NODE is waiting for its edges */
    md_node node;           /* the open node (edges field unused) */
    int node_written;       /* its NODE record went out; more edges go to EDGES records */
    uint64_t prev_addr;     /* NODE delta base; reset at each chunk */
    uint32_t last_id[MD_KIND_COUNT];   /* id sequencing checks per table */
    uint64_t counts[MD_KIND_COUNT];
    uint64_t node_bytes;    /* sum of the sizes of the nodes written */
    uint64_t records, chunks, raw_total, bytes_out;
    int overflow;           /* a record did not fit the raw buffer */
    int finished;
    int err;                /* errno-style code, 0 = fine */
    const char *errmsg;     /* static string */
    char errbuf[128];
} md_writer;

/* Prepare a writer over mem[0..len) (at least MD_WRITER_MEM_SIZE bytes) and write the header.
 * level is the zlib level: 1 (recommended) is the fastest and uses run-length + Huffman coding
 * (Z_RLE), which suits packed records; 2-9 use zlib's usual matching (smaller, slower); 0 stores.
 * Returns 0 or -1. */
int md_writer_init(md_writer *w, void *mem, size_t len, md_sink sink, void *ctx, int level);

/* One call per record; each returns 0 or -1 (sticky). String, type, module, frame and stack ids
 * must be defined in order 1, 2, 3 … per table (the writer checks). */
int md_w_process(md_writer *w, const md_process *r);
int md_w_snapshot(md_writer *w, const md_snapshot *r);
int md_w_string(md_writer *w, const md_string *r);
int md_w_type(md_writer *w, const md_type *r);
int md_w_module(md_writer *w, const md_module *r);
int md_w_thread(md_writer *w, const md_thread *r);
int md_w_frame(md_writer *w, const md_frame *r);
int md_w_stack(md_writer *w, const md_stack *r);
int md_w_root(md_writer *w, const md_root *r);
int md_w_counter(md_writer *w, const md_counter *r);
int md_w_allocator(md_writer *w, const md_allocator *r);
int md_w_task(md_writer *w, const md_task *r);
int md_w_warning(md_writer *w, const char *message);

/* Start a node (n->edges/labels/nedges are ignored). Its outgoing edges follow with md_w_edge;
 * the record is emitted at the next node, record or finish, split into EDGES records past
 * MD_EDGES_PER_RECORD edges. */
int md_w_node(md_writer *w, const md_node *n);
int md_w_edge(md_writer *w, uint64_t target, int64_t label);

/* Extra edges of an already written node (absolute targets). */
int md_w_edges(md_writer *w, const md_edges *r);

/* Flush everything and write the trailer. The sink sees no more bytes after this. */
int md_writer_finish(md_writer *w);

/* For tests and benchmarks: flush chunks at `bytes` raw bytes instead of MD_CHUNK_TARGET (so a
 * small dump spans many chunks). Clamped to 1 … MD_CHUNK_TARGET. Call right after init. */
void md_writer_set_chunk_target(md_writer *w, size_t bytes);

/* The first error, or NULL while there is none. */
const char *md_writer_error(const md_writer *w);
uint64_t md_writer_bytes(const md_writer *w);   /* bytes handed to the sink so far */
/* Records of one kind written so far (a node whose record is still pending counts once it is
 * emitted). */
uint64_t md_writer_count(const md_writer *w, md_kind kind);
/* Sum of the sizes of the nodes written so far (md_w_node calls). */
uint64_t md_writer_node_bytes(const md_writer *w);

#endif
