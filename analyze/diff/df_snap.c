/* df_snap.c — loading a dump for memdiff and mapping it to the run's keys (see df_snap.h). */
#include "df_snap.h"
#include "ma_analysis.h"
#include "ma_dump.h"
#include "ma_load.h"
#include "ma_mem.h"
#include "ma_sitename.h"
#include "md_format.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void df_keys_init(df_keys *k)
{
    memset(k, 0, sizeof *k);
    ma_intern_init(&k->ident);
    for (int i = 0; i < DF_KINDS; i++) ma_intern_init(&k->names[i]);
}

void df_keys_free(df_keys *k)
{
    for (uint32_t i = 0; i < k->names[DF_SITE].n && i < k->site_cap; i++) {
        free(k->site[i].label);
        free(k->site[i].function);
        free(k->site[i].file);
    }
    free(k->site);
    ma_intern_free(&k->ident);
    for (int i = 0; i < DF_KINDS; i++) ma_intern_free(&k->names[i]);
    memset(k, 0, sizeof *k);
}

/* ---- loading ---------------------------------------------------------------------------------- */

void df_snap_load(df_snap *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    ma_dump_init(&s->d);
    s->inited = 1;
    s->load_rc = ma_load(&s->d, path, s->err, sizeof s->err);
    if (s->load_rc >= 0) ma_analyze(&s->a, &s->d, 0);
}

static void *load_thread(void *arg)
{
    df_snap *s = arg;
    df_snap_load(s, s->path);
    return NULL;
}

void df_snap_load_all(df_snap *const *s, const char *const *paths, int n)
{
    pthread_t *t = ma_calloc((size_t)n, sizeof *t);
    int *started = ma_calloc((size_t)n, sizeof *started);
    for (int i = 0; i < n; i++) {
        s[i]->path = paths[i];
        /* the last one loads on this thread; a failure to start a thread just loads inline */
        started[i] = i + 1 < n && pthread_create(&t[i], NULL, load_thread, s[i]) == 0;
        if (!started[i]) df_snap_load(s[i], paths[i]);
    }
    for (int i = 0; i < n; i++)
        if (started[i]) pthread_join(t[i], NULL);
    free(started);
    free(t);
}

/* ---- keys ------------------------------------------------------------------------------------- */

/* Identity of a type: kind and raw name (no demangling needed to compare). */
static uint32_t type_ident(df_keys *k, const ma_dump *d, uint32_t t)
{
    const char *name = ma_str(d, d->types[t].name);
    uint32_t len = ma_str_len(d, d->types[t].name);
    char *buf = ma_malloc((size_t)len + 2, 1);
    buf[0] = 'T';
    buf[1] = (char)('0' + (d->types[t].kind & 0x3f));
    memcpy(buf + 2, name, len);
    uint32_t id = ma_intern_add(&k->ident, buf, (size_t)len + 2);
    free(buf);
    return id + 1;
}

/* Identity of a stack: its raw frames. A native frame is its return address (one process, one
 * address space: the same code has the same address in every dump); a Python frame (pc 0) is
 * its function, file and line. */
static uint32_t stack_ident(df_keys *k, const ma_dump *d, uint32_t st, char **buf, uint64_t *cap)
{
    uint32_t depth;
    const uint32_t *fr = ma_stack_frames(d, st, &depth);
    uint64_t len = 0;
    ma_grow((void **)buf, cap, 1, 1);
    (*buf)[len++] = 'S';
    for (uint32_t i = 0; i < depth; i++) {
        const ma_frame *f = fr[i] <= d->nframes ? &d->frames[fr[i]] : NULL;
        if (!f) continue;
        if (f->pc) {
            ma_grow((void **)buf, cap, len + 9, 1);
            (*buf)[len++] = 'n';
            memcpy(*buf + len, &f->pc, 8);
            len += 8;
        } else {
            const char *fn = ma_str(d, f->function), *file = ma_str(d, f->file);
            uint32_t lf = ma_str_len(d, f->function), ll = ma_str_len(d, f->file);
            ma_grow((void **)buf, cap, len + 1 + lf + 1 + ll + 1 + 4, 1);
            (*buf)[len++] = 'p';
            memcpy(*buf + len, fn, lf);
            len += lf;
            (*buf)[len++] = 0x1f;
            memcpy(*buf + len, file, ll);
            len += ll;
            (*buf)[len++] = 0x1f;
            memcpy(*buf + len, &f->line, 4);
            len += 4;
        }
    }
    return ma_intern_add(&k->ident, *buf, len) + 1;
}

static uint32_t site_key(df_keys *k, ma_names *nm, uint32_t st, char **buf, uint64_t *cap)
{
    uint64_t len = ma_site_key(nm, st, buf, cap);
    uint32_t before = k->names[DF_SITE].n;
    uint32_t id = ma_intern_add(&k->names[DF_SITE], len ? *buf : "", len);
    if (id >= before) {     /* a site seen for the first time in this run */
        ma_grow((void **)&k->site, &k->site_cap, (uint64_t)id + 1, sizeof *k->site);
        df_siteinfo *si = &k->site[id];
        memset(si, 0, sizeof *si);
        si->label = ma_site_text(nm, st, 2);
        const ma_loc *l = ma_stack_site(nm, st);
        if (l) {
            si->function = ma_strdup(l->function);
            si->file = l->file ? ma_strdup(l->file) : NULL;
            si->line = l->line;
        }
    }
    return id;
}

void df_snap_prepare(df_snap *s, df_keys *k, const df_opts *o)
{
    ma_dump *d = &s->d;
    s->nm = ma_names_open(d, o->debug_dirs, o->ndirs, o->no_system_debug, o->quiet ? NULL : stderr);
    s->o = (ma_opts){.top = o->top};
    s->c = (ma_ctx){.d = d, .a = &s->a, .nm = s->nm, .o = &s->o, .out = stdout};

    s->ident_type = ma_calloc((size_t)d->ntypes + 1, sizeof *s->ident_type);
    s->type_key = ma_calloc((size_t)d->ntypes + 1, sizeof *s->type_key);
    s->type_key[0] = ma_intern_cstr(&k->names[DF_TYPE], "(unknown type)");
    s->native_key = ma_intern_cstr(&k->names[DF_TYPE], "(native block)");
    for (uint32_t t = 1; t <= d->ntypes; t++) {
        s->ident_type[t] = type_ident(k, d, t);
        s->type_key[t] = ma_intern_cstr(&k->names[DF_TYPE], ma_type_name(s->nm, t));
    }

    s->ident_stack = ma_calloc((size_t)d->nstacks + 1, sizeof *s->ident_stack);
    s->site_key = ma_calloc((size_t)d->nstacks + 1, sizeof *s->site_key);
    char *buf = NULL;
    uint64_t cap = 0;
    s->site_key[0] = site_key(k, s->nm, 0, &buf, &cap);
    for (uint32_t st = 1; st <= d->nstacks; st++) {
        s->ident_stack[st] = stack_ident(k, d, st, &buf, &cap);
        s->site_key[st] = site_key(k, s->nm, st, &buf, &cap);
    }
    free(buf);

    s->root_key = ma_root_keys(&s->c, &k->names[DF_ROOT], 1);
}

void df_snap_free(df_snap *s)
{
    free(s->ident_type);
    free(s->ident_stack);
    free(s->type_key);
    free(s->site_key);
    free(s->root_key);
    ma_ctx_free(&s->c);
    ma_names_close(s->nm);
    ma_analysis_free(&s->a);
    if (s->inited) ma_dump_free(&s->d);
    memset(s, 0, sizeof *s);
}

/* ---- header facts ----------------------------------------------------------------------------- */

void df_snap_file(const df_snap *s, df_file *f)
{
    const ma_dump *d = &s->d;
    memset(f, 0, sizeof *f);
    f->path = ma_strdup(s->path);
    f->complete = d->status.complete;
    f->incomplete = d->status.complete ? NULL : ma_load_summary(d);
    f->has_process = d->process.present;
    f->pid = d->process.pid;
    f->time_ns = d->process.time_ns;
    f->seq = d->snapshot.seq;
    f->exe = ma_strdup(d->process.present ? d->process.exe : "");
    f->cmdline = ma_strdup(d->process.present ? d->process.cmdline : "");
    f->python_version = ma_strdup(d->process.present ? d->process.python_version : "");
    f->objects = s->a.objects;
    f->bytes = s->a.bytes;
    int64_t v;
    if (ma_stat_get(d, "rss", &v) && v >= 0) {
        f->has_rss = 1;
        f->rss = (uint64_t)v;
    }
    f->has_counters = d->ncounters > 0;
}

void df_file_free(df_file *f)
{
    free(f->path);
    free(f->incomplete);
    free(f->exe);
    free(f->cmdline);
    free(f->python_version);
    memset(f, 0, sizeof *f);
}
