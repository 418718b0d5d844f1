/* ma_dump.h — lifetime and table accessors of a loaded dump (ma_dump in ma_types.h). */
#ifndef MA_DUMP_H
#define MA_DUMP_H

#include "ma_types.h"

void ma_dump_init(ma_dump *d);
void ma_dump_free(ma_dump *d);

/* String id → NUL-terminated text; "" for 0 or an unknown id. */
static inline const char *ma_str(const ma_dump *d, uint32_t id)
{
    return id && id <= d->strings.count ? d->strings.pool + d->strings.off[id] : "";
}
static inline uint32_t ma_str_len(const ma_dump *d, uint32_t id)
{
    return id && id <= d->strings.count ? d->strings.len[id] : 0;
}

/* Append a string to the table; returns its id (count after the append). */
uint32_t ma_strtab_add(ma_strtab *t, const char *s, uint32_t len);
void ma_strlist_add(ma_strlist *l, char *owned);
void ma_strlist_free(ma_strlist *l);

/* ALLOCATOR statistic by key: 1 and *value when present, 0 otherwise. */
int ma_stat_get(const ma_dump *d, const char *key, int64_t *value);
/* Same, 0 when absent or negative. */
uint64_t ma_stat_u(const ma_dump *d, const char *key);

/* Frames of a stack, innermost first. */
static inline const uint32_t *ma_stack_frames(const ma_dump *d, uint32_t stack, uint32_t *depth)
{
    if (!stack || stack > d->nstacks) { *depth = 0; return NULL; }
    *depth = (uint32_t)(d->stack_off[stack + 1] - d->stack_off[stack]);
    return d->stack_frames + d->stack_off[stack];
}

#endif
