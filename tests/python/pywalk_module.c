/* pywalk_module.c — `_mdpywalk`, a CPython extension that drives the walker without the agent.
 *
 * Tests of the Python walker (tests/python/test_*.py, run by tests/e2e/python_walker.sh) import
 * it to take a dump of their own process the way the agent would: with the GIL held (they call
 * it from Python), clone a child, and in the child run py_walk() into a .dump file through the
 * stand-in md_child of pytest_child.c. It also exposes the walker's pieces for direct checks:
 * the size of one object, the line-table decoder, the layout check.
 */
#include "md_plugin.h"
#include "md_writer.h"
#include "py_core.h"
#include "py_linetable.h"
#include "py_maps.h"
#include "py_plugin.h"
#include "py_sites.h"
#include "py_size.h"
#include "py_types.h"
#include "py_walk.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

md_child *pytest_child_init(md_writer *w, uint64_t timeout_ns);

static int child_main(const char *path, const pw_config *cfg, uint64_t timeout_ns)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return 3;
    void *mem = mmap(NULL, MD_WRITER_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static md_writer w;
    if (mem == MAP_FAILED || md_writer_init(&w, mem, MD_WRITER_MEM_SIZE, md_fd_sink, &fd, 1))
        return 4;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    md_process p = {0};
    p.pid = (uint64_t)getppid();
    p.exe = (md_str){"python", 6};
    p.time_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    p.python_version = (md_str){MD_PY_VERSION, (uint32_t)strlen(MD_PY_VERSION)};
    md_w_process(&w, &p);
    md_child *c = pytest_child_init(&w, timeout_ns);
    uint64_t t0 = (uint64_t)clock();
    int rc = py_walk(c, cfg);
    md_snapshot s = {0};
    s.reason = (md_str){"test", 4};
    s.mode = MD_MODE_PYTHON | (cfg->sites ? MD_MODE_PYTHON_SITES : 0);
    s.seq = 1;
    s.child_ns = ((uint64_t)clock() - t0) * (1000000000u / CLOCKS_PER_SEC);
    md_w_snapshot(&w, &s);
    if (md_writer_finish(&w)) {
        const char *e = md_writer_error(&w);
        (void)!write(2, e, strlen(e));
        (void)!write(2, "\n", 1);
        return 5;
    }
    if (fsync(fd))
        return 6;
    close(fd);
    return rc ? 2 : 0;
}

static int in_deferred;     /* dump() called from a pending call (alloc_then_defer) */

/* dump(path, timeout=60.0) -> exit status of the snapshot child (0 = written). */
static PyObject *dump(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    double timeout = 60.0;
    if (!PyArg_ParseTuple(args, "s|d", &path, &timeout))
        return NULL;
    static pw_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (py_core_range(&cfg.core_lo, &cfg.core_hi))
        return PyErr_Format(PyExc_RuntimeError, "cannot find the interpreter image");
    cfg.sites = pysites_get();
    cfg.snap_tstate = PA(_PyThreadState_GET());       /* we hold the GIL: this thread snapshots */
    cfg.between_instructions = in_deferred;
    /* a raw clone, as the agent does: no atfork handlers, the child has this thread only */
    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
    if (pid < 0)
        return PyErr_SetFromErrno(PyExc_OSError);
    if (pid == 0)
        _exit(child_main(path, &cfg, (uint64_t)(timeout * 1e9)));
    int status = 0;
    Py_BEGIN_ALLOW_THREADS
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* size(obj) -> the node size the walker gives obj. */
static PyObject *size(PyObject *self, PyObject *o)
{
    (void)self;
    uint64_t lo, hi;
    py_core_range(&lo, &hi);
    pymaps_load();
    pymaps_set_core(lo, hi);
    pyt_init(0);
    pytinfo *ti = pyt_get(PA(Py_TYPE(o)));
    int owns = 0;
    uint64_t n = ti && (ti->flags & TI_VALID) ? py_size(o, ti, &owns) : 0;
    pyt_free();
    pymaps_free();
    return PyLong_FromUnsignedLongLong(n);
}

/* addr2line(code, byte_offset) -> line (or None). */
static PyObject *addr2line(PyObject *self, PyObject *args)
{
    (void)self;
    PyCodeObject *co;
    int off;
    if (!PyArg_ParseTuple(args, "O!i", &PyCode_Type, &co, &off))
        return NULL;
    PyObject *lt = co->co_linetable;
    int line = py_addr2line((const uint8_t *)PyBytes_AS_STRING(lt), (size_t)PyBytes_GET_SIZE(lt),
                            co->co_firstlineno, off);
    if (line < 0)
        Py_RETURN_NONE;
    return PyLong_FromLong(line);
}

const md_plugin *memdump_plugin(void);

static char deferred_path[4096];
static int deferred_rc = -1;

static void deferred_dump(void *arg)
{
    (void)arg;
    in_deferred = 1;
    PyObject *r = dump(NULL, Py_BuildValue("(s)", deferred_path));
    in_deferred = 0;
    deferred_rc = r ? (int)PyLong_AsLong(r) : -1;
    Py_XDECREF(r);
}

/* alloc_then_defer(nbytes, path) -> bytearray: allocates, then asks for a dump at the next safe
 * point through the plugin's defer entry, the way the agent's --at-peak does from an allocation. */
static PyObject *alloc_then_defer(PyObject *self, PyObject *args)
{
    (void)self;
    Py_ssize_t n;
    const char *path;
    if (!PyArg_ParseTuple(args, "ns", &n, &path))
        return NULL;
    PyObject *b = PyByteArray_FromStringAndSize(NULL, n);
    if (!b)
        return NULL;
    snprintf(deferred_path, sizeof deferred_path, "%s", path);
    deferred_rc = -1;
    if (memdump_plugin()->defer(deferred_dump, NULL) != 0) {
        Py_DECREF(b);
        return PyErr_Format(PyExc_RuntimeError, "the plugin's defer refused");
    }
    return b;
}

static PyObject *deferred_status(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    return PyLong_FromLong(deferred_rc);
}

static PyObject *layout_check(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    char err[256];
    if (py_layout_check(err, sizeof err))
        return PyUnicode_FromString(err);
    Py_RETURN_NONE;
}

static PyObject *sites(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    char err[256];
    if (pysites_install(err, sizeof err))
        return PyErr_Format(PyExc_RuntimeError, "%s", err);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"dump", dump, METH_VARARGS, "dump(path, timeout=60.0): snapshot this process into path"},
    {"size", size, METH_O, "size(obj): the walker's size of obj"},
    {"addr2line", addr2line, METH_VARARGS, "addr2line(code, offset): line of an instruction"},
    {"layout_check", layout_check, METH_NOARGS, "None if the layout matches, else why not"},
    {"install_sites", sites, METH_NOARGS, "install the --python-sites allocator hooks"},
    {"alloc_then_defer", alloc_then_defer, METH_VARARGS, "allocate, then dump at the next safe point"},
    {"deferred_status", deferred_status, METH_NOARGS, "exit status of the deferred dump (-1 = none)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_mdpywalk", NULL, -1, methods,
                                 NULL, NULL, NULL, NULL};

__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit__mdpywalk(void)
{
    return PyModule_Create(&mod);
}
