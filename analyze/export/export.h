/* export.h — memanalyze --export FORMAT OUT: a snapshot in the formats other tools read.
 *
 *   pprof          gzipped pprof profile (export_pprof.c): go tool pprof, Pyroscope, speedscope
 *   heapsnapshot   V8 heap snapshot JSON (export_heapsnapshot.c): Chrome DevTools, memlab
 *   sqlite         SQLite database (export_sqlite.c): ad-hoc SQL, fleet-wide comparisons
 *
 * Every exporter reads the results of the one analysis memanalyze already ran (ma_analysis:
 * dominators, retained sizes; ma_names: symbolized frames, type and root names; the merged
 * allocation sites of the views), so an export and memanalyze's own report always agree.
 *
 * Output files are never written in place: ma_export_open creates a temporary file next to OUT
 * (same directory, so the final rename is atomic) before the dump is even loaded, which makes an
 * unwritable destination fail at once with a clear message; ma_export_run writes it and renames
 * it over OUT only when complete. A failed or interrupted export leaves no partial OUT behind.
 */
#ifndef MA_EXPORT_H
#define MA_EXPORT_H

#include "views/view.h"

#include <stddef.h>
#include <stdio.h>

typedef struct ma_export ma_export;

/* Names of the formats, for usage messages: "pprof, heapsnapshot or sqlite". */
const char *ma_export_formats(void);
/* Is FORMAT a known format? */
int ma_export_valid(const char *format);

/* Create the temporary output for FORMAT next to PATH. NULL on failure, with err set to
 * "cannot write PATH: why". */
ma_export *ma_export_open(const char *format, const char *path, char *err, size_t errlen);

/* Write the export from the analysis in c, then rename it to its final path. 0 on success;
 * -1 with err set (the temporary file is removed). Frees e either way. When summary is
 * non-NULL, a one-line description of what was written goes there. */
int ma_export_run(ma_export *e, ma_ctx *c, char *err, size_t errlen, FILE *summary);

/* Remove the temporary output and free e (when the dump could not be loaded). */
void ma_export_abort(ma_export *e);

#endif
