/* md_reader.h — streaming, validating .dump reader.
 *
 * The reader trusts nothing in the file. It reads one chunk at a time into buffers bounded by the
 * format's limits (never sized by a length field it has not checked against the bytes really
 * there), checks the frame, the CRC and the inflated length, then decodes records one by one with
 * a bounds-checked msgpack cursor. Ids are checked against the tables defined so far, so a
 * consumer may index arrays with any id the reader hands back. Memory use is bounded whatever the
 * file: about 3 MiB for dumps written by md_writer (1 MiB chunks), at most ~10 MiB plus the
 * arrays of the largest record (≤ 16 bytes per byte of a 4 MiB chunk) for any input.
 *
 * On damage, every record of every complete chunk before it has already been delivered, and
 * md_reader_error() names the file, the byte offset and what was wrong:
 *   "x.dump: offset 1048592: chunk 2: CRC mismatch (stored 0x1234abcd, computed 0x9f00aa12)"
 */
#ifndef MD_READER_H
#define MD_READER_H

#include "md_format.h"

typedef struct md_reader md_reader;

/* Open and check the header. On failure returns NULL and writes a message to err. */
md_reader *md_reader_open(const char *path, char *err, size_t errlen);
/* The same over bytes in memory (the fuzzer, tests); name is used in messages. The buffer must
 * outlive the reader. */
md_reader *md_reader_open_mem(const void *data, size_t len, const char *name, char *err, size_t errlen);

/* Next record: 1 = *rec filled (valid until the next call), 0 = end of a complete file (the
 * trailer was read and its counts verified), -1 = error or incomplete file (see
 * md_reader_error). The trailer itself is delivered as a record of kind MD_TRAILER before 0. */
int md_reader_next(md_reader *r, md_record *rec);

/* The error message, or NULL while there is none. */
const char *md_reader_error(const md_reader *r);
/* 1 when the error is that the file stops early (truncated, no trailer): every complete chunk was
 * delivered and a consumer may go on with a warning. 0 for damage or while there is no error. */
int md_reader_incomplete(const md_reader *r);
/* CHNK chunks read so far (the trailer chunk not counted). */
uint64_t md_reader_chunks(const md_reader *r);
void md_reader_version(const md_reader *r, unsigned *major, unsigned *minor);
uint64_t md_reader_file_size(const md_reader *r);
uint64_t md_reader_offset(const md_reader *r);   /* bytes consumed so far */
/* Counts of records delivered so far, per kind (unknown kinds are skipped and not counted). */
const uint64_t *md_reader_counts(const md_reader *r);
void md_reader_close(md_reader *r);

#endif
