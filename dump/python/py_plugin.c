/* py_plugin.c — the CPython walker plugin: memdump_plugin() and its five entry points.
 *
 * Built once per CPython installation (build/lib/memdump-py/python-X.Y.Z.so). The agent loads
 * the file named after Py_GetVersion()'s version; init checks again, and then checks that this
 * interpreter's layout is the one compiled in (type sizes, the GC and interpreter structures),
 * refusing with a message otherwise: a walk with a wrong layout would write nonsense.
 *
 *   init     parent: checks; finds the interpreter image (static objects); --python-sites hooks
 *   prepare  parent: the GIL, through py_gil.c, within the agent's timeout
 *   release  parent: gives the GIL back
 *   walk     child: py_walk()
 *
 * And the two optional entries of ABI 2:
 *   preinit  for --python-sites: hooks in before Py_Initialize (see below)
 *   defer    for the --at-peak trigger: run the agent's function at the next safe point
 */
#include "md_plugin.h"
#include "py_core.h"
#include "py_gil.h"
#include "py_plugin.h"
#include "py_sites.h"
#include "py_walk.h"

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int init(const md_plugin_env *env, char *err, size_t errlen);
static int prepare(uint64_t timeout_ns, char *err, size_t errlen);
static void release(void);
static int walk(md_child *c);
static int preinit(const md_plugin_env *env);
static int defer(void (*fn)(void *), void *arg);

static md_plugin plugin = {
    .abi = MD_PLUGIN_ABI,
    .name = "python " MD_PY_VERSION,
    .mode = MD_MODE_PYTHON,
    .runtime_version = MD_PY_VERSION,
    .init = init,
    .prepare = prepare,
    .release = release,
    .walk = walk,
    .preinit = preinit,
    .defer = defer,
};

static pw_config cfg;
static int in_pending_call;         /* a deferred function (memdump_plugin_defer) is running */
static int caller_holds_gil;        /* prepare found the GIL already held by its own thread */

__attribute__((visibility("default"))) const md_plugin *memdump_plugin(void)
{
    return &plugin;
}

/* ---- init ------------------------------------------------------------------------------- */

struct core_search { uint64_t anchor, lo, hi; };

static int find_core(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct core_search *cs = data;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t a = info->dlpi_addr + ph->p_vaddr;
        if (a < lo) lo = a;
        if (a + ph->p_memsz > hi) hi = a + ph->p_memsz;
    }
    if (cs->anchor >= lo && cs->anchor < hi) {
        cs->lo = lo;
        cs->hi = hi;
        return 1;
    }
    return 0;
}

/* The interpreter's own binary or libpython: where None, small ints, static types and the
 * deep-frozen objects live. Found by the program headers of the object holding _PyRuntime. */
int py_core_range(uint64_t *lo, uint64_t *hi)
{
    struct core_search cs = {PA(&_PyRuntime), 0, 0};
    dl_iterate_phdr(find_core, &cs);
    *lo = cs.lo;
    *hi = cs.hi;
    return cs.hi ? 0 : -1;
}

#define CHECK(cond, what) \
    do { if (!(cond)) { snprintf(err, errlen, "this interpreter's layout differs from the one " \
                                 "the walker was built for (%s)", what); return -1; } } while (0)

/* The layout compiled in must be this interpreter's: sizes of the core types, and invariants
 * of the runtime structures the child reads without the interpreter's help. */
int py_layout_check(char *err, size_t errlen)
{
    const char *v = Py_GetVersion();
    size_t n = strlen(MD_PY_VERSION);
    if (strncmp(v, MD_PY_VERSION, n) != 0 || (v[n] != ' ' && v[n] != 0)) {
        snprintf(err, errlen, "built for Python %s, but this is Python %.20s", MD_PY_VERSION, v);
        return -1;
    }
    CHECK(PyTuple_Type.tp_basicsize == (Py_ssize_t)(sizeof(PyTupleObject) - sizeof(PyObject *)), "tuple");
    CHECK(PyList_Type.tp_basicsize == (Py_ssize_t)sizeof(PyListObject), "list");
    CHECK(PyDict_Type.tp_basicsize == (Py_ssize_t)sizeof(PyDictObject), "dict");
    CHECK(PySet_Type.tp_basicsize == (Py_ssize_t)sizeof(PySetObject), "set");
    CHECK(PyUnicode_Type.tp_basicsize == (Py_ssize_t)sizeof(PyUnicodeObject), "str");
    CHECK(PyLong_Type.tp_basicsize == (Py_ssize_t)offsetof(PyLongObject, ob_digit), "int");
    CHECK(PyType_Type.tp_basicsize == (Py_ssize_t)sizeof(PyHeapTypeObject), "type");
    CHECK(PyFunction_Type.tp_basicsize == (Py_ssize_t)sizeof(PyFunctionObject), "function");
    CHECK(PyModule_Type.tp_basicsize == (Py_ssize_t)sizeof(PyModuleObject), "module");
    CHECK(PyCell_Type.tp_basicsize == (Py_ssize_t)sizeof(PyCellObject), "cell");
    CHECK(PyCode_Type.tp_basicsize == (Py_ssize_t)offsetof(PyCodeObject, co_code_adaptive), "code");
    CHECK(PyGen_Type.tp_basicsize ==
          (Py_ssize_t)(offsetof(PyGenObject, gi_iframe) + offsetof(_PyInterpreterFrame, localsplus)),
          "generator");
    CHECK(PyFrame_Type.tp_basicsize ==
          (Py_ssize_t)(offsetof(PyFrameObject, _f_frame_data) + offsetof(_PyInterpreterFrame, localsplus)),
          "frame");
    PyInterpreterState *in = PyInterpreterState_Main();
    CHECK(in && in == _PyRuntime.interpreters.main, "runtime state");
    CHECK(in->gc.generation0 == &in->gc.generations[0].head, "GC state");
    CHECK(PyInterpreterState_GetID(in) == in->id, "interpreter state");
    PyThreadState *ts = PyInterpreterState_ThreadHead(in);
    CHECK(ts && ts->interp == in && PyThreadState_GetInterpreter(ts) == in, "thread state");
    return 0;
}

/* sys._memdump_walker = "python X.Y.Z" (and sys._memdump_sites = True): tells the `memdump`
 * module that the walker is in place, so its first snapshot, or code that wants allocation
 * sites from its first line, can wait for it (the agent loads us a few ms after start-up).
 * Runs on the GIL helper, holding the GIL. */
static void announce(void *arg)
{
    int sites = *(int *)arg;
    PyObject *name = PyUnicode_FromString(plugin.name);
    if (name) {
        PySys_SetObject("_memdump_walker", name);
        Py_DECREF(name);
    }
    if (sites)
        PySys_SetObject("_memdump_sites", Py_True);
    PyErr_Clear();
}

/* Does the calling thread hold the GIL? (A snapshot requested from Python code itself, e.g.
 * memdump.snapshot() through a ctypes PyDLL call, or at a pending call.) Then it is already at a
 * safe point, and asking the helper to take the GIL would wait for ourselves forever. */
static int gil_held_here(void)
{
    if (!Py_IsInitialized())
        return 0;
    PyThreadState *cur = _PyThreadState_GET();
    return cur && cur == PyGILState_GetThisThreadState();
}

/* Hold the GIL for init's own work: through the helper, unless the calling thread holds it
 * already (a snapshot asked for from Python code loads the walker itself, see md_plugin_ensure:
 * the helper would wait for us). Returns 1 when the helper was used, 0 when not, -1 on failure. */
static int init_gil(uint64_t timeout_ns, char *err, size_t errlen)
{
    if (gil_held_here())
        return 0;
    return pygil_acquire(timeout_ns, err, errlen) ? -1 : 1;
}

static int init(const md_plugin_env *env, char *err, size_t errlen)
{
    if (py_layout_check(err, errlen))
        return -1;
    if (py_core_range(&cfg.core_lo, &cfg.core_hi)) {
        snprintf(err, errlen, "cannot find the interpreter's image in memory");
        return -1;
    }
    if (pygil_start(err, errlen))
        return -1;
    if (env && env->python_sites) {
        /* under the GIL even when preinit put the hooks in: the free lists are emptied now */
        char gerr[200];
        int helper = init_gil(5000000000ull, gerr, sizeof gerr);
        if (helper < 0) {
            snprintf(err, errlen, "cannot install the --python-sites hooks: %s", gerr);
            return -1;
        }
        int rc = pysites_install(err, errlen);
        if (helper)
            pygil_release();
        if (rc)
            return -1;
        plugin.mode |= MD_MODE_PYTHON_SITES;
    }
    char gerr[200];
    int helper = init_gil(1000000000ull, gerr, sizeof gerr);
    if (helper >= 0) {
        int sites = (plugin.mode & MD_MODE_PYTHON_SITES) != 0;
        if (helper) {
            pygil_run(announce, &sites);
            pygil_release();
        } else {
            announce(&sites);
        }
    }
    return 0;
}

/* ---- snapshot ------------------------------------------------------------------------------ */

static int prepare(uint64_t timeout_ns, char *err, size_t errlen)
{
    cfg.sites = pysites_get();
    if (gil_held_here()) {
        caller_holds_gil = 1;
        cfg.skip_tstate = 0;
        cfg.snap_tstate = PA(_PyThreadState_GET());
        cfg.between_instructions = in_pending_call;
        return 0;
    }
    caller_holds_gil = 0;
    cfg.snap_tstate = 0;
    cfg.between_instructions = 0;
    if (pygil_acquire(timeout_ns, err, errlen))
        return -1;
    cfg.skip_tstate = pygil_tstate();
    return 0;
}

static void release(void)
{
    if (!caller_holds_gil)
        pygil_release();
}

static int walk(md_child *c)
{
    return py_walk(c, &cfg);
}

/* ---- --python-sites from the first allocation ------------------------------------------------------
 *
 * init runs once the interpreter is up, found by the agent's control thread polling; a short
 * program may have made the objects it cares about by then, and they would have no site. Called
 * from the agent's constructor instead — before main(), while the process has a single thread and
 * Python is not initialized — this installs the allocator hooks at once, so every object of the
 * program gets its traceback (those made before the first frame runs get none). Returns 0, or -1
 * when Python is already running (too late: init will do it under the GIL). */
static int preinit(const md_plugin_env *env)
{
    char err[128];
    if (!env || !env->python_sites || Py_IsInitialized())
        return -1;
    return pysites_install(err, sizeof err);
}

/* ---- deferred work at the next safe point ---------------------------------------------------------
 *
 * A short-lived peak (an 800 KB array allocated and freed on the next line) is gone by the time
 * the control thread could take the GIL. The allocating thread itself cannot snapshot inside its
 * malloc (the object being built is half-initialized), but the interpreter offers the moment just
 * after: a pending call (Py_AddPendingCall) runs on the main thread at its next eval-breaker check,
 * typically as the allocating call returns, before its result is stored or dropped, with the GIL
 * held. The agent calls defer(fn, arg) from the allocation that crossed the peak;
 * fn runs then, and may take the snapshot right there (prepare sees the GIL held by its own thread
 * and does not wait for it). Safe to call from any thread, with or without the GIL, without
 * allocating. Returns 0 when scheduled, -1 when not (interpreter not running, queue full). */

#define DEFER_SLOTS 16
static struct defer_slot { void (*fn)(void *); void *arg; int busy; } slots[DEFER_SLOTS];

static int run_deferred(void *p)
{
    struct defer_slot *s = p;
    void (*fn)(void *) = s->fn;
    void *arg = s->arg;
    __atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
    in_pending_call = 1;
    fn(arg);
    in_pending_call = 0;
    return 0;
}

static int defer(void (*fn)(void *), void *arg)
{
    if (!fn || !Py_IsInitialized() || _Py_IsFinalizing())
        return -1;
    for (int i = 0; i < DEFER_SLOTS; i++) {
        if (__atomic_exchange_n(&slots[i].busy, 1, __ATOMIC_ACQUIRE))
            continue;
        slots[i].fn = fn;
        slots[i].arg = arg;
        if (Py_AddPendingCall(run_deferred, &slots[i]) == 0)
            return 0;
        __atomic_store_n(&slots[i].busy, 0, __ATOMIC_RELEASE);
        return -1;
    }
    return -1;
}
