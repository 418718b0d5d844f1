/* export_pprof.c — memanalyze --export pprof OUT.pb.gz: the snapshot as a pprof heap profile.
 *
 * pprof's model is "samples with call stacks": here one sample per allocation STACK of the dump,
 * whose values are the live objects allocated there and their bytes (inuse_objects/count,
 * inuse_space/bytes), plus, when the dump has COUNTER records, everything ever allocated there
 * (alloc_objects/count, alloc_space/bytes from allocs and bytes_allocated). "Live" means what
 * memanalyze counts as objects: every non-synthetic node, reachable or not (a leaked block still
 * occupies the heap), so pprof's totals equal memanalyze's summary "objects" and "bytes".
 *
 * Stacks are written the way memanalyze shows them: allocator frames (malloc, operator new, the
 * C++ allocator templates, the agent) are cut off the leaf end with the rule ma_names uses for
 * allocation sites, so `pprof -top` ranks the same functions as `memanalyze --by function`.
 * A Location is one FRAME of the dump (its pc, its module as the Mapping); when the frame had
 * inlined calls it carries several Lines, innermost first, which is pprof's convention too. The
 * one frame where the cut falls mid-frame (an allocator inlined into user code) gets a second,
 * trimmed Location. Functions are (name, file) pairs. Mappings are the dump's modules with their
 * GNU build-ids in hex, marked as already symbolized so pprof does not look for the binaries.
 * Nodes without a stack are one sample at the pseudo-function "(no stack recorded)".
 *
 * Encoding uses libprotobuf-c with code protoc-c generates from profile.proto (this directory),
 * packed straight into a gzip stream: only the profile's tables are in memory, never the bytes.
 */
#include "export_internal.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_intern.h"
#include "ma_mem.h"
#include "profile.pb-c.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_vtype;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

#define NO_STACK_NAME "(no stack recorded)"

typedef struct pp {
    ma_ctx *c;
    ma_intern strs;             /* the string table: id = index */
    ma_intern fkeys;            /* "name\x1ffile" → function index */
    pb_function **fn;
    uint64_t fn_cap;
    pb_location **loc;
    uint64_t nloc, loc_cap;
    uint64_t *loc_full;         /* [nframes+1] location id of a frame, 0 = not made yet */
    uint64_t *loc_trim;         /*   the same frame with its leading allocator lines cut */
    uint64_t loc_nostack;
    uint64_t *ids;              /* scratch: the location ids of one sample */
    uint64_t ids_cap;
} pp;

static int64_t str(pp *p, const char *s)
{
    char *tmp;
    const char *u = ma_utf8(s ? s : "", &tmp);
    uint32_t id = ma_intern_cstr(&p->strs, u);
    free(tmp);
    return id;
}

static uint64_t function_id(pp *p, const char *name, const char *file)
{
    char *key = ma_sprintf("%s\x1f%s", name, file ? file : "");
    uint32_t before = p->fkeys.n;
    uint32_t x = ma_intern_cstr(&p->fkeys, key);
    free(key);
    if (x == before) {
        ma_grow((void **)&p->fn, &p->fn_cap, (uint64_t)x + 1, sizeof *p->fn);
        pb_function *f = ma_malloc(1, sizeof *f);
        perftools__profiles__function__init(f);
        f->id = (uint64_t)x + 1;
        f->name = f->system_name = str(p, name);
        f->filename = str(p, file);
        p->fn[x] = f;
    }
    return (uint64_t)x + 1;
}

static pb_location *new_location(pp *p, uint64_t mapping, uint64_t address, uint32_t nlines)
{
    ma_grow((void **)&p->loc, &p->loc_cap, p->nloc + 1, sizeof *p->loc);
    pb_location *l = ma_malloc(1, sizeof *l);
    perftools__profiles__location__init(l);
    l->id = p->nloc + 1;
    l->mapping_id = mapping;
    l->address = address;
    l->n_line = nlines;
    l->line = ma_calloc(nlines ? nlines : 1, sizeof *l->line);
    for (uint32_t i = 0; i < nlines; i++) {
        l->line[i] = ma_malloc(1, sizeof *l->line[i]);
        perftools__profiles__line__init(l->line[i]);
    }
    p->loc[p->nloc++] = l;
    return l;
}

/* The Location of FRAME without its first `skip` lines. */
static uint64_t frame_location(pp *p, uint32_t frame, uint32_t skip)
{
    uint64_t *slot = skip ? &p->loc_trim[frame] : &p->loc_full[frame];
    if (*slot) return *slot;
    const ma_dump *d = p->c->d;
    uint32_t n;
    const ma_loc *l = ma_frame_locs(p->c->nm, frame, &n);
    const ma_frame *f = &d->frames[frame];
    pb_location *loc = new_location(p, f->module <= d->nmodules ? f->module : 0, f->pc, n - skip);
    for (uint32_t i = skip; i < n; i++) {
        loc->line[i - skip]->function_id = function_id(p, l[i].function, l[i].file);
        loc->line[i - skip]->line = l[i].line;
    }
    *slot = loc->id;
    return *slot;
}

static uint64_t nostack_location(pp *p)
{
    if (!p->loc_nostack) {
        pb_location *loc = new_location(p, 0, 0, 1);
        loc->line[0]->function_id = function_id(p, NO_STACK_NAME, NULL);
        p->loc_nostack = loc->id;
    }
    return p->loc_nostack;
}

/* Location ids of a stack, leaf first, allocator frames cut as ma_stack_locs does. */
static uint64_t stack_locations(pp *p, uint32_t stack)
{
    const ma_dump *d = p->c->d;
    uint32_t depth;
    const uint32_t *fr = ma_stack_frames(d, stack, &depth);
    /* the first non-allocator line (i0, j0); when the whole stack is allocator code keep it all */
    uint32_t i0 = 0, j0 = 0;
    int found = 0;
    for (uint32_t i = 0; i < depth && !found; i++) {
        uint32_t n;
        const ma_loc *l = ma_frame_locs(p->c->nm, fr[i], &n);
        for (uint32_t j = 0; j < n; j++)
            if (!ma_is_allocator_loc(&l[j])) {
                i0 = i;
                j0 = j;
                found = 1;
                break;
            }
    }
    if (!found) i0 = j0 = 0;
    uint64_t k = 0;
    for (uint32_t i = i0; i < depth; i++) {
        uint32_t n;
        ma_frame_locs(p->c->nm, fr[i], &n);
        if (!n) continue;
        ma_grow((void **)&p->ids, &p->ids_cap, k + 1, sizeof *p->ids);
        p->ids[k++] = frame_location(p, fr[i], i == i0 ? j0 : 0);
    }
    if (!k) {
        ma_grow((void **)&p->ids, &p->ids_cap, 1, sizeof *p->ids);
        p->ids[k++] = nostack_location(p);
    }
    return k;
}

/* ---- output: a ProtobufCBuffer that deflates into the file ------------------------------------ */

typedef struct gzbuf {
    ProtobufCBuffer base;
    gzFile gz;
    int failed;
} gzbuf;

static void gz_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
    gzbuf *g = (gzbuf *)b;
    while (len && !g->failed) {
        unsigned part = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        if (gzwrite(g->gz, data, part) != (int)part) g->failed = 1;
        data += part;
        len -= part;
    }
}

static char *hex(const uint8_t *b, uint32_t n)
{
    char *s = ma_malloc((size_t)n * 2 + 1, 1);
    for (uint32_t i = 0; i < n; i++) snprintf(s + 2 * i, 3, "%02x", b[i]);
    s[2 * n] = 0;
    return s;
}

static pb_vtype *vtype(pp *p, const char *type, const char *unit)
{
    pb_vtype *v = ma_malloc(1, sizeof *v);
    perftools__profiles__value_type__init(v);
    v->type = str(p, type);
    v->unit = str(p, unit);
    return v;
}

int ma_export_pprof(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note, size_t notelen)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    pp p = {.c = c};
    ma_intern_init(&p.strs);
    ma_intern_init(&p.fkeys);
    str(&p, "");                                    /* string_table[0] = "" */
    p.loc_full = ma_calloc((size_t)d->nframes + 1, sizeof *p.loc_full);
    p.loc_trim = ma_calloc((size_t)d->nframes + 1, sizeof *p.loc_trim);

    /* values per STACK id */
    uint64_t ns = (uint64_t)d->nstacks + 1;
    uint64_t *cnt = ma_calloc(ns, sizeof *cnt), *bytes = ma_calloc(ns, sizeof *bytes);
    for (uint64_t v = 0; v < g->n; v++) {
        if (ma_is_synthetic(g, (ma_id)v)) continue;
        uint32_t s = g->stack[v] < ns ? g->stack[v] : 0;
        cnt[s]++;
        bytes[s] += g->size[v];
    }
    int alloc = d->ncounters > 0;
    uint64_t *acnt = NULL, *abytes = NULL;
    if (alloc) {
        acnt = ma_calloc(ns, sizeof *acnt);
        abytes = ma_calloc(ns, sizeof *abytes);
        for (uint64_t i = 0; i < d->ncounters; i++) {
            uint32_t s = d->counters[i].stack < ns ? d->counters[i].stack : 0;
            acnt[s] += d->counters[i].allocs;
            abytes[s] += d->counters[i].bytes_allocated;
        }
    }

    pb_profile prof;
    perftools__profiles__profile__init(&prof);
    pb_vtype *types[4];
    size_t nvals = alloc ? 4 : 2;
    types[0] = vtype(&p, "inuse_objects", "count");
    types[1] = vtype(&p, "inuse_space", "bytes");
    if (alloc) {
        types[2] = vtype(&p, "alloc_objects", "count");
        types[3] = vtype(&p, "alloc_space", "bytes");
    }
    prof.n_sample_type = nvals;
    prof.sample_type = types;
    prof.default_sample_type = str(&p, "inuse_space");
    prof.period_type = vtype(&p, "space", "bytes");
    prof.period = 1;
    prof.time_nanos = d->process.present ? (int64_t)d->process.time_ns : 0;

    pb_sample **samples = ma_malloc(ns ? ns : 1, sizeof *samples);
    uint64_t nsamp = 0, tot_n = 0, tot_b = 0;
    for (uint64_t s = 0; s < ns; s++) {
        if (!cnt[s] && !(alloc && (acnt[s] || abytes[s]))) continue;
        pb_sample *sm = ma_malloc(1, sizeof *sm);
        perftools__profiles__sample__init(sm);
        uint64_t k = stack_locations(&p, (uint32_t)s);
        sm->n_location_id = k;
        sm->location_id = ma_malloc(k, sizeof *sm->location_id);
        memcpy(sm->location_id, p.ids, k * sizeof *p.ids);
        sm->n_value = nvals;
        sm->value = ma_malloc(nvals, sizeof *sm->value);
        sm->value[0] = (int64_t)cnt[s];
        sm->value[1] = (int64_t)bytes[s];
        if (alloc) {
            sm->value[2] = (int64_t)acnt[s];
            sm->value[3] = (int64_t)abytes[s];
        }
        tot_n += cnt[s];
        tot_b += bytes[s];
        samples[nsamp++] = sm;
    }
    prof.n_sample = nsamp;
    prof.sample = samples;

    pb_mapping **maps = ma_malloc((size_t)d->nmodules + 1, sizeof *maps);
    char **build_ids = ma_calloc((size_t)d->nmodules + 1, sizeof *build_ids);
    for (uint32_t m = 1; m <= d->nmodules; m++) {
        const ma_module *mod = &d->modules[m];
        pb_mapping *mp = ma_malloc(1, sizeof *mp);
        perftools__profiles__mapping__init(mp);
        mp->id = m;
        mp->memory_start = mod->lo;
        mp->memory_limit = mod->hi;
        mp->file_offset = mod->lo >= mod->bias ? mod->lo - mod->bias : 0;
        mp->filename = str(&p, ma_str(d, mod->path));
        build_ids[m] = hex(mod->build_id, mod->build_id_len);
        mp->build_id = str(&p, build_ids[m]);
        mp->has_functions = mp->has_filenames = mp->has_line_numbers = mp->has_inline_frames = 1;
        maps[m - 1] = mp;
    }
    prof.n_mapping = d->nmodules;
    prof.mapping = maps;
    prof.n_location = p.nloc;
    prof.location = p.loc;
    prof.n_function = p.fkeys.n;
    prof.function = p.fn;

    char *comment = ma_sprintf("memdump snapshot of pid %" PRIu64 " (%s), reason %s; inuse_* counts every "
                               "live heap object, reachable or not",
                               d->process.pid, d->process.exe ? d->process.exe : "?",
                               d->snapshot.reason ? d->snapshot.reason : "?");
    int64_t comment_id = str(&p, comment);
    free(comment);
    prof.n_comment = 1;
    prof.comment = &comment_id;

    prof.n_string_table = p.strs.n;
    prof.string_table = p.strs.str;

    int rc = 0;
    int fd2 = dup(o->fd);
    gzbuf gb = {.base = {.append = gz_append}};
    gb.gz = fd2 >= 0 ? gzdopen(fd2, "wb6") : NULL;
    if (!gb.gz) {
        if (fd2 >= 0) close(fd2);
        snprintf(err, errlen, "cannot start the gzip stream: %s", strerror(errno ? errno : ENOMEM));
        rc = -1;
    } else {
        protobuf_c_message_pack_to_buffer(&prof.base, &gb.base);
        int zerr = Z_OK;
        if (gb.failed) gzerror(gb.gz, &zerr);
        int crc = gzclose(gb.gz);
        if (gb.failed || crc != Z_OK) {
            int e = errno;
            snprintf(err, errlen, "write failed: %s", (gb.failed && zerr == Z_ERRNO) || crc == Z_ERRNO ? strerror(e) : "zlib error");
            rc = -1;
        }
    }
    if (rc == 0)
        snprintf(note, notelen, "%" PRIu64 " samples, %" PRIu64 " locations, %u functions; %" PRIu64
                 " objects, %" PRIu64 " bytes", nsamp, p.nloc, p.fkeys.n, tot_n, tot_b);

    /* free everything */
    for (size_t i = 0; i < nvals; i++) free(types[i]);
    free(prof.period_type);
    for (uint64_t i = 0; i < nsamp; i++) {
        free(samples[i]->location_id);
        free(samples[i]->value);
        free(samples[i]);
    }
    free(samples);
    for (uint32_t m = 1; m <= d->nmodules; m++) {
        free(maps[m - 1]);
        free(build_ids[m]);
    }
    free(maps);
    free(build_ids);
    for (uint64_t i = 0; i < p.nloc; i++) {
        for (size_t j = 0; j < p.loc[i]->n_line; j++) free(p.loc[i]->line[j]);
        free(p.loc[i]->line);
        free(p.loc[i]);
    }
    free(p.loc);
    for (uint32_t i = 0; i < p.fkeys.n; i++) free(p.fn[i]);
    free(p.fn);
    free(p.loc_full);
    free(p.loc_trim);
    free(p.ids);
    free(cnt);
    free(bytes);
    free(acnt);
    free(abytes);
    ma_intern_free(&p.strs);
    ma_intern_free(&p.fkeys);
    return rc;
}
