/* ma_json.h — a small streaming JSON writer.
 *
 * The writer tracks nesting and commas; callers say what comes next. Strings from the target
 * (names, paths) may hold any bytes: valid UTF-8 passes through, anything else becomes U+FFFD,
 * and control characters are escaped, so the output is always valid JSON. Numbers are 64-bit
 * integers, exactly (sizes are never rounded in JSON).
 *
 * Layout: the top object and the elements of its arrays start on their own lines; anything
 * deeper is written inline, so a list of records reads one record per line.
 *
 *   ma_json j; ma_json_init(&j, stdout);
 *   ma_json_obj(&j, NULL);                 top-level object
 *     ma_json_u64(&j, "objects", 12);
 *     ma_json_arr(&j, "types");
 *       ma_json_obj(&j, NULL); ma_json_str(&j, "type", "list"); ma_json_end(&j);
 *     ma_json_end(&j);
 *   ma_json_end(&j);                       writes the final newline
 *
 * A compact writer (ma_json_init_compact) writes no whitespace at all and no final newline: for
 * data embedded in something else (the HTML report's data element), where size matters.
 */
#ifndef MA_JSON_H
#define MA_JSON_H

#include <stdint.h>
#include <stdio.h>

#define MA_JSON_DEPTH 32

typedef struct ma_json {
    FILE *f;
    int depth;
    int count[MA_JSON_DEPTH];   /* values written at each level (for commas) */
    char close[MA_JSON_DEPTH];  /* '}' or ']' */
    int compact;                /* no whitespace (ma_json_init_compact) */
} ma_json;

void ma_json_init(ma_json *j, FILE *f);
void ma_json_init_compact(ma_json *j, FILE *f);
/* key is the member name inside an object, NULL inside an array or at the top. */
void ma_json_obj(ma_json *j, const char *key);
void ma_json_arr(ma_json *j, const char *key);
void ma_json_end(ma_json *j);
void ma_json_str(ma_json *j, const char *key, const char *s);        /* NULL → null */
void ma_json_strn(ma_json *j, const char *key, const char *s, size_t len);
void ma_json_u64(ma_json *j, const char *key, uint64_t v);
void ma_json_i64(ma_json *j, const char *key, int64_t v);
void ma_json_dbl(ma_json *j, const char *key, double v);                /* %.6g; finite v only */
void ma_json_bool(ma_json *j, const char *key, int v);
void ma_json_null(ma_json *j, const char *key);

#endif
