/* ma_load.h — read a .dump file into a ma_dump.
 *
 * Streams every record of the file through the validating reader (formats/md_reader.h) into the
 * dump's tables and the graph builder (ma_builder.h), then resolves the graph. A damaged or
 * truncated file still yields what was read before the damage: loading "succeeds with a warning"
 * (status.complete = 0, status.error says where and why) so the user gets a report of what
 * survived. Only a file with nothing usable (missing, unreadable, not a dump, a newer major
 * version, no complete chunk) is an error.
 */
#ifndef MA_LOAD_H
#define MA_LOAD_H

#include "ma_types.h"
#include <stddef.h>

/* 0: complete file loaded; 1: loaded what precedes damage or truncation (see d->status);
 * -1: nothing could be loaded, err holds "FILE: offset N: why". d must be ma_dump_init'ed;
 * on -1 it stays valid (empty) and must still be freed. */
int ma_load(ma_dump *d, const char *path, char *err, size_t errlen);
int ma_load_mem(ma_dump *d, const void *data, size_t len, const char *name, char *err, size_t errlen);

/* "incomplete dump: analyzed N of M chunks (...)" for a status that is not complete. */
char *ma_load_summary(const ma_dump *d);

#endif
