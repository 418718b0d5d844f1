/* ma_json.c — see ma_json.h. Strings are validated with ma_utf8_len (ma_utf8.h), the one
 * definition of valid UTF-8 every writer of memanalyze and memdiff shares. */
#include "ma_json.h"
#include "ma_utf8.h"

#include <inttypes.h>
#include <string.h>

void ma_json_init(ma_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
}

void ma_json_init_compact(ma_json *j, FILE *f)
{
    ma_json_init(j, f);
    j->compact = 1;
}

static void escape(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    fputc('"', f);
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            if (c == '"' || c == '\\') { fputc('\\', f); fputc((int)c, f); }
            else if (c == '\n') fputs("\\n", f);
            else if (c == '\t') fputs("\\t", f);
            else if (c == '\r') fputs("\\r", f);
            else if (c < 0x20 || c == 0x7f) fprintf(f, "\\u%04x", c);
            else fputc((int)c, f);
            p++;
            continue;
        }
        p += ma_utf8_put(f, p, end, "\\ufffd");
    }
    fputc('"', f);
}

/* Comma, newline/indent (not when compact) and key before a value. */
static void prefix(ma_json *j, const char *key)
{
    if (j->depth > 0) {
        int d = (j->depth < MA_JSON_DEPTH ? j->depth : MA_JSON_DEPTH) - 1;
        if (j->count[d]++) fputc(',', j->f);
        if (j->compact) {
        } else if (j->depth <= 2) {
            fputc('\n', j->f);
            for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
        } else if (j->count[d] > 1) {
            fputc(' ', j->f);
        }
    }
    if (key) {
        escape(j->f, key, strlen(key));
        fputs(j->compact ? ":" : ": ", j->f);
    }
}

static void json_open(ma_json *j, const char *key, char o, char c)
{
    prefix(j, key);
    fputc(o, j->f);
    if (j->depth < MA_JSON_DEPTH) {
        j->count[j->depth] = 0;
        j->close[j->depth] = c;
    }
    j->depth++;
}

void ma_json_obj(ma_json *j, const char *key) { json_open(j, key, '{', '}'); }
void ma_json_arr(ma_json *j, const char *key) { json_open(j, key, '[', ']'); }

void ma_json_end(ma_json *j)
{
    if (j->depth == 0) return;
    j->depth--;
    int d = j->depth < MA_JSON_DEPTH ? j->depth : MA_JSON_DEPTH - 1;
    if (j->count[d] && j->depth < 2 && !j->compact) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
    }
    fputc(j->close[d], j->f);
    if (j->depth == 0 && !j->compact) fputc('\n', j->f);
}

void ma_json_strn(ma_json *j, const char *key, const char *s, size_t len)
{
    prefix(j, key);
    escape(j->f, s, len);
}

void ma_json_str(ma_json *j, const char *key, const char *s)
{
    if (!s) { ma_json_null(j, key); return; }
    ma_json_strn(j, key, s, strlen(s));
}

void ma_json_u64(ma_json *j, const char *key, uint64_t v)
{
    prefix(j, key);
    fprintf(j->f, "%" PRIu64, v);
}

void ma_json_i64(ma_json *j, const char *key, int64_t v)
{
    prefix(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void ma_json_dbl(ma_json *j, const char *key, double v)
{
    prefix(j, key);
    fprintf(j->f, "%.6g", v);
}

void ma_json_bool(ma_json *j, const char *key, int v)
{
    prefix(j, key);
    fputs(v ? "true" : "false", j->f);
}

void ma_json_null(ma_json *j, const char *key)
{
    prefix(j, key);
    fputs("null", j->f);
}
