/* check.c — `memanalyze --check FILE`: read a dump end to end through the validating reader and
 * say what is in it. The reader does all the checking (frames, CRCs, records, ids, trailer); this
 * file only counts, collects WARNING records and prints. Output (stdout):
 *
 *   file: x.dump (123456 bytes)
 *   format: 1.0
 *   chunks: 3 (4194304 raw bytes)
 *   records: 100233
 *     PROCESS          1
 *     ...
 *   warning: python walker: unsupported version 3.14
 *   valid
 *
 * On failure the counts read so far are still printed, the last line is "invalid" or
 * "incomplete", and the reader's message (file, offset, what) goes to err.
 */
#include "check.h"

#include "md_reader.h"

#include <inttypes.h>

#define WARNINGS_SHOWN 20

int md_check_file(const char *path, FILE *out, FILE *err)
{
    char msg[1024];
    md_reader *r = md_reader_open(path, msg, sizeof msg);
    if (!r) {
        fprintf(err, "memanalyze: %s\n", msg);
        fprintf(out, "invalid\n");
        return 1;
    }
    unsigned major, minor;
    md_reader_version(r, &major, &minor);
    fprintf(out, "file: %s (%" PRIu64 " bytes)\n", path, md_reader_file_size(r));
    fprintf(out, "format: %u.%u\n", major, minor);

    md_record rec;
    int rc;
    uint64_t warnings = 0, raw_bytes = 0;
    int have_trailer = 0;
    while ((rc = md_reader_next(r, &rec)) == 1) {
        if (rec.kind == MD_WARNING) {
            if (warnings < WARNINGS_SHOWN)
                fprintf(out, "warning: %.*s\n", (int)rec.u.warning.message.len, rec.u.warning.message.ptr);
            warnings++;
        } else if (rec.kind == MD_TRAILER) {
            raw_bytes = rec.u.trailer.raw_bytes;
            have_trailer = 1;
        }
    }
    if (warnings > WARNINGS_SHOWN)
        fprintf(out, "warning: ... %" PRIu64 " more warnings\n", warnings - WARNINGS_SHOWN);

    const uint64_t *counts = md_reader_counts(r);
    uint64_t total = 0;
    for (unsigned k = 1; k < MD_KIND_COUNT; k++) total += counts[k];
    if (have_trailer)
        fprintf(out, "chunks: %" PRIu64 " (%" PRIu64 " raw bytes)\n", md_reader_chunks(r), raw_bytes);
    else
        fprintf(out, "chunks: %" PRIu64 "\n", md_reader_chunks(r));
    fprintf(out, "records: %" PRIu64 "\n", total);
    for (unsigned k = 1; k < MD_KIND_COUNT; k++)
        if (counts[k]) fprintf(out, "  %-10s %12" PRIu64 "\n", md_kind_name(k), counts[k]);
    fprintf(out, "warnings: %" PRIu64 "\n", warnings);

    int ok = rc == 0;
    if (ok) {
        if (counts[MD_PROCESS] != 1)
            fprintf(out, "note: %" PRIu64 " PROCESS records (a dump from the agent has exactly one)\n",
                    counts[MD_PROCESS]);
        if (counts[MD_SNAPSHOT] != 1)
            fprintf(out, "note: %" PRIu64 " SNAPSHOT records (a dump from the agent has exactly one)\n",
                    counts[MD_SNAPSHOT]);
        fprintf(out, "valid\n");
    } else {
        fprintf(out, "%s\n", md_reader_incomplete(r) ? "incomplete" : "invalid");
        fprintf(err, "memanalyze: %s\n", md_reader_error(r));
    }
    md_reader_close(r);
    return ok ? 0 : 1;
}
