/* ma_utf8.h — UTF-8 validation for texts from the target process.
 *
 * Type names, dict keys, file names and frames come from the dumped process and may hold any
 * bytes; JSON, HTML and protobuf output must be valid UTF-8. One definition of "valid" serves
 * every writer (ma_json's escaper, the HTML report's escaper, the exports): no overlong forms,
 * no surrogates, nothing above U+10FFFF.
 */
#ifndef MA_UTF8_H
#define MA_UTF8_H

#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at p (1 for ASCII, up to 4), or 0 when the bytes at p
 * (never reading at or past end) are not one. p < end. */
int ma_utf8_len(const unsigned char *p, const unsigned char *end);

/* Copy the character at p to f, or write bad instead of one byte when it is not valid; returns
 * the bytes consumed (≥ 1). For escapers, which handle ASCII themselves and pass on the rest. */
size_t ma_utf8_put(FILE *f, const unsigned char *p, const unsigned char *end, const char *bad);

/* s if it is valid UTF-8, else a copy in *tmp (freed by the caller) with each invalid byte
 * replaced by '?'; *tmp is NULL when s is returned. */
const char *ma_utf8(const char *s, char **tmp);

#endif
