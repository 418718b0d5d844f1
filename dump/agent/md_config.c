/* md_config.c — the agent's configuration from MEMDUMP_* environment variables (set by
 * `memdump run`, or by hand). Malformed values are reported on stderr and ignored. Reads the
 * environment with getenv only: this runs in the constructor, before the program's main. */
#include "md_agent.h"
#include "md_fmt.h"
#include "md_parse.h"
#include "md_sys.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int flag(const char *name, int dflt)
{
    const char *v = env(name);
    if (!v) return dflt;
    return !(strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0 ||
             strcmp(v, "false") == 0);
}

static void bad(const char *name, const char *v) { md_log("ignoring %s=%s: malformed", name, v); }

void md_config_load(md_config *c)
{
    memset(c, 0, sizeof *c);
    c->native = -1;
    c->timeout_ns = 60000000000ull;
    c->safe_point_ns = 5000000000ull;
    c->fatal = 1;
    c->depth = 32;
    c->peak_interval_ns = 0;
    c->peak_min = 1u << 20;
    c->rss_interval_ns = 200000000ull;
    md_log_quiet = flag("MEMDUMP_QUIET", 0);
    c->disabled = flag("MEMDUMP_DISABLE", 0);

    const char *v;
    if ((v = env("MEMDUMP_DIR"))) md_strlcpy(c->dir, v, sizeof c->dir);
    else if (!getcwd(c->dir, sizeof c->dir)) md_strlcpy(c->dir, ".", sizeof c->dir);
    if (env("MEMDUMP_NATIVE")) c->native = flag("MEMDUMP_NATIVE", 1);
    c->at_exit = flag("MEMDUMP_AT_EXIT", 0);
    c->python_sites = flag("MEMDUMP_PYTHON_SITES", 0);
    c->fatal = flag("MEMDUMP_FATAL", 1);
    uint64_t u;
    if ((v = env("MEMDUMP_AT_PEAK"))) {
        if (md_parse_uint(v, &u) == 0 && u > 0 && u <= 100000) c->at_peak_pct = (unsigned)u;
        else bad("MEMDUMP_AT_PEAK", v);
    }
    if ((v = env("MEMDUMP_AT_RSS"))) {
        if (md_parse_size(v, &u) == 0 && u > 0) c->at_rss = u;
        else bad("MEMDUMP_AT_RSS", v);
    }
    if ((v = env("MEMDUMP_SIGNAL"))) {
        int s;
        if (md_parse_signal(v, &s) == 0) c->signo = s;
        else bad("MEMDUMP_SIGNAL", v);
    }
    if ((v = env("MEMDUMP_TIMEOUT"))) {
        if (md_parse_duration(v, &u) == 0 && u > 0) c->timeout_ns = u;
        else bad("MEMDUMP_TIMEOUT", v);
    }
    if ((v = env("MEMDUMP_SAFE_POINT_TIMEOUT"))) {
        if (md_parse_duration(v, &u) == 0 && u > 0) c->safe_point_ns = u;
        else bad("MEMDUMP_SAFE_POINT_TIMEOUT", v);
    }
    if ((v = env("MEMDUMP_DEPTH"))) {
        if (md_parse_uint(v, &u) == 0 && u >= 1 && u <= 128) c->depth = (int)u;
        else bad("MEMDUMP_DEPTH", v);
    }
    if ((v = env("MEMDUMP_PEAK_INTERVAL"))) {
        if (md_parse_duration(v, &u) == 0) c->peak_interval_ns = u;
        else bad("MEMDUMP_PEAK_INTERVAL", v);
    }
    if ((v = env("MEMDUMP_PEAK_MIN"))) {
        if (md_parse_size(v, &u) == 0) c->peak_min = u;
        else bad("MEMDUMP_PEAK_MIN", v);
    }
    if ((v = env("MEMDUMP_RSS_INTERVAL"))) {
        if (md_parse_duration(v, &u) == 0 && u >= 1000000) c->rss_interval_ns = u;
        else bad("MEMDUMP_RSS_INTERVAL", v);
    }
    if ((v = env("MEMDUMP_PLUGIN"))) md_strlcpy(c->plugin, v, sizeof c->plugin);
}
