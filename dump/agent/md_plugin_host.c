/* md_plugin_host.c — finding and loading the walker plugin (interface in md_plugin.h).
 *
 * Detection (constructor): the process is Python if Py_GetVersion and Py_IsInitialized resolve
 * in the global scope (python3 exports them from the executable; an embedding program from
 * libpython). Loading happens later, on the control thread, once Py_IsInitialized() returns true:
 * polled every 2 ms at first, backing off to 50 ms, for at most 60 s (a program that embeds
 * Python but never starts it simply gets no walker). The plugin file must match the running
 * interpreter's version exactly: <libdir>/memdump-py/python-X.Y.Z.so, libdir being the directory
 * libmemdump.so was loaded from. Without it, a message on stderr and a WARNING in every dump say
 * so — walking with the wrong struct layouts would produce nonsense.
 *
 * MEMDUMP_PLUGIN=/path/to/plugin.so loads that plugin right away, in any process (tests).
 */
#include "md_agent.h"
#include "md_fmt.h"
#include "md_sys.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#define POLL_FIRST_NS 2000000ll
#define POLL_MAX_NS 50000000ll
#define POLL_GIVE_UP_NS 60000000000ull

static const char *(*py_version)(void);
static int (*py_initialized)(void);
static int done;
static int64_t interval = POLL_FIRST_NS;
static uint64_t started;

void md_plugin_detect(void)
{
    py_version = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
    py_initialized = (int (*)(void))dlsym(RTLD_DEFAULT, "Py_IsInitialized");
    md_g.python = py_version && py_initialized;
    if (!md_g.python && !md_g.cfg.plugin[0]) done = 1;
}

static void plugin_log(const char *msg) { md_log("%s", msg); }

static void refuse(const char *fmt, const char *a, const char *b)
{
    md_fmt(md_g.plugin_warning, sizeof md_g.plugin_warning, fmt, a, b);
    md_log("%s", md_g.plugin_warning);
}

static void load(const char *path, const char *what)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        refuse("cannot load the walker plugin %s: %s", path, e ? e : "unknown error");
        return;
    }
    md_plugin_entry_fn entry = (md_plugin_entry_fn)dlsym(h, MD_PLUGIN_ENTRY);
    const md_plugin *p = entry ? entry() : NULL;
    if (!p || p->abi != MD_PLUGIN_ABI) {
        refuse("%s is not a memdump walker plugin of ABI version 1%s", path, "");
        return;
    }
    static md_plugin_env env;
    env.python_sites = md_g.cfg.python_sites;
    env.lib_dir = md_g.lib_dir;
    env.log = plugin_log;
    char err[256] = "";
    if (p->init && p->init(&env, err, sizeof err) != 0) {
        refuse("the %s walker did not start: %s", p->name ? p->name : what, err[0] ? err : "error");
        return;
    }
    md_g.mode |= p->mode;
    __atomic_store_n(&md_g.plugin, p, __ATOMIC_RELEASE);
}

int64_t md_plugin_poll(void)
{
    if (done) return -1;
    if (md_g.cfg.plugin[0]) {
        done = 1;
        load(md_g.cfg.plugin, "test");
        return -1;
    }
    uint64_t now = md_now_ns();
    if (!started) started = now;
    if (!py_initialized()) {
        if (now - started > POLL_GIVE_UP_NS) { done = 1; return -1; }
        int64_t w = interval;
        interval = interval * 2 > POLL_MAX_NS ? POLL_MAX_NS : interval * 2;
        return w;
    }
    done = 1;
    const char *v = py_version();
    char ver[32];
    size_t n = 0;
    while (v[n] && v[n] != ' ' && n + 1 < sizeof ver) { ver[n] = v[n]; n++; }
    ver[n] = 0;
    char path[PATH_MAX];
    md_fmt(path, sizeof path, "%s/memdump-py/python-%s.so", md_g.lib_dir, ver);
    if (access(path, R_OK) != 0) {
        refuse("no Python walker for Python %s (looked for %s): Python objects are not dumped",
               ver, path);
        return -1;
    }
    load(path, "python");
    return -1;
}
