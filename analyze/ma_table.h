/* ma_table.h — aligned text columns.
 *
 * Rows are collected first (cells are copied), then printed with each column as wide as its
 * widest cell: numbers right-aligned, text left-aligned, and the last column never padded (it
 * holds long things like paths). A header row is underlined with the column widths.
 *
 *   ma_table t; ma_table_init(&t, "RIGHT:retained", "RIGHT:self", "type", "path", NULL);
 *   ma_table_row(&t, "1.2 MiB", "48 B", "list", "module:__main__ → cache", NULL);
 *   ma_table_print(&t, stdout, "  ");   (indent)
 */
#ifndef MA_TABLE_H
#define MA_TABLE_H

#include <stdio.h>

#define MA_TABLE_MAXCOLS 12

typedef struct ma_table {
    int ncols;
    int right[MA_TABLE_MAXCOLS];
    char *head[MA_TABLE_MAXCOLS];
    char **cells;               /* rows * ncols */
    size_t rows, cap;
} ma_table;

/* Column titles, NULL-terminated; a title starting with "RIGHT:" right-aligns its column. */
void ma_table_init(ma_table *t, ...);
/* One row of ncols cells (NULL-terminated; missing cells are empty). */
void ma_table_row(ma_table *t, ...);
/* Array forms, for columns only known at run time (memdiff's one column per interval): n titles
 * (at most MA_TABLE_MAXCOLS are kept), n cells (NULL = empty). */
void ma_table_initv(ma_table *t, const char *const *titles, int n);
void ma_table_rowv(ma_table *t, const char *const *cells, int n);
void ma_table_print(const ma_table *t, FILE *f, const char *indent);
void ma_table_free(ma_table *t);

/* Display width of a UTF-8 string (code points; good enough for labels and arrows). */
size_t ma_text_width(const char *s);

#endif
