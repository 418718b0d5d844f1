/* plugin_test.c — a trivial walker plugin, to test the agent's plugin interface without Python.
 *
 * Loaded with MEMDUMP_PLUGIN=build/tests/agent/plugin_test.so. Its walk emits one synthetic
 * node (type "test.Thing", size 4242, a Python-style frame as its site, one edge to itself) and a
 * warning "test plugin walked (prepare N, release M)". MDTEST_PLUGIN_SLEEP_MS=N makes the walk
 * sleep that long ignoring the deadline (to test the parent's enforcement); MDTEST_PLUGIN_FAIL=1
 * makes prepare fail.
 */
#include "md_plugin.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int prepared, released, sleep_ms, fail;

static int init(const md_plugin_env *env, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const char *s = getenv("MDTEST_PLUGIN_SLEEP_MS");
    sleep_ms = s ? atoi(s) : 0;
    fail = getenv("MDTEST_PLUGIN_FAIL") != NULL;
    if (env->log) env->log("test plugin ready");
    return 0;
}

static int prepare(uint64_t timeout_ns, char *err, size_t errlen)
{
    (void)timeout_ns;
    if (fail) {
        strncpy(err, "the test plugin refuses", errlen - 1);
        err[errlen - 1] = 0;
        return -1;
    }
    prepared++;
    return 0;
}

static void release(void) { released++; }

static int walk(md_child *c)
{
    if (sleep_ms) {
        struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
    uint32_t t = md_child_type(c, "test.Thing", 10, MD_TYPE_PYTHON, 0);
    uint32_t fn = md_child_string(c, "walker", 6), file = md_child_string(c, "test.py", 7);
    uint32_t fr = md_child_frame_py(c, fn, file, 7);
    uint32_t st = md_child_stack(c, &fr, 1);
    md_node n;
    memset(&n, 0, sizeof n);
    n.addr = 0x1000;
    n.size = 4242;
    n.type = t;
    n.stack = st;
    n.flags = MD_NODE_PYOBJ;
    md_writer *w = md_child_writer(c);
    md_w_node(w, &n);
    md_w_edge(w, 0x1000, MD_LABEL_INDEX(0));
    md_root r = { MD_ROOT_PY_MODULE, 0x1000, md_child_string(c, "module:test", 11), 0 };
    md_w_root(w, &r);
    md_child_warn(c, "test plugin walked (prepare %d, release %d)", prepared, released);
    return md_child_readable(c, (uint64_t)(uintptr_t)&prepared, sizeof prepared) ? 0 : -1;
}

static const md_plugin plugin = {
    MD_PLUGIN_ABI, "test plugin", 0, "0.0-test", init, prepare, release, walk, NULL, NULL,
};

__attribute__((visibility("default"))) const md_plugin *memdump_plugin(void) { return &plugin; }
