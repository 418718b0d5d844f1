/* html_write.c — writing HTML text and the compact JSON of the data element (html_internal.h).
 *
 * Names in a report come from the target process (type names, dict keys, file names) and may
 * hold anything: markup, "</script>", invalid UTF-8. In HTML text they are escaped and invalid
 * bytes become U+FFFD. In the data element, strings go through ma_json's validating escaper, and
 * the whole element goes through a stream that rewrites '<' as \u003c — '<' can only occur inside
 * JSON strings, where that escape means the same character — so no text can end the element.
 */
#include "html_internal.h"
#include "ma_json.h"
#include "ma_mem.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- HTML text ------------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes are not one. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = *p;
    int n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!n || end - p < n) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))) return 0;
    if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))) return 0;
    return n;
}

void hx_esc(FILE *f, const char *s)
{
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    while (p < end) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': fputs("&amp;", f); break;
            case '<': fputs("&lt;", f); break;
            case '>': fputs("&gt;", f); break;
            case '"': fputs("&quot;", f); break;
            case '\'': fputs("&#39;", f); break;
            default:
                if (c < 0x20 && c != '\n' && c != '\t') fputs("\xef\xbf\xbd", f);
                else fputc((int)c, f);
            }
            p++;
            continue;
        }
        int n = utf8_len(p, end);
        if (n) {
            fwrite(p, 1, (size_t)n, f);
            p += n;
        } else {
            fputs("\xef\xbf\xbd", f);
            p++;
        }
    }
}

void hx_bytes(FILE *f, uint64_t n)
{
    char b[MA_NUM_BUF], c[MA_NUM_BUF];
    fprintf(f, "<span class=\"b\" data-bytes=\"%" PRIu64 "\" title=\"%s bytes\">%s</span>", n, ma_count(n, c),
            ma_bytes(n, b));
}

void hx_sbytes(FILE *f, int64_t n)
{
    char b[MA_NUM_BUF], c[MA_NUM_BUF];
    uint64_t m = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    const char *sign = n > 0 ? "+" : n < 0 ? "\xe2\x88\x92" : "";   /* a real minus sign */
    fprintf(f, "<span class=\"b %s\" data-bytes=\"%" PRId64 "\" title=\"%s%s bytes\">%s%s</span>",
            n > 0 ? "up" : n < 0 ? "down" : "flat", n, n < 0 ? "-" : "", ma_count(m, c), sign, ma_bytes(m, b));
}

void hx_count(FILE *f, uint64_t n)
{
    char c[MA_NUM_BUF];
    fprintf(f, "<span class=\"c\" data-count=\"%" PRIu64 "\">%s</span>", n, ma_count(n, c));
}

void hx_time(uint64_t ns, char *buf, size_t len)
{
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, len, "unknown time");
}

void hx_sparkline(FILE *f, const uint64_t *v, uint32_t n, const char *title)
{
    if (n < 2) return;
    uint64_t lo = v[0], hi = v[0];
    for (uint32_t i = 1; i < n; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    /* 100 x 24 units, 2 units of margin so the end dot is not clipped */
    fputs("<svg class=\"spark\" viewBox=\"0 0 100 24\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"", f);
    hx_esc(f, title);
    fputs("\"><title>", f);
    hx_esc(f, title);
    fputs("</title><polyline points=\"", f);
    double x = 0, y = 0;
    for (uint32_t i = 0; i < n; i++) {
        x = 2 + 96.0 * i / (n - 1);
        y = hi == lo ? 12 : 22 - 20.0 * (double)(v[i] - lo) / (double)(hi - lo);
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
    }
    fprintf(f, "\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/></svg>", x, y);
}

/* ---- the escaping stream ------------------------------------------------------------------- */

static ssize_t script_write(void *cookie, const char *buf, size_t size)
{
    FILE *out = cookie;
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] != '<') continue;
        if (i > start && fwrite(buf + start, 1, i - start, out) != i - start) return -1;
        if (fputs("\\u003c", out) < 0) return -1;
        start = i + 1;
    }
    if (size > start && fwrite(buf + start, 1, size - start, out) != size - start) return -1;
    return (ssize_t)size;
}

void hx_json_open(hx_json *j, FILE *f)
{
    memset(j, 0, sizeof *j);
    fputs("<script type=\"application/json\" id=\"md-data\">", f);
    cookie_io_functions_t io = {.write = script_write};
    j->f = fopencookie(f, "w", io);
    if (!j->f) {
        fprintf(stderr, "%s: out of memory\n", ma_progname);
        exit(1);
    }
    setvbuf(j->f, NULL, _IOFBF, 1 << 16);
}

void hx_json_close(hx_json *j, FILE *f)
{
    fclose(j->f);
    j->f = NULL;
    fputs("</script>\n", f);
}

/* ---- compact JSON ------------------------------------------------------------------------------- */

static void quoted(FILE *f, const char *s)
{
    ma_json q;
    ma_json_init(&q, f);
    ma_json_str(&q, NULL, s);   /* at depth 0: just the escaped string */
}

static void prefix(hx_json *j, const char *key)
{
    if (j->depth > 0 && j->count[j->depth - 1]++) fputc(',', j->f);
    if (key) {
        quoted(j->f, key);
        fputc(':', j->f);
    }
}

void hx_obj(hx_json *j, const char *key)
{
    prefix(j, key);
    fputc('{', j->f);
    j->close[j->depth] = '}';
    j->count[j->depth++] = 0;
}

void hx_arr(hx_json *j, const char *key)
{
    prefix(j, key);
    fputc('[', j->f);
    j->close[j->depth] = ']';
    j->count[j->depth++] = 0;
}

void hx_end(hx_json *j)
{
    j->depth--;
    fputc(j->close[j->depth], j->f);
}

void hx_u64(hx_json *j, const char *key, uint64_t v)
{
    prefix(j, key);
    fprintf(j->f, "%" PRIu64, v);
}

void hx_i64(hx_json *j, const char *key, int64_t v)
{
    prefix(j, key);
    fprintf(j->f, "%" PRId64, v);
}

void hx_dbl(hx_json *j, const char *key, double v)
{
    prefix(j, key);
    fprintf(j->f, "%.6g", v);
}

void hx_str(hx_json *j, const char *key, const char *s)
{
    prefix(j, key);
    quoted(j->f, s);
}

void hx_null(hx_json *j, const char *key)
{
    prefix(j, key);
    fputs("null", j->f);
}

void hx_bool(hx_json *j, const char *key, int v)
{
    prefix(j, key);
    fputs(v ? "true" : "false", j->f);
}

void hx_u64s(hx_json *j, const char *key, const uint64_t *v, uint64_t n)
{
    hx_arr(j, key);
    for (uint64_t i = 0; i < n; i++) fprintf(j->f, i ? ",%" PRIu64 : "%" PRIu64, v[i]);
    hx_end(j);
}

void hx_u32s(hx_json *j, const char *key, const uint32_t *v, uint64_t n)
{
    hx_arr(j, key);
    for (uint64_t i = 0; i < n; i++) fprintf(j->f, i ? ",%" PRIu32 : "%" PRIu32, v[i]);
    hx_end(j);
}

void hx_i64s(hx_json *j, const char *key, const int64_t *v, uint64_t n)
{
    hx_arr(j, key);
    for (uint64_t i = 0; i < n; i++) fprintf(j->f, i ? ",%" PRId64 : "%" PRId64, v[i]);
    hx_end(j);
}

void hx_strings(hx_json *j, const char *key, const ma_intern *t)
{
    hx_arr(j, key);
    for (uint32_t i = 0; i < t->n; i++) {
        if (i) fputc(',', j->f);
        ma_json q;
        ma_json_init(&q, j->f);
        ma_json_strn(&q, NULL, t->str[i], t->len[i]);
    }
    hx_end(j);
}

void hx_views(hx_json *j, const char *key, ma_ctx *c, const ma_view *const *views, int n)
{
    hx_obj(j, key);
    ma_json mj;
    ma_json_init(&mj, j->f);
    mj.depth = 1;               /* continue inside the object just opened */
    mj.count[0] = 0;
    mj.close[0] = '}';
    ma_json *saved = c->j;
    c->j = &mj;
    for (int i = 0; i < n; i++) views[i]->json(c);
    c->j = saved;
    hx_end(j);
}
