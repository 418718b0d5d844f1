/* html_write.c — writing HTML text and the compact JSON of the data element (html_internal.h).
 *
 * Names in a report come from the target process (type names, dict keys, file names) and may
 * hold anything: markup, "</script>", invalid UTF-8. In HTML text they are escaped and invalid
 * bytes become U+FFFD (ma_utf8.h decides what is valid). The data element is written by ma_json
 * in compact mode, whose escaper validates strings the same way, and the whole element goes
 * through a stream that rewrites '<' as \u003c — '<' can only occur inside
 * JSON strings, where that escape means the same character — so no text can end the element.
 */
#include "html_internal.h"
#include "ma_json.h"
#include "ma_mem.h"
#include "ma_units.h"
#include "ma_utf8.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- HTML text ------------------------------------------------------------------------------ */

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
        p += ma_utf8_put(f, p, end, "\xef\xbf\xbd");
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

/* ---- the string table ---------------------------------------------------------------------- */

uint32_t hx_s(ma_intern *t, const char *s)
{
    size_t len = strlen(s);
    if (len <= HX_STR_MAX) return ma_intern_add(t, s, len);
    size_t cut = HX_STR_MAX;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80) cut--;    /* not inside a character */
    char buf[HX_STR_MAX + 4];
    memcpy(buf, s, cut);
    memcpy(buf + cut, "\xe2\x80\xa6", 3);
    return ma_intern_add(t, buf, cut + 3);
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
    fputs("<script type=\"application/json\" id=\"md-data\">", f);
    cookie_io_functions_t io = {.write = script_write};
    FILE *esc = fopencookie(f, "w", io);
    if (!esc) {
        fprintf(stderr, "%s: out of memory\n", ma_progname);
        exit(1);
    }
    setvbuf(esc, NULL, _IOFBF, 1 << 16);
    ma_json_init_compact(j, esc);
}

void hx_json_close(hx_json *j, FILE *f)
{
    fclose(j->f);
    j->f = NULL;
    fputs("</script>\n", f);
}

/* ---- JSON helpers ------------------------------------------------------------------------------- */

void hx_u64s(hx_json *j, const char *key, const uint64_t *v, uint64_t n)
{
    ma_json_arr(j, key);
    for (uint64_t i = 0; i < n; i++) ma_json_u64(j, NULL, v[i]);
    ma_json_end(j);
}

void hx_u32s(hx_json *j, const char *key, const uint32_t *v, uint64_t n)
{
    ma_json_arr(j, key);
    for (uint64_t i = 0; i < n; i++) ma_json_u64(j, NULL, v[i]);
    ma_json_end(j);
}

void hx_i64s(hx_json *j, const char *key, const int64_t *v, uint64_t n)
{
    ma_json_arr(j, key);
    for (uint64_t i = 0; i < n; i++) ma_json_i64(j, NULL, v[i]);
    ma_json_end(j);
}

void hx_strings(hx_json *j, const char *key, const ma_intern *t)
{
    ma_json_arr(j, key);
    for (uint32_t i = 0; i < t->n; i++) ma_json_strn(j, NULL, t->str[i], t->len[i]);
    ma_json_end(j);
}

void hx_views(hx_json *j, const char *key, ma_ctx *c, const ma_view *const *views, int n)
{
    ma_json_obj(j, key);
    ma_json *saved = c->j;
    c->j = j;                   /* the views write their members into the object just opened */
    for (int i = 0; i < n; i++) views[i]->json(c);
    c->j = saved;
    ma_json_end(j);
}
