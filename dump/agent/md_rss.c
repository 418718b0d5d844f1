/* md_rss.c — the --at-rss trigger (see md_rss.h). */
#include "md_rss.h"
#include "md_agent.h"
#include "md_fmt.h"
#include "md_snapshot.h"
#include "md_sys.h"

#include <string.h>
#include <unistd.h>

static uint64_t next_at;

int64_t md_rss_poll(void)
{
    if (!md_g.cfg.at_rss) return -1;
    if (!next_at) next_at = md_g.cfg.at_rss;
    char buf[256];
    if (md_read_file("/proc/self/statm", buf, sizeof buf) > 0) {
        const char *p = buf;
        md_parse_u64(p, &p);
        while (*p == ' ') p++;
        uint64_t rss = md_parse_u64(p, NULL) * (uint64_t)getpagesize();
        if (rss >= next_at) {
            md_snap_opts o;
            memset(&o, 0, sizeof o);
            o.reason = "rss";
            o.trigger_bytes = rss;
            md_snap_result r;
            md_snapshot_take(&o, &r);
            char line[1024];
            md_snapshot_describe(&r, line, sizeof line);
            md_log("rss dump (RSS %lu bytes): %s", (unsigned long)rss, line);
            next_at = rss + rss / 10;
        }
    }
    return (int64_t)md_g.cfg.rss_interval_ns;
}
