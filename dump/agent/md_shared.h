/* md_shared.h — the page a snapshot's parent and child share (MAP_SHARED, one per snapshot).
 *
 * The parent writes the pause it measured around the clone (the child waits for it before
 * writing the SNAPSHOT record, which comes last); the child writes its outcome — success or the
 * reason for failure, counts, the final path, warnings — which the parent reads after reaping it.
 * A fresh page per snapshot means concurrent snapshots, and the children of the app's own fork(),
 * never share one.
 */
#ifndef MD_SHARED_H
#define MD_SHARED_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define MD_SHARED_WARN 2048

typedef struct md_shared {
    int pause_ready;            /* futex: 1 once pause_ns is set */
    uint64_t pause_ns;
    int done;                   /* child finished (either way) */
    int status;                 /* 0 written, else failed */
    int err;                    /* errno of the failure, 0 if none */
    char msg[512];              /* why it failed */
    uint64_t blocks, bytes;     /* nodes written and their total size */
    uint64_t file_bytes;
    uint64_t child_ns;
    char path[PATH_MAX];        /* the final file */
    size_t warn_len;
    uint32_t nwarn;
    char warn[MD_SHARED_WARN];  /* newline-separated */
} md_shared;

void md_shared_add_warning(md_shared *sh, const char *msg, size_t len);

#endif
