/* view_header.c — what was dumped: file, process, time, reason, Python version, and warnings
 * about the dump itself (incomplete file, the agent's warnings, problems found while loading). */
#include "view.h"
#include "ma_dump.h"
#include "ma_load.h"
#include "ma_mem.h"
#include "ma_units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

static void format_time(uint64_t ns, char *buf, size_t len)
{
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;
    if (!ns || !gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, len, "unknown time");
}

static void text(ma_ctx *c)
{
    const ma_dump *d = c->d;
    FILE *f = c->out;
    char b1[MA_NUM_BUF], tbuf[64];
    fprintf(f, "memanalyze: %s (%s, format %u.%u%s)\n", d->status.path, ma_bytes(d->status.file_size, b1),
            d->status.major, d->status.minor, d->status.complete ? "" : ", INCOMPLETE");
    const ma_process *p = &d->process;
    if (p->present) {
        fprintf(f, "  process   pid %" PRIu64 " (parent %" PRIu64 ")%s%s\n", p->pid, p->ppid,
                *p->hostname ? " on " : "", p->hostname);
        if (*p->cmdline) fprintf(f, "  command   %s\n", p->cmdline);
        if (*p->exe) fprintf(f, "  exe       %s\n", p->exe);
        format_time(p->time_ns, tbuf, sizeof tbuf);
        fprintf(f, "  taken     %s", tbuf);
    } else {
        fprintf(f, "  taken     (no PROCESS record)");
    }
    const ma_snapshot *s = &d->snapshot;
    if (s->present) {
        fprintf(f, ", reason %s, snapshot #%" PRIu64, *s->reason ? s->reason : "?", s->seq);
        if (s->pause_ns) fprintf(f, ", target paused %.1f ms", (double)s->pause_ns / 1e6);
        if (s->child_ns) fprintf(f, ", written in %.0f ms", (double)s->child_ns / 1e6);
    }
    fputc('\n', f);
    if (p->present && *p->python_version) fprintf(f, "  python    %s\n", p->python_version);
    if (!d->status.complete) {
        char *m = ma_load_summary(d);
        fprintf(f, "  WARNING   %s\n", m);
        free(m);
    }
    for (uint32_t i = 0; i < d->warnings.n; i++) fprintf(f, "  agent     %s\n", d->warnings.v[i]);
    for (uint32_t i = 0; i < d->load_warnings.n; i++) fprintf(f, "  note      %s\n", d->load_warnings.v[i]);
}

static void json(ma_ctx *c)
{
    const ma_dump *d = c->d;
    ma_json *j = c->j;
    char ver[32];
    ma_json_u64(j, "memanalyze", 1);
    ma_json_str(j, "file", d->status.path);
    ma_json_u64(j, "file_size", d->status.file_size);
    snprintf(ver, sizeof ver, "%u.%u", d->status.major, d->status.minor);
    ma_json_str(j, "format", ver);
    ma_json_bool(j, "complete", d->status.complete);
    if (d->status.complete) {
        ma_json_null(j, "incomplete");
    } else {
        char *m = ma_load_summary(d);
        ma_json_str(j, "incomplete", m);
        free(m);
    }
    const ma_process *p = &d->process;
    if (p->present) {
        ma_json_obj(j, "process");
        ma_json_u64(j, "pid", p->pid);
        ma_json_u64(j, "ppid", p->ppid);
        ma_json_str(j, "exe", p->exe);
        ma_json_arr(j, "argv");
        for (uint32_t i = 0; i < p->argv.n; i++) ma_json_str(j, NULL, p->argv.v[i]);
        ma_json_end(j);
        ma_json_u64(j, "time_ns", p->time_ns);
        ma_json_str(j, "python_version", *p->python_version ? p->python_version : NULL);
        ma_json_str(j, "hostname", *p->hostname ? p->hostname : NULL);
        ma_json_end(j);
    } else {
        ma_json_null(j, "process");
    }
    const ma_snapshot *s = &d->snapshot;
    if (s->present) {
        ma_json_obj(j, "snapshot");
        ma_json_str(j, "reason", s->reason);
        ma_json_u64(j, "mode", s->mode);
        ma_json_u64(j, "seq", s->seq);
        ma_json_u64(j, "pause_ns", s->pause_ns);
        ma_json_u64(j, "child_ns", s->child_ns);
        ma_json_u64(j, "trigger_bytes", s->trigger_bytes);
        ma_json_end(j);
    } else {
        ma_json_null(j, "snapshot");
    }
}

const ma_view ma_view_header = {"header", text, json};
