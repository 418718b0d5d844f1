/* ma_names.c — symbolization adapter and name caches (see ma_names.h). */
#include "ma_names.h"
#include "ma_dump.h"
#include "ma_mem.h"
#include "symbolize/symbolize.h"
#include "md_format.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct ma_names {
    const ma_dump *d;
    md_symbolizer *sym;
    md_sym_module **mods;       /* [nmodules+1], opened lazily */
    ma_loc **frame_locs;        /* [nframes+1], NULL until first use */
    uint32_t *frame_nlocs;
    const ma_loc **site;        /* [nstacks+1] */
    uint8_t *site_done;
    const char **type_names;    /* [ntypes+1] */
    char **root_names;          /* [nroots] */
    char **root_groups;         /* [nroots] ma_root_group_name, NULL until first use */
    ma_loc *buf;                /* ma_stack_locs result */
    uint64_t buf_cap;
    char **owned;               /* strings we made (module+0x…, basenames) */
    uint64_t nowned, owned_cap;
    FILE *warn;
};

static const char *own(ma_names *nm, char *s)
{
    ma_grow((void **)&nm->owned, &nm->owned_cap, nm->nowned + 1, sizeof *nm->owned);
    nm->owned[nm->nowned++] = s;
    return s;
}

static void on_warning(void *ctx, md_sym_warning_kind kind, const char *module, const char *message)
{
    ma_names *nm = ctx;
    (void)kind;
    (void)module;
    if (nm->warn) fprintf(nm->warn, "%s: warning: %s\n", ma_progname, message);
}

ma_names *ma_names_open(const ma_dump *d, const char *const *debug_dirs, size_t ndirs,
                        int no_system_dirs, FILE *warn)
{
    ma_names *nm = ma_calloc(1, sizeof *nm);
    nm->d = d;
    nm->warn = warn;
    nm->sym = md_sym_open(debug_dirs, ndirs);
    if (!nm->sym) {
        fprintf(stderr, "%s: out of memory (symbolizer)\n", ma_progname);
        exit(1);
    }
    if (no_system_dirs) md_sym_no_system_dirs(nm->sym);
    md_sym_set_warn(nm->sym, on_warning, nm);
    nm->mods = ma_calloc((size_t)d->nmodules + 1, sizeof *nm->mods);
    nm->frame_locs = ma_calloc((size_t)d->nframes + 1, sizeof *nm->frame_locs);
    nm->frame_nlocs = ma_calloc((size_t)d->nframes + 1, sizeof *nm->frame_nlocs);
    nm->site = ma_calloc((size_t)d->nstacks + 1, sizeof *nm->site);
    nm->site_done = ma_calloc((size_t)d->nstacks + 1, 1);
    nm->type_names = ma_calloc((size_t)d->ntypes + 1, sizeof *nm->type_names);
    nm->root_names = ma_calloc(d->nroots + 1, sizeof *nm->root_names);
    nm->root_groups = ma_calloc(d->nroots + 1, sizeof *nm->root_groups);
    return nm;
}

void ma_names_close(ma_names *nm)
{
    if (!nm) return;
    for (uint32_t f = 0; f <= nm->d->nframes; f++) free(nm->frame_locs[f]);
    for (uint64_t i = 0; i < nm->d->nroots; i++) free(nm->root_names[i]);
    for (uint64_t i = 0; i < nm->d->nroots; i++) free(nm->root_groups[i]);
    free(nm->root_groups);
    for (uint64_t i = 0; i < nm->nowned; i++) free(nm->owned[i]);
    free(nm->owned);
    free(nm->frame_locs);
    free(nm->frame_nlocs);
    free(nm->site);
    free(nm->site_done);
    free(nm->type_names);
    free(nm->root_names);
    free(nm->mods);
    free(nm->buf);
    md_sym_close(nm->sym);
    free(nm);
}

size_t ma_names_warning_count(const ma_names *nm) { return md_sym_warning_count(nm->sym); }
const char *ma_names_warning(const ma_names *nm, size_t i) { return md_sym_warning(nm->sym, i, NULL); }

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static md_sym_module *sym_module(ma_names *nm, uint32_t id)
{
    if (!nm->mods[id]) {
        const ma_module *m = &nm->d->modules[id];
        nm->mods[id] = md_sym_module_get(nm->sym, ma_str(nm->d, m->path), m->build_id, m->build_id_len);
    }
    return nm->mods[id];
}

static void symbolize_frame(ma_names *nm, uint32_t id)
{
    const ma_dump *d = nm->d;
    const ma_frame *f = &d->frames[id];
    const char *module = f->module ? base_name(ma_str(d, d->modules[f->module].path)) : NULL;
    ma_loc *locs;
    uint32_t n = 1;
    if (f->function || f->file || !f->pc) {
        /* named by the agent (Python frames always are) */
        locs = ma_calloc(1, sizeof *locs);
        locs[0].function = f->function ? ma_str(d, f->function) : "?";
        locs[0].file = f->file ? ma_str(d, f->file) : NULL;
        locs[0].line = f->line;
        locs[0].module = f->pc ? module : NULL;
    } else if (!f->module) {
        locs = ma_calloc(1, sizeof *locs);
        locs[0].function = own(nm, ma_sprintf("0x%" PRIx64, f->pc));
    } else {
        const ma_module *m = &d->modules[f->module];
        md_sym_frame sf[MD_SYM_MAX_FRAMES];
        const char *fallback = NULL;
        size_t k = md_sym_code(nm->sym, sym_module(nm, f->module), f->pc - m->bias, MD_SYM_RETURN_ADDRESS,
                               sf, MD_SYM_MAX_FRAMES, &fallback);
        if (k == 0) {
            locs = ma_calloc(1, sizeof *locs);
            locs[0].function = fallback ? fallback
                                        : own(nm, ma_sprintf("%s+0x%" PRIx64, module, f->pc - m->bias));
            locs[0].module = module;
        } else {
            n = (uint32_t)k;
            locs = ma_calloc(k, sizeof *locs);
            for (size_t i = 0; i < k; i++) {
                locs[i].function = sf[i].function ? sf[i].function : "?";
                locs[i].file = sf[i].file;
                locs[i].line = sf[i].line;
                locs[i].module = module;
                locs[i].inlined = sf[i].inlined;
            }
        }
    }
    nm->frame_locs[id] = locs;
    nm->frame_nlocs[id] = n;
}

const ma_loc *ma_frame_locs(ma_names *nm, uint32_t frame, uint32_t *n)
{
    if (!frame || frame > nm->d->nframes) { *n = 0; return NULL; }
    if (!nm->frame_locs[frame]) symbolize_frame(nm, frame);
    *n = nm->frame_nlocs[frame];
    return nm->frame_locs[frame];
}

static int starts(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

int ma_is_allocator_loc(const ma_loc *l)
{
    static const char *const exact[] = {
        "malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc", "memalign",
        "valloc", "pvalloc", "reallocarray", "strdup", "strndup", "xmalloc", "xcalloc", "xrealloc",
        NULL};
    static const char *const prefix[] = {
        "operator new", "std::allocator", "std::__new_allocator", "__gnu_cxx::new_allocator",
        "std::allocator_traits", "__libc_", "__GI___libc_", "_dl_", NULL};
    const char *fn = l->function;
    for (int i = 0; exact[i]; i++)
        if (!strcmp(fn, exact[i])) return 1;
    for (int i = 0; prefix[i]; i++)
        if (starts(fn, prefix[i])) return 1;
    if (l->module && (starts(l->module, "libmemdump") || starts(l->module, "libc.so") ||
                      starts(l->module, "libc-") || starts(l->module, "libstdc++")))
        return 1;
    return 0;
}

const ma_loc *ma_stack_locs(ma_names *nm, uint32_t stack, uint32_t *n)
{
    uint32_t depth;
    const uint32_t *fr = ma_stack_frames(nm->d, stack, &depth);
    uint64_t k = 0;
    for (uint32_t i = 0; i < depth; i++) {
        uint32_t nl;
        const ma_loc *l = ma_frame_locs(nm, fr[i], &nl);
        ma_grow((void **)&nm->buf, &nm->buf_cap, k + nl, sizeof *nm->buf);
        memcpy(nm->buf + k, l, nl * sizeof *l);
        k += nl;
    }
    uint64_t skip = 0;
    while (skip < k && ma_is_allocator_loc(&nm->buf[skip])) skip++;
    if (skip == k) skip = 0;        /* all allocator code: show it rather than nothing */
    *n = (uint32_t)(k - skip);
    return nm->buf + skip;
}

const ma_loc *ma_stack_site(ma_names *nm, uint32_t stack)
{
    if (!stack || stack > nm->d->nstacks) return NULL;
    if (!nm->site_done[stack]) {
        nm->site_done[stack] = 1;
        /* find the site among the frames' own cached locations (stable pointers) */
        uint32_t depth;
        const uint32_t *fr = ma_stack_frames(nm->d, stack, &depth);
        const ma_loc *first = NULL;
        for (uint32_t i = 0; i < depth && !nm->site[stack]; i++) {
            uint32_t nl;
            const ma_loc *l = ma_frame_locs(nm, fr[i], &nl);
            for (uint32_t j = 0; j < nl; j++) {
                if (!first) first = &l[j];
                if (!ma_is_allocator_loc(&l[j])) { nm->site[stack] = &l[j]; break; }
            }
        }
        if (!nm->site[stack]) nm->site[stack] = first;
    }
    return nm->site[stack];
}

char *ma_loc_text(const ma_loc *l, char *buf, size_t len)
{
    if (!l) snprintf(buf, len, "(unknown)");
    else if (l->file && l->line) snprintf(buf, len, "%s (%s:%" PRIu32 ")", l->function, l->file, l->line);
    else if (l->file) snprintf(buf, len, "%s (%s)", l->function, l->file);
    else snprintf(buf, len, "%s", l->function);
    return buf;
}

const char *ma_type_name(ma_names *nm, uint32_t type)
{
    const ma_dump *d = nm->d;
    if (!type || type > d->ntypes) return "(unknown type)";
    if (!nm->type_names[type]) {
        const char *raw = ma_str(d, d->types[type].name);
        if (!*raw) raw = "(unnamed type)";
        nm->type_names[type] = d->types[type].kind == MD_TYPE_CXX ? md_sym_demangle(nm->sym, raw, MD_SYM_TYPE) : raw;
    }
    return nm->type_names[type];
}

const char *ma_node_type(ma_names *nm, ma_id v)
{
    const ma_graph *g = &nm->d->g;
    if (g->type[v]) return ma_type_name(nm, g->type[v]);
    if (g->flags[v] & MD_NODE_SYNTHETIC) return "(synthetic)";
    if (g->flags[v] & MD_NODE_NATIVE) return "(native block)";
    return "(unknown type)";
}

static const char *root_kind_name(uint32_t kind)
{
    switch (kind) {
    case MD_ROOT_GLOBAL: return "global";
    case MD_ROOT_STACK: return "stack";
    case MD_ROOT_REGISTER: return "register";
    case MD_ROOT_PY_MODULE: return "module";
    case MD_ROOT_PY_THREAD: return "thread";
    case MD_ROOT_PY_INTERP: return "interpreter";
    case MD_ROOT_C_HELD: return "held from C";
    case MD_ROOT_API: return "api";
    default: return "root";
    }
}

const char *ma_root_name(ma_names *nm, uint64_t i)
{
    const ma_dump *d = nm->d;
    if (i >= d->nroots) return "(no root)";
    if (nm->root_names[i]) return nm->root_names[i];
    const ma_root *r = &d->roots[i];
    const char *label = ma_str(d, r->label);
    char *name = NULL;
    if (r->kind == MD_ROOT_GLOBAL && r->source) {
        for (uint32_t m = 1; m <= d->nmodules && !name; m++) {
            const ma_module *mod = &d->modules[m];
            if (r->source < mod->lo || r->source >= mod->hi) continue;
            md_sym_data sd;
            const char *mb = base_name(ma_str(d, mod->path));
            if (md_sym_data_lookup(nm->sym, sym_module(nm, m), r->source - mod->bias, &sd))
                name = ma_sprintf("global %s (%s)", sd.text, mb);
            else
                name = ma_sprintf("global %s+0x%" PRIx64, mb, r->source - mod->bias);
        }
    }
    if (!name) {
        if (*label) name = ma_strdup(label);
        else name = ma_sprintf("%s 0x%" PRIx64, root_kind_name(r->kind), r->source ? r->source : r->target);
    }
    nm->root_names[i] = name;
    return name;
}

const char *ma_root_group_name(ma_names *nm, uint64_t i)
{
    const ma_dump *d = nm->d;
    if (i >= d->nroots) return "(no root)";
    if (nm->root_groups[i]) return nm->root_groups[i];
    const ma_root *r = &d->roots[i];
    char *name = NULL;
    if (r->kind == MD_ROOT_GLOBAL && r->source) {
        for (uint32_t m = 1; m <= d->nmodules && !name; m++) {
            const ma_module *mod = &d->modules[m];
            if (r->source < mod->lo || r->source >= mod->hi) continue;
            md_sym_data sd;
            if (md_sym_data_lookup(nm->sym, sym_module(nm, m), r->source - mod->bias, &sd) && sd.name)
                name = ma_sprintf("global %s (%s)", sd.name, base_name(ma_str(d, mod->path)));
        }
    }
    nm->root_groups[i] = name ? name : ma_strdup(ma_root_name(nm, i));
    return nm->root_groups[i];
}

char *ma_label_text(const ma_dump *d, int32_t label, char *buf, size_t len)
{
    if (label > 0) snprintf(buf, len, "%s", ma_str(d, (uint32_t)label));
    else if (label < 0) snprintf(buf, len, "[%" PRIu64 "]", (uint64_t)(-(int64_t)label - 1));
    else if (len) buf[0] = 0;
    return buf;
}
