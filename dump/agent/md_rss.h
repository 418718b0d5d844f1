/* md_rss.h — the --at-rss trigger: the control thread polls /proc/self/statm (only when the
 * option is set) and takes a snapshot when the resident set reaches the threshold; the next one
 * fires only after RSS grows another 10% past the last trigger. */
#ifndef MD_RSS_H
#define MD_RSS_H

#include <stdint.h>

/* Returns the ns until the next poll, -1 when off. */
int64_t md_rss_poll(void);

#endif
