/* md_reader.c — the validating .dump reader: framing, chunks and the trailer (API in md_reader.h).
 *
 * One chunk at a time: read its 16-byte frame, check tag and lengths against the format limits
 * and against the bytes the file still has, read the stored bytes into a buffer, check the CRC,
 * inflate into a buffer of raw_len + 1 bytes (the extra byte is how "inflates to more than
 * raw_len" is seen), then hand the inflated bytes to the record decoder (md_records.c) one record
 * at a time. The two buffers grow to the largest chunk seen, and only once its frame has passed
 * the checks: they never exceed the limits of FORMAT.md §5 (5 MiB stored, 4 MiB raw) nor, for the
 * stored bytes, what the file really holds, whatever a length field claims. (Growing rather than
 * allocating the limits up front keeps small dumps, and the fuzzer, cheap.) The only other
 * memory is the decoder's scratch for a record's arrays, which grows with arrays actually present
 * (every element is at least one byte of a chunk, so it stays under 16 × MD_CHUNK_RAW_MAX).
 *
 * Files are read with pread() so a reader never maps a file that may shrink under it; memory
 * mode (md_reader_open_mem) reads the caller's bytes directly.
 *
 * Every error names the file and the offset of the chunk frame (or the header field) at fault.
 * Truncation is told apart from damage: a file that stops at or inside a chunk is reported as
 * "incomplete file", with where it stops, after every complete chunk has been delivered.
 */
#include "md_reader_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

int md_rd_fail(md_reader *r, const char *fmt, ...)
{
    if (r->state == MD_RD_FAILED) return -1;
    int n = snprintf(r->err, sizeof r->err, "%s: ", r->name);
    if (n < 0 || (size_t)n >= sizeof r->err) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
    va_end(ap);
    r->state = MD_RD_FAILED;
    return -1;
}

/* Copy len bytes at file offset off (known to be inside the file) into buf, or point at them. */
static int fetch(md_reader *r, uint64_t off, size_t len, uint8_t *buf, const uint8_t **out)
{
    if (r->mem) { *out = r->mem + off; return 0; }
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(r->fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return md_rd_fail(r, "offset %" PRIu64 ": read failed: %s", off + got, strerror(errno));
        if (n == 0) {
            r->incomplete = 1;
            return md_rd_fail(r, "offset %" PRIu64 ": incomplete file: it became shorter while being read",
                              off + got);
        }
        got += (size_t)n;
    }
    *out = buf;
    return 0;
}

/* Make *buf hold at least need bytes (need is already checked against the format's limits). */
static int grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 64u << 10;
    while (n < need) n *= 2;
    uint8_t *p = realloc(*buf, n);
    if (!p) {
        p = realloc(*buf, need);   /* the doubling may have overshot what memory allows */
        if (!p) return -1;
        n = need;
    }
    *buf = p;
    *cap = n;
    return 0;
}

static md_reader *open_common(md_reader *r, char *err, size_t errlen)
{
    if (inflateInit(&r->z) != Z_OK) {
        snprintf(err, errlen, "%s: zlib inflateInit failed", r->name);
        md_reader_close(r);
        return NULL;
    }
    r->z_ready = 1;
    const uint8_t *h;
    if (r->size < MD_HEADER_SIZE) {
        snprintf(err, errlen, "%s: offset 0: not a dump (or an incomplete one): the file has %" PRIu64
                 " bytes, the header alone needs %d", r->name, r->size, MD_HEADER_SIZE);
        md_reader_close(r);
        return NULL;
    }
    uint8_t hb[MD_HEADER_SIZE];
    if (fetch(r, 0, sizeof hb, hb, &h) < 0) {
        snprintf(err, errlen, "%s", r->err);
        md_reader_close(r);
        return NULL;
    }
    const char *why = NULL;
    char tmp[160];
    r->major = le16(h + 8);
    r->minor = le16(h + 10);
    uint32_t hsize = le32(h + 12);
    if (memcmp(h, MD_MAGIC, MD_MAGIC_LEN) != 0) {
        why = "offset 0: not a memdump file (bad magic)";
    } else if (r->major != MD_VERSION_MAJOR) {
        snprintf(tmp, sizeof tmp, "offset 8: format version %u.%u is not supported: this reader reads "
                 "version %d.x%s", r->major, r->minor, MD_VERSION_MAJOR,
                 r->major > MD_VERSION_MAJOR ? " (the file is newer: upgrade memdump)" : "");
        why = tmp;
    } else if (hsize < MD_HEADER_SIZE || hsize > r->size) {
        snprintf(tmp, sizeof tmp, "offset 12: header size %" PRIu32 " is invalid (must be at least %d "
                 "and within the file's %" PRIu64 " bytes)", hsize, MD_HEADER_SIZE, r->size);
        why = tmp;
    }
    if (why) {
        snprintf(err, errlen, "%s: %s", r->name, why);
        md_reader_close(r);
        return NULL;
    }
    r->off = hsize;
    return r;
}

static md_reader *alloc_reader(const char *name)
{
    md_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    snprintf(r->name, sizeof r->name, "%s", name ? name : "(memory)");
    r->fd = -1;
    return r;
}

md_reader *md_reader_open(const char *path, char *err, size_t errlen)
{
    md_reader *r = alloc_reader(path);
    if (!r) { snprintf(err, errlen, "%s: out of memory", path); return NULL; }
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (r->fd < 0 || fstat(r->fd, &st) < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        md_reader_close(r);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        md_reader_close(r);
        return NULL;
    }
    r->size = (uint64_t)st.st_size;
    return open_common(r, err, errlen);
}

md_reader *md_reader_open_mem(const void *data, size_t len, const char *name, char *err, size_t errlen)
{
    static const uint8_t empty[1];
    md_reader *r = alloc_reader(name);
    if (!r) { snprintf(err, errlen, "%s: out of memory", name ? name : "(memory)"); return NULL; }
    r->mem = data ? data : empty;
    r->size = data ? len : 0;
    return open_common(r, err, errlen);
}

void md_reader_close(md_reader *r)
{
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    if (r->z_ready) inflateEnd(&r->z);
    free(r->raw);
    free(r->stored);
    free(r->scratch);
    free(r);
}

/* Read, check and inflate the chunk at r->off. */
static int load_chunk(md_reader *r)
{
    uint64_t off = r->off, left = r->size - off;
    uint64_t no = r->chunks + 1;
    r->chunk_off = off;
    r->chunk_no = no;
    if (left == 0) {
        r->incomplete = 1;
        return md_rd_fail(r, "offset %" PRIu64 ": incomplete file: it ends after %" PRIu64
                          " complete chunks, without a trailer (the writer did not finish)", off, r->chunks);
    }
    if (left < MD_FRAME_SIZE) {
        r->incomplete = 1;
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": incomplete file: the chunk frame "
                          "is cut off after %" PRIu64 " of %d bytes (the file ends at offset %" PRIu64 ")",
                          off, no, left, MD_FRAME_SIZE, r->size);
    }
    uint8_t fb[MD_FRAME_SIZE];
    const uint8_t *f;
    if (fetch(r, off, sizeof fb, fb, &f) < 0) return -1;
    int trailer;
    if (!memcmp(f, MD_TAG_CHUNK, 4)) trailer = 0;
    else if (!memcmp(f, MD_TAG_TRAILER, 4)) trailer = 1;
    else
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": unknown chunk tag %02x %02x %02x %02x "
                          "(expected CHNK or TRLR)", off, no, f[0], f[1], f[2], f[3]);
    uint32_t stored = le32(f + 4), raw = le32(f + 8), crc = le32(f + 12);
    if (stored > MD_CHUNK_STORED_MAX)
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": stored_len %" PRIu32 " exceeds the "
                          "limit of %u bytes", off, no, stored, MD_CHUNK_STORED_MAX);
    if (raw == 0 || raw > MD_CHUNK_RAW_MAX)
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": raw_len %" PRIu32 " is outside 1..%u",
                          off, no, raw, MD_CHUNK_RAW_MAX);
    if (stored > left - MD_FRAME_SIZE) {
        r->incomplete = 1;
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": incomplete file: the chunk needs %"
                          PRIu32 " bytes after its frame but the file ends %" PRIu64 " bytes later, at "
                          "offset %" PRIu64, off, no, stored, left - MD_FRAME_SIZE, r->size);
    }
    if (!r->mem && grow(&r->stored, &r->stored_cap, stored ? stored : 1) < 0)
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": out of memory", off, no);
    const uint8_t *data;
    if (fetch(r, off + MD_FRAME_SIZE, stored, r->stored, &data) < 0) return -1;
    uint32_t got = (uint32_t)crc32(0L, data, stored);
    if (got != crc)
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": CRC mismatch (stored 0x%08" PRIx32
                          ", computed 0x%08" PRIx32 ")", off, no, crc, got);
    if (grow(&r->raw, &r->raw_cap, (size_t)raw + 1) < 0)   /* after the CRC: the frame is genuine */
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": out of memory", off, no);
    if (inflateReset(&r->z) != Z_OK) return md_rd_fail(r, "zlib inflateReset failed");
    r->z.next_in = (Bytef *)data;
    r->z.avail_in = stored;
    r->z.next_out = r->raw;
    r->z.avail_out = raw + 1;
    int zr = inflate(&r->z, Z_FINISH);
    if (zr == Z_STREAM_END) {
        if (r->z.total_out != raw)
            return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": inflates to %lu bytes, the frame "
                              "says raw_len %" PRIu32, off, no, r->z.total_out, raw);
        if (r->z.avail_in)
            return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": %u stored bytes follow the end "
                              "of the zlib stream", off, no, r->z.avail_in);
    } else if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT) {
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": corrupt zlib stream (%s)", off, no,
                          r->z.msg ? r->z.msg : "needs a preset dictionary");
    } else if (zr == Z_MEM_ERROR) {
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": zlib out of memory", off, no);
    } else if (r->z.avail_out == 0) {
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": inflates to more than raw_len %"
                          PRIu32 " bytes", off, no, raw);
    } else {
        return md_rd_fail(r, "offset %" PRIu64 ": chunk %" PRIu64 ": zlib stream ends early (%lu of %"
                          PRIu32 " bytes inflated)", off, no, r->z.total_out, raw);
    }
    md_cur_init(&r->cur, r->raw, raw);
    r->off = off + MD_FRAME_SIZE + stored;
    r->have_chunk = 1;
    r->in_trailer = trailer;
    r->rec_no = 0;
    r->prev_addr = 0;
    if (!trailer) {
        r->chunks++;
        r->raw_bytes += raw;
    }
    return 0;
}

int md_reader_next(md_reader *r, md_record *rec)
{
    if (r->state == MD_RD_FAILED) return -1;
    if (r->state == MD_RD_DONE) return 0;
    for (;;) {
        if (!r->have_chunk || md_cur_left(&r->cur) == 0) {
            if (r->have_chunk && r->in_trailer) { r->state = MD_RD_DONE; return 0; }
            if (load_chunk(r) < 0) return -1;
        }
        int rc = md_rd_record(r, rec);
        if (rc != 0) return rc;   /* 1 delivered, -1 error; 0: an unknown kind was skipped */
    }
}

/* The trailer record has been decoded into t: compare with what was read, and make sure nothing
 * follows it. */
int md_rd_check_trailer(md_reader *r, const md_trailer *t, const uint64_t *by_kind, uint32_t nkinds)
{
    if (t->record_count != r->records)
        return md_rd_fail_rec(r, "trailer says %" PRIu64 " records, the file has %" PRIu64,
                              t->record_count, r->records);
    if (t->chunk_count != r->chunks)
        return md_rd_fail_rec(r, "trailer says %" PRIu64 " chunks, the file has %" PRIu64,
                              t->chunk_count, r->chunks);
    if (t->raw_bytes != r->raw_bytes)
        return md_rd_fail_rec(r, "trailer says %" PRIu64 " raw bytes, the chunks hold %" PRIu64,
                              t->raw_bytes, r->raw_bytes);
    uint64_t other = 0;
    for (uint32_t k = 0; k < nkinds || k < MD_RD_SEEN_KINDS; k++) {
        uint64_t want = k < nkinds ? by_kind[k] : 0;
        if (k >= MD_RD_SEEN_KINDS) { other += want; continue; }
        if (want != r->seen[k])
            return md_rd_fail_rec(r, "trailer says %" PRIu64 " records of kind %" PRIu32 " (%s), the file "
                                  "has %" PRIu64, want, k, md_kind_name(k), r->seen[k]);
    }
    if (other != r->seen_other)
        return md_rd_fail_rec(r, "trailer says %" PRIu64 " records of kinds >= %d, the file has %" PRIu64,
                              other, MD_RD_SEEN_KINDS, r->seen_other);
    if (md_cur_left(&r->cur))
        return md_rd_fail_rec(r, "%zu bytes follow the TRAILER record in the trailer chunk",
                              md_cur_left(&r->cur));
    if (r->off != r->size)
        return md_rd_fail(r, "offset %" PRIu64 ": %" PRIu64 " bytes follow the trailer chunk (nothing may)",
                          r->off, r->size - r->off);
    return 0;
}

const char *md_reader_error(const md_reader *r)
{
    return r->state == MD_RD_FAILED ? r->err : NULL;
}

int md_reader_incomplete(const md_reader *r) { return r->state == MD_RD_FAILED && r->incomplete; }

void md_reader_version(const md_reader *r, unsigned *major, unsigned *minor)
{
    if (major) *major = r->major;
    if (minor) *minor = r->minor;
}

uint64_t md_reader_file_size(const md_reader *r) { return r->size; }
uint64_t md_reader_offset(const md_reader *r) { return r->off; }
const uint64_t *md_reader_counts(const md_reader *r) { return r->delivered; }
uint64_t md_reader_chunks(const md_reader *r) { return r->chunks; }
