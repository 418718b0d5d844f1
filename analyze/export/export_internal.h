/* export_internal.h — what the exporters share (see export.h for the interface memanalyze uses).
 *
 * An exporter gets its output as an open, empty temporary file, an ma_outfile (fd and tmp: the
 * SQLite exporter closes fd, sets it to -1 and opens tmp by name, the others write the fd) and
 * writes the whole export there; export.c renames the file into place afterwards. Exporters report failures in err ("why", without the path,
 * which export.c adds) and describe what they wrote in note ("12 samples, 40 locations").
 */
#ifndef MA_EXPORT_INTERNAL_H
#define MA_EXPORT_INTERNAL_H

#include "ma_outfile.h"
#include "ma_utf8.h"       /* ma_utf8: protobuf strings and JSON must be UTF-8 */
#include "views/view.h"

#include <stddef.h>
#include <stdint.h>

typedef int (*ma_export_fn)(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note,
                            size_t notelen);

int ma_export_pprof(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note, size_t notelen);
int ma_export_heapsnapshot(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note, size_t notelen);
int ma_export_sqlite(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note, size_t notelen);

/* ---- helpers (export_names.c) ------------------------------------------------------------------ */

/* Names of nodes as the exports show them, cached so a million nodes cost a handful of distinct
 * strings: a typed node is named by its type ("dict", "Circle"); an untyped native block by its
 * allocation site, as memanalyze's reports name it ("(block from make_list)"); a synthetic node by
 * its location ("work (app.py:12)") or "(synthetic)". ma_node_name's result stays valid until
 * ma_node_names_free. */
typedef struct ma_node_names {
    ma_ctx *c;
    char **by_type;         /* [ntypes+1] */
    char **by_stack;        /* [nstacks+1] untyped native blocks, by STACK id */
    char **by_stack_syn;    /* [nstacks+1] synthetic nodes (frames), by STACK id */
} ma_node_names;

void ma_node_names_init(ma_node_names *nn, ma_ctx *c);
const char *ma_node_name(ma_node_names *nn, ma_id v);
void ma_node_names_free(ma_node_names *nn);

#endif
