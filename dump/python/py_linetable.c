/* py_linetable.c — decoder for the 3.11 location table (format in py_linetable.h). */
#include "py_linetable.h"

/* Reads a varint at *pp; returns 0 on success. */
static int varint(const uint8_t **pp, const uint8_t *end, unsigned *out)
{
    const uint8_t *p = *pp;
    unsigned v = 0, shift = 0;
    for (;;) {
        if (p >= end || (*p & 0x80) || shift > 30)
            return -1;
        uint8_t b = *p++;
        v |= (unsigned)(b & 63) << shift;
        shift += 6;
        if (!(b & 64))
            break;
    }
    *pp = p;
    *out = v;
    return 0;
}

static int svarint(const uint8_t **pp, const uint8_t *end, int *out)
{
    unsigned u;
    if (varint(pp, end, &u))
        return -1;
    *out = (u & 1) ? -(int)(u >> 1) : (int)(u >> 1);
    return 0;
}

int py_addr2line(const uint8_t *table, size_t len, int firstlineno, int addr)
{
    if (addr < 0)
        return firstlineno;
    const uint8_t *p = table, *end = table + len;
    int line = firstlineno;
    long start = 0;
    while (p < end) {
        uint8_t first = *p++;
        if (!(first & 0x80))
            return -1;
        int form = (first >> 3) & 15;
        long stop = start + 2 * ((first & 7) + 1);
        int delta = 0;
        unsigned skip;
        switch (form) {
        case 15:
            break;
        case 14:
            if (svarint(&p, end, &delta) || varint(&p, end, &skip) || varint(&p, end, &skip) ||
                varint(&p, end, &skip))
                return -1;
            break;
        case 13:
            if (svarint(&p, end, &delta))
                return -1;
            break;
        case 10: case 11: case 12:
            delta = form - 10;
            if (end - p < 2)
                return -1;
            p += 2;
            break;
        default:
            if (p >= end)
                return -1;
            p += 1;
            break;
        }
        line += delta;
        if (addr < stop)
            return form == 15 ? -1 : line;
        start = stop;
    }
    return -1;
}
