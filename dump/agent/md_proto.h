/* md_proto.h — the request protocol between `memdump --pid` and the agent's control thread.
 *
 * Discovery: the agent names its control thread "memdump:<signal>" (/proc/PID/task/TID/comm),
 * which tells the requester both that the agent is running and which signal it listens to.
 *
 * A request: the requester listens on a fresh abstract unix socket named
 * "\0memdump-req.<requester pid>.<nonce>", then queues the signal to the control thread with
 * rt_tgsigqueueinfo (si_code SI_QUEUE, si_value = nonce), so no application thread is ever
 * interrupted. The handler records (si_pid, nonce) and wakes the control thread, which connects
 * to that name, checks the peer's credentials (same uid or root, and pid = si_pid), reads the
 * request, takes the snapshot and writes the reply. A signal without a nonce (plain kill) just
 * takes a snapshot into the default directory.
 *
 * Messages are "key=value" lines ending with an empty line, at most MD_PROTO_MAX bytes.
 *   request:  "memdump-request 1", "path=/abs/file.dump" (optional), "timeout_ms=N" (optional),
 *             "safe_point_ms=N" (optional: how long the runtime may take to reach a safe point)
 *   reply:    "status=ok" or "status=error", then path, seq, blocks, bytes, file_bytes, pause_ns,
 *             child_ns, message, and any number of "warning=" lines.
 * The agent sends "hello=1" as soon as it has accepted a request, so the requester can tell an
 * agent that never answered from a snapshot that takes long.
 */
#ifndef MD_PROTO_H
#define MD_PROTO_H

#include <stddef.h>

#define MD_PROTO_MAX 8192
#define MD_CONTROL_COMM "memdump:"
#define MD_SOCK_PREFIX "memdump-req."

/* Fills sun_path bytes (leading NUL included) into buf; returns the length to use. */
static inline size_t md_proto_sockname(char *buf, size_t cap, int reqpid, unsigned nonce)
{
    /* "\0memdump-req.<pid>.<nonce>" without snprintf (used in the agent) */
    size_t n = 0;
    const char *p = MD_SOCK_PREFIX;
    char tmp[24];
    if (cap < 48) return 0;
    buf[n++] = 0;
    while (*p) buf[n++] = *p++;
    int k = 0;
    unsigned v = (unsigned)reqpid;
    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (k) buf[n++] = tmp[--k];
    buf[n++] = '.';
    v = nonce;
    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (k) buf[n++] = tmp[--k];
    return n;
}

#endif
