/* md_api.c — the public C API (dump/include/memdump.h). */
#include "memdump.h"
#include "md_agent.h"
#include "md_fmt.h"
#include "md_snapshot.h"

#include <errno.h>
#include <string.h>

__attribute__((visibility("default")))
int memdump_snapshot(const char *path)
{
    if (!md_g.ready || md_g.cfg.disabled) {
        errno = EAGAIN;
        return -1;
    }
    md_snap_opts o;
    memset(&o, 0, sizeof o);
    o.reason = "api";
    o.path = path;
    md_snap_result r;
    if (md_snapshot_take(&o, &r) == 0) return 0;
    md_log("memdump_snapshot: %s", r.msg);
    errno = r.err ? r.err : EIO;
    return -1;
}
