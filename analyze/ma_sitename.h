/* ma_sitename.h — allocation sites as text: the key that merges stacks, and the label people read.
 *
 * Two STACK records are one site when their frames symbolize to the same locations (function,
 * file, line for every location after the allocator frames): ma_site_key is that comparison's
 * text, so views can merge stacks within one dump (ma_ctx_sites) and memdiff can recognize a site
 * across dumps (STACK ids and even PCs are per-dump facts; the displayed locations are not).
 * ma_site_text is the row label: "site (file:line) ← caller ← caller".
 */
#ifndef MA_SITENAME_H
#define MA_SITENAME_H

#include "ma_names.h"

#include <stdint.h>

/* The merge key of a stack into *buf (grown as needed; not NUL-terminated): one
 * "function\x1f file\x1f line\n" entry per location; a stack with no locations gets a fixed key
 * distinct from "no stack" (stack 0, the empty key). Returns its length. */
uint64_t ma_site_key(ma_names *nm, uint32_t stack, char **buf, uint64_t *cap);

/* "site (file:line) ← caller ← caller" with at most `callers` callers after the site (-1: all);
 * "(no stack recorded)" for stack 0, "(empty stack)" for a stack without locations. malloc'd. */
char *ma_site_text(ma_names *nm, uint32_t stack, int callers);

#endif
