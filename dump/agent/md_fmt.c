/* md_fmt.c — the no-malloc formatter and logger (see md_fmt.h). */
#include "md_fmt.h"
#include "md_sys.h"

#include <stdint.h>
#include <unistd.h>

int md_log_quiet;

typedef struct out { char *p; size_t left; size_t n; } out;

static void put(out *o, char c)
{
    if (o->left > 1) { *o->p++ = c; o->left--; o->n++; }
}

static void put_u(out *o, uint64_t v, unsigned base, int width, char pad)
{
    char tmp[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    for (int k = n; k < width; k++) put(o, pad);
    while (n) put(o, tmp[--n]);
}

size_t md_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
    out o = { buf, cap, 0 };
    if (cap == 0) return 0;
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') { put(&o, *f); continue; }
        f++;
        int lng = 0, z = 0, width = 0;
        char pad = ' ';
        if (*f == '0') { pad = '0'; f++; }
        while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
        while (*f == 'l') { lng++; f++; }
        if (*f == 'z') { z = 1; f++; }
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            while (*s) put(&o, *s++);
            break;
        }
        case 'c': put(&o, (char)va_arg(ap, int)); break;
        case 'd': case 'i': {
            int64_t v = z ? (int64_t)va_arg(ap, ssize_t) : lng ? (lng > 1 ? va_arg(ap, long long)
                      : va_arg(ap, long)) : va_arg(ap, int);
            if (v < 0) { put(&o, '-'); put_u(&o, (uint64_t)0 - (uint64_t)v, 10, width - 1, pad); }
            else put_u(&o, (uint64_t)v, 10, width, pad);
            break;
        }
        case 'u': case 'x': {
            uint64_t v = z ? (uint64_t)va_arg(ap, size_t) : lng ? (lng > 1
                       ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long))
                       : va_arg(ap, unsigned);
            put_u(&o, v, *f == 'x' ? 16 : 10, width, pad);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            put(&o, '0'); put(&o, 'x'); put_u(&o, v, 16, 0, ' ');
            break;
        }
        case '%': put(&o, '%'); break;
        case 0: f--; break;
        default: put(&o, '%'); put(&o, *f); break;
        }
    }
    *o.p = 0;
    return o.n;
}

size_t md_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = md_vfmt(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

void md_log(const char *fmt, ...)
{
    if (md_log_quiet) return;
    char buf[1024];
    size_t n = md_fmt(buf, sizeof buf, "memdump[%d]: ", (int)getpid());
    va_list ap;
    va_start(ap, fmt);
    n += md_vfmt(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    buf[n++] = '\n';
    (void)md_write_all(2, buf, n);
}
