/* ma_mem.c — checked allocation helpers (see ma_mem.h). */
#include "ma_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

const char *ma_progname = "memanalyze";

static void oom(size_t n, size_t elem)
{
    fprintf(stderr, "%s: out of memory (%zu x %zu bytes)\n", ma_progname, n, elem);
    exit(1);
}

static size_t total(size_t n, size_t elem)
{
    size_t t;
    if (__builtin_mul_overflow(n, elem, &t)) oom(n, elem);
    return t ? t : 1;
}

void *ma_malloc(size_t n, size_t elem)
{
    void *p = malloc(total(n, elem));
    if (!p) oom(n, elem);
    return p;
}

void *ma_calloc(size_t n, size_t elem)
{
    void *p = calloc(n ? n : 1, elem ? elem : 1);
    if (!p) oom(n, elem);
    return p;
}

void *ma_realloc(void *p, size_t n, size_t elem)
{
    void *q = realloc(p, total(n, elem));
    if (!q) oom(n, elem);
    return q;
}

char *ma_strndup(const char *s, size_t len)
{
    char *p = ma_malloc(len + 1, 1);
    if (len) memcpy(p, s, len);
    p[len] = 0;
    return p;
}

char *ma_strdup(const char *s)
{
    return ma_strndup(s, strlen(s));
}

char *ma_sprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) len = 0;
    char *p = ma_malloc((size_t)len + 1, 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return p;
}

void ma_grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
    if (need <= *cap) return;
    uint64_t c = *cap ? *cap : 16;
    while (c < need) c = c < (UINT64_MAX / 2) ? c * 2 : need;
    *p = ma_realloc(*p, (size_t)c, elem);
    *cap = c;
}

uint64_t ma_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)ru.ru_maxrss * 1024u;
}
