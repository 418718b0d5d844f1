/* ma_sort.h — LSD radix sort of 64-bit keys carrying a 32-bit payload.
 *
 * Used to sort nodes by address when a dump lists them out of order (the Python walker emits
 * objects in discovery order). One pass counts all eight byte histograms; bytes that are equal in
 * every key (the high bytes of user-space addresses) cost no pass at all. Stable, O(n), and the
 * scratch buffers are the same size as the input, so no comparison-sort worst case to worry about.
 */
#ifndef MA_SORT_H
#define MA_SORT_H

#include <stdint.h>

/* Sort keys[0..n) ascending, permuting vals alongside. */
void ma_radix_sort(uint64_t *keys, uint32_t *vals, uint64_t n);

#endif
