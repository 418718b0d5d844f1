/* html.h — memanalyze --html OUT and memdiff --html OUT: one self-contained HTML report.
 *
 * The report is a single file that opens from file:// with no network access of any kind: the
 * stylesheet and scripts are inlined (they live readable in analyze/html/assets/ and are compiled
 * into the tools as byte arrays), the data is one JSON object in a <script type="application/json">
 * element, and a Content-Security-Policy meta tag forbids every fetch, so even a bug in the page
 * could not reach the network. The overview (process, totals, the bar that explains RSS, growth
 * sources for memdiff) is rendered here, in C, as plain HTML, so the headline numbers read without
 * JavaScript; the interactive views (icicle of the dominator tree, flame graphs, sortable tables,
 * why-alive paths) are drawn by the scripts from the embedded data.
 *
 * Nothing is analyzed twice: memanalyze's report reads the ma_analysis (dominator tree, retained
 * sizes, shortest paths), the name tables and the same groupings the text and JSON views use;
 * memdiff's reads the finished df_run (sources, per-key tables, counters).
 *
 * Budget. A 10-million-node dump must give a file under 10 MB that a browser opens in under 2 s,
 * so the data is pre-aggregated with fixed limits (html_internal.h has the constants):
 *
 *   dominator icicle   at most 20 000 boxes, chosen best-first by retained size: the largest
 *                      subtrees are opened first; an opened node shows its 64 largest children
 *                      (256 for the top level) and folds the rest into one "N more" box with their
 *                      total; runs of alike nodes linked through one field (a linked list) are one
 *                      box "ListNode × 10,000 via next" whose children are the run's other children
 *   allocation flame   at most 20 000 frames, best-first by bytes, 64 children per frame, the rest
 *                      folded into "N more"; frames below 0.001% of the total are folded too
 *   tables             types, sites, leaks, unreachable Python objects: the 1 000 largest rows;
 *                      top dominators: 500; every table says how many rows it leaves out
 *   paths              every shown object gets its why-alive path (root, then one step per edge,
 *                      with the edge's label); paths longer than 12 hops keep both ends and say
 *                      how many hops are left out, as memanalyze's text does; paths share their
 *                      common prefixes in the data
 *   memdiff            sources: all (there are few); growth by type, site and root: 1 000 rows
 *                      each; churn: 1 000 sites; growth flame: 20 000 frames as above
 *   texts              names, frames and labels are kept to 240 bytes each ("…" marks a cut)
 *
 * Measured (tests/bench/html_bench.sh): a 10-million-long list plus a tree (10.1 M nodes) gives a
 * 0.07 MB report; a dump that fills the icicle's budget (9.1 M nodes: a 2 M-item Python cache, a
 * 5 M-node tree, a list, leaks) 1.1 MB, for 0.6 s of CPU over the analysis and no extra memory;
 * Chromium has it ready in under 0.1 s.
 *
 * Output files are written like memanalyze's exports: a temporary file next to OUT (mkstemp,
 * O_EXCL, so never through a symlink), renamed over OUT once complete; a failure or a fatal
 * signal removes it.
 */
#ifndef MA_HTML_H
#define MA_HTML_H

#include "views/view.h"

#include <stddef.h>
#include <stdio.h>

typedef struct ma_html ma_html;
struct df_run;

/* Create the temporary output next to PATH (before any work, so a bad destination fails at
 * once). NULL with err set ("cannot write PATH: why") on failure. */
ma_html *ma_html_open(const char *path, char *err, size_t errlen);

/* Write memanalyze's report from the analysis in c and rename it into place. 0 on success, -1
 * with err set (the temporary file is removed). Frees h either way. When summary is non-NULL,
 * "memanalyze: wrote PATH (html: …)" goes there. */
int ma_html_analyze(ma_html *h, ma_ctx *c, char *err, size_t errlen, FILE *summary);

/* The same for memdiff, from a finished run. */
int ma_html_diff(ma_html *h, const struct df_run *r, char *err, size_t errlen, FILE *summary);

/* Remove the temporary output and free h (nothing to report: the dumps could not be read). */
void ma_html_abort(ma_html *h);

#endif
