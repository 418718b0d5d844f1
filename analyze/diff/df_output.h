/* df_output.h — memdiff's report: readable text, or one JSON object.
 *
 * Both print the same rows in the same order (df_report.h): the dumps compared, the total change
 * (objects, bytes, RSS), growth sources, growth by the keys --by selects (type and site by
 * default), and churn. The JSON schema is documented in df_json.c and README.
 */
#ifndef DF_OUTPUT_H
#define DF_OUTPUT_H

#include "df_report.h"
#include "df_run.h"
#include "ma_json.h"

#include <stdio.h>

void df_text(const df_run *r, FILE *f);
void df_json(const df_run *r, FILE *f);

/* Pieces of the JSON object, into any ma_json writer (memdiff --html embeds them in its data):
 * the member "files", the member "summary", one element of "sources" (an object), and the
 * members key, count_delta, bytes_delta, new_count, new_bytes, freed_count and freed_bytes of a
 * "growth" row (inside an object the caller opened). */
void df_json_files(const df_run *r, ma_json *j);
void df_json_summary(const df_run *r, ma_json *j);
void df_json_source(const df_run *r, const df_source *s, ma_json *j);
void df_json_keyrow(const df_run *r, const df_keyrow *x, ma_json *j);

#endif
