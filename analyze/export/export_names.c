/* export_names.c — node names shared by the exporters (export_internal.h).
 *
 * A node's name is what memanalyze's own reports call it (ma_node_what), so a DevTools class,
 * a SQLite row and memanalyze --json's "type" agree. ma_node_what allocates a string per call;
 * its result depends only on (synthetic?, native?, type, allocation site), so one string per
 * distinct case is computed on first use and cached: exporting a million nodes formats a few
 * hundred names.
 */
#include "export_internal.h"
#include "ma_mem.h"
#include "md_format.h"

#include <stdlib.h>
#include <string.h>

void ma_node_names_init(ma_node_names *nn, ma_ctx *c)
{
    memset(nn, 0, sizeof *nn);
    nn->c = c;
    nn->by_type = ma_calloc((size_t)c->d->ntypes + 1, sizeof *nn->by_type);
    nn->by_stack = ma_calloc((size_t)c->d->nstacks + 1, sizeof *nn->by_stack);
    nn->by_stack_syn = ma_calloc((size_t)c->d->nstacks + 1, sizeof *nn->by_stack_syn);
}

const char *ma_node_name(ma_node_names *nn, ma_id v)
{
    const ma_graph *g = &nn->c->d->g;
    uint32_t t = g->type[v], st = g->stack[v];
    int synthetic = (g->flags[v] & MD_NODE_SYNTHETIC) != 0, native = (g->flags[v] & MD_NODE_NATIVE) != 0;
    /* the cases of ma_node_what, in its order */
    char **slot = NULL;
    if (synthetic && ma_stack_site(nn->c->nm, st)) slot = &nn->by_stack_syn[st];
    else if (t) slot = &nn->by_type[t];
    else if (native && !synthetic && ma_stack_site(nn->c->nm, st)) slot = &nn->by_stack[st];
    if (!slot) return ma_node_type(nn->c->nm, v);   /* a constant: "(synthetic)", "(native block)", ... */
    if (!*slot) *slot = ma_node_what(nn->c, v);
    return *slot;
}

void ma_node_names_free(ma_node_names *nn)
{
    const ma_dump *d = nn->c->d;
    for (uint32_t i = 0; i <= d->ntypes; i++) free(nn->by_type[i]);
    for (uint32_t i = 0; i <= d->nstacks; i++) {
        free(nn->by_stack[i]);
        free(nn->by_stack_syn[i]);
    }
    free(nn->by_type);
    free(nn->by_stack);
    free(nn->by_stack_syn);
    memset(nn, 0, sizeof *nn);
}
