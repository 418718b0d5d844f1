/* py_gil.c — the GIL-holding helper thread (see py_gil.h). */
#include "py_gil.h"
#include "py_core.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { IDLE, REQUESTED, WAITING, HELD, ABANDONED };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static int state = IDLE;
static int release_req;
static void (*job)(void *);
static void *job_arg;
static uint64_t held_tstate;
static int started;

static void *helper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (state != REQUESTED)
            pthread_cond_wait(&cv, &mu);
        state = WAITING;
        pthread_mutex_unlock(&mu);
        PyGILState_STATE g = PyGILState_Ensure();   /* may take as long as the GIL's holder likes */
        pthread_mutex_lock(&mu);
        if (state == ABANDONED) {
            state = IDLE;
            pthread_mutex_unlock(&mu);
            PyGILState_Release(g);
            pthread_mutex_lock(&mu);
            pthread_cond_broadcast(&cv);
            continue;
        }
        held_tstate = PA(PyThreadState_Get());
        state = HELD;
        pthread_cond_broadcast(&cv);
        for (;;) {
            while (!release_req && !job)
                pthread_cond_wait(&cv, &mu);
            if (job) {
                void (*fn)(void *) = job;
                void *a = job_arg;
                pthread_mutex_unlock(&mu);
                fn(a);
                pthread_mutex_lock(&mu);
                job = NULL;
                pthread_cond_broadcast(&cv);
                continue;
            }
            break;
        }
        release_req = 0;
        held_tstate = 0;
        pthread_mutex_unlock(&mu);
        PyGILState_Release(g);
        pthread_mutex_lock(&mu);
        state = IDLE;
        pthread_cond_broadcast(&cv);
    }
    return NULL;
}

/* In a child made by the program's own fork(), the helper thread does not exist and the mutex
 * may have been held by a thread that is gone: start from scratch (the next request starts a new
 * helper). Only plain stores: this runs in the forked child before it returns from fork(). */
static void forked_child(void)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    mu = m;
    state = IDLE;
    release_req = 0;
    job = NULL;
    held_tstate = 0;
    started = 0;
}

int pygil_start(char *err, size_t errlen)
{
    static int atfork_done;
    if (started)
        return 0;
    if (!atfork_done) {
        pthread_atfork(NULL, NULL, forked_child);
        atfork_done = 1;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);
    pthread_condattr_destroy(&ca);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);    /* the helper inherits: no app handler runs on it */
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, 256 << 10);
    pthread_t t;
    int rc = pthread_create(&t, &at, helper, NULL);
    pthread_attr_destroy(&at);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        snprintf(err, errlen, "cannot start the GIL helper thread: %s", strerror(rc));
        return -1;
    }
    started = 1;
    return 0;
}

int pygil_acquire(uint64_t timeout_ns, char *err, size_t errlen)
{
    if (!started && pygil_start(err, errlen))
        return -1;
    if (!Py_IsInitialized() || _Py_IsFinalizing()) {
        snprintf(err, errlen, "the Python interpreter is %s", Py_IsInitialized() ? "shutting down" : "not running");
        return -1;
    }
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    uint64_t ns = (uint64_t)dl.tv_nsec + timeout_ns;
    dl.tv_sec += (time_t)(ns / 1000000000u);
    dl.tv_nsec = (long)(ns % 1000000000u);
    pthread_mutex_lock(&mu);
    if (state != IDLE) {
        pthread_mutex_unlock(&mu);
        snprintf(err, errlen, "the GIL was not released since an earlier request (a thread is still "
                              "holding it)");
        return -1;
    }
    state = REQUESTED;
    pthread_cond_broadcast(&cv);
    int rc = 0;
    while (state != HELD && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&cv, &mu, &dl);
    if (state != HELD) {
        /* the helper is (or will be) blocked in PyGILState_Ensure: it will let go when it gets in */
        state = state == REQUESTED ? IDLE : ABANDONED;
        pthread_mutex_unlock(&mu);
        snprintf(err, errlen, "the GIL was not released within %lu ms (a thread is in a long call "
                              "that holds it)", (unsigned long)(timeout_ns / 1000000));
        return -1;
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

void pygil_run(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&mu);
    if (state == HELD) {
        job = fn;
        job_arg = arg;
        pthread_cond_broadcast(&cv);
        while (job)
            pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
}

void pygil_release(void)
{
    pthread_mutex_lock(&mu);
    if (state == HELD) {
        release_req = 1;
        pthread_cond_broadcast(&cv);
        while (state == HELD)
            pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
}

uint64_t pygil_tstate(void)
{
    pthread_mutex_lock(&mu);
    uint64_t t = held_tstate;
    pthread_mutex_unlock(&mu);
    return t;
}
