/* md_parse.c — option value parsing (see md_parse.h). */
#include "md_parse.h"

#include <signal.h>
#include <string.h>
#include <strings.h>

int md_parse_uint(const char *s, uint64_t *out)
{
    if (!s || !*s) return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int md_parse_size(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9') return -1;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s++ - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    unsigned shift = 0;
    switch (*s) {
    case 'k': case 'K': shift = 10; s++; break;
    case 'm': case 'M': shift = 20; s++; break;
    case 'g': case 'G': shift = 30; s++; break;
    case 't': case 'T': shift = 40; s++; break;
    default: break;
    }
    if (shift && *s == 'i') s++;
    if (*s == 'B' || *s == 'b') s++;
    if (*s) return -1;
    if (shift && v > (UINT64_MAX >> shift)) return -1;
    *out = v << shift;
    return 0;
}

int md_parse_duration(const char *s, uint64_t *ns)
{
    if (!s || ((*s < '0' || *s > '9') && *s != '.')) return -1;
    uint64_t whole = 0, frac = 0, scale = 1;
    while (*s >= '0' && *s <= '9') {
        whole = whole * 10 + (uint64_t)(*s++ - '0');
        if (whole > 100000000ull) return -1;
    }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            if (scale < 1000000000ull) { frac = frac * 10 + (uint64_t)(*s - '0'); scale *= 10; }
            s++;
        }
    }
    uint64_t unit = 1000000000ull;
    if (strcmp(s, "ms") == 0) unit = 1000000ull;
    else if (strcmp(s, "m") == 0) unit = 60000000000ull;
    else if (*s && strcmp(s, "s") != 0) return -1;
    *ns = whole * unit + frac * unit / scale;
    return 0;
}

static const struct { const char *name; int sig; } names[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "USR1", SIGUSR1 },
    { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
    { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
    { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
    { "PWR", SIGPWR }, { "SYS", SIGSYS },
};

int md_parse_signal(const char *s, int *sig)
{
    if (!s || !*s) return -1;
    uint64_t v;
    if (md_parse_uint(s, &v) == 0) {
        if (v < 1 || v > (uint64_t)SIGRTMAX) return -1;
        *sig = (int)v;
        return 0;
    }
    if (strncasecmp(s, "SIG", 3) == 0) s += 3;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        int base = strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX;
        s += 5;
        int off = 0;
        if (*s == '+' || *s == '-') {
            int neg = *s == '-';
            if (md_parse_uint(s + 1, &v) < 0 || v > 64) return -1;
            off = neg ? -(int)v : (int)v;
        } else if (*s) {
            return -1;
        }
        int r = base + off;
        if (r < SIGRTMIN || r > SIGRTMAX) return -1;
        *sig = r;
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) { *sig = names[i].sig; return 0; }
    return -1;
}

static void put_num(char *buf, size_t cap, size_t *n, int v)
{
    char tmp[12];
    int k = 0;
    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (k && *n + 1 < cap) buf[(*n)++] = tmp[--k];
    buf[*n] = 0;
}

const char *md_signal_name(int sig, char *buf, size_t cap)
{
    size_t n = 0;
    const char *base = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig) base = names[i].name;
    const char *pre = "SIG";
    if (cap == 0) return buf;
    buf[0] = 0;
    for (const char *p = pre; *p && n + 1 < cap; p++) buf[n++] = *p;
    buf[n] = 0;
    if (base) {
        for (const char *p = base; *p && n + 1 < cap; p++) buf[n++] = *p;
        buf[n] = 0;
    } else if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        for (const char *p = "RTMIN+"; *p && n + 1 < cap; p++) buf[n++] = *p;
        buf[n] = 0;
        put_num(buf, cap, &n, sig - SIGRTMIN);
    } else {
        static const char *fatal[] = { [SIGSEGV] = "SEGV", [SIGBUS] = "BUS", [SIGABRT] = "ABRT",
                                       [SIGFPE] = "FPE", [SIGILL] = "ILL", [SIGKILL] = "KILL",
                                       [SIGTRAP] = "TRAP", [SIGSTOP] = "STOP" };
        if (sig > 0 && sig < (int)(sizeof fatal / sizeof fatal[0]) && fatal[sig]) {
            for (const char *p = fatal[sig]; *p && n + 1 < cap; p++) buf[n++] = *p;
            buf[n] = 0;
        } else {
            put_num(buf, cap, &n, sig);
        }
    }
    return buf;
}
