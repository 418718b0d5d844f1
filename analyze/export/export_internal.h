/* export_internal.h — what the exporters share (see export.h for the interface memanalyze uses).
 *
 * An exporter gets its output as an open, empty temporary file (fd and path: the SQLite exporter
 * opens the path, the others write the fd) and writes the whole export there; export.c renames
 * the file into place afterwards. Exporters report failures in err ("why", without the path,
 * which export.c adds) and describe what they wrote in note ("12 samples, 40 locations").
 */
#ifndef MA_EXPORT_INTERNAL_H
#define MA_EXPORT_INTERNAL_H

#include "views/view.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ma_export_out {
    const char *path;       /* the final name, for messages */
    char *tmp;              /* the temporary file */
    int fd;                 /* open on tmp for writing; an exporter that closes it sets -1 */
} ma_export_out;

typedef int (*ma_export_fn)(ma_ctx *c, ma_export_out *o, char *err, size_t errlen, char *note,
                            size_t notelen);

int ma_export_pprof(ma_ctx *c, ma_export_out *o, char *err, size_t errlen, char *note, size_t notelen);
int ma_export_heapsnapshot(ma_ctx *c, ma_export_out *o, char *err, size_t errlen, char *note, size_t notelen);
int ma_export_sqlite(ma_ctx *c, ma_export_out *o, char *err, size_t errlen, char *note, size_t notelen);

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

/* s if it is valid UTF-8, else a copy in *tmp (freed by the caller) with each invalid byte
 * replaced by '?': protobuf strings and JSON must be UTF-8, names from the target may not be. */
const char *ma_utf8(const char *s, char **tmp);

#endif
