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
 * Two exceptions to loading late. With --python-sites the constructor already dlopen()s the
 * plugin and calls its preinit, so the allocator hooks see the program's first object; init
 * still waits for the interpreter. And a snapshot asked for before the control thread's next
 * poll loads the plugin itself (md_plugin_ensure), so an early dump is not missing the Python
 * heap. `loading` makes sure one thread at a time does it; `done` ends the polling.
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
#define ENSURE_WAIT_MS 10000    /* how long a snapshot waits for the control thread's load */

static const char *(*py_version)(void);
static int (*py_initialized)(void);
static const md_plugin *early;      /* opened by the constructor (--python-sites), not started */
static int done, loading;
static int64_t interval = POLL_FIRST_NS;
static uint64_t started;
static md_plugin_env env;

static void plugin_log(const char *msg) { md_log("%s", msg); }

static void refuse(const char *fmt, const char *a, const char *b)
{
    md_fmt(md_g.plugin_warning, sizeof md_g.plugin_warning, fmt, a, b);
    md_log("%s", md_g.plugin_warning);
}

/* <libdir>/memdump-py/python-X.Y.Z.so for the running interpreter; 0 when the file exists. */
static int python_plugin_path(char *path, size_t cap)
{
    const char *v = py_version();
    char ver[32];
    size_t n = 0;
    while (v && v[n] && v[n] != ' ' && n + 1 < sizeof ver) { ver[n] = v[n]; n++; }
    ver[n] = 0;
    md_fmt(path, cap, "%s/memdump-py/python-%s.so", md_g.lib_dir, ver);
    if (access(path, R_OK) == 0) return 0;
    refuse("no Python walker for Python %s (looked for %s): Python objects are not dumped", ver, path);
    return -1;
}

static const md_plugin *open_plugin(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        refuse("cannot load the walker plugin %s: %s", path, e ? e : "unknown error");
        return NULL;
    }
    md_plugin_entry_fn entry = (md_plugin_entry_fn)dlsym(h, MD_PLUGIN_ENTRY);
    const md_plugin *p = entry ? entry() : NULL;
    if (!p || p->abi != MD_PLUGIN_ABI) {
        char want[16];
        md_fmt(want, sizeof want, "%u", (unsigned)MD_PLUGIN_ABI);
        refuse("%s is not a memdump walker plugin of ABI version %s (a stale build?)", path, want);
        return NULL;
    }
    return p;
}

static void start(const md_plugin *p, const char *what)
{
    char err[256] = "";
    if (p->init && p->init(&env, err, sizeof err) != 0) {
        refuse("the %s walker did not start: %s", p->name ? p->name : what, err[0] ? err : "error");
        return;
    }
    md_g.mode |= p->mode;
    __atomic_store_n(&md_g.plugin, p, __ATOMIC_RELEASE);
}

void md_plugin_detect(void)
{
    py_version = (const char *(*)(void))dlsym(RTLD_DEFAULT, "Py_GetVersion");
    py_initialized = (int (*)(void))dlsym(RTLD_DEFAULT, "Py_IsInitialized");
    md_g.python = py_version && py_initialized;
    env.python_sites = md_g.cfg.python_sites;
    env.lib_dir = md_g.lib_dir;
    env.log = plugin_log;
    if (!md_g.python && !md_g.cfg.plugin[0]) done = 1;
    if (!md_g.python || md_g.cfg.plugin[0] || !md_g.cfg.python_sites || py_initialized())
        return;
    /* Py_GetVersion only formats constants: safe before Py_Initialize */
    char path[PATH_MAX];
    if (python_plugin_path(path, sizeof path) < 0 || !(early = open_plugin(path))) {
        done = 1;
        return;
    }
    if (early->preinit) early->preinit(&env);   /* on failure init installs the hooks late */
}

/* 1 when finished (started, or refused for good), 0 when the runtime is not up yet. */
static int try_load(void)
{
    if (md_g.cfg.plugin[0]) {
        const md_plugin *p = open_plugin(md_g.cfg.plugin);
        if (p) start(p, "test");
        return 1;
    }
    if (!py_initialized()) return 0;
    if (early) {
        start(early, "python");
        return 1;
    }
    char path[PATH_MAX];
    const md_plugin *p = python_plugin_path(path, sizeof path) == 0 ? open_plugin(path) : NULL;
    if (p) start(p, "python");
    return 1;
}

int64_t md_plugin_poll(void)
{
    if (__atomic_load_n(&done, __ATOMIC_ACQUIRE)) return -1;
    if (__atomic_exchange_n(&loading, 1, __ATOMIC_ACQUIRE)) return POLL_FIRST_NS;  /* a snapshot is at it */
    int finished = __atomic_load_n(&done, __ATOMIC_ACQUIRE) || try_load();
    if (!finished) {
        uint64_t now = md_now_ns();
        if (!started) started = now;
        finished = now - started > POLL_GIVE_UP_NS;
    }
    if (finished) __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&loading, 0, __ATOMIC_RELEASE);
    if (finished) return -1;
    int64_t w = interval;
    interval = interval * 2 > POLL_MAX_NS ? POLL_MAX_NS : interval * 2;
    return w;
}

void md_plugin_ensure(void)
{
    if (__atomic_load_n(&done, __ATOMIC_ACQUIRE)) return;
    for (int ms = 0; __atomic_exchange_n(&loading, 1, __ATOMIC_ACQUIRE); ms++) {
        if (ms >= ENSURE_WAIT_MS || __atomic_load_n(&done, __ATOMIC_ACQUIRE)) return;
        md_sleep_ns(1000000);
    }
    if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE) && try_load())
        __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&loading, 0, __ATOMIC_RELEASE);
}
