/* ma_utf8.c — see ma_utf8.h. The checks follow the well-formed byte sequences of the Unicode
 * standard: a lead byte gives the length, continuation bytes are 10xxxxxx, and the second byte
 * after E0, ED, F0 and F4 is narrowed to exclude overlongs, surrogates and code points above
 * U+10FFFF. */
#include "ma_utf8.h"
#include "ma_mem.h"

#include <string.h>

int ma_utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = *p;
    if (c < 0x80) return 1;
    int n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!n || end - p < n) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))) return 0;
    if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))) return 0;
    return n;
}

size_t ma_utf8_put(FILE *f, const unsigned char *p, const unsigned char *end, const char *bad)
{
    int n = ma_utf8_len(p, end);
    if (!n) {
        fputs(bad, f);
        return 1;
    }
    fwrite(p, 1, (size_t)n, f);
    return (size_t)n;
}

const char *ma_utf8(const char *s, char **tmp)
{
    *tmp = NULL;
    size_t len = strlen(s);
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        int n = ma_utf8_len(p, end);
        if (!n) break;
        p += n;
    }
    if (p == end) return s;
    char *o = ma_strdup(s);
    unsigned char *q = (unsigned char *)o + (p - (const unsigned char *)s);
    end = (const unsigned char *)o + len;
    while (q < end) {
        int n = ma_utf8_len(q, end);
        if (!n) { *q++ = '?'; continue; }
        q += n;
    }
    *tmp = o;
    return o;
}
