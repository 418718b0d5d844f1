/* md_shared.c — helpers for the parent/child shared page (see md_shared.h). */
#include "md_shared.h"

#include <string.h>

void md_shared_add_warning(md_shared *sh, const char *msg, size_t len)
{
    sh->nwarn++;
    size_t room = sizeof sh->warn - 1 - sh->warn_len;
    if (room < 2) return;
    if (len > room - 1) len = room - 1;
    memcpy(sh->warn + sh->warn_len, msg, len);
    sh->warn_len += len;
    sh->warn[sh->warn_len++] = '\n';
    sh->warn[sh->warn_len] = 0;
}
