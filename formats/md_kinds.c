/* md_kinds.c — names of record kinds, for messages and summaries (same words as FORMAT.md). */
#include "md_format.h"

const char *md_kind_name(unsigned kind)
{
    static const char *const names[MD_KIND_COUNT] = {
        "TRAILER", "PROCESS", "SNAPSHOT", "STRING", "TYPE", "MODULE", "THREAD", "FRAME",
        "STACK", "NODE", "EDGES", "ROOT", "COUNTER", "ALLOCATOR", "TASK", "WARNING",
    };
    return kind < MD_KIND_COUNT ? names[kind] : "unknown";
}
