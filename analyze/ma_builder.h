/* ma_builder.h — turn a stream of nodes, edges and roots into the dense graph.
 *
 * The loader feeds it from dump records; unit tests feed it by hand. Nodes may arrive in any
 * address order and edges name their targets by address, so everything is staged first and
 * resolved at the end (ma_builder_finish):
 *
 *   1. sort nodes by address if they did not arrive sorted (radix sort), giving dense ids;
 *   2. flag repeated addresses (MA_F_DUP) and hash addresses → ids;
 *   3. resolve roots, then edges: sources through the sort permutation (or by address for edges
 *      added to an earlier node), targets through the hash; edges to unknown addresses are
 *      dropped and counted (FORMAT.md §3.9);
 *   4. build the forward CSR (a counting sort by source, skipped when already in order) and the
 *      reverse CSR.
 *
 * Staging costs 12 bytes per edge (16 with labels); the resolved dst overwrites the staged
 * address in place so the peak stays near that.
 */
#ifndef MA_BUILDER_H
#define MA_BUILDER_H

#include "ma_types.h"

typedef struct ma_late_edges {
    uint64_t from;          /* source address */
    uint64_t first, count;  /* range of staged edges */
} ma_late_edges;

typedef struct ma_builder {
    ma_dump *d;
    uint64_t ncap;          /* capacity of the node arrays in d->g */
    int sorted;             /* nodes arrived in ascending address order so far */
    int late_open;          /* edges go to the current late group, not the last node */
    uint64_t ne, ecap, lcap;
    ma_id *esrc;            /* file-order node index of each staged edge (MA_NONE: late group) */
    uint64_t *edst;         /* target address (later: resolved id, packed in place) */
    int32_t *elabel;        /* NULL until the first non-zero label */
    ma_late_edges *late;
    uint64_t nlate, latecap;
    uint64_t rootcap;
    char *error;            /* set when the input cannot be represented (too many nodes) */
} ma_builder;

void ma_builder_init(ma_builder *b, ma_dump *d);
/* Returns 0, or -1 when the node limit is exceeded (b->error says so). */
int ma_builder_node(ma_builder *b, uint64_t addr, uint64_t size, uint32_t type, uint32_t stack,
                    uint32_t flags, uint64_t usable_size);
/* Start a group of further edges for the node at address from (an EDGES record). */
void ma_builder_edges_of(ma_builder *b, uint64_t from);
/* An edge from the last node (or the open EDGES group) to address to. */
void ma_builder_edge(ma_builder *b, uint64_t to, int64_t label);
void ma_builder_root(ma_builder *b, uint32_t kind, uint64_t target, uint32_t label, uint64_t source);
/* Resolve everything into b->d->g and b->d->roots; frees the staging. */
void ma_builder_finish(ma_builder *b);
/* Release staging without finishing (error paths). */
void ma_builder_abandon(ma_builder *b);

#endif
