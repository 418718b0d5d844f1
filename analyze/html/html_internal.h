/* html_internal.h — what the pieces of the HTML reports share (html.h is the public interface).
 *
 * A report is written top to bottom into one FILE: the page head with the inlined stylesheet
 * (html_page.c), the overview as plain HTML (html_overview.c, html_diff.c), the data as one
 * compact JSON object (hx_json below, through a stream that escapes '<' so no string from the
 * target can close the script element), and the inlined scripts. The data refers to repeated
 * texts (type names, edge labels, frames) by index into one string table, and to why-alive paths
 * by index into one table of path steps (html_paths.c), which keeps a 10-million-node report
 * within a few megabytes.
 *
 * The budget constants below are the limits documented in html.h.
 */
#ifndef MA_HTML_INTERNAL_H
#define MA_HTML_INTERNAL_H

#include "html.h"
#include "ma_intern.h"
#include "ma_json.h"
#include "ma_outfile.h"
#include "ma_types.h"

#include <stdint.h>
#include <stdio.h>

/* ---- the budget ------------------------------------------------------------------------------ */

#define HX_DOM_NODES    20000   /* boxes in the dominator icicle */
#define HX_DOM_FAN      64      /* children shown per opened box (the rest: one "N more" box) */
#define HX_DOM_TOP_FAN  256     /* children of the top box (the top-level dominators) */
#define HX_FLAME_NODES  20000   /* frames in a flame graph */
#define HX_FLAME_FAN    64      /* children per frame */
#define HX_MIN_SHARE    1e-5    /* boxes and frames below this share of the total are folded */
#define HX_ROWS         1000    /* rows per table */
#define HX_DOMINATORS   500     /* rows of the top-dominators table */
#define HX_RUN_MIN      3       /* nodes in a run before it is shown as one box */
#define HX_STR_MAX      240     /* bytes kept of one text (type, frame, label) in the data */

/* ---- the output file (html_file.c) ------------------------------------------------------------ */

struct ma_html {
    ma_outfile out;             /* the temporary file next to the final name */
    FILE *f;                    /* open on a dup of out.fd */
};

/* flush, close, fsync, rename into place; on failure remove the temporary file and set err. Frees h.
 * what names the tool in the summary line ("memanalyze"); note says what was written. */
int hx_finish(ma_html *h, const char *what, const char *note, char *err, size_t errlen, FILE *summary);

/* ---- HTML text ------------------------------------------------------------------------------ */

/* Escaped for text and attribute values (& < > " '); invalid UTF-8 becomes U+FFFD. */
void hx_esc(FILE *f, const char *s);
/* A byte size for people, with the exact value for machines:
 * <span class="b" data-bytes="N" title="N bytes">1.21 MiB</span> (signed: a leading + or -). */
void hx_bytes(FILE *f, uint64_t n);
void hx_sbytes(FILE *f, int64_t n);
/* <span class="c" data-count="N">1,234</span> */
void hx_count(FILE *f, uint64_t n);
/* "2026-11-24 22:04:09 UTC" or "unknown time" */
void hx_time(uint64_t ns, char *buf, size_t len);
/* An inline SVG sparkline of n values (n ≥ 2), with the values in its title. */
void hx_sparkline(FILE *f, const uint64_t *v, uint32_t n, const char *title);

/* ---- compact JSON into the data script ---------------------------------------------------------- */

/* The data is written by ma_json in compact mode (no whitespace); the hx_ names are its functions. */
typedef ma_json hx_json;

/* Start the data element in f: writes <script type="application/json" id="md-data"> and starts a
 * compact writer on a stream that escapes '<' as \u003c; hx_json_close ends both. */
void hx_json_open(hx_json *j, FILE *f);
void hx_json_close(hx_json *j, FILE *f);

#define hx_obj  ma_json_obj
#define hx_arr  ma_json_arr
#define hx_end  ma_json_end
#define hx_u64  ma_json_u64
#define hx_i64  ma_json_i64
#define hx_dbl  ma_json_dbl
#define hx_str  ma_json_str         /* NULL → null */
#define hx_null ma_json_null
#define hx_bool ma_json_bool

/* key: [v0,v1,...] */
void hx_u64s(hx_json *j, const char *key, const uint64_t *v, uint64_t n);
void hx_u32s(hx_json *j, const char *key, const uint32_t *v, uint64_t n);
void hx_i64s(hx_json *j, const char *key, const int64_t *v, uint64_t n);
/* The strings of an intern table as one array. */
void hx_strings(hx_json *j, const char *key, const ma_intern *t);
/* Runs one of memanalyze's JSON views (view.h) into the data as the members of object key, so
 * the report embeds exactly what --json prints. */
void hx_views(hx_json *j, const char *key, ma_ctx *c, const ma_view *const *views, int n);

/* ---- the page (html_page.c) ---------------------------------------------------------------- */

/* doctype, head (title, CSP, inlined CSS), body start. kind: "analyze" or "diff". */
void hx_page_begin(FILE *f, const char *title, const char *kind);
/* The inlined scripts for kind, and the end of the document. */
void hx_page_end(FILE *f, const char *kind);

/* ---- why-alive paths (html_paths.c) -------------------------------------------------------------- */

/* A table of path steps shared by every path of the report: step s has a parent step (-1 for
 * the first element, the root) and a text (string id). A path is named by its last step. */
typedef struct hx_paths {
    ma_ctx *c;
    ma_intern *strs;
    uint32_t *depth1;           /* [n] hops from the path's start + 1, 0 = not known yet */
    ma_id *anchor;              /* [n] for depth > MA_PATH_KEEP: the node at depth MA_PATH_KEEP */
    ma_intern memo;             /* node id (4 bytes) → step + ... (full paths of shallow nodes) */
    uint32_t *memo_step;        /* [memo.n] */
    uint64_t memo_cap;
    int32_t *parent;            /* [n] steps */
    uint32_t *text;
    uint64_t n, cap;
    struct hx_root_pair *roots; /* (node, first ROOT record) sorted by node, built lazily */
    uint64_t nroots;
    int roots_ready;
} hx_paths;

typedef struct hx_root_pair {
    ma_id node;
    uint64_t index;
} hx_root_pair;

void hx_paths_init(hx_paths *p, ma_ctx *c, ma_intern *strs);
/* The path of node v (the same elements as ma_path_elements): its last step. */
uint32_t hx_path(hx_paths *p, ma_id v);
/* "paths": {"parent": [...], "text": [...]} */
void hx_paths_json(hx_paths *p, hx_json *j);
void hx_paths_free(hx_paths *p);

/* ---- memanalyze's report parts -------------------------------------------------------------------- */

typedef struct hx_an {
    ma_ctx *c;
    ma_intern strs;             /* the report's string table */
    hx_paths paths;
    uint64_t *suspect_pos;      /* preorder positions of the suspects' accumulation points */
    ma_id *suspect_top;         /* their top-level dominators */
    uint64_t nsuspects;
    uint32_t *site_row;         /* merged site group → row of the sites table (UINT32_MAX: none) */
    char note[160];             /* for the summary line: "2,345 boxes, …" */
} hx_an;

/* The id of text s in a report's string table. Texts longer than HX_STR_MAX bytes (C++ template
 * names can run to kilobytes) are cut at a character boundary and end with "…", which bounds
 * the table by its number of entries. */
uint32_t hx_s(ma_intern *t, const char *s);

void hx_suspects_find(hx_an *x);
void hx_overview(hx_an *x, FILE *f);                   /* html_overview.c */
void hx_domtree_json(hx_an *x, hx_json *j);            /* html_domtree.c */
void hx_flame_json(hx_an *x, hx_json *j);              /* html_flame.c */
void hx_tables_json(hx_an *x, hx_json *j);             /* html_tables.c */

/* ---- memdiff's report parts ------------------------------------------------------------------- */

/* The growth flame graph ("flame" in the data) of a finished run (html_diffflame.c). */
void hx_diffflame_json(const struct df_run *r, hx_json *j, ma_intern *strs, char *note, size_t notelen);

/* ---- flame graph selection (html_flametree.c) ---------------------------------------------------- */

/* A tree of frames with one or two weights, reduced to the budget: the frames kept are the
 * largest by weight w (best-first from the root), each showing at most HX_FLAME_FAN children;
 * the others of a parent become one "N more" frame carrying their sums. Used for allocation
 * stacks (w = bytes) and memdiff's growth (w = added + freed bytes). */
typedef struct hx_ftree {
    uint32_t n;
    const uint32_t *parent;     /* [n], parent[0] = 0 (the root) */
    const uint32_t *child_off;  /* [n+1] children of v: child[child_off[v] .. child_off[v+1]) */
    const uint32_t *child;
    const uint64_t *w;          /* [n] inclusive weight that decides what is kept */
} hx_ftree;

typedef struct hx_fsel {
    uint32_t n;                 /* kept frames, in an order where parents come first */
    uint32_t *node;             /* [n] tree node, or UINT32_MAX for a folded "N more" frame */
    uint32_t *parent;           /* [n] index into this selection (0 for the root) */
    uint32_t *folded;           /* [n] for "N more" frames: how many siblings were folded */
    uint32_t *fold_first;       /* [n] for "N more": index in the parent's children of the first */
} hx_fsel;

void hx_fsel_build(hx_fsel *s, const hx_ftree *t, uint32_t max_nodes);
void hx_fsel_free(hx_fsel *s);

/* The text "N more" of folded frame i, as a string id in strs. */
uint32_t hx_fsel_more(const hx_fsel *s, uint32_t i, ma_intern *strs);

/* One column of a flame graph in the data: per tree node weights w (a folded frame gets the sum
 * over the siblings it stands for), or, when w is NULL, values v[s->n] given per selected frame. */
typedef struct hx_fcol {
    const char *key;
    const uint64_t *w;
    const int64_t *v;
} hx_fcol;

/* "flame": {"budget": HX_FLAME_NODES, "frames": t->n, "parent": [...], one array per column}:
 * the shape both reports' flame graphs share (html_flame.c, html_diffflame.c). */
void hx_flame_write(hx_json *j, const hx_ftree *t, const hx_fsel *s, const hx_fcol *cols, int ncols);

#endif
