/* ma_sitename.c — site keys and labels (see ma_sitename.h). */
#include "ma_sitename.h"
#include "ma_mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t ma_site_key(ma_names *nm, uint32_t stack, char **buf, uint64_t *cap)
{
    if (!stack) return 0;
    uint32_t n;
    const ma_loc *l = ma_stack_locs(nm, stack, &n);
    uint64_t len = 0;
    for (uint32_t i = 0; i < n; i++) {
        char line[1024];
        int k = snprintf(line, sizeof line, "%s\x1f%s\x1f%" PRIu32 "\n", l[i].function,
                         l[i].file ? l[i].file : "", l[i].line);
        if (k < 0) k = 0;
        if ((size_t)k >= sizeof line) k = sizeof line - 1;
        ma_grow((void **)buf, cap, len + (uint64_t)k + 1, 1);
        memcpy(*buf + len, line, (size_t)k);
        len += (uint64_t)k;
    }
    if (n == 0) {
        /* a stack with no frames: keep it apart from "no stack" but merge all such */
        ma_grow((void **)buf, cap, 16, 1);
        memcpy(*buf, "\x1e(empty)", 8);
        len = 8;
    }
    return len;
}

char *ma_site_text(ma_names *nm, uint32_t stack, int callers)
{
    if (!stack) return ma_strdup("(no stack recorded)");
    uint32_t n;
    const ma_loc *l = ma_stack_locs(nm, stack, &n);
    if (!n) return ma_strdup("(empty stack)");
    char buf[1024];
    char *s = ma_strdup(ma_loc_text(&l[0], buf, sizeof buf));
    for (uint32_t i = 1; i < n && (callers < 0 || i <= (uint32_t)callers); i++) {
        char *t = ma_sprintf("%s ← %s", s, l[i].function);
        free(s);
        s = t;
    }
    return s;
}
