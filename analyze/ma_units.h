/* ma_units.h — numbers for people: byte sizes in binary units, counts with thousands separators.
 * Each function writes into a caller buffer of at least MA_NUM_BUF bytes and returns it, so
 * several can appear in one printf. */
#ifndef MA_UNITS_H
#define MA_UNITS_H

#include <stdint.h>

#define MA_NUM_BUF 32

/* "0 B", "512 B", "1.5 KiB", "12.3 MiB", "1.21 GiB" (three significant digits from KiB up). */
char *ma_bytes(uint64_t n, char *buf);
/* Same for a signed quantity: "-1.5 KiB". */
char *ma_sbytes(int64_t n, char *buf);
/* "1,234,567". */
char *ma_count(uint64_t n, char *buf);
/* "12.3%" of total; "-" when total is 0. */
char *ma_percent(uint64_t part, uint64_t total, char *buf);

#endif
