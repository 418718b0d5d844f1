/* ma_types.h — every data structure of the analysis library, in one place.
 *
 * memanalyze and memdiff load a dump into the structures below and compute on them. The design
 * goal is that a 10-million-node dump fits comfortably in RAM and every walk is a linear pass over
 * flat arrays, so the graph is stored as a structure of arrays indexed by a dense node id:
 *
 *   - nodes are sorted by address and numbered 0..n-1 (ma_id, 32 bits: up to ~4 billion nodes,
 *     far beyond what fits in memory anyway); counts of nodes and edges are 64-bit;
 *   - edges are in compressed sparse row (CSR) form: the targets of node v are
 *     out[out_off[v] .. out_off[v+1]); the reverse graph (in_off/in) has the same shape and is
 *     built for the dominator computation, then released unless the caller asks to keep it;
 *   - tables of the dump (strings, types, frames, stacks, modules, ...) are arrays indexed by
 *     their format id (id 0 = none, so slot 0 is an empty placeholder);
 *   - analysis results (dominators, retained sizes, shortest-path parents, the dominator tree in
 *     preorder) are more per-node arrays in ma_analysis.
 *
 * Memory held per node after analysis (measured figures are printed by `memanalyze --stats`):
 *
 *     addr 8 + size 8 + type 4 + stack 4 + flags 2 + out_off 8        = 34   (ma_graph)
 *     idom 4 + retained 8 + bfs_parent 4 + dom_order 4 + dom_end 4    = 24   (ma_analysis)
 *                                                                       ---
 *                                                                       58 bytes per node
 *     per edge: target 4, plus label 4 when the dump has edge labels (Python dumps)
 *
 * i.e. within the budget of 64 bytes per node + 8 per edge. The peak is higher while the
 * dominator tree is computed: the reverse graph (8 per node + 4 per edge) and the Lengauer-Tarjan
 * work arrays (36 per node, plus a DFS stack as deep as the graph) exist only during that step;
 * loading briefly holds staged edges (12 bytes each, 16 with labels) and a 4-8 bytes/node hash.
 */
#ifndef MA_TYPES_H
#define MA_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* ---- node ids ------------------------------------------------------------------------------ */

typedef uint32_t ma_id;                 /* dense node id, 0 .. n-1 */
#define MA_NONE      UINT32_MAX         /* no node */
#define MA_SUPER     (UINT32_MAX - 1)   /* the virtual super-root, parent of every root */
#define MA_GARBAGE   (UINT32_MAX - 2)   /* the virtual root of unreachable nodes (child of MA_SUPER) */
#define MA_MAX_NODES (UINT32_MAX - 16)  /* loading refuses more nodes than this */

/* Per-node flags: the format's NODE flags in the low byte (MD_NODE_*; format bits beyond the
 * first eight would be dropped), analyzer facts in the high byte. */
#define MA_F_FORMAT      0x00ffu
#define MA_F_ROOT        0x0100u        /* target of at least one ROOT record */
#define MA_F_UNREACHABLE 0x0200u        /* not reachable from any root (leak / cyclic garbage) */
#define MA_F_UNREF       0x0400u        /* no inbound edge except from itself */
#define MA_F_DUP         0x0800u        /* its address repeats an earlier node's (corrupt dump) */

/* ---- the graph ----------------------------------------------------------------------------- */

typedef struct ma_graph {
    uint64_t n;             /* nodes */
    uint64_t *addr;         /* [n] addresses, ascending (ties only in corrupt dumps, MA_F_DUP) */
    uint64_t *size;         /* [n] bytes the node accounts for (FORMAT.md §3.9) */
    uint32_t *type;         /* [n] TYPE id, 0 = unknown */
    uint32_t *stack;        /* [n] STACK id of the allocation site, 0 = unknown */
    uint16_t *flags;        /* [n] MA_F_* */

    uint64_t m;             /* edges kept (targets resolved to nodes) */
    uint64_t *out_off;      /* [n+1] out-edges of v: out[out_off[v] .. out_off[v+1]) */
    ma_id *out;             /* [m] targets, in the order the dump listed them */
    int32_t *out_label;     /* [m] labels (MD_LABEL_* encoding), NULL when the dump had none */
    uint64_t *in_off;       /* [n+1] reverse graph (NULL once released) */
    ma_id *in;              /* [m] sources of the in-edges of v, ascending */

    uint64_t usable_bytes;  /* sum of usable_size over nodes that had one */
    uint64_t usable_nodes;  /* nodes that had a usable_size */
    uint64_t usable_req;    /* sum of size over those nodes (slack = usable_bytes - usable_req) */
    uint64_t edges_unknown; /* edges to addresses with no node: dropped, counted (FORMAT.md §3.9) */
    uint64_t edges_orphan;  /* EDGES records whose source address is not a node: dropped */
    uint64_t labels_clamped;/* labels that did not fit 32 bits (kept as "no label") */
    uint64_t dup_addrs;     /* nodes whose address repeats an earlier one */
} ma_graph;

/* ---- tables of the dump -------------------------------------------------------------------- */

/* Interned strings, ids 1..count. Each is stored NUL-terminated in pool; len excludes the NUL
 * and may be less than strlen when the string contains NUL bytes (names come from the target). */
typedef struct ma_strtab {
    char *pool;
    uint64_t pool_len, pool_cap;
    uint64_t *off;          /* [count+1] offset of string id in pool; off[0] is "" */
    uint32_t *len;          /* [count+1] */
    uint32_t count, cap;
} ma_strtab;

typedef struct ma_type {
    uint32_t name;          /* STRING id */
    uint32_t kind;          /* MD_TYPE_* */
    uint64_t addr;          /* type object or vtable address, 0 = unknown */
} ma_type;

typedef struct ma_module {
    uint32_t path;          /* STRING id */
    uint32_t build_id_len;  /* 0 = none */
    uint8_t *build_id;
    uint64_t bias;          /* ELF vaddr = runtime address - bias */
    uint64_t lo, hi;        /* runtime extent */
} ma_module;

typedef struct ma_frame {
    uint64_t pc;            /* native return address, 0 for Python frames */
    uint32_t module;        /* MODULE id, 0 = none */
    uint32_t function;      /* STRING ids, 0 = unknown (native frames are symbolized offline) */
    uint32_t file;
    uint32_t line;
} ma_frame;

typedef struct ma_thread {
    uint64_t tid;
    uint32_t name;          /* STRING id */
    uint32_t flags;         /* MD_THREAD_* */
    uint64_t stack_lo, stack_hi;
} ma_thread;

typedef struct ma_root {
    uint32_t kind;          /* md_root_kind (unknown kinds read as MD_ROOT_OTHER) */
    uint32_t label;         /* STRING id */
    uint64_t target;        /* address */
    uint64_t source;        /* slot address, 0 = unknown */
    ma_id node;             /* resolved target, MA_NONE when no node has that address */
} ma_root;

typedef struct ma_counter {
    uint32_t stack;
    uint64_t allocs, frees, bytes_allocated, bytes_freed;
} ma_counter;

typedef struct ma_stat {
    char *key;              /* NUL-terminated copy */
    int64_t value;
} ma_stat;

typedef struct ma_task {
    uint64_t task, coroutine;   /* addresses */
    ma_id task_node, coro_node; /* resolved, MA_NONE if absent */
    uint32_t name;              /* STRING id */
    uint32_t stack;             /* STACK id where suspended */
} ma_task;

/* A growable list of owned strings (warnings). */
typedef struct ma_strlist {
    char **v;
    uint32_t n, cap;
} ma_strlist;

/* PROCESS and SNAPSHOT records; strings are owned copies (never NULL). */
typedef struct ma_process {
    int present;
    uint64_t pid, ppid, time_ns, page_size;
    char *exe, *cmdline;        /* argv joined with spaces */
    ma_strlist argv;
    char *python_version;       /* "" = not Python */
    char *hostname;
} ma_process;

typedef struct ma_snapshot {
    int present;
    char *reason;
    uint64_t mode, seq, pause_ns, child_ns, trigger_bytes, heap_peak;
    uint32_t trigger_stack;
} ma_snapshot;

/* How loading went. */
typedef struct ma_load_status {
    char *path;             /* the file as given */
    uint64_t file_size;
    unsigned major, minor;  /* format version */
    int complete;           /* trailer read and verified */
    uint64_t chunks;        /* chunks whose records were used */
    uint64_t chunks_expected; /* from the trailer, 0 when there was none */
    uint64_t stopped_at;    /* file offset where reading stopped (== file_size when complete) */
    char *error;            /* the reader's message when incomplete/damaged, else NULL */
    uint64_t records;
    uint64_t counts[16];    /* records per kind */
} ma_load_status;

/* ---- a loaded dump ------------------------------------------------------------------------- */

typedef struct ma_dump {
    ma_load_status status;
    ma_process process;
    ma_snapshot snapshot;
    ma_graph g;
    ma_strtab strings;

    ma_type *types;         uint32_t ntypes;    /* [ntypes+1], ids 1..ntypes */
    ma_module *modules;     uint32_t nmodules;  /* [nmodules+1] */
    ma_frame *frames;       uint32_t nframes;   /* [nframes+1] */
    uint64_t *stack_off;    uint32_t nstacks;   /* [nstacks+2] frames of stack s: */
    uint32_t *stack_frames;                     /*   stack_frames[stack_off[s] .. stack_off[s+1]) */
    uint64_t nstack_frames;                     /*   innermost first */

    ma_thread *threads;     uint64_t nthreads;
    ma_root *roots;         uint64_t nroots;
    uint64_t roots_unknown;                     /* roots whose target is not a node */
    ma_counter *counters;   uint64_t ncounters;
    ma_stat *stats;         uint32_t nstats;    /* ALLOCATOR keys, last value wins */
    ma_task *tasks;         uint64_t ntasks;
    ma_strlist warnings;                        /* WARNING records from the agent */
    ma_strlist load_warnings;                   /* problems found while loading */
    uint64_t tables_cap_[8];                    /* private: capacities of the arrays above */
} ma_dump;

/* ---- analysis results ---------------------------------------------------------------------- */

typedef struct ma_analysis {
    ma_dump *d;

    /* Dominator tree over the virtual super-root (MA_SUPER) whose children are the roots and the
     * virtual garbage root (MA_GARBAGE) whose children are the unreachable nodes that start each
     * unreachable region (first the unreferenced ones, then one per remaining cycle). */
    ma_id *idom;            /* [n] immediate dominator: a node, MA_SUPER or MA_GARBAGE */
    uint64_t *retained;     /* [n] bytes freed if the node went away (self included) */

    /* The dominator tree in preorder: dom_order[p] is the node at position p; the subtree of the
     * node at position p spans positions [p, dom_end[node]). Reachable nodes come first
     * (positions 0 .. reach_nodes-1, the subtrees of the super-root's children), then the
     * unreachable ones. Children of the node at p: c = dom_order[p+1], then dom_order[dom_end[c]],
     * ... while the position is below dom_end[node]. */
    ma_id *dom_order;       /* [n] */
    uint32_t *dom_end;      /* [n] */

    /* Shortest paths from roots: a multi-source BFS from all roots (in ROOT order), then from the
     * unreachable regions' start nodes. bfs_parent[v] is the previous node on a shortest path,
     * MA_NONE for a root or an unreachable start. */
    ma_id *bfs_parent;      /* [n] */

    /* Totals (synthetic nodes are path elements, not memory: counted apart) */
    uint64_t reach_nodes;       /* all nodes reachable from roots, synthetic included */
    uint64_t objects, bytes;    /* non-synthetic nodes and their sizes (reachable + not) */
    uint64_t unreach_objects, unreach_bytes;
    uint64_t synthetic;         /* synthetic nodes */
    uint64_t unref_objects;     /* unreachable and unreferenced (likely leak origins) */
    uint64_t roots_resolved;    /* ROOT records whose target is a node */

    uint64_t peak_bytes_estimate; /* largest heap footprint of the analysis, see ma_mem_peak() */
} ma_analysis;

#endif
