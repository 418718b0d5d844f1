/* md_format.h — the types of the .dump format, shared by writer and reader.
 *
 * Every structure a dump can contain is declared here, once, with the meaning of each field.
 * formats/FORMAT.md is the normative description of the bytes; this header is its C mirror.
 * The writer takes these structures as input and the reader hands them back, so a record
 * round-trips through one type. Pointers inside records (strings, arrays) are borrowed: on the
 * writer side they must stay valid for the call, on the reader side until the next read.
 */
#ifndef MD_FORMAT_H
#define MD_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* ---- file framing --------------------------------------------------------------------- */

#define MD_MAGIC            "MDMP\r\n\x1a\n"   /* 8 bytes */
#define MD_MAGIC_LEN        8
#define MD_VERSION_MAJOR    1
#define MD_VERSION_MINOR    0
#define MD_HEADER_SIZE      16
#define MD_FRAME_SIZE       16                  /* tag, stored_len, raw_len, crc32 */
#define MD_TAG_CHUNK        "CHNK"
#define MD_TAG_TRAILER      "TRLR"
#define MD_CHUNK_RAW_MAX    (4u << 20)          /* reader limit on raw_len */
#define MD_CHUNK_STORED_MAX (5u << 20)          /* reader limit on stored_len */
#define MD_CHUNK_TARGET     (1u << 20)          /* writers flush at about this many raw bytes */
#define MD_STRING_MAX       65535u              /* longer strings are truncated by writers */
#define MD_EDGES_PER_RECORD 4096u               /* writers split longer edge lists */

/* ---- record kinds --------------------------------------------------------------------- */

typedef enum md_kind {
    MD_TRAILER = 0,
    MD_PROCESS = 1,
    MD_SNAPSHOT = 2,
    MD_STRING = 3,
    MD_TYPE = 4,
    MD_MODULE = 5,
    MD_THREAD = 6,
    MD_FRAME = 7,
    MD_STACK = 8,
    MD_NODE = 9,
    MD_EDGES = 10,
    MD_ROOT = 11,
    MD_COUNTER = 12,
    MD_ALLOCATOR = 13,
    MD_TASK = 14,
    MD_WARNING = 15,
    MD_KIND_COUNT = 16 /* kinds known to this version; counts_by_kind has this many entries */
} md_kind;

/* "NODE", "STRING", ... for kinds below MD_KIND_COUNT, "unknown" otherwise (formats/md_kinds.c). */
const char *md_kind_name(unsigned kind);

/* NODE flags */
#define MD_NODE_SYNTHETIC   (1u << 0)  /* thread, frame, data segment: not an allocation */
#define MD_NODE_PYOBJ       (1u << 1)  /* a Python object */
#define MD_NODE_NATIVE      (1u << 2)  /* a malloc-family block */
#define MD_NODE_GC_TRACKED  (1u << 3)  /* tracked by Python's cyclic GC */
#define MD_NODE_C_HELD      (1u << 4)  /* refcount not explained by references found */
#define MD_NODE_OWNS_BUFFER (1u << 5)  /* size includes an owned external buffer */

/* ROOT kinds */
typedef enum md_root_kind {
    MD_ROOT_GLOBAL = 1,     /* writable segment of a loaded module */
    MD_ROOT_STACK = 2,      /* a native thread stack */
    MD_ROOT_REGISTER = 3,
    MD_ROOT_PY_MODULE = 4,  /* an entry of sys.modules */
    MD_ROOT_PY_THREAD = 5,  /* a Python thread's synthetic node */
    MD_ROOT_PY_INTERP = 6,  /* interpreter state: builtins, sys, ... */
    MD_ROOT_C_HELD = 7,     /* object whose refcount is not explained */
    MD_ROOT_API = 8,        /* declared by the program */
    MD_ROOT_OTHER = 9
} md_root_kind;

/* TYPE kinds */
#define MD_TYPE_UNKNOWN 0
#define MD_TYPE_PYTHON  1
#define MD_TYPE_CXX     2   /* name is a mangled typeinfo name, e.g. "6Circle" */
#define MD_TYPE_NATIVE  3

/* SNAPSHOT mode bits */
#define MD_MODE_NATIVE       (1u << 0)
#define MD_MODE_PYTHON       (1u << 1)
#define MD_MODE_PYTHON_SITES (1u << 2)
#define MD_MODE_PEAK         (1u << 3)

/* Edge label encoding: 0 none, >0 STRING id, <0 element index -(label+1). */
#define MD_LABEL_NONE        0
#define MD_LABEL_INDEX(i)    (-(int64_t)(i) - 1)
#define MD_LABEL_IS_INDEX(l) ((l) < 0)
#define MD_LABEL_TO_INDEX(l) ((uint64_t)(-((l) + 1)))

/* ---- records -------------------------------------------------------------------------- */

/* A byte string borrowed from the caller (writer) or the current chunk (reader).
 * Not NUL-terminated on the reader side. */
typedef struct md_str {
    const char *ptr;
    uint32_t len;
} md_str;

typedef struct md_process {
    uint64_t pid, ppid;
    md_str exe;
    const md_str *argv;     /* argc entries */
    uint32_t argc;
    uint64_t time_ns;       /* wall clock, ns since the epoch */
    md_str python_version;  /* len 0 = none */
    md_str hostname;        /* len 0 = none */
    uint64_t page_size;     /* 0 = unknown */
} md_process;

typedef struct md_snapshot {
    md_str reason;          /* "signal", "api", "exit", "peak", "rss", "fatal:SIGSEGV", ... */
    uint64_t mode;          /* MD_MODE_* */
    uint64_t seq;           /* 1, 2, ... within the process */
    uint64_t pause_ns;      /* 0 = unknown */
    uint64_t child_ns;      /* 0 = unknown */
    uint64_t trigger_bytes; /* 0 = none */
    uint32_t trigger_stack; /* STACK id, 0 = none */
    uint64_t heap_peak;     /* 0 = unknown */
} md_snapshot;

typedef struct md_string {
    uint32_t id;
    md_str text;
} md_string;

typedef struct md_type {
    uint32_t id;
    uint32_t name;          /* STRING id */
    uint32_t kind;          /* MD_TYPE_* */
    uint64_t type_addr;     /* 0 = unknown */
} md_type;

typedef struct md_module {
    uint32_t id;
    uint32_t path;          /* STRING id */
    const uint8_t *build_id;
    uint32_t build_id_len;  /* 0 = none */
    uint64_t bias;          /* ELF vaddr = runtime address - bias */
    uint64_t lo, hi;        /* runtime extent of its segments */
} md_module;

typedef struct md_thread {
    uint64_t tid;
    uint32_t name;          /* STRING id, 0 = none */
    uint64_t stack_lo, stack_hi;  /* 0 = unknown */
    uint32_t flags;         /* bit 0 main, bit 1 took the snapshot */
} md_thread;

#define MD_THREAD_MAIN     1u
#define MD_THREAD_SNAPSHOT 2u

typedef struct md_frame {
    uint32_t id;
    uint64_t pc;            /* 0 for Python frames */
    uint32_t module;        /* MODULE id, 0 = none */
    uint32_t function;      /* STRING id, 0 = unknown */
    uint32_t file;          /* STRING id, 0 = unknown */
    uint32_t line;          /* 0 = unknown */
} md_frame;

typedef struct md_stack {
    uint32_t id;
    const uint32_t *frames; /* FRAME ids, innermost first */
    uint32_t depth;
} md_stack;

/* A node and (on the reader side) the edges carried in its record. Edge targets are absolute
 * addresses here; the delta encoding is the codec's business. labels is NULL when the record
 * had none (all MD_LABEL_NONE). */
typedef struct md_node {
    uint64_t addr;
    uint64_t size;
    uint32_t type;          /* TYPE id, 0 = unknown */
    uint32_t stack;         /* STACK id, 0 = unknown */
    uint32_t flags;         /* MD_NODE_* */
    uint64_t usable_size;   /* 0 = unknown */
    const uint64_t *edges;  /* reader side only; the writer takes edges via md_w_edge() */
    const int64_t *labels;
    uint32_t nedges;
} md_node;

typedef struct md_edges {
    uint64_t from;
    const uint64_t *edges;  /* absolute targets */
    const int64_t *labels;  /* NULL = none */
    uint32_t nedges;
} md_edges;

typedef struct md_root {
    uint32_t kind;          /* md_root_kind */
    uint64_t target;
    uint32_t label;         /* STRING id, 0 = none */
    uint64_t source;        /* slot address, 0 = unknown */
} md_root;

typedef struct md_counter {
    uint32_t stack;         /* STACK id */
    uint64_t allocs, frees;
    uint64_t bytes_allocated, bytes_freed;
} md_counter;

typedef struct md_stat {
    md_str key;
    int64_t value;
} md_stat;

typedef struct md_allocator {
    const md_stat *stats;
    uint32_t nstats;
} md_allocator;

typedef struct md_task {
    uint64_t task;
    uint32_t name;          /* STRING id */
    uint64_t coroutine;
    uint32_t stack;         /* STACK id where suspended, 0 = unknown */
} md_task;

typedef struct md_warning {
    md_str message;
} md_warning;

typedef struct md_trailer {
    uint64_t record_count;
    uint64_t chunk_count;
    uint64_t raw_bytes;
    uint64_t counts[MD_KIND_COUNT]; /* per known kind; unknown kinds are summed in record_count only */
} md_trailer;

/* One decoded record, as the reader yields it. */
typedef struct md_record {
    md_kind kind;
    uint64_t offset;        /* file offset of the chunk that holds it (for messages) */
    union {
        md_process process;
        md_snapshot snapshot;
        md_string string;
        md_type type;
        md_module module;
        md_thread thread;
        md_frame frame;
        md_stack stack;
        md_node node;
        md_edges edges;
        md_root root;
        md_counter counter;
        md_allocator allocator;
        md_task task;
        md_warning warning;
        md_trailer trailer;
    } u;
} md_record;

#endif
