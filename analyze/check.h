/* check.h — `memanalyze --check`: validate a dump end to end and summarize its records. */
#ifndef MD_CHECK_H_
#define MD_CHECK_H_

#include <stdio.h>

/* Reads every record of path, printing the version, per-kind record counts and the verdict to
 * out. Returns 0 for a complete, valid file; 1 otherwise (the error, with file and offset, goes
 * to err). */
int md_check_file(const char *path, FILE *out, FILE *err);

#endif
