/* df_output.h — memdiff's report: readable text, or one JSON object.
 *
 * Both print the same rows in the same order (df_report.h): the dumps compared, the total change
 * (objects, bytes, RSS), growth sources, growth by the keys --by selects (type and site by
 * default), and churn. The JSON schema is documented in df_json.c and README.
 */
#ifndef DF_OUTPUT_H
#define DF_OUTPUT_H

#include "df_run.h"

#include <stdio.h>

void df_text(const df_run *r, FILE *f);
void df_json(const df_run *r, FILE *f);

#endif
