/* export_heapsnapshot.c — memanalyze --export heapsnapshot OUT.heapsnapshot: the object graph in
 * the V8 heap snapshot format, which Chrome DevTools' Memory panel, memlab and other heap tools
 * load.
 *
 * The format is one JSON object: a "snapshot" header whose "meta" names the fields of the flat
 * arrays that follow, then "nodes" (7 numbers per node), "edges" (3 numbers per edge, listed node
 * by node in node order: a node's edge_count says how many are its own) and "strings" (every
 * name, referenced by index). Edges point to a node by its offset in "nodes" (index × 7).
 *
 * What we write:
 *   node 0            the synthetic root (V8's convention: analysis starts at index 0)
 *   "(GC roots)"      child of the root; below it one synthetic group per kind of ROOT record
 *                     present ("(native globals)", "(thread stacks)", "(Python modules)", ...),
 *                     with one edge per ROOT record, named as memanalyze names the root
 *   "(unreachable)"   child of the root, when the dump has unreachable nodes: an edge to every
 *                     node whose immediate dominator is memanalyze's virtual garbage root, so
 *                     leaked structures keep their shape and retained sizes
 *   our nodes         in address order (index v of the dump becomes node 1 + groups + v);
 *                     type "object" for Python objects, "native" for malloc blocks, "synthetic"
 *                     for threads and frames; the name is what memanalyze calls the node (its type,
 *                     "(block from SITE)" for untyped blocks); self_size is the node's bytes
 *                     (0 for synthetic nodes, which memanalyze does not count as memory either)
 *   edges             "property" for a labeled edge (attribute, key, local variable name),
 *                     "element" for an index label ([3]) and for the root groups' numbering,
 *                     "internal" for an unlabeled pointer (named "ptr" from a native block, "ref"
 *                     otherwise); "weak" for an edge from an unreachable node to a reachable one:
 *                     garbage keeps nothing alive, so memanalyze's dominators ignore such edges,
 *                     and DevTools and memlab ignore weak edges (named like the others, with
 *                     "[i]" for an index).
 * With these extra nodes the dominator tree restricted to our nodes is exactly memanalyze's
 * (roots hang below synthetic nodes, the unreachable region below "(unreachable)"), so DevTools'
 * and memlab's retained sizes equal memanalyze's.
 *
 * Node ids: 2 × v + 101 for our node v (ids must fit 32 bits in DevTools and memlab, addresses do
 * not); `--export sqlite` stores the same v as nodes.id, so (id - 101) / 2 finds the address.
 * The extra nodes have odd ids below 100.
 *
 * Streaming: the nodes and then the edges are written in two passes over the loaded graph; the
 * only memory added is the string table (distinct names: types, sites, labels, roots), never
 * the JSON. Node and edge counts in the header are computed exactly before writing.
 * Limits: DevTools and memlab keep numbers in 32-bit arrays, so a single node over 4 GiB or a
 * graph over ~2 billion nodes would be truncated by them (the file itself is exact).
 */
#include "export_internal.h"
#include "ma_dump.h"
#include "ma_graph.h"
#include "ma_intern.h"
#include "ma_json.h"
#include "ma_mem.h"
#include "md_format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NODE_FIELDS 7
#define ID_BASE 101u

/* indexes into the meta's node_types and edge_types */
enum { NT_HIDDEN, NT_ARRAY, NT_STRING, NT_OBJECT, NT_CODE, NT_CLOSURE, NT_REGEXP, NT_NUMBER, NT_NATIVE,
       NT_SYNTHETIC };
enum { ET_CONTEXT, ET_ELEMENT, ET_PROPERTY, ET_INTERNAL, ET_HIDDEN, ET_SHORTCUT, ET_WEAK };

static const char meta[] =
    "{\"snapshot\":{\"meta\":{"
    "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],"
    "\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\",\"number\","
    "\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\",\"bigint\",\"object shape\"],"
    "\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],"
    "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
    "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],"
    "\"string_or_number\",\"node\"],"
    "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\",\"line\",\"column\"],"
    "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
    "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
    "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},\n";

/* ROOT kinds (md_root_kind, 1..9) → group node names; the loader reads unknown kinds as 9 */
#define NKINDS 10
static const char *const kind_group[NKINDS] = {
    NULL, "(native globals)", "(thread stacks)", "(registers)", "(Python modules)",
    "(Python threads)", "(Python interpreter)", "(held from C)", "(API roots)", "(other roots)"};

typedef struct hs {
    ma_ctx *c;
    FILE *f;
    ma_intern strs;
    uint32_t *label_str;        /* [strings.count+1] dump STRING id → snapshot string + 1 */
    uint32_t s_ptr, s_ref;
    char num[32];
} hs;

static uint32_t sidx(hs *h, const char *s)
{
    return ma_intern_cstr(&h->strs, s);
}

static void put_u64(hs *h, uint64_t v)
{
    char *e = h->num + sizeof h->num, *p = e;
    do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
    fwrite_unlocked(p, 1, (size_t)(e - p), h->f);
}

/* "T,N,I,S,E,0,0" with a leading comma unless first */
static void node(hs *h, int first, unsigned type, uint32_t name, uint64_t id, uint64_t self, uint64_t edges)
{
    if (!first) fputc_unlocked(',', h->f);
    put_u64(h, type);
    fputc_unlocked(',', h->f);
    put_u64(h, name);
    fputc_unlocked(',', h->f);
    put_u64(h, id);
    fputc_unlocked(',', h->f);
    put_u64(h, self);
    fputc_unlocked(',', h->f);
    put_u64(h, edges);
    fputs_unlocked(",0,0\n", h->f);
}

static void edge(hs *h, int first, unsigned type, uint64_t name_or_index, uint64_t to_node)
{
    if (!first) fputc_unlocked(',', h->f);
    put_u64(h, type);
    fputc_unlocked(',', h->f);
    put_u64(h, name_or_index);
    fputc_unlocked(',', h->f);
    put_u64(h, to_node * NODE_FIELDS);
    fputc_unlocked('\n', h->f);
}

static unsigned root_kind(const ma_root *r) { return r->kind >= 1 && r->kind < NKINDS ? r->kind : NKINDS - 1; }

int ma_export_heapsnapshot(ma_ctx *c, ma_outfile *o, char *err, size_t errlen, char *note, size_t notelen)
{
    const ma_dump *d = c->d;
    const ma_graph *g = &d->g;
    const ma_analysis *a = c->a;
    int fd2 = dup(o->fd);
    FILE *f = fd2 >= 0 ? fdopen(fd2, "w") : NULL;
    if (!f) {
        if (fd2 >= 0) close(fd2);
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    hs h = {.c = c, .f = f};
    ma_intern_init(&h.strs);
    sidx(&h, "");
    h.s_ptr = sidx(&h, "ptr");
    h.s_ref = sidx(&h, "ref");
    h.label_str = ma_calloc((size_t)d->strings.count + 1, sizeof *h.label_str);
    ma_node_names nn;
    ma_node_names_init(&nn, c);

    /* ---- counts, so the header can be exact ---- */
    uint64_t per_kind[NKINDS] = {0}, nresolved = 0, ngarbage = 0;
    for (uint64_t i = 0; i < d->nroots; i++)
        if (d->roots[i].node != MA_NONE) {
            per_kind[root_kind(&d->roots[i])]++;
            nresolved++;
        }
    for (uint64_t v = 0; v < g->n; v++) ngarbage += a->idom[v] == MA_GARBAGE;
    /* node index of each group (0 = absent) */
    uint64_t group_node[NKINDS] = {0}, ngroups = 0;
    for (unsigned kind = 1; kind < NKINDS; kind++)
        if (per_kind[kind]) group_node[kind] = 2 + ngroups++;
    uint64_t unreach_node = ngarbage ? 2 + ngroups : 0;
    uint64_t base = 2 + ngroups + (ngarbage ? 1 : 0);   /* node index of our node 0 */
    uint64_t nodes = base + g->n;
    uint64_t edges = 1 + (ngarbage ? 1 : 0) + ngroups + nresolved + ngarbage + g->m;

    fputs(meta, f);
    fprintf(f, "\"node_count\":%" PRIu64 ",\"edge_count\":%" PRIu64 ",\"trace_function_count\":0},\n", nodes, edges);

    /* ---- nodes ---- */
    fputs("\"nodes\":[", f);
    node(&h, 1, NT_SYNTHETIC, sidx(&h, ""), 1, 0, 1 + (ngarbage ? 1 : 0));
    node(&h, 0, NT_SYNTHETIC, sidx(&h, "(GC roots)"), 3, 0, ngroups);
    for (unsigned kind = 1; kind < NKINDS; kind++)
        if (group_node[kind])
            node(&h, 0, NT_SYNTHETIC, sidx(&h, kind_group[kind]), 5 + 2 * (group_node[kind] - 2), 0, per_kind[kind]);
    if (ngarbage) node(&h, 0, NT_SYNTHETIC, sidx(&h, "(unreachable)"), 99, 0, ngarbage);
    for (uint64_t v = 0; v < g->n; v++) {
        uint16_t fl = g->flags[v];
        unsigned type = (fl & MD_NODE_SYNTHETIC) ? NT_SYNTHETIC : (fl & MD_NODE_NATIVE) ? NT_NATIVE : NT_OBJECT;
        char *tmp;
        const char *name = ma_utf8(ma_node_name(&nn, (ma_id)v), &tmp);
        node(&h, 0, type, sidx(&h, name), 2 * v + ID_BASE, ma_node_bytes(g, (ma_id)v),
             g->out_off[v + 1] - g->out_off[v]);
        free(tmp);
    }
    fputs("],\n", f);

    /* ---- edges, in node order ---- */
    fputs("\"edges\":[", f);
    edge(&h, 1, ET_ELEMENT, 1, 1);
    if (ngarbage) edge(&h, 0, ET_ELEMENT, 2, unreach_node);
    uint64_t k = 0;
    for (unsigned kind = 1; kind < NKINDS; kind++)
        if (group_node[kind]) edge(&h, 0, ET_ELEMENT, ++k, group_node[kind]);
    for (unsigned kind = 1; kind < NKINDS; kind++) {
        if (!group_node[kind]) continue;
        for (uint64_t i = 0; i < d->nroots; i++) {
            const ma_root *r = &d->roots[i];
            if (r->node == MA_NONE || root_kind(r) != kind) continue;
            char *tmp;
            const char *name = ma_utf8(ma_root_name(c->nm, i), &tmp);
            edge(&h, 0, ET_PROPERTY, sidx(&h, name), base + r->node);
            free(tmp);
        }
    }
    if (ngarbage) {
        k = 0;
        for (uint64_t v = 0; v < g->n; v++)
            if (a->idom[v] == MA_GARBAGE) edge(&h, 0, ET_ELEMENT, k++, base + v);
    }
    for (uint64_t v = 0; v < g->n; v++) {
        uint32_t unlabeled = (g->flags[v] & MD_NODE_NATIVE) ? h.s_ptr : h.s_ref;
        int from_garbage = (g->flags[v] & MA_F_UNREACHABLE) != 0;
        for (uint64_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
            int32_t lab = g->out_label ? g->out_label[e] : 0;
            ma_id w = g->out[e];
            uint64_t to = base + w;
            uint32_t name = unlabeled;
            if (lab > 0 && (uint32_t)lab <= d->strings.count) {
                if (!h.label_str[lab]) {
                    char *tmp;
                    h.label_str[lab] = sidx(&h, ma_utf8(ma_str(d, (uint32_t)lab), &tmp)) + 1;
                    free(tmp);
                }
                name = h.label_str[lab] - 1;
            }
            if (from_garbage && !(g->flags[w] & MA_F_UNREACHABLE)) {
                if (lab < 0) {
                    char buf[32];
                    name = sidx(&h, ma_label_text(d, lab, buf, sizeof buf));
                }
                edge(&h, 0, ET_WEAK, name, to);
            } else if (lab < 0) {
                edge(&h, 0, ET_ELEMENT, (uint64_t)(-(int64_t)lab - 1), to);
            } else {
                edge(&h, 0, lab > 0 ? ET_PROPERTY : ET_INTERNAL, name, to);
            }
        }
    }
    fputs("],\n", f);

    fputs("\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[],\n\"strings\":[", f);
    ma_json j;
    ma_json_init(&j, f);                /* at depth 0 the writer emits just the escaped string */
    for (uint32_t i = 0; i < h.strs.n; i++) {
        if (i) fputs(",\n", f);
        ma_json_strn(&j, NULL, h.strs.str[i], h.strs.len[i]);
    }
    fputs("]}\n", f);

    int rc = 0;
    if (fflush(f) != 0 || ferror(f)) {
        snprintf(err, errlen, "write failed: %s", strerror(errno));
        rc = -1;
    }
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, errlen, "write failed: %s", strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        snprintf(note, notelen, "%" PRIu64 " nodes, %" PRIu64 " edges, %u strings", nodes, edges, h.strs.n);
    ma_node_names_free(&nn);
    free(h.label_str);
    ma_intern_free(&h.strs);
    return rc;
}
