/* md_reader_int.h — the reader's state, shared by its two halves: md_reader.c (file, chunks,
 * trailer) and md_records.c (record decoding and id checks). Not for users of the reader. */
#ifndef MD_READER_INT_H
#define MD_READER_INT_H

#include "md_cursor.h"
#include "md_reader.h"

#include <zlib.h>

/* Kinds whose records are counted one by one for the trailer check; rarer (future) kinds above
 * this are checked as a sum. */
#define MD_RD_SEEN_KINDS 64
/* Bound on the scratch arrays of one record: 16 bytes per element, at most one element per byte
 * of a chunk. */
#define MD_RD_SCRATCH_MAX (16u * (size_t)MD_CHUNK_RAW_MAX)

enum { MD_RD_READING = 0, MD_RD_DONE, MD_RD_FAILED };

struct md_reader {
    char name[512];             /* file name for messages */
    int fd;                     /* -1 in memory mode */
    const uint8_t *mem;         /* memory mode: the caller's bytes */
    uint64_t size;              /* file size */
    uint64_t off;               /* offset of the next chunk frame */
    unsigned major, minor;
    uint8_t *stored;            /* file mode: the largest chunk's stored bytes so far */
    size_t stored_cap;          /*   (≤ MD_CHUNK_STORED_MAX) */
    uint8_t *raw;               /* the largest chunk's raw_len + 1 so far */
    size_t raw_cap;             /*   (≤ MD_CHUNK_RAW_MAX + 1) */
    void *scratch;              /* arrays of the current record; grows, capped */
    size_t scratch_cap;
    z_stream z;
    int z_ready;
    md_cur cur;                 /* over the current chunk's inflated bytes */
    int have_chunk, in_trailer;
    uint64_t chunk_off, chunk_no;
    uint64_t rec_no;            /* 1-based index of the current record in its chunk */
    size_t rec_pos;             /* its byte position in the inflated chunk */
    const char *rec_kind;       /* its kind's name, for messages */
    uint64_t prev_addr;         /* NODE delta base, per chunk */
    uint32_t last_id[MD_KIND_COUNT];
    uint64_t delivered[MD_KIND_COUNT];
    uint64_t seen[MD_RD_SEEN_KINDS], seen_other;   /* records of CHNK chunks, any kind */
    uint64_t records, chunks, raw_bytes;
    int state;
    int incomplete;
    char err[1024];
};

/* Sets the error "<file>: <message>" and fails the reader for good; returns -1. */
int md_rd_fail(md_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, prefixed with the chunk's offset and number and the current record's index. */
int md_rd_fail_rec(md_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Decode the next record of the current chunk: 1 delivered, 0 skipped (unknown kind), -1. */
int md_rd_record(md_reader *r, md_record *rec);
/* Compare a decoded trailer with what was read; 0 or -1. */
int md_rd_check_trailer(md_reader *r, const md_trailer *t, const uint64_t *by_kind, uint32_t nkinds);

#endif
