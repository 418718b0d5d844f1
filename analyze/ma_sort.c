/* ma_sort.c — LSD radix sort, 8 bits per digit (see ma_sort.h). */
#include "ma_sort.h"
#include "ma_mem.h"

#include <stdlib.h>
#include <string.h>

void ma_radix_sort(uint64_t *keys, uint32_t *vals, uint64_t n)
{
    if (n < 2) return;
    uint64_t (*hist)[256] = ma_calloc(8, sizeof *hist);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = keys[i];
        for (int d = 0; d < 8; d++) hist[d][(k >> (8 * d)) & 0xff]++;
    }
    uint64_t *k2 = ma_malloc(n, sizeof *k2);
    uint32_t *v2 = ma_malloc(n, sizeof *v2);
    uint64_t *ks = keys, *kd = k2;
    uint32_t *vs = vals, *vd = v2;
    for (int d = 0; d < 8; d++) {
        /* a digit with one value everywhere leaves the order unchanged */
        int single = 0;
        for (int b = 0; b < 256; b++)
            if (hist[d][b] == n) single = 1;
        if (single) continue;
        uint64_t sum = 0;
        for (int b = 0; b < 256; b++) {
            uint64_t c = hist[d][b];
            hist[d][b] = sum;
            sum += c;
        }
        int shift = 8 * d;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t pos = hist[d][(ks[i] >> shift) & 0xff]++;
            kd[pos] = ks[i];
            vd[pos] = vs[i];
        }
        uint64_t *kt = ks; ks = kd; kd = kt;
        uint32_t *vt = vs; vs = vd; vd = vt;
    }
    if (ks != keys) {
        memcpy(keys, ks, n * sizeof *keys);
        memcpy(vals, vs, n * sizeof *vals);
    }
    free(k2);
    free(v2);
    free(hist);
}
