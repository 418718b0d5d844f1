/* view.h — how memanalyze's outputs are organized: one view per file.
 *
 * A view is a named output (types, sites, dominators, leaks, ...) that can print itself as text
 * and as one member of the --json object. memanalyze builds a context (the loaded dump, the
 * analysis, the name tables, the options) and runs a list of views: the default report, or the
 * one view an option asked for. Adding a view = one new file defining a `const ma_view` plus
 * one line in views.c (the registry); nothing else changes. Views may share the lazily built
 * tables of the context (merged allocation sites) through view_util.c.
 *
 * JSON conventions (README documents the schema): every size is an integer number of bytes;
 * lists are sorted largest first and cut at --top (0 = all); unknown values are null.
 */
#ifndef MA_VIEW_H
#define MA_VIEW_H

#include "ma_group.h"
#include "ma_intern.h"
#include "ma_json.h"
#include "ma_names.h"
#include "ma_types.h"

#include <stdio.h>

typedef struct ma_opts {
    uint64_t top;           /* rows per list; 0 = all */
    const char *by;         /* --by KEY */
    const char *paths;      /* --paths ADDR|TYPE */
    double min_percent;     /* --stacks: fold subtrees below this share of the total */
} ma_opts;

/* Allocation stacks merged by what they display (two STACKs whose frames symbolize to the same
 * lines are one site). Group 0 is "no stack recorded". */
typedef struct ma_sitemap {
    uint32_t *group;        /* [nstacks+1] stack id → group */
    uint32_t *rep;          /* [ngroups] a stack of each group (0 for group 0) */
    uint32_t ngroups;
} ma_sitemap;

typedef struct ma_ctx {
    ma_dump *d;
    ma_analysis *a;
    ma_names *nm;
    const ma_opts *o;
    FILE *out;
    ma_json *j;             /* non-NULL in --json mode */
    double t_load, t_analyze;   /* seconds, for --stats */
    uint64_t peak_after_load;   /* bytes of RSS, for --stats */
    ma_sitemap *sites;      /* lazily built: ma_ctx_sites() */
    struct ma_taskmap *tasks;   /* lazily built: ma_node_task() */
} ma_ctx;

typedef struct ma_view {
    const char *name;       /* selects the view; its JSON member name */
    void (*text)(ma_ctx *c);
    void (*json)(ma_ctx *c);
} ma_view;

/* ---- the registry (views.c) ------------------------------------------------------------------ */

const ma_view *ma_view_find(const char *name);
/* The default report, NULL-terminated: text and JSON. */
extern const ma_view *const ma_report_text[];
extern const ma_view *const ma_report_json[];

extern const ma_view ma_view_header, ma_view_summary, ma_view_dominators, ma_view_types,
    ma_view_sites, ma_view_leaks, ma_view_suspects, ma_view_by, ma_view_paths, ma_view_stacks,
    ma_view_collapsed, ma_view_stats, ma_view_warnings;

/* ---- helpers shared by views (view_util.c) ----------------------------------------------------- */

const ma_sitemap *ma_ctx_sites(ma_ctx *c);
void ma_ctx_free(ma_ctx *c);

/* Rows a list shows: min(--top, available). */
uint64_t ma_rows(const ma_ctx *c, uint64_t available);

/* Section title: blank line, title, and a short note in parentheses if given. */
void ma_section(ma_ctx *c, const char *title, const char *note);

/* The path that keeps v alive, as display elements: the root's name, then one element per
 * hop (the edge label, or what the target is when the edge has none; a hop to an asyncio task
 * shows the task, label or not, since which task holds something is what a reader wants). Paths longer than
 * 2 * MA_PATH_KEEP hops keep both ends with "… N more …" in between. Free with ma_path_free. */
#define MA_PATH_KEEP 6
char **ma_path_elements(ma_ctx *c, ma_id v, uint32_t *n);
void ma_path_free(char **el, uint32_t n);
char *ma_path_join(char **el, uint32_t n);              /* "a → b → c", malloc'd */

/* A short name for a node in context: the label of the edge that reaches it on its path, else
 * its root's name, else its allocation site; "" if none. malloc'd. */
char *ma_node_label(ma_ctx *c, ma_id v);
/* What a node is: its type, or for untyped natives "(block from FUNCTION)", for synthetic
 * frame nodes their location; an asyncio task and its coroutine are named after the task
 * ("task 'collector' (_asyncio.Task)", "coroutine of task 'collector'"). malloc'd. */
char *ma_node_what(ma_ctx *c, ma_id v);

/* The name of the asyncio task whose Task object or coroutine v is (TASK records), or NULL.
 * *is_coro tells which (may be NULL). */
const char *ma_node_task(ma_ctx *c, ma_id v, int *is_coro);

/* Is v a top-level dominator: its immediate dominator is the super-root, the garbage root, or a
 * synthetic node (threads and frames are path elements, so what they hold counts as top-level)? */
int ma_is_top_level(const ma_analysis *a, ma_id v);

/* Calls fn for every top-level dominator with its preorder position (a->dom_order[pos] == v),
 * reachable ones first, looking through synthetic nodes. */
typedef void (*ma_top_fn)(void *ctx, ma_id v, uint64_t pos);
void ma_each_top_level(const ma_analysis *a, int include_unreachable, ma_top_fn fn, void *ctx);

/* The accumulation point below the node at preorder position pos: descend while the largest
 * dominator-tree child keeps at least 70% of its parent's retained size (synthetic nodes are
 * passed through). Returns the position of the node where the descent stops, or, when that node
 * is one link of a run of same-type nodes linked through the same edge label (a linked list), the
 * position of the run's first node. */
#define MA_SUSPECT_SHARE 0.10   /* a suspect retains at least this share of the heap */
#define MA_DESCEND_SHARE 0.70   /* keep descending while the largest child keeps this much */
uint64_t ma_accumulation_point(const ma_analysis *a, uint64_t pos);
/* The same descent with another measure than the retained size (memdiff descends along the
 * growth between two dumps, which can be negative): stops where the best child's score is not
 * positive or below MA_DESCEND_SHARE of its parent's. */
typedef int64_t (*ma_score_fn)(void *ctx, ma_id v);
uint64_t ma_accumulation_point_by(const ma_analysis *a, uint64_t pos, ma_score_fn score, void *ctx);

/* Roots whose top-level objects retain MA_SUSPECT_SHARE of the heap together while none does on
 * its own (a global array of chain heads), largest first (view_suspects.c). type is the commonest
 * type of the objects, by retained size, and type_count how many of them have it. */
typedef struct ma_root_suspect {
    char *root;
    uint64_t objects, retained;
    char *type;
    uint64_t type_count;
} ma_root_suspect;
uint64_t ma_root_suspects(ma_ctx *c, ma_root_suspect **out);
void ma_root_suspects_free(ma_root_suspect *v, uint64_t n);

/* The root key of every node (malloc'd, [n], ids in names): the name of the root its shortest
 * path starts from, extended through the synthetic nodes that follow (a thread's frame and local:
 * "thread 1 (main) → main (app.py:9) → locals:data"); "(unreachable)" for unreachable nodes.
 * merge_slots names global roots by ma_root_group_name (every slot of one array together). This
 * is --by root's partition, and memdiff's first level of growth sources. */
uint32_t *ma_root_keys(ma_ctx *c, ma_intern *names, int merge_slots);

/* JSON helpers: a location object {function, file, line}; a stack list from a stack id; the
 * shortest root path of node v as a list of strings (ma_path_elements). */
void ma_json_loc(ma_json *j, const char *key, const ma_loc *l);
void ma_json_stack(ma_ctx *c, const char *key, uint32_t stack);
void ma_json_path(ma_ctx *c, const char *key, ma_id v);

/* Is KEY a valid --by key (view_by.c)? */
int ma_by_valid(const char *key);

/* "0x7f…" */
char *ma_hex(uint64_t v, char *buf);

#endif
