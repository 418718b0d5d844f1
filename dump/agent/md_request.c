/* md_request.c — serving `memdump --pid` (protocol in md_proto.h).
 *
 * The control thread connects to the requester's abstract socket, whose name it derives from the
 * signal's sender pid and nonce, and checks with SO_PEERCRED that the listener is that process
 * and runs as our user or as root — a process that merely guessed the name gets nothing. Reads
 * and writes have a 5-second timeout, so a stuck requester cannot hold the control thread.
 */
#include "md_request.h"
#include "md_agent.h"
#include "md_fmt.h"
#include "md_proto.h"
#include "md_snapshot.h"
#include "md_sys.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct outbuf { char b[MD_PROTO_MAX]; size_t n; } outbuf;

static void add(outbuf *o, const char *key, const char *val)
{
    /* values never contain newlines: replace them */
    size_t room = sizeof o->b - o->n;
    size_t k = md_fmt(o->b + o->n, room, "%s=", key);
    for (const char *p = val; *p && o->n + k + 2 < sizeof o->b; p++)
        o->b[o->n + k++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    if (o->n + k + 1 < sizeof o->b) o->b[o->n + k++] = '\n';
    o->n += k;
    o->b[o->n] = 0;
}

static void add_u(outbuf *o, const char *key, uint64_t v)
{
    char num[24];
    md_fmt(num, sizeof num, "%lu", (unsigned long)v);
    add(o, key, num);
}

static const char *field(const char *msg, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = msg; *p;) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t n = 0;
            while (v[n] && v[n] != '\n' && n + 1 < cap) { out[n] = v[n]; n++; }
            out[n] = 0;
            return out;
        }
        while (*p && *p != '\n') p++;
        if (*p) p++;
    }
    return NULL;
}

void md_request_serve(pid_t reqpid, uint32_t nonce)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t len = md_proto_sockname(sa.sun_path, sizeof sa.sun_path, (int)reqpid, nonce);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    struct timeval tv = { 5, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
        md_log("snapshot request from pid %d: cannot reach it (%s)", (int)reqpid,
               strerrordesc_np(errno));
        close(fd);
        return;
    }
    struct ucred cr;
    socklen_t crl = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0 || cr.pid != reqpid ||
        (cr.uid != getuid() && cr.uid != 0)) {
        md_log("snapshot request from pid %d refused: the requester is not who it claims",
               (int)reqpid);
        close(fd);
        return;
    }
    char req[MD_PROTO_MAX];
    size_t n = 0;
    while (n + 1 < sizeof req) {
        ssize_t k = read(fd, req + n, sizeof req - 1 - n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        n += (size_t)k;
        req[n] = 0;
        if (strstr(req, "\n\n")) break;
    }
    req[n] = 0;
    if (strncmp(req, "memdump-request 1\n", 18) != 0) {
        close(fd);
        return;
    }
    md_write_all(fd, "hello=1\n", 8);
    char path[PATH_MAX], tmo[32], spt[32];
    md_snap_opts o;
    memset(&o, 0, sizeof o);
    o.reason = "signal";
    if (field(req, "path", path, sizeof path) && path[0]) o.path = path;
    if (field(req, "timeout_ms", tmo, sizeof tmo)) o.timeout_ns = md_parse_u64(tmo, NULL) * 1000000ull;
    if (field(req, "safe_point_ms", spt, sizeof spt))
        o.safe_point_ns = md_parse_u64(spt, NULL) * 1000000ull;
    md_snap_result r;
    md_snapshot_take(&o, &r);
    static outbuf out;
    out.n = 0;
    add(&out, "status", r.ok ? "ok" : "error");
    if (r.ok) add(&out, "path", r.path);
    else add(&out, "message", r.msg);
    add_u(&out, "seq", r.seq);
    add_u(&out, "blocks", r.blocks);
    add_u(&out, "bytes", r.bytes);
    add_u(&out, "file_bytes", r.file_bytes);
    add_u(&out, "pause_ns", r.pause_ns);
    add_u(&out, "child_ns", r.child_ns);
    add_u(&out, "errno", (uint64_t)r.err);
    for (char *w = r.warnings; *w;) {
        char *e = strchr(w, '\n');
        if (e) *e = 0;
        add(&out, "warning", w);
        if (!e) break;
        w = e + 1;
    }
    if (out.n + 1 < sizeof out.b) out.b[out.n++] = '\n';
    md_write_all(fd, out.b, out.n);
    close(fd);
    if (!r.ok) md_log("snapshot requested by pid %d failed: %s", (int)reqpid, r.msg);
}
