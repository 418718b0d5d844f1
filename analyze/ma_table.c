/* ma_table.c — see ma_table.h. */
#include "ma_table.h"
#include "ma_mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

size_t ma_text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) w++;
    return w;
}

void ma_table_init(ma_table *t, ...)
{
    memset(t, 0, sizeof *t);
    va_list ap;
    va_start(ap, t);
    const char *h;
    while ((h = va_arg(ap, const char *)) && t->ncols < MA_TABLE_MAXCOLS) {
        if (!strncmp(h, "RIGHT:", 6)) {
            t->right[t->ncols] = 1;
            h += 6;
        }
        t->head[t->ncols++] = ma_strdup(h);
    }
    va_end(ap);
}

void ma_table_row(ma_table *t, ...)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = ma_realloc(t->cells, t->cap * (size_t)t->ncols, sizeof *t->cells);
    }
    va_list ap;
    va_start(ap, t);
    int done = 0;
    for (int c = 0; c < t->ncols; c++) {
        const char *s = done ? NULL : va_arg(ap, const char *);
        if (!s) done = 1;
        t->cells[t->rows * (size_t)t->ncols + (size_t)c] = ma_strdup(s ? s : "");
    }
    va_end(ap);
    t->rows++;
}

void ma_table_initv(ma_table *t, const char *const *titles, int n)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < n && t->ncols < MA_TABLE_MAXCOLS; i++) {
        const char *h = titles[i] ? titles[i] : "";
        if (!strncmp(h, "RIGHT:", 6)) {
            t->right[t->ncols] = 1;
            h += 6;
        }
        t->head[t->ncols++] = ma_strdup(h);
    }
}

void ma_table_rowv(ma_table *t, const char *const *cells, int n)
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = ma_realloc(t->cells, t->cap * (size_t)t->ncols, sizeof *t->cells);
    }
    for (int c = 0; c < t->ncols; c++) {
        const char *s = c < n ? cells[c] : NULL;
        t->cells[t->rows * (size_t)t->ncols + (size_t)c] = ma_strdup(s ? s : "");
    }
    t->rows++;
}

static void pad(FILE *f, size_t n)
{
    while (n--) fputc(' ', f);
}

void ma_table_print(const ma_table *t, FILE *f, const char *indent)
{
    size_t w[MA_TABLE_MAXCOLS];
    for (int c = 0; c < t->ncols; c++) {
        w[c] = ma_text_width(t->head[c]);
        for (size_t r = 0; r < t->rows; r++) {
            size_t x = ma_text_width(t->cells[r * (size_t)t->ncols + (size_t)c]);
            if (x > w[c]) w[c] = x;
        }
    }
    for (size_t r = 0; r <= t->rows; r++) {
        fputs(indent, f);
        for (int c = 0; c < t->ncols; c++) {
            const char *s = r == 0 ? t->head[c] : t->cells[(r - 1) * (size_t)t->ncols + (size_t)c];
            size_t x = ma_text_width(s);
            int last = c == t->ncols - 1;
            if (t->right[c]) { pad(f, w[c] - x); fputs(s, f); }
            else { fputs(s, f); if (!last) pad(f, w[c] - x); }
            if (!last) fputs("  ", f);
        }
        fputc('\n', f);
    }
}

void ma_table_free(ma_table *t)
{
    for (int c = 0; c < t->ncols; c++) free(t->head[c]);
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
