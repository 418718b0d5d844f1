/* ma_json.c — see ma_json.h. */
#include "ma_json.h"

#include <inttypes.h>
#include <string.h>

void ma_json_init(ma_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    j->f = f;
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
        /* validate one UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF) */
        int n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        int ok = n && end - p >= n;
        for (int i = 1; ok && i < n; i++)
            if ((p[i] & 0xc0) != 0x80) ok = 0;
        if (ok && n == 3) {
            if (c == 0xe0 && p[1] < 0xa0) ok = 0;
            if (c == 0xed && p[1] >= 0xa0) ok = 0;
        }
        if (ok && n == 4) {
            if (c == 0xf0 && p[1] < 0x90) ok = 0;
            if (c == 0xf4 && p[1] >= 0x90) ok = 0;
        }
        if (ok) {
            fwrite(p, 1, (size_t)n, f);
            p += n;
        } else {
            fputs("\\ufffd", f);
            p++;
        }
    }
    fputc('"', f);
}

/* Comma, newline/indent and key before a value. */
static void prefix(ma_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth - 1]++) fputc(',', j->f);
        if (j->depth <= 2) {
            fputc('\n', j->f);
            for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
        } else if (j->count[j->depth - 1] > 1) {
            fputc(' ', j->f);
        }
    }
    if (key) {
        escape(j->f, key, strlen(key));
        fputs(": ", j->f);
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
    if (j->count[d] && j->depth < 2) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++) fputs("  ", j->f);
    }
    fputc(j->close[d], j->f);
    if (j->depth == 0) fputc('\n', j->f);
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
