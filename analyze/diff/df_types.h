/* df_types.h — the data structures of memdiff, in one place.
 *
 * memdiff compares two or more dumps of one process, taken in time order. A run holds at most two
 * loaded dumps at once (df_snap: the dump, its analysis, its names — everything memanalyze has):
 * the dumps are walked as consecutive pairs, "intervals" (dump i → dump i+1). What the report
 * needs is copied out of each dump into small run-wide tables before the dump is released, so
 * memory stays bounded by two dumps whatever the number of dumps:
 *
 *   - keys: a type, an allocation site and a root are recognized across dumps by their displayed
 *     text (type ids, stack ids and addresses of names are per-dump facts), interned once per
 *     run (df_keys); each dump maps its own type ids, stack ids and nodes to these key ids;
 *   - per key and dump: count, bytes and retained size (df_table.tot); per key and interval: what
 *     was new and what was freed (df_table.chg); per site and dump: the agent's allocation
 *     counters (df_churn);
 *   - growth sources (df_source), each with its retained size in every dump, found per interval
 *     and followed through the other dumps by object identity.
 *
 * Object identity between two dumps (df_match.h) needs type and stack identity that does not
 * depend on symbolization: the raw type name and kind, and the raw frames of a stack (native
 * return addresses are the same in two dumps of one process; Python frames carry their names).
 * These are interned separately (df_keys.ident).
 */
#ifndef DF_TYPES_H
#define DF_TYPES_H

#include "ma_intern.h"
#include "ma_names.h"
#include "ma_types.h"
#include "views/view.h"

#include <stdint.h>

typedef enum df_kind { DF_TYPE = 0, DF_SITE = 1, DF_ROOT = 2, DF_KINDS = 3 } df_kind;

typedef struct df_opts {
    uint64_t top;               /* rows per list, 0 = all */
    unsigned by;                /* growth tables shown: bit (1 << df_kind) */
    int json, quiet, force, no_system_debug;
    const char *const *debug_dirs;
    size_t ndirs;
} df_opts;

/* ---- keys shared by the dumps of a run ------------------------------------------------------ */

typedef struct df_siteinfo {    /* what a site key displays (from the first dump that had it) */
    char *label;                /* "function (file:line) ← caller ← caller" */
    char *function, *file;      /* innermost non-allocator location; file NULL when unknown */
    uint32_t line;
} df_siteinfo;

typedef struct df_keys {
    ma_intern ident;            /* matching identity of types ("T" + kind + raw name) and stacks */
    ma_intern names[DF_KINDS];  /* display keys: type names, site merge keys, root keys */
    df_siteinfo *site;          /* [names[DF_SITE].n] */
    uint64_t site_cap;
} df_keys;

/* ---- one loaded dump ------------------------------------------------------------------------- */

typedef struct df_snap {
    const char *path;
    int inited;                 /* d was initialized (df_snap_load ran) */
    int load_rc;                /* ma_load: 0 complete, 1 incomplete (warning), -1 failed */
    char err[1024];             /* when load_rc < 0: "FILE: offset N: why" */
    ma_dump d;
    ma_analysis a;
    ma_names *nm;
    ma_opts o;                  /* for the view helpers (paths, labels) */
    ma_ctx c;
    uint32_t *ident_type;       /* [ntypes+1] identity key of each TYPE (0 for type 0) */
    uint32_t *ident_stack;      /* [nstacks+1] identity key of each STACK (0 for stack 0) */
    uint32_t *type_key;         /* [ntypes+1] DF_TYPE key; [0] = "(unknown type)" */
    uint32_t native_key;        /* DF_TYPE key of untyped native blocks: "(native block)" */
    uint32_t *site_key;         /* [nstacks+1] DF_SITE key; [0] = "(no stack recorded)" */
    uint32_t *root_key;         /* [n] DF_ROOT key of each node (ma_root_keys, slots merged) */
} df_snap;

/* ---- per-run statistics -------------------------------------------------------------------- */

/* Totals of one key in one dump, and its changes over one interval. */
enum { DF_T_COUNT, DF_T_BYTES, DF_T_RETAINED, DF_T_N };
enum { DF_C_NEW, DF_C_NEW_BYTES, DF_C_FREED, DF_C_FREED_BYTES, DF_C_RESIZED, DF_C_N };

typedef struct df_table {       /* one kind of key */
    uint32_t ndumps, nint;
    uint32_t nkeys;             /* keys with rows (may trail keys.names[kind].n until df_table_fit) */
    uint64_t cap;
    uint64_t *tot;              /* [cap][ndumps][DF_T_N] */
    int64_t *chg;               /* [cap][nint][DF_C_N]; DF_C_RESIZED: bytes of in-place size changes */
} df_table;

/* Allocation counters (COUNTER records) of one site key in one dump. */
enum { DF_K_ALLOCS, DF_K_FREES, DF_K_BYTES, DF_K_BYTES_FREED, DF_K_N };

typedef struct df_churn {
    uint32_t ndumps;
    uint32_t nkeys;
    uint64_t cap;
    uint64_t *v;                /* [cap][ndumps][DF_K_N] */
} df_churn;

typedef struct df_file {        /* what the header shows about each dump */
    char *path;
    int complete;
    char *incomplete;           /* ma_load_summary when not complete */
    int has_process;
    uint64_t pid, time_ns, seq;
    char *exe, *cmdline, *python_version;
    uint64_t objects, bytes;    /* non-synthetic nodes */
    int has_rss;
    uint64_t rss;
    int has_counters;           /* the dump had COUNTER records */
} df_file;

typedef struct df_interval {    /* object identity over one interval (df_match totals) */
    uint64_t kept, resized, new_objects, new_bytes, freed_objects, freed_bytes;
    int64_t resized_bytes;
} df_interval;

/* A count and bytes under one key, for the "what was added under a source" lists. */
typedef struct df_added {
    char *key;
    uint64_t count, bytes;
} df_added;

#define DF_ADDED_MAX 5

/* A growth source: a node of one dump (followed through the others by identity), or a whole
 * root group when the growth under that root is spread over many top-level objects. */
typedef struct df_source {
    int is_group;
    uint32_t group;             /* DF_ROOT key (the group, or the root group the node is under) */
    char *label, *type;         /* ma_node_label / ma_node_what; the root name for a group */
    char **path;                /* ma_path_elements (a group: its name) */
    uint32_t npath;
    uint64_t addr;              /* 0 for a group */
    char *task;                 /* the asyncio task on its path (innermost), NULL if none */
    char *site_label;           /* NULL when no allocation stack */
    char *site_function, *site_file;
    uint32_t site_line;
    uint32_t found_in;          /* first interval where it was a source */
    int64_t growth;             /* new minus freed bytes under it in that interval */
    uint64_t *retained;         /* [ndumps] retained size in each dump (0 when absent) */
    uint8_t *present;           /* [ndumps] the node (or group) exists in that dump */
    int new_in_found;           /* the node did not exist at the start of found_in */
    ma_id cur;                  /* the node in the most recent loaded dump, MA_NONE if gone */
    df_added added_types[DF_ADDED_MAX], added_sites[DF_ADDED_MAX];
    uint32_t nadded_types, nadded_sites;
    uint64_t added_count, added_bytes;  /* all new objects under it in found_in */
} df_source;

#endif
