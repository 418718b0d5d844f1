/* ma_units.c — see ma_units.h. */
#include "ma_units.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

char *ma_bytes(uint64_t n, char *buf)
{
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (n < 1024) {
        snprintf(buf, MA_NUM_BUF, "%" PRIu64 " B", n);
        return buf;
    }
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 6) { v /= 1024; u++; }
    if (v < 9.995) snprintf(buf, MA_NUM_BUF, "%.2f %s", v, unit[u]);
    else if (v < 99.95) snprintf(buf, MA_NUM_BUF, "%.1f %s", v, unit[u]);
    else snprintf(buf, MA_NUM_BUF, "%.0f %s", v, unit[u]);
    return buf;
}

char *ma_sbytes(int64_t n, char *buf)
{
    if (n >= 0) return ma_bytes((uint64_t)n, buf);
    buf[0] = '-';
    ma_bytes(n == INT64_MIN ? (uint64_t)INT64_MAX + 1 : (uint64_t)-n, buf + 1);
    return buf;
}

char *ma_count(uint64_t n, char *buf)
{
    char tmp[MA_NUM_BUF];
    int len = snprintf(tmp, sizeof tmp, "%" PRIu64, n);
    int o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = 0;
    return buf;
}

char *ma_percent(uint64_t part, uint64_t total, char *buf)
{
    if (!total) snprintf(buf, MA_NUM_BUF, "-");
    else snprintf(buf, MA_NUM_BUF, "%.1f%%", 100.0 * (double)part / (double)total);
    return buf;
}
